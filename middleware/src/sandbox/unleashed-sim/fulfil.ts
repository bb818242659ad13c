/**
 * What a user does in Unleashed's UI after an order arrives, for the demo and tests (POST, /__sim/):
 *
 * - `orders/{guid}/status` `{status?, customStatus?}`: moves the order to Placed, Backordered or
 *   Completed and/or sets the account's own status name (CustomOrderStatus; null clears it).
 * - `orders/{guid}/ship` `{courier?, trackingNumber?, status?, dispatchDate?, lines?: [{lineNumber,
 *   quantity}], complete?}`: a sales shipment (all product lines in full unless `lines`), Dispatched
 *   by default; `complete: true` also completes the order, as shipping the last goods does in the UI.
 * - `orders/{guid}/invoice` `{status?, dueInDays?}`: a sales invoice of the whole order.
 * - `shipments/{guid}` `{status?, courier?, trackingNumber?, dispatchDate?}`: changes a shipment.
 *
 * Each change moves the record's LastModifiedOn and emits its webhook events: `salesorder.updated`
 * always for an order change (a shipment or an invoice also touches its order's LastModifiedOn,
 * which is what the middleware's order-level fallback relies on; unconfirmed for real accounts), and
 * `salesshipment.*` / `salesinvoice.*` when the account offers them (`fulfilmentEvents`).
 */
import type { SalesOrder } from './state/records';
import type { InvoiceInput, ShipInput } from './state/fulfilment';
import type { SimServer } from './server';

interface Out {
    status: number;
    body?: unknown;
}

const ORDER_STATUSES = ['Placed', 'Backordered', 'Completed'] as const;

function obj(body: unknown): Record<string, unknown> {
    if (typeof body !== 'object' || body === null || Array.isArray(body))
        throw new TypeError('the body must be a JSON object');
    return body as Record<string, unknown>;
}

function touch(sim: SimServer, order: SalesOrder, now: number): void {
    order.LastModifiedOn = new Date(now);
    sim.webhooks.emit('salesorder.updated', { salesOrderGuid: order.Guid });
}

export function fulfil(sim: SimServer, segments: string[], body: unknown): Out {
    const [what, guid, action] = segments.map((s) => s ?? '');
    const now = sim.clock();
    const b = obj(body);
    const book = sim.state.fulfilment;
    if (what?.toLowerCase() === 'shipments' && action === undefined) {
        const shipment = book.shipmentByGuid(guid ?? '');
        if (!shipment) return { status: 404, body: { error: `no shipment ${guid}` } };
        book.updateShipment(shipment, b as Omit<ShipInput, 'lines'>, now);
        const order = sim.state.orderByGuid(shipment.OrderGuid);
        if (order) touch(sim, order, now);
        sim.webhooks.emit('salesshipment.updated', { salesShipmentGuid: shipment.Guid });
        return { status: 200, body: shipment };
    }
    const order = sim.state.orderByGuid(guid ?? '');
    if (!order) return { status: 404, body: { error: `no sales order ${guid}` } };
    switch (action?.toLowerCase()) {
        case 'status': {
            if (b.status !== undefined) {
                if (!ORDER_STATUSES.includes(b.status as (typeof ORDER_STATUSES)[number])) {
                    throw new TypeError(`status must be one of ${ORDER_STATUSES.join(', ')}`);
                }
                if (order.OrderStatus === 'Deleted')
                    throw new TypeError(`order ${order.OrderNumber} is Deleted`);
                order.OrderStatus = b.status as (typeof ORDER_STATUSES)[number];
                if (order.OrderStatus === 'Completed') order.CompletedDate = new Date(now);
            }
            if (b.customStatus !== undefined) {
                if (
                    b.customStatus !== null &&
                    (typeof b.customStatus !== 'string' || b.customStatus.length > 50)
                ) {
                    throw new TypeError('customStatus must be text of at most 50 characters, or null');
                }
                order.CustomOrderStatus = b.customStatus;
            }
            touch(sim, order, now);
            return { status: 200, body: order };
        }
        case 'ship': {
            const shipment = book.ship(order, b as ShipInput, now);
            if (b.complete === true && order.OrderStatus !== 'Completed') {
                order.OrderStatus = 'Completed';
                order.CompletedDate = new Date(now);
            }
            touch(sim, order, now);
            sim.webhooks.emit('salesshipment.created', { salesShipmentGuid: shipment.Guid });
            return { status: 201, body: shipment };
        }
        case 'invoice': {
            const invoice = book.invoice(order, b as InvoiceInput, now);
            touch(sim, order, now);
            sim.webhooks.emit('salesinvoice.created', { invoiceGuid: invoice.Guid });
            return { status: 201, body: invoice };
        }
        default:
            return { status: 404, body: { error: 'unknown simulator route' } };
    }
}
