import { notFound } from '../errors';
import type { ApiContext, ResourceRoutes } from '../http/context';
import { toWire } from '../http/json';
import { paginateArray } from '../http/pagination';
import { sameText, startsWith } from '../http/query';
import type { SalesInvoice, SalesShipment } from '../state/fulfilment';

/**
 * GET /SalesShipments and GET /Invoices (read-only here: the demo and tests create them through
 * /__sim/). Filters as Unleashed's pages document them: `orderNumber` overrides every other filter
 * on SalesShipments, `invoiceNumber` on Invoices; Invoices leave Deleted out unless `invoiceStatus`
 * asks for it. Newest change first (LastModifiedOn descending, the documented default order).
 */

const newestFirst = <T extends { LastModifiedOn: Date }>(items: T[]): T[] =>
    [...items].sort((a, b) => b.LastModifiedOn.getTime() - a.LastModifiedOn.getTime());

/** A shipment as the wire shows it, its courier under the configured key name. */
export function shipmentOnWire(ctx: Pick<ApiContext, 'settings'>, s: SalesShipment): unknown {
    const wire = toWire(s) as Record<string, unknown>;
    if (ctx.settings.shipmentCourierField !== 'ShippingCompany') {
        wire[ctx.settings.shipmentCourierField] = wire.ShippingCompany;
        delete wire.ShippingCompany;
    }
    return wire;
}

export const salesShipments: ResourceRoutes = {
    list(ctx, page) {
        const q = ctx.query;
        const number = q.get('orderNumber');
        const all = ctx.state.fulfilment.shipments;
        let items: SalesShipment[];
        if (number !== undefined) {
            items = all.filter((s) => sameText(s.OrderNumber, number));
        } else {
            const since = q.date('modifiedSince');
            const status = q.get('shipmentStatus');
            const warehouseCode = q.get('warehouseCode');
            items = all.filter(
                (s) =>
                    (since === undefined || s.LastModifiedOn.getTime() >= since) &&
                    sameText(s.ShipmentStatus, status) &&
                    sameText(s.Warehouse.WarehouseCode, warehouseCode)
            );
        }
        const body = paginateArray(newestFirst(items), page, q.pageSize());
        return { ...body, Items: body.Items.map((s) => shipmentOnWire(ctx, s)) };
    },
    get(ctx, guid) {
        const s = ctx.state.fulfilment.shipmentByGuid(guid);
        if (!s) throw notFound(`Sales shipment with Guid ${guid} was not found.`);
        return shipmentOnWire(ctx, s);
    }
};

export const invoices: ResourceRoutes = {
    list(ctx, page) {
        const q = ctx.query;
        const number = q.get('invoiceNumber');
        const all = ctx.state.fulfilment.invoices;
        let items: SalesInvoice[];
        if (number !== undefined) {
            items = all.filter((i) => sameText(i.InvoiceNumber, number));
        } else {
            const since = q.date('modifiedSince');
            const orderNumber = q.get('orderNumber');
            const customerCode = q.get('customerCode');
            const statuses = q.list('invoiceStatus')?.map((s) => s.toLowerCase());
            items = all.filter(
                (i) =>
                    (since === undefined || i.LastModifiedOn.getTime() >= since) &&
                    sameText(i.OrderNumber, orderNumber) &&
                    startsWith(i.Customer.CustomerCode, customerCode) &&
                    (statuses
                        ? statuses.includes(i.InvoiceStatus.toLowerCase())
                        : i.InvoiceStatus !== 'Deleted')
            );
        }
        return paginateArray(newestFirst(items), page, q.pageSize());
    },
    get(ctx, guid) {
        const i = ctx.state.fulfilment.invoiceByGuid(guid);
        if (!i) throw notFound(`Sales invoice with Guid ${guid} was not found.`);
        return i;
    }
};
