import { LightningElement } from 'lwc';
import { RefreshEvent } from 'lightning/refresh';
import { ShowToastEvent } from 'lightning/platformShowToastEvent';
import getImportState from '@salesforce/apex/UnleashedImportController.getImportState';
import startImport from '@salesforce/apex/UnleashedImportController.startImport';
import getImportJob from '@salesforce/apex/UnleashedImportController.getImportJob';
import { errorMessage } from 'c/unleashedUtils';

export const POLL_INTERVAL_MS = 2000;
// Consecutive failed polls before the component stops asking and says so.
const MAX_POLL_FAILURES = 3;

const ENTITY_LABELS = {
    warehouses: 'Warehouses',
    taxes: 'Taxes',
    salesPersons: 'Salespersons',
    deliveryMethods: 'Delivery methods',
    salesOrderGroups: 'Sales order groups',
    products: 'Products (Unleashed price book)',
    priceTiers: 'Price tiers',
    customers: 'Customers'
};

const ACTIVE = new Set(['Queued', 'Running']);

const STATUS_ICONS = {
    Queued: { icon: 'utility:clock', text: 'Queued' },
    Running: { icon: 'utility:sync', text: 'Running' },
    Succeeded: { icon: 'utility:success', text: 'Succeeded' },
    'Completed With Errors': { icon: 'utility:warning', text: 'Completed with errors' },
    Failed: { icon: 'utility:error', text: 'Failed' }
};

const ERROR_COLUMNS = [
    { label: 'Entity', fieldName: 'entity', type: 'text', initialWidth: 140 },
    { label: 'Key', fieldName: 'key', type: 'text', initialWidth: 180 },
    { label: 'Reason', fieldName: 'reason', type: 'text', wrapText: true }
];

const formatCount = (n) => Number(n || 0).toLocaleString();

/**
 * Imports reference data, products and customers from Unleashed and follows the job: progress bar,
 * counts, the rows that failed, and the account's monthly API quota.
 */
export default class UnleashedImport extends LightningElement {
    state;
    job;
    error;
    pollError;
    isLoading = false;
    starting = false;

    selectedEntities = Object.keys(ENTITY_LABELS);
    fullReimport = false;
    createMissingAccounts = false;

    errorColumns = ERROR_COLUMNS;

    _pollTimer;
    _pollInFlight = false;
    _pollFailures = 0;
    _connected = false;

    connectedCallback() {
        this._connected = true;
        this.loadState();
    }

    disconnectedCallback() {
        this._connected = false;
        this.stopPolling();
    }

    handleRefresh() {
        this.loadState();
    }

    loadState() {
        this.isLoading = true;
        return getImportState()
            .then((state) => {
                this.state = state;
                this.error = undefined;
                // The job record in Salesforce can trail the middleware: a job this component already
                // saw finish stays finished.
                const current = this.job;
                const known = current && state.job && current.jobId === state.job.jobId;
                if (state.job && !(known && !ACTIVE.has(current.status))) {
                    this.job = state.job;
                }
                if (this.isActive) {
                    this.startPolling();
                }
            })
            .catch((error) => {
                this.error = errorMessage(error);
            })
            .finally(() => {
                this.isLoading = false;
            });
    }

    // ---- polling ----

    startPolling() {
        if (this._pollTimer || !this._connected) {
            return;
        }
        this._pollFailures = 0;
        this.pollError = undefined;
        // Progress lives in the middleware; it is read every two seconds while the job runs.
        // eslint-disable-next-line @lwc/lwc/no-async-operation
        this._pollTimer = setInterval(() => this.poll(), POLL_INTERVAL_MS);
    }

    stopPolling() {
        if (this._pollTimer) {
            clearInterval(this._pollTimer);
            this._pollTimer = undefined;
        }
    }

    get isPolling() {
        return !!this._pollTimer;
    }

    poll() {
        if (this._pollInFlight || !this.job) {
            return Promise.resolve();
        }
        this._pollInFlight = true;
        return getImportJob({ jobId: this.job.jobId })
            .then((job) => {
                this._pollFailures = 0;
                this.pollError = undefined;
                this.job = job;
                if (!ACTIVE.has(job.status)) {
                    this.stopPolling();
                    this.announceFinish(job);
                    // Last-run dates and the quota changed with the import; the page's other
                    // components (sync log, connection with its quota meter) reload on RefreshEvent.
                    this.loadState();
                    this.dispatchEvent(new RefreshEvent());
                }
            })
            .catch((error) => {
                this._pollFailures += 1;
                this.pollError = errorMessage(error);
                if (this._pollFailures >= MAX_POLL_FAILURES) {
                    this.stopPolling();
                }
            })
            .finally(() => {
                this._pollInFlight = false;
            });
    }

    announceFinish(job) {
        const variants = { Succeeded: 'success', 'Completed With Errors': 'warning', Failed: 'error' };
        this.dispatchEvent(
            new ShowToastEvent({
                title: `Import ${(STATUS_ICONS[job.status] || { text: job.status }).text.toLowerCase()}`,
                message: `${formatCount(job.created)} created, ${formatCount(job.updated)} updated, ${formatCount(
                    job.unchanged
                )} unchanged, ${formatCount(job.failed)} failed.`,
                variant: variants[job.status] || 'info'
            })
        );
    }

    handleCheckAgain() {
        this.pollError = undefined;
        this.poll().then(() => {
            if (this.isActive) {
                this.startPolling();
            }
        });
    }

    // ---- form ----

    get canImport() {
        return !!this.state && this.state.canImport === true;
    }

