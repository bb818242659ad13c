import { LightningElement, api } from 'lwc';
import getHistory from '@salesforce/apex/UnleashedAccountHistoryController.getHistory';
import { errorMessage } from 'c/unleashedUtils';

/**
 * The Account's customer in Unleashed: its recent sales orders and invoices from every channel (not only
 * those sent from Salesforce), read live through the middleware a page at a time; "More" adds the next page.
 */
export default class UnleashedAccountHistory extends LightningElement {
    history;
    orders = [];
    invoices = [];
    error;
    isLoading = false;

    _recordId;
    _connected = false;
    _requestSeq = 0;

    @api
    get recordId() {
        return this._recordId;
    }
    set recordId(value) {
        const changed = value !== this._recordId;
        this._recordId = value;
        if (changed && this._connected) {
            this.load(1);
        }
    }

    connectedCallback() {
        this._connected = true;
        this.load(1);
    }

    disconnectedCallback() {
        this._connected = false;
    }

    handleRefresh() {
        this.load(1);
    }

    handleMore() {
        this.load((this.history?.page || 1) + 1);
    }

    load(page) {
        if (!this._recordId) {
            return Promise.resolve();
        }
        const seq = ++this._requestSeq;
        this.isLoading = true;
        return getHistory({ accountId: this._recordId, page })
            .then((history) => {
                if (seq !== this._requestSeq) return;
                this.error = undefined;
                this.history = history;
                const orders = (history.orders || []).map((r) => this.orderRow(r));
                const invoices = (history.invoices || []).map((r) => this.invoiceRow(r));
                this.orders = page === 1 ? orders : [...this.orders, ...orders];
                this.invoices = page === 1 ? invoices : [...this.invoices, ...invoices];
            })
            .catch((error) => {
                if (seq === this._requestSeq) {
                    this.error = error;
                }
            })
            .finally(() => {
                if (seq === this._requestSeq) {
                    this.isLoading = false;
                }
            });
    }

    orderRow(r) {
        return {
            ...r,
            key: `order-${r.guid}`,
            statusLabel: r.customStatus ? `${r.status} (${r.customStatus})` : r.status
        };
    }

    invoiceRow(r) {
        return {
            ...r,
            key: `invoice-${r.guid}`,
            orderText: r.orderNumber ? `for ${r.orderNumber}` : ''
        };
    }

    get errorText() {
        return this.error ? errorMessage(this.error) : undefined;
    }

    get noCustomerCode() {
        return !this.error && !!this.history && this.history.hasCustomerCode === false;
    }

    get message() {
        return !this.error && this.history?.message ? this.history.message : undefined;
    }

    get showLists() {
        return (
            !this.error && !!this.history && this.history.hasCustomerCode === true && !this.history.message
        );
    }

    get ordersHeading() {
        const count = this.history?.orderCount;
        return count === undefined || count === null ? 'Sales orders' : `Sales orders (${count})`;
    }

    get invoicesHeading() {
        const count = this.history?.invoiceCount;
        return count === undefined || count === null ? 'Invoices' : `Invoices (${count})`;
    }

    get hasOrders() {
        return this.orders.length > 0;
    }

    get hasInvoices() {
        return this.invoices.length > 0;
    }

    get hasMore() {
        const h = this.history;
        if (!this.showLists || !h) return false;
        return (h.page || 1) < Math.max(h.orderPages || 0, h.invoicePages || 0);
    }

    get customerText() {
        const h = this.history;
        if (!h?.customerCode) return '';
        return h.customerName ? `${h.customerName} (${h.customerCode})` : h.customerCode;
    }
}
