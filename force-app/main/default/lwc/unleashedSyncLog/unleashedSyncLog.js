import { LightningElement } from 'lwc';
import { registerRefreshHandler, unregisterRefreshHandler } from 'lightning/refresh';
import { ShowToastEvent } from 'lightning/platformShowToastEvent';
import getSyncLogs from '@salesforce/apex/UnleashedSyncLogController.getSyncLogs';
import retrySync from '@salesforce/apex/UnleashedSyncLogController.retrySync';
import { errorMessage } from 'c/unleashedUtils';

export const PAGE_SIZE = 100;

const STATUS_OPTIONS = [
    { label: 'All statuses', value: '' },
    { label: 'Success', value: 'Success' },
    { label: 'Error', value: 'Error' }
];

/** Every push, import and back-sync with its outcome and error text; failed sends can be retried. */
export default class UnleashedSyncLog extends LightningElement {
    rows = [];
    error;
    isLoading = false;
    status = '';
    loaded = false;

    statusOptions = STATUS_OPTIONS;

    _retrying = new Set();
    _requestSeq = 0;

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
        const seq = ++this._requestSeq;
        this.isLoading = true;
        return getSyncLogs({ limitSize: PAGE_SIZE, status: this.status || null })
            .then((rows) => {
                if (seq === this._requestSeq) {
                    this.rows = (rows || []).map((row) => ({
                        ...row,
                        recordUrl: row.recordId ? `/lightning/r/${row.recordId}/view` : null,
                        statusIcon: row.status === 'Success' ? 'utility:success' : 'utility:error',
                        // Only failed rows that the controller says can be repeated get an enabled Retry.
                        retryDisabled: !row.canRetry || this._retrying.has(row.id),
                        retryTitle: row.canRetry
                            ? `Send ${row.name} again`
                            : 'Only a failed order send can be retried'
                    }));
                    this.error = undefined;
                    this.loaded = true;
                }
            })
            .catch((error) => {
                if (seq === this._requestSeq) {
                    this.error = errorMessage(error);
                    this.rows = [];
                }
            })
            .finally(() => {
                if (seq === this._requestSeq) {
                    this.isLoading = false;
                }
            });
    }

    get hasRows() {
        return this.rows.length > 0;
    }

    get isEmpty() {
        return this.loaded && !this.error && !this.isLoading && this.rows.length === 0;
    }

    get emptyText() {
        return this.status ? `No sync log entries with status ${this.status}.` : 'No sync log entries yet.';
    }

    handleStatusChange(event) {
        this.status = event.detail.value;
        this.load();
    }

    handleRefresh() {
        this.load();
    }

    handleRetryClick(event) {
        const row = this.rows.find((r) => r.id === event.target.dataset.row);
        if (row) {
            this.retry(row);
        }
    }

    retry(row) {
        if (!row.canRetry || this._retrying.has(row.id)) {
            return Promise.resolve();
        }
        this._retrying.add(row.id);
        this.rows = this.rows.map((r) => (r.id === row.id ? { ...r, retryDisabled: true } : r));
        return retrySync({ logId: row.id })
            .then((result) => {
                const ok = result && result.status === 'Success';
                this.dispatchEvent(
                    new ShowToastEvent({
                        title: ok ? 'Retry succeeded' : 'Retry failed',
                        message: ok
                            ? `${result.operation} succeeded (${result.name}).`
                            : (result && result.errorText) || 'Unleashed did not accept it again.',
                        variant: ok ? 'success' : 'error'
                    })
                );
            })
            .catch((error) => {
                this.dispatchEvent(
                    new ShowToastEvent({
                        title: 'Retry failed',
                        message: errorMessage(error),
                        variant: 'error'
                    })
                );
            })
            .finally(() => {
                this._retrying.delete(row.id);
                this.load();
            });
    }
}
