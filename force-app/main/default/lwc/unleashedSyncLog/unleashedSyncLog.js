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

/** Only failed rows that the controller says can be repeated get an enabled Retry action. */
function rowActions(row, doneCallback) {
    doneCallback([{ label: 'Retry', name: 'retry', iconName: 'utility:redo', disabled: !row.canRetry }]);
}

const COLUMNS = [
    {
        label: 'Time',
        fieldName: 'occurredAt',
        type: 'date',
        initialWidth: 170,
        typeAttributes: {
            year: 'numeric',
            month: 'short',
            day: '2-digit',
            hour: '2-digit',
            minute: '2-digit'
        }
    },
    { label: 'Operation', fieldName: 'operation', type: 'text', initialWidth: 130 },
    {
        label: 'Record',
        fieldName: 'recordUrl',
        type: 'url',
        initialWidth: 180,
        typeAttributes: { label: { fieldName: 'recordId' }, target: '_self' }
    },
    {
        label: 'Status',
        fieldName: 'status',
        type: 'text',
        initialWidth: 110,
        cellAttributes: {
            iconName: { fieldName: 'statusIcon' },
            iconAlternativeText: { fieldName: 'status' }
        }
    },
    { label: 'Error', fieldName: 'errorText', type: 'text', wrapText: true },
    { label: 'Attempts', fieldName: 'attempts', type: 'number', initialWidth: 95 },
    { label: 'Log', fieldName: 'name', type: 'text', initialWidth: 120 },
    { type: 'action', typeAttributes: { rowActions } }
];

/** Every push, import and back-sync with its outcome and error text; failed sends can be retried. */
export default class UnleashedSyncLog extends LightningElement {
    rows = [];
    error;
    isLoading = false;
    status = '';
    loaded = false;

    columns = COLUMNS;
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
                        statusIcon: row.status === 'Success' ? 'utility:success' : 'utility:error'
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

    handleRowAction(event) {
        const { action, row } = event.detail;
        if (action.name === 'retry') {
            this.retry(row);
        }
    }

    retry(row) {
        if (!row.canRetry || this._retrying.has(row.id)) {
            return Promise.resolve();
        }
        this._retrying.add(row.id);
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
