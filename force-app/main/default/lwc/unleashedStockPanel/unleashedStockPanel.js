import { LightningElement, api } from 'lwc';
import { registerRefreshHandler, unregisterRefreshHandler } from 'lightning/refresh';
import getProductStock from '@salesforce/apex/UnleashedStockController.getProductStock';
import getOpportunityStock from '@salesforce/apex/UnleashedStockController.getOpportunityStock';
import { decimalCompare, decimalSubtract, errorMessage, formatQuantity } from 'c/unleashedUtils';

const NOT_CONNECTED =
    'Unleashed is not connected yet. An administrator can connect it on the Unleashed Admin tab.';

const positive = (value) => decimalCompare(value, 0) > 0;
const lineWord = (n) => (n === 1 ? 'line' : 'lines');

/**
 * Live Unleashed stock for a Product (one row per warehouse) or an Opportunity (each line's quantity
 * beside what is available per warehouse, shortfalls spelled out, and per warehouse how many lines
 * it cannot cover). Also embedded by the send-order action with a chosen warehouse. Tables stack
 * into one block per row when the component is narrow (container query in the CSS).
 */
export default class UnleashedStockPanel extends LightningElement {
    @api objectApiName;

    view;
    error;
    isLoading = false;
    /** Also show on hand, allocated and on purchase on each Opportunity line. */
    showFigures = false;

    _recordId;
    _selectedWarehouseCode;
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

