import { SimError, badRequest, notFound } from '../errors';
import type { ApiContext, ApiResult, ResourceRoutes } from '../http/context';
import { toWire } from '../http/json';
import { paginateArray } from '../http/pagination';
import { sameText, startsWith } from '../http/query';
import type { OrderStatus, SalesOrder } from '../state/records';
import type { SimState } from '../state/state';
import { readOrder } from './order-input';

const ALLOCATING: OrderStatus[] = ['Placed', 'Backordered'];

/** Moves stock for an order's product lines: allocate (+1) or release (-1) / ship on completion. */
function moveStock(
    state: SimState,
    order: SalesOrder,
    change: 'allocate' | 'release' | 'ship',
    atMs: number,
    allocationMovesDate: boolean
): void {
    const w = state.warehouseIndexByGuid(order.Warehouse.Guid);
    if (w < 0) return;
    for (const line of order.SalesOrderLines) {
        const p = line.Product ? state.products.indexOfGuid(line.Product.Guid) : -1;
        if (p < 0) continue;
        const q = line.OrderQuantity;
        const touch = allocationMovesDate;
        if (change === 'allocate') state.stock.adjust(p, w, { allocated: q }, atMs, touch);
        else if (change === 'release') state.stock.adjust(p, w, { allocated: q.negated() }, atMs, touch);
        else state.stock.adjust(p, w, { onHand: q.negated() }, atMs);
    }
}

function requireOrder(ctx: ApiContext, guid: string): SalesOrder {
    const order = ctx.state.orderByGuid(guid);
    if (!order) throw notFound(`Sales order with Guid ${guid} was not found.`);
    return order;
}

function create(ctx: ApiContext, guid: string): ApiResult {
    const { order } = readOrder(ctx, guid, ctx.body);
    if (!order.OrderNumber) order.OrderNumber = ctx.state.nextOrderNumber();
    if (order.OrderStatus === 'Placed') order.OrderStatus = ctx.settings.createPlacedAs;
    ctx.state.orders.push(order);
    if (ALLOCATING.includes(order.OrderStatus))
        moveStock(ctx.state, order, 'allocate', ctx.now, ctx.settings.allocationMovesStockDate);
    ctx.webhooks?.emit('salesorder.created', { salesOrderGuid: order.Guid });
    return { status: 201, body: order };
}

/**
 * An update replaces what the body gives and keeps the rest; only a Parked order can change. With
 * `orderUpdate: 'header-only'` the stored lines and totals stay whatever the body says.
 */
function update(ctx: ApiContext, existing: SalesOrder): ApiResult {
    if (existing.OrderStatus !== 'Parked') {
        throw badRequest(
            `Sales order ${existing.OrderNumber} is ${existing.OrderStatus}; only a Parked sales order can be updated.`
        );
    }
    const body = typeof ctx.body === 'object' && ctx.body !== null ? ctx.body : {};
    const stored = toWire(existing) as Record<string, unknown>;
    const merged: Record<string, unknown> = { ...stored, ...body };
    if (ctx.settings.orderUpdate === 'header-only') {
        for (const f of ['SalesOrderLines', 'SubTotal', 'TaxTotal', 'Total']) merged[f] = stored[f];
    }
    const { order } = readOrder(ctx, existing.Guid, merged, existing);
    const at = ctx.state.orders.indexOf(existing);
    ctx.state.orders[at] = order;
    if (ALLOCATING.includes(order.OrderStatus))
        moveStock(ctx.state, order, 'allocate', ctx.now, ctx.settings.allocationMovesStockDate);
    ctx.webhooks?.emit('salesorder.updated', { salesOrderGuid: order.Guid });
    return { status: 200, body: order };
}

function complete(ctx: ApiContext, order: SalesOrder): ApiResult {
    if (order.OrderStatus === 'Completed' || order.OrderStatus === 'Deleted') {
        throw badRequest(`Sales order ${order.OrderNumber} is ${order.OrderStatus} and cannot be completed.`);
    }
    if (ALLOCATING.includes(order.OrderStatus))
        moveStock(ctx.state, order, 'release', ctx.now, ctx.settings.allocationMovesStockDate);
    moveStock(ctx.state, order, 'ship', ctx.now, ctx.settings.allocationMovesStockDate);
    const now = new Date(ctx.now);
    order.OrderStatus = 'Completed';
    order.CompletedDate = now;
    order.LastModifiedOn = now;
    order.LastModifiedBy = ctx.apiId;
    ctx.webhooks?.emit('salesorder.updated', { salesOrderGuid: order.Guid });
    return { status: 200, body: order };
}

function remove(ctx: ApiContext, order: SalesOrder): ApiResult {
    if (order.OrderStatus !== 'Parked') {
        throw badRequest(
            `Sales order ${order.OrderNumber} is ${order.OrderStatus}; only a Parked sales order can be deleted.`
        );
    }
    order.OrderStatus = 'Deleted';
    order.LastModifiedOn = new Date(ctx.now);
    order.LastModifiedBy = ctx.apiId;
    ctx.webhooks?.emit('salesorder.deleted', { salesOrderGuid: order.Guid });
    return { status: 204 };
}

export const salesOrders: ResourceRoutes = {
    list(ctx, page) {
        const q = ctx.query;
        const number = q.get('orderNumber');
        const sourceId = q.get('sourceId');
        const customerCode = q.get('customerCode');
        const warehouseCode = q.get('warehouseCode');
        const since = q.date('modifiedSince');
        const statuses = q.list('orderStatus')?.map((s) => s.toLowerCase());
        // Documented: orderNumber and sourceId override every other filter.
        if (number !== undefined || sourceId !== undefined) {
            const exact = ctx.state.orders.filter(
                (o) => sameText(o.OrderNumber, number) && sameText(o.SourceId, sourceId)
            );
            return paginateArray(exact, page, q.pageSize());
        }
        const items = ctx.state.orders.filter(
            (o) =>
                startsWith(o.Customer.CustomerCode, customerCode) &&
                sameText(o.Warehouse.WarehouseCode, warehouseCode) &&
                (since === undefined || o.LastModifiedOn.getTime() >= since) &&
                (statuses ? statuses.includes(o.OrderStatus.toLowerCase()) : o.OrderStatus !== 'Deleted')
        );
        return paginateArray(items, page, q.pageSize());
    },
    get(ctx, guid) {
        return requireOrder(ctx, guid);
    },
    write(ctx, method, guid) {
        if (method === 'POST') {
            const existing = ctx.state.orderByGuid(guid);
            if (!existing) return create(ctx, guid);
            if (ctx.settings.postExistingOrder === 'update') return update(ctx, existing);
            throw badRequest('A sales order with this Guid already exists.');
        }
        if (method === 'PUT') return update(ctx, requireOrder(ctx, guid));
        if (method === 'DELETE') return remove(ctx, requireOrder(ctx, guid));
        throw new SimError(405, 'The requested method is not allowed.');
    },
    action(ctx, method, guid, action) {
        if (action !== 'complete') throw notFound();
        if (method !== 'POST') throw new SimError(405, 'The requested method is not allowed.');
        return complete(ctx, requireOrder(ctx, guid));
    }
};
