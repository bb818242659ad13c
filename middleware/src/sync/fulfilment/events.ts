import { createHash } from 'node:crypto';
import { Decimal } from 'decimal.js';
import { formatMoney, type RoundingMode } from '../../money/decimal';
import { parseUnleashedDate } from '../../unleashed/dates';
import type { UnleashedInvoice, UnleashedSalesShipment } from '../../unleashed/schemas';
import { trackingUrl, type CourierTable } from './couriers';

/**
 * The `order.shipment` and `order.invoice` events of the package's events resource (the contract
 * is in docs/architecture.md). One event carries one document's whole current state, so the
 * package upserts it by its GUID: applying the same event twice changes nothing.
 */

export interface ShipmentEvent {
    type: 'order.shipment';
    opportunityId: string;
    orderGuid: string;
    orderNumber: string | null;
    shipmentGuid: string;
    shipmentNumber: string | null;
    status: string;
    /** YYYY-MM-DD (UTC), or null before dispatch. */
    dispatchDate: string | null;
    courier: string | null;
    trackingNumber: string | null;
    /** The courier's tracking page for this number, when the courier is in the table. */
    trackingUrl: string | null;
    /** True when Unleashed deleted the shipment: the package removes its record. */
    deleted: boolean;
    lines: {
        lineNumber: number;
        orderLineNumber: number | null;
        productCode: string | null;
        quantity: string;
    }[];
    changedAt: string | null;
}

export interface InvoiceEvent {
    type: 'order.invoice';
    opportunityId: string;
    orderGuid: string;
    orderNumber: string | null;
    invoiceGuid: string;
    invoiceNumber: string | null;
    status: string;
    invoiceDate: string | null;
    dueDate: string | null;
    currency: string | null;
    subTotal: string;
    taxTotal: string;
    total: string;
    deleted: boolean;
    changedAt: string | null;
}

export type FulfilmentEvent = ShipmentEvent | InvoiceEvent;

function when(v: string | null | undefined): Date | null {
    try {
        return parseUnleashedDate(v ?? null);
    } catch {
        return null;
    }
}

const day = (v: string | null | undefined): string | null => when(v)?.toISOString().slice(0, 10) ?? null;
const text = (v: string | null | undefined): string | null => (v && v.trim() !== '' ? v.trim() : null);

export const modifiedOf = (d: { LastModifiedOn?: string | null }): Date | null => when(d.LastModifiedOn);

export function shipmentEvent(
    order: { opportunityId: string; orderGuid: string; orderNumber: string | null },
    s: UnleashedSalesShipment,
    couriers: CourierTable
): ShipmentEvent {
    const courier = text(s.ShippingCompany) ?? text(s.Courier);
    const tracking = text(s.TrackingNumber);
    const status = text(s.ShipmentStatus) ?? 'Unknown';
    return {
        type: 'order.shipment',
        opportunityId: order.opportunityId,
        orderGuid: order.orderGuid,
        orderNumber: text(s.OrderNumber) ?? order.orderNumber,
        shipmentGuid: s.Guid.toLowerCase(),
        shipmentNumber: text(s.ShipmentNumber),
        status,
        dispatchDate: day(s.DispatchDate),
        courier,
        trackingNumber: tracking,
        trackingUrl: trackingUrl(couriers, courier, tracking),
        deleted: status.toLowerCase() === 'deleted',
        lines: (s.SalesShipmentLines ?? []).map((l, i) => ({
            lineNumber: l.LineNumber ?? i + 1,
            orderLineNumber: l.SalesOrderLineNumber ?? null,
            productCode: l.Product?.ProductCode ?? null,
            quantity: new Decimal(String(l.ShipmentQty ?? 0)).toString()
        })),
        changedAt: modifiedOf(s)?.toISOString() ?? null
    };
}

export function invoiceEvent(
    order: { opportunityId: string; orderGuid: string; orderNumber: string | null },
    inv: UnleashedInvoice,
    rounding: RoundingMode
): InvoiceEvent {
    const money = (v: number | null | undefined) =>
        formatMoney(new Decimal(v === null || v === undefined ? '0' : String(v)), rounding);
    const status = text(inv.InvoiceStatus) ?? 'Unknown';
    return {
        type: 'order.invoice',
        opportunityId: order.opportunityId,
        orderGuid: order.orderGuid,
        orderNumber: text(inv.OrderNumber) ?? order.orderNumber,
        invoiceGuid: inv.Guid.toLowerCase(),
        invoiceNumber: text(inv.InvoiceNumber),
        status,
        invoiceDate: day(inv.InvoiceDate),
        dueDate: day(inv.DueDate),
        currency: text(inv.Currency?.CurrencyCode),
        subTotal: money(inv.SubTotal),
        taxTotal: money(inv.TaxTotal),
        total: money(inv.Total),
        deleted: status.toLowerCase() === 'deleted',
        changedAt: modifiedOf(inv)?.toISOString() ?? null
    };
}

/** What Salesforce shows of a document: the event without its change time (a touch alone is no change). */
export function fingerprint(e: FulfilmentEvent): string {
    const { changedAt: _ignored, ...shown } = e;
    return createHash('sha256').update(JSON.stringify(shown)).digest('base64url');
}
