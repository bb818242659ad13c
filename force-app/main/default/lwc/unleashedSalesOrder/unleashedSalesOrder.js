import { LightningElement, api } from 'lwc';
import { registerRefreshHandler, unregisterRefreshHandler } from 'lightning/refresh';
import getOrder from '@salesforce/apex/UnleashedOrderController.getOrder';
import { errorMessage } from 'c/unleashedUtils';

/** The opportunity's sales order as Unleashed has it now: number, status, dates, lines and totals. */
export default class UnleashedSalesOrder extends LightningElement {
    order;
    error;
    isLoading = false;

    _recordId;
    _connected = false;
    _refreshHandlerId;
    _requestSeq = 0;

    @api
    get recordId() {
        return this._recordId;
    }
    set recordId(value) {
        const changed = value !== this._recordId;
        this._recordId = value;
        if (changed && this._connected) {
            this.load();
        }
    }

    connectedCallback() {
        this._connected = true;
        this._refreshHandlerId = registerRefreshHandler(this, this.refreshHandler);
        this.load();
    }

    disconnectedCallback() {
        this._connected = false;
        unregisterRefreshHandler(this._refreshHandlerId);
    }

    /** Runs when the record page refreshes, for instance right after the order was sent. */
    refreshHandler() {
        return this.load().then(() => true);
    }

    handleRefresh() {
        this.load();
    }

    load() {
        if (!this._recordId) {
            return Promise.resolve();
        }
        const seq = ++this._requestSeq;
        this.isLoading = true;
        return getOrder({ opportunityId: this._recordId })
            .then((order) => {
                if (seq === this._requestSeq) {
                    this.order = order;
                    this.error = undefined;
                }
            })
            .catch((error) => {
                if (seq === this._requestSeq) {
                    this.order = undefined;
                    this.error = error;
                }
            })
            .finally(() => {
                if (seq === this._requestSeq) {
                    this.isLoading = false;
                }
            });
    }

    get errorText() {
        return this.error ? errorMessage(this.error) : undefined;
    }

    get hasOrder() {
        return !this.error && !!this.order && this.order.hasOrder === true;
    }

    get noOrder() {
        return !this.error && !!this.order && this.order.hasOrder !== true;
    }

    // The order number is the first line of the summary: in the title it would be cut off (or run into
    // the refresh button) in a record page's sidebar.
    get cardTitle() {
        return 'Unleashed sales order';
    }
}
