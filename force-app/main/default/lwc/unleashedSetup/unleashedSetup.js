import { LightningElement } from 'lwc';
import { registerRefreshHandler, unregisterRefreshHandler } from 'lightning/refresh';
import { NavigationMixin } from 'lightning/navigation';
import { ShowToastEvent } from 'lightning/platformShowToastEvent';
import LightningConfirm from 'lightning/confirm';
import getSetupState from '@salesforce/apex/UnleashedSetupController.getSetupState';
import saveUnleashedCredentials from '@salesforce/apex/UnleashedSetupController.saveUnleashedCredentials';
import disconnect from '@salesforce/apex/UnleashedSetupController.disconnect';
import { errorMessage } from 'c/unleashedUtils';

const formatCount = (n) => Number(n || 0).toLocaleString();

/**
 * Connects the org to the connector service (browser redirect to its OAuth start), stores the
 * Unleashed API credentials there, shows the account and its API quota, and disconnects.
 */
export default class UnleashedSetup extends NavigationMixin(LightningElement) {
    state;
    error;
    formError;
    isLoading = false;
    saving = false;
    disconnecting = false;

    apiId = '';
    apiKey = '';

    connectedCallback() {
        // The page refreshes its components after an import or a send; this one reloads with it.
        this._refreshHandlerId = registerRefreshHandler(this, this.refreshHandler);
        this.load();
    }

    disconnectedCallback() {
        unregisterRefreshHandler(this._refreshHandlerId);
    }

    refreshHandler() {
        return this.load().then(() => true);
    }

    load() {
        this.isLoading = true;
        return getSetupState()
            .then((state) => {
                this.state = state;
                this.error = undefined;
            })
            .catch((error) => {
                this.error = errorMessage(error);
            })
            .finally(() => {
                this.isLoading = false;
            });
    }

    handleRefresh() {
        this.load();
    }

    // ---- state ----

    get hasState() {
        return !!this.state && !this.error;
    }

    get noPermission() {
        return this.hasState && this.state.canManage !== true;
    }

    get canManage() {
        return this.hasState && this.state.canManage === true;
    }

    get notConnected() {
        return this.canManage && this.state.middlewareConnected !== true;
    }

    get connected() {
        return this.canManage && this.state.middlewareConnected === true;
    }

    get unleashedConnected() {
        return this.connected && this.state.unleashedConnected === true;
    }

    /** The org a sandbox's copied connection was made for (a refresh from production copies it). */
    get copiedFromOrgId() {
        return this.notConnected ? this.state.copiedFromOrgId : undefined;
    }

    get connectLabel() {
        return this.copiedFromOrgId ? 'Connect this org' : 'Connect';
    }

    /** Connected, but the service no longer accepts the connection: connecting again renews it. */
    get needsReconnect() {
        return this.connected && this.state.needsReconnect === true;
    }

    get reconnectLabel() {
        return this.needsReconnect ? 'Connect again' : 'Reconnect';
    }

    get reconnectVariant() {
        return this.needsReconnect ? 'brand' : 'neutral';
    }

    get connectDisabled() {
        return !this.state || !this.state.connectUrl;
    }

    get credentialsTitle() {
        return this.unleashedConnected
            ? 'Replace the Unleashed API credentials'
            : 'Unleashed API credentials';
    }

    get unleashedStatusText() {
        return this.unleashedConnected
            ? 'Unleashed account connected'
            : 'No Unleashed account yet. Enter its API ID and API key (Unleashed: Integration > Unleashed API Access).';
    }

    get statusText() {
        if (!this.hasState) {
            return '';
        }
        if (this.state.middlewareConnected !== true) {
            return 'Not connected';
        }
        return this.state.unleashedConnected === true
            ? 'Connected to Unleashed'
            : 'Connected, Unleashed account missing';
    }

    get quota() {
        return this.unleashedConnected ? this.state.quota : undefined;
    }

    get quotaPercent() {
        const quota = this.quota;
        if (quota.percent !== undefined && quota.percent !== null) {
            return Math.max(0, Math.min(100, Number(quota.percent)));
        }
        return quota.limit ? Math.min(100, (Number(quota.used || 0) * 100) / Number(quota.limit)) : 0;
    }

    get quotaText() {
        const quota = this.quota;
        return `${formatCount(quota.used)} of ${formatCount(quota.limit)} API calls used this month${
            quota.month ? ` (${quota.month})` : ''
        }`;
    }

    get saveDisabled() {
        return this.saving;
    }

    // ---- actions ----

    handleConnect() {
        if (this.connectDisabled) {
            return;
        }
        // The connector's OAuth start page; it sends the browser back to Salesforce when done.
        this[NavigationMixin.Navigate]({
            type: 'standard__webPage',
            attributes: { url: this.state.connectUrl }
        });
    }

    handleApiIdChange(event) {
        this.apiId = event.detail.value;
        this.formError = undefined;
    }

    handleApiKeyChange(event) {
        this.apiKey = event.detail.value;
        this.formError = undefined;
    }

    handleSave() {
        if (this.saving) {
            return;
        }
        const apiId = (this.apiId || '').trim();
        const apiKey = (this.apiKey || '').trim();
        [...this.template.querySelectorAll('[data-validate]')].forEach((input) => input.reportValidity());
        if (!apiId || !apiKey) {
            this.formError = 'Enter both the API ID and the API key.';
            return;
        }
        this.saving = true;
        this.formError = undefined;
        saveUnleashedCredentials({ apiId, apiKey })
            .then((state) => {
                this.state = state;
                // The key lives only in the connector from here on; it is never shown again.
                this.apiKey = '';
                this.apiId = '';
                this.dispatchEvent(
                    new ShowToastEvent({
                        title: 'Unleashed connected',
                        message: state.companyName
                            ? `Connected to ${state.companyName}.`
                            : 'The Unleashed credentials were saved.',
                        variant: 'success'
                    })
                );
            })
            .catch((error) => {
                this.formError = errorMessage(error);
            })
            .finally(() => {
                this.saving = false;
            });
    }

    async handleDisconnect() {
        if (this.disconnecting) {
            return;
        }
        const confirmed = await LightningConfirm.open({
            label: 'Disconnect from Unleashed',
            message:
                'Stock, sales orders and imports stop working until the org is connected again. The stored Unleashed credentials are deleted.',
            theme: 'warning',
            variant: 'header'
        });
        if (!confirmed) {
            return;
        }
        this.disconnecting = true;
        try {
            this.state = await disconnect();
            this.error = undefined;
            this.dispatchEvent(
                new ShowToastEvent({
                    title: 'Disconnected',
                    message: 'The org is no longer connected.',
                    variant: 'success'
                })
            );
        } catch (error) {
            this.error = errorMessage(error);
        } finally {
            this.disconnecting = false;
        }
    }
}
