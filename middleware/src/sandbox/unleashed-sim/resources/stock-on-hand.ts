import Decimal from 'decimal.js';
import { SimError, notFound } from '../errors';
import type { ApiContext, ResourceRoutes } from '../http/context';
import { paginate, paginateArray } from '../http/pagination';
import { sameText } from '../http/query';
import type { StockCell } from '../state/records';
import type { SimState } from '../state/state';

const ZERO = new Decimal(0);

/** A StockOnHand row for product p: one warehouse (w >= 0) or the total across warehouses (w = -1). */
function row(ctx: ApiContext, p: number, w: number, cell: StockCell): Record<string, unknown> {
    const { state, settings } = ctx;
    const product = state.products;
    const wh = w >= 0 ? state.warehouses[w] : undefined;
    const blank = settings.totalsWarehouseFields === 'empty' ? '' : null;
    return {
        Guid: product.guid(p),
        ProductGuid: product.guid(p),
        ProductCode: product.code(p),
        ProductDescription: product.description(p),
        WarehouseId: wh ? wh.Guid : blank,
        WarehouseCode: wh ? wh.WarehouseCode : blank,
        Warehouse: wh ? wh.WarehouseName : blank,
        QtyOnHand: cell.onHand,
        AllocatedQty: cell.allocated,
        AvailableQty: cell.onHand.minus(cell.allocated),
        OnPurchase: cell.onPurchase,
        AvgCost: cell.avgCost,
        TotalCost: cell.onHand.times(cell.avgCost).toDecimalPlaces(2),
        DaysSinceLastSale: null,
        LastModifiedOn: new Date(cell.modifiedMs)
    };
}

/** The total across the warehouses where the product has had a transaction; undefined if none. */
export function totalCell(state: SimState, p: number): StockCell | undefined {
    let found = false;
    let onHand = ZERO;
    let allocated = ZERO;
    let onPurchase = ZERO;
    let value = ZERO;
    let lastCost = ZERO;
    let modifiedMs = 0;
    for (let w = 0; w < state.warehouses.length; w++) {
        const c = state.stock.cell(p, w);
        if (!c) continue;
        found = true;
        onHand = onHand.plus(c.onHand);
        allocated = allocated.plus(c.allocated);
        onPurchase = onPurchase.plus(c.onPurchase);
        value = value.plus(c.onHand.times(c.avgCost));
        lastCost = c.avgCost;
        modifiedMs = Math.max(modifiedMs, c.modifiedMs);
    }
    if (!found) return undefined;
    // Average cost weighted by quantity on hand; with nothing on hand, the last known cost.
    const avgCost = onHand.gt(ZERO) ? value.dividedBy(onHand).toDecimalPlaces(4) : lastCost;
    return { onHand, allocated, onPurchase, avgCost, modifiedMs };
}

function warehouseFilter(ctx: ApiContext): number[] | null {
    const code = ctx.query.get('warehouseCode');
    const name = ctx.query.get('warehouseName');
    if (code === undefined && name === undefined) return null;
    return ctx.state.warehouses
        .map((w, i) => (sameText(w.WarehouseCode, code) && sameText(w.WarehouseName, name) ? i : -1))
        .filter((i) => i >= 0);
}

export const stockOnHand: ResourceRoutes = {
    list(ctx, page) {
        const { state, query } = ctx;
        const warehouses = warehouseFilter(ctx);
        const since = query.date('modifiedSince');
        const ids = query.guidList('productId');
        const products = ids
            ? [...new Set(ids.map((g) => state.products.indexOfGuid(g)).filter((i) => i >= 0))].sort(
                  (a, b) => a - b
              )
            : null;
        // Matches are (product, warehouse) pairs; w = -1 is a total row. Cells are read again per page.
        const matches: number[] = [];
        const consider = (p: number): void => {
            if (warehouses === null) {
                if (!state.stock.hasAny(p)) return;
                if (since !== undefined && (totalCell(state, p)?.modifiedMs ?? 0) < since) return;
                matches.push(p, -1);
                return;
            }
            for (const w of warehouses) {
                if (!state.stock.has(p, w)) continue;
                if (since !== undefined && (state.stock.cell(p, w)?.modifiedMs ?? 0) < since) continue;
                matches.push(p, w);
            }
        };
        if (products) products.forEach(consider);
        else for (let p = 0; p < state.products.size; p++) consider(p);
        return paginate(matches.length / 2, page, query.pageSize(), (s, e) => {
            const out: Record<string, unknown>[] = [];
            for (let k = s; k < e; k++) {
                const p = matches[2 * k]!;
                const w = matches[2 * k + 1]!;
                const cell = w < 0 ? totalCell(state, p) : state.stock.cell(p, w);
                if (cell) out.push(row(ctx, p, w, cell));
            }
            return out;
        });
    },
    get(ctx, guid) {
        const p = ctx.state.products.indexOfGuid(guid);
        const cell = p >= 0 ? totalCell(ctx.state, p) : undefined;
        if (!cell) throw notFound(`No stock on hand for product ${guid}.`);
        return row(ctx, p, -1, cell);
    },
    action(ctx, method, guid, action) {
        if (action !== 'allwarehouses') throw notFound();
        if (method !== 'GET') throw new SimError(405, 'The requested method is not allowed.');
        const p = ctx.state.products.indexOfGuid(guid);
        if (p < 0) throw notFound(`Product with Guid ${guid} was not found.`);
        const rows: Record<string, unknown>[] = [];
        ctx.state.warehouses.forEach((_w, w) => {
            const cell = ctx.state.stock.cell(p, w);
            if (cell) rows.push(row(ctx, p, w, cell));
        });
        return { status: 200, body: paginateArray(rows, 1, Math.max(rows.length, 1)) };
    }
};