    get cannotImport() {
        return !!this.state && this.state.canImport !== true;
    }

    get entityOptions() {
        const entities = (this.state && this.state.entities) || [];
        if (entities.length) {
            return entities.map((e) => ({
                label: e.label || ENTITY_LABELS[e.name] || e.name,
                value: e.name
            }));
        }
        return Object.keys(ENTITY_LABELS).map((name) => ({ label: ENTITY_LABELS[name], value: name }));
    }

    get lastRuns() {
        return ((this.state && this.state.entities) || []).map((e) => ({
            key: e.name,
            labelKey: `label-${e.name}`,
            valueKey: `value-${e.name}`,
            label: e.label || ENTITY_LABELS[e.name] || e.name,
            lastRun: e.lastRun
        }));
    }

    get hasLastRuns() {
        return this.lastRuns.length > 0;
    }

    get isActive() {
        return !!this.job && ACTIVE.has(this.job.status);
    }

    get startDisabled() {
        return this.starting || this.isActive || this.selectedEntities.length === 0;
    }

    get startHint() {
        if (this.isActive) {
            return 'An import is running. You can start another when it has finished.';
        }
        if (this.selectedEntities.length === 0) {
            return 'Choose at least one kind of record to import.';
        }
        return undefined;
    }

    handleEntitiesChange(event) {
        this.selectedEntities = event.detail.value;
    }

    handleFullReimportChange(event) {
        this.fullReimport = event.detail.checked;
    }

    handleCreateAccountsChange(event) {
        this.createMissingAccounts = event.detail.checked;
    }

    handleStart() {
        if (this.startDisabled || !this.canImport) {
            return;
        }
        this.starting = true;
        this.error = undefined;
        // Keep the order of the option list: reference data before products and customers.
        const order = this.entityOptions.map((o) => o.value);
        const entities = [...this.selectedEntities].sort((a, b) => order.indexOf(a) - order.indexOf(b));
        startImport({
            entities,
            fullReimport: this.fullReimport,
            createMissingAccounts: this.createMissingAccounts
        })
            .then((job) => {
                this.job = job;
                if (this.isActive) {
                    this.startPolling();
                } else {
                    this.loadState();
                }
            })
            .catch((error) => {
                this.error = errorMessage(error);
            })
            .finally(() => {
                this.starting = false;
            });
    }

    // ---- job view ----

    get hasJob() {
        return !!this.job;
    }

    get percent() {
        const job = this.job;
        if (!job) {
            return 0;
        }
        if (job.percent !== undefined && job.percent !== null) {
            return Math.max(0, Math.min(100, Number(job.percent)));
        }
        return job.total ? Math.min(100, Math.floor((Number(job.done || 0) * 100) / Number(job.total))) : 0;
    }

    get progressText() {
        const job = this.job;
        return `${formatCount(job.done)} of ${formatCount(job.total)} (${this.percent}%)`;
    }

    get countsText() {
        const job = this.job;
        return `Created ${formatCount(job.created)} · Updated ${formatCount(job.updated)} · Unchanged ${formatCount(
            job.unchanged
        )} · Failed ${formatCount(job.failed)}`;
    }

    get statusIcon() {
        return (STATUS_ICONS[this.job.status] || { icon: 'utility:info' }).icon;
    }

    get statusText() {
        return (STATUS_ICONS[this.job.status] || { text: this.job.status }).text;
    }

    get isFailed() {
        return !!this.job && this.job.status === 'Failed';
    }

    get isSucceeded() {
        return !!this.job && this.job.status === 'Succeeded';
    }

    get jobErrors() {
        return ((this.job && this.job.errors) || []).map((e, i) => ({ ...e, rowKey: `${i}` }));
    }

    get hasJobErrors() {
        return this.jobErrors.length > 0;
    }

    // ---- quota ----

    get quota() {
        return this.state && this.state.quota;
    }

    get quotaPercent() {
        const quota = this.quota;
        if (!quota) {
            return 0;
        }
        if (quota.percent !== undefined && quota.percent !== null) {
            return Math.max(0, Math.min(100, Number(quota.percent)));
        }
        return quota.limit ? Math.min(100, (Number(quota.used || 0) * 100) / Number(quota.limit)) : 0;
    }

    /** What keeping sent orders' status, shipments and invoices current costs, when the middleware says. */
    get quotaPollingText() {
        const quota = this.quota;
        if (!quota || quota.pollingCallsPerDay === undefined || quota.pollingCallsPerDay === null) {
            return '';
        }
        const share =
            quota.pollingPercent === undefined || quota.pollingPercent === null
                ? ''
                : ` (${quota.pollingPercent}% of the monthly allowance)`;
        const hooked =
            quota.pollingWebhookCallsPerDay === undefined || quota.pollingWebhookCallsPerDay === null
                ? ''
                : `about ${formatCount(quota.pollingWebhookCallsPerDay)} a day while Unleashed's webhooks deliver changes${
                      quota.pollingWebhookPercent === undefined || quota.pollingWebhookPercent === null
                          ? ''
                          : ` (${quota.pollingWebhookPercent}%)`
                  }, `;
        return `Keeping sent orders' status, shipments and invoices up to date costs ${hooked}about ${formatCount(
            quota.pollingCallsPerDay
        )} calls a day${hooked ? ' without them' : ''}${share}.`;
    }

    get quotaText() {
        const quota = this.quota;
        return `${formatCount(quota.used)} of ${formatCount(quota.limit)} API calls used this month${
            quota.month ? ` (${quota.month})` : ''
        }`;
    }
}
