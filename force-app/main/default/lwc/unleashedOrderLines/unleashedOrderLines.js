import { LightningElement, api } from 'lwc';

const COLUMNS = [
    { label: 'Line', fieldName: 'lineNumber', type: 'text' },
    { label: 'Product', fieldName: 'productCode', type: 'text' },
    { label: 'Description', fieldName: 'description', type: 'text' },
    { label: 'Quantity', fieldName: 'quantity', type: 'number', maximumFractionDigits: 4 },
    { label: 'List price', fieldName: 'listPrice', type: 'currency', maximumFractionDigits: 4 },
    { label: 'Discount %', fieldName: 'discountPercent', type: 'number', maximumFractionDigits: 2 },
    { label: 'Unit price', fieldName: 'unitPrice', type: 'currency', maximumFractionDigits: 4 },
    { label: 'Tax', fieldName: 'taxText', type: 'text' },
    { label: 'Line total', fieldName: 'lineTotal', type: 'currency', maximumFractionDigits: 2 },
    { label: 'Line tax', fieldName: 'lineTax', type: 'currency', maximumFractionDigits: 2 }
];

// Columns only the preview fills in: the price before the discount, the discount, the tax.
const LINE_TAX_FIELDS = new Set(['listPrice', 'discountPercent', 'taxText']);

const blank = (value) => value === undefined || value === null || String(value).trim() === '';

// Unleashed gives tax rates as fractions ("0.15").
function percentText(rate) {
    const value = Number(rate);
    return Number.isFinite(value) ? `${Math.round(value * 10000) / 100}%` : String(rate);
}

/**
 * The lines and totals of a sales order, as the send dialog previews it and as the sales-order view reads it
 * back. Money stays the exact decimal text the middleware computed; it is only formatted here. A plain SLDS
 * table: where the component is narrow (a record page's sidebar, the mobile app) each line stacks into a
 * block of labelled figures instead of cutting its columns (container query in the CSS).
 */
export default class UnleashedOrderLines extends LightningElement {
    /** The order's lines: lineNumber, productCode, description, quantity, unitPrice, lineTotal, lineTax. */
    @api lines;
    @api currencyCode;
    @api subTotal;
    @api taxTotal;
    @api total;
    /** Also show each line's list price, discount and tax code with its rate (the preview has them). */
    @api showLineTax = false;

    get columns() {
        return COLUMNS.filter((c) => this.showLineTax || !LINE_TAX_FIELDS.has(c.fieldName)).map((c) => ({
            ...c,
            // Beside the list price and the discount, the unit price is the net price Unleashed stores.
            label: this.showLineTax && c.fieldName === 'unitPrice' ? 'Net price' : c.label,
            // Figures line up on the right; the key columns (line, product) lead each block when stacked.
            headerClass: `slds-cell-wrap${c.type === 'text' ? '' : ' slds-text-align_right'}`
        }));
    }

    get rows() {
        const columns = this.columns;
        return (this.lines || []).map((line, index) => {
            const lineNumber = `${line.lineNumber || index + 1}`;
            const row = { ...line, key: lineNumber, lineNumber };
            if (this.showLineTax) {
                row.taxText = line.taxCode
                    ? `${line.taxCode}${blank(line.taxRate) ? '' : ` (${percentText(line.taxRate)})`}`
                    : '';
            }
            row.cells = columns.map((c) => ({
                key: c.fieldName,
                label: c.label,
                value: row[c.fieldName],
                isText: c.type === 'text',
                formatStyle: c.type === 'currency' ? 'currency' : 'decimal',
                maximumFractionDigits: c.maximumFractionDigits,
                cellClass: `slds-cell-wrap cell-${c.fieldName}${c.type === 'text' ? '' : ' slds-text-align_right'}`
            }));
            return row;
        });
    }

    get hasLines() {
        return this.rows.length > 0;
    }
}
