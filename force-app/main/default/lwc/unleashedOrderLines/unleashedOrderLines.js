import { LightningElement, api } from 'lwc';

const COLUMNS = [
    { label: 'Line', fieldName: 'lineNumber', type: 'text', initialWidth: 70 },
    { label: 'Product', fieldName: 'productCode', type: 'text' },
    { label: 'Description', fieldName: 'description', type: 'text', wrapText: true },
    {
        label: 'Quantity',
        fieldName: 'quantity',
        type: 'number',
        typeAttributes: { maximumFractionDigits: 4 }
    },
    {
        label: 'List price',
        fieldName: 'listPrice',
        type: 'currency',
        typeAttributes: { maximumFractionDigits: 4 }
    },
    {
        label: 'Discount %',
        fieldName: 'discountPercent',
        type: 'number',
        typeAttributes: { maximumFractionDigits: 2 }
    },
    {
        label: 'Unit price',
        fieldName: 'unitPrice',
        type: 'currency',
        typeAttributes: { maximumFractionDigits: 4 }
    },
    { label: 'Tax', fieldName: 'taxText', type: 'text' },
    { label: 'Line total', fieldName: 'lineTotal', type: 'currency' },
    { label: 'Line tax', fieldName: 'lineTax', type: 'currency' }
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
 * back. Money stays the exact decimal text the middleware computed; it is only formatted here.
 */
export default class UnleashedOrderLines extends LightningElement {
    /** The order's lines: lineNumber, productCode, description, quantity, unitPrice, lineTotal, lineTax. */
    @api lines;
    @api currencyCode;
    @api subTotal;
    @api taxTotal;
    @api total;
    /**
     * Also show each line's list price, discount (then the unit price is the net price) and tax code
     * with its rate (the preview has them).
     */
    @api showLineTax = false;

    get columns() {
        const currencyCode = this.currencyCode;
        return COLUMNS.filter((c) => this.showLineTax || !LINE_TAX_FIELDS.has(c.fieldName)).map((c) => {
            // Beside the list price and the discount, the unit price is the net price Unleashed stores.
            const named = this.showLineTax && c.fieldName === 'unitPrice' ? { ...c, label: 'Net price' } : c;
            if (named.type !== 'currency') {
                return named;
            }
            return { ...named, typeAttributes: { ...(named.typeAttributes || {}), currencyCode } };
        });
    }

    get rows() {
        return (this.lines || []).map((line, index) => {
            const lineNumber = `${line.lineNumber || index + 1}`;
            const row = { ...line, key: lineNumber, lineNumber };
            if (this.showLineTax) {
                row.taxText = line.taxCode
                    ? `${line.taxCode}${blank(line.taxRate) ? '' : ` (${percentText(line.taxRate)})`}`
                    : '';
            }
            return row;
        });
    }

    get hasLines() {
        return this.rows.length > 0;
    }
}
