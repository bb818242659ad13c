import { LightningElement, api } from 'lwc';

/**
 * The shipments (number, status, dispatch date, courier, tracking number linked to the courier's page when
 * known, shipped quantity per line) and invoices (number, dates, status, total in the invoice's currency) of
 * a sales order. Stacked blocks rather than tables, so they fit a record page's sidebar.
 */
export default class UnleashedFulfilment extends LightningElement {
    @api shipments = [];
    @api invoices = [];

    get shipmentRows() {
        return (this.shipments || []).map((s) => ({
            ...s,
            key: s.id || s.shipmentNumber,
            heading: `Shipment ${s.shipmentNumber || ''}`.trim(),
            hasTrackingLink: !!s.trackingNumber && !!s.trackingUrl,
            hasTrackingText: !!s.trackingNumber && !s.trackingUrl,
            trackingLabel: `Track ${s.trackingNumber} with ${s.courier || 'the courier'} (opens a new tab)`,
            lineRows: (s.lines || []).map((l, i) => ({
                key: `${l.lineNumber || i}`,
                text: `${l.productCode || `Line ${l.orderLineNumber || l.lineNumber}`} × ${l.quantity}`
            })),
            hasLines: (s.lines || []).length > 0
        }));
    }

    get invoiceRows() {
        return (this.invoices || []).map((inv) => ({
            ...inv,
            key: inv.id || inv.invoiceNumber,
            heading: `Invoice ${inv.invoiceNumber || ''}`.trim()
        }));
    }

    get hasShipments() {
        return this.shipmentRows.length > 0;
    }

    get hasInvoices() {
        return this.invoiceRows.length > 0;
    }
}