    /** Limits the view to one warehouse (the send-order action passes its choice). */
    @api
    get selectedWarehouseCode() {
        return this._selectedWarehouseCode;
    }
    set selectedWarehouseCode(value) {
        this._selectedWarehouseCode = value || undefined;
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

    /** Called by the record page after a RefreshEvent (for instance when an order was sent). */
    refreshHandler() {
        return this.load().then(() => true);
    }

    handleRefresh() {
        this.load();
    }

    handleFiguresToggle(event) {
        this.showFigures = event.target.checked;
    }

    load() {
        if (!this._recordId) {
            return Promise.resolve();
        }
        const seq = ++this._requestSeq;
        this.isLoading = true;
        const call = this.isOpportunity
            ? getOpportunityStock({ opportunityId: this._recordId })
            : getProductStock({ productId: this._recordId });
        return call
            .then((view) => {
                if (seq === this._requestSeq) {
                    this.view = view;
                    this.error = undefined;
                }
            })
            .catch((error) => {
                if (seq === this._requestSeq) {
                    this.error = error;
                    this.view = undefined;
                }
            })
            .finally(() => {
                if (seq === this._requestSeq) {
                    this.isLoading = false;
                }
            });
    }

    get isOpportunity() {
        if (this.objectApiName) {
            return this.objectApiName === 'Opportunity';
        }
        // Opportunity ids start with 006; used when the host does not say which object it is.
        return typeof this._recordId === 'string' && this._recordId.startsWith('006');
    }

    get cardTitle() {
        return this._selectedWarehouseCode
            ? `Unleashed stock in ${this.selectedWarehouseLabel}`
            : 'Unleashed stock';
    }

    get showSpinner() {
        return this.isLoading;
    }

    get errorText() {
        return this.error ? errorMessage(this.error) : undefined;
    }

    get notConnected() {
        return !this.error && !!this.view && this.view.connected === false;
    }

    get notConnectedText() {
        return (this.view && this.view.message) || NOT_CONNECTED;
    }

    get hasView() {
        return !this.error && !!this.view && this.view.connected !== false;
    }

    get asOf() {
        return this.view && this.view.asOf;
    }

    // lightning-relative-date-time takes a Date or a timestamp, not ISO text.
    get asOfTime() {
        return this.asOf ? Date.parse(this.asOf) : undefined;
    }

    get infoMessage() {
        return this.hasView && !this.productIssue ? this.view.message : undefined;
    }

    // ---- product view ----

    get isProductView() {
        return this.hasView && !this.isOpportunity;
    }

    /** The product itself, when the controller describes it as a line (code missing or unknown). */
    get productLine() {
        const lines = (this.view && this.view.lines) || [];
        return lines.length ? lines[0] : undefined;
    }

    get productIssue() {
        if (this.isOpportunity || !this.view) {
            return undefined;
        }
        const line = this.productLine;
        if (line && line.hasCode === false) {
            return 'This product has no Unleashed product code, so Unleashed cannot report its stock.';
        }
        if (line && line.known === false) {
            return `Unleashed has no product with the code ${line.productCode}.`;
        }
        return undefined;
    }

    get productRows() {
        return this.filterWarehouses((this.view && this.view.warehouses) || []).map((w) => ({
            ...w,
            warehouseLabel: w.warehouseName ? `${w.warehouseName} (${w.warehouseCode})` : w.warehouseCode,
            onHandText: formatQuantity(w.onHand || 0),
            allocatedText: formatQuantity(w.allocated || 0),
            availableText: formatQuantity(w.available || 0),
            onPurchaseText: formatQuantity(w.onPurchase || 0)
        }));
    }

    get showProductTable() {
        return this.isProductView && !this.productIssue && this.productRows.length > 0;
    }

    get showProductEmpty() {
        return this.isProductView && !this.productIssue && this.productRows.length === 0;
    }

    // ---- opportunity view ----

    get isOpportunityView() {
        return this.hasView && this.isOpportunity;
    }

    get lines() {
        return (this.view && this.view.lines) || [];
    }

    get showNoLines() {
        return this.isOpportunityView && this.lines.length === 0;
    }

    get showLineTable() {
        return this.isOpportunityView && this.lines.length > 0;
    }

    get showOpportunityEmpty() {
        return this.showLineTable && this.warehouseColumns.length === 0;
    }

    get selectedWarehouseLabel() {
        const code = this._selectedWarehouseCode;
        const all = this.allWarehouses();
        const found = all.find((w) => w.warehouseCode === code);
        return found && found.warehouseName ? found.warehouseName : code;
    }

    /** Every warehouse seen in the totals or on a line, in the order the controller gave them. */
    allWarehouses() {
        const seen = new Map();
        const add = (w) => {
            if (w && w.warehouseCode && !seen.has(w.warehouseCode)) {
                seen.set(w.warehouseCode, w);
            }
        };
        ((this.view && this.view.warehouses) || []).forEach(add);
        this.lines.forEach((l) => (l.warehouses || []).forEach(add));
        return [...seen.values()];
    }

    filterWarehouses(list) {
        const code = this._selectedWarehouseCode;
        return code ? list.filter((w) => w.warehouseCode === code) : list;
    }

    get warehouseColumns() {
        const code = this._selectedWarehouseCode;
        let list = this.allWarehouses();
        if (code) {
            const found = list.find((w) => w.warehouseCode === code);
            // A chosen warehouse without any stock record still gets its column (everything short).
            list = [found || { warehouseCode: code, warehouseName: code }];
        }
        return list.map((w) => ({
            key: w.warehouseCode,
            code: w.warehouseCode,
            label: w.warehouseName || w.warehouseCode,
            header: `Available in ${w.warehouseName || w.warehouseCode}`
        }));
    }

    get messageColspan() {
        return Math.max(this.warehouseColumns.length, 1);
    }

    get lineRows() {
        const columns = this.warehouseColumns;
        return this.lines.map((line, index) => {
            const row = {
                key: line.lineId || `line-${index}`,
                productName: line.productName || line.productCode || 'Product',
                productCode: line.productCode,
                quantityText: formatQuantity(line.quantity),
                message: undefined,
                messageIcon: 'utility:info',
                messageIconText: 'Information',
                cells: []
            };
            if (line.loaded === false) {
                row.message = 'Stock not loaded: too many products for one view';
                row.messageIcon = 'utility:warning';
                row.messageIconText = 'Warning';
            } else if (line.hasCode === false) {
                row.message = 'No Unleashed product code on this product';
                row.messageIcon = 'utility:warning';
                row.messageIconText = 'Warning';
            } else if (line.known === false) {
                row.message = `Unleashed has no product with the code ${line.productCode}`;
                row.messageIcon = 'utility:warning';
                row.messageIconText = 'Warning';
            } else if (columns.length === 0) {
                row.message = 'No stock recorded in Unleashed';
            } else {
                row.cells = columns.map((c) => this.cell(line, c));
            }
            row.hasMessage = !!row.message;
            return row;
        });
    }

    cell(line, column) {
        const stock = (line.warehouses || []).find((w) => w.warehouseCode === column.code) || {};
        const available = stock.available || 0;
        const short = decimalCompare(line.quantity, available) > 0;
        const own = positive(stock.orderAllocated) ? stock.orderAllocated : undefined;
        return {
            key: column.key,
            label: column.header,
            availableText: formatQuantity(available),
            short,
            shortText: short
                ? `Short by ${formatQuantity(decimalSubtract(line.quantity, available))}`
                : undefined,
            ownText: own ? `${formatQuantity(own)} allocated to this order` : undefined,
            onHandText: `On hand ${formatQuantity(stock.onHand || 0)}`,
            allocatedText: `Allocated ${formatQuantity(stock.allocated || 0)}`,
            onPurchaseText: `On purchase ${formatQuantity(stock.onPurchase || 0)}`
        };
    }

    /**
     * Per warehouse, what the lines' figures say together: how many lines it cannot cover, or that it
     * covers them all. Quantities of different products are never added up.
     */
    get summary() {
        const rows = this.lineRows;
        const total = rows.length;
        return this.warehouseColumns
            .map((column, i) => {
                const figured = rows.filter((r) => !r.hasMessage && r.cells[i]);
                const short = figured.filter((r) => r.cells[i].short).length;
                let text;
                if (short > 0) {
                    text = `${short} of ${total} ${lineWord(total)} short in ${column.label}`;
                } else if (figured.length === total) {
                    text =
                        total === 1
                            ? `The line is fully available in ${column.label}`
                            : `All lines fully available in ${column.label}`;
                } else {
                    text = `${figured.length} of ${total} ${lineWord(total)} fully available in ${column.label}`;
                }
                return { key: column.key, short: short > 0, text, counted: figured.length };
            })
            .filter((s) => s.counted > 0);
    }

    get hasSummary() {
        return this.summary.length > 0;
    }

    /** The Opportunity's order is in Unleashed and holds some of this stock allocated. */
    get hasOwnOrder() {
        return this.lineRows.some((r) => r.cells.some((c) => c.ownText));
    }
}
