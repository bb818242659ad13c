import { Decimal } from 'decimal.js';
import { decimalField, type UnleashedSalesOrder } from '../unleashed/schemas';
import type { WarehouseQuantities } from './stock';

/**
 * An Opportunity's own sales order, as far as stock is concerned. Unleashed counts a Placed order's
 * quantities in the product's Allocated figure (Available = on hand - allocated), so the stock an
 * Opportunity reads after its order was placed already has its own lines taken out: a 12-unit line
 * would look short by what it reserved itself. Stock for the Opportunity's lines leaves that
 * allocation out again. Parked orders reserve nothing; Completed ones have shipped (their stock left
 * on hand and allocation), Deleted ones are gone: which statuses allocate nothing is a setting
 * (docs/unleashed-api.md, "Stock").
 */

/** The statuses whose orders hold no allocation by default. */
export const DEFAULT_UNALLOCATED_STATUSES: readonly string[] = ['Parked', 'Completed', 'Deleted'];

export interface OwnAllocation {
    warehouseCode: string;
    /** Quantity ordered per product code on the order's product lines. */
    byCode: Map<string, Decimal>;
}

/**
 * What the order holds allocated, or null when it holds nothing (no order, an unallocated status,
 * no warehouse). Lines of the same product add up; comment lines and lines without a code are skipped.
 */
export function ownAllocation(
    order: UnleashedSalesOrder | null,
    unallocatedStatuses: readonly string[]
): OwnAllocation | null {
    if (!order) return null;
    const status = (order.OrderStatus ?? '').trim().toLowerCase();
    if (!status || unallocatedStatuses.some((s) => s.toLowerCase() === status)) return null;
    const warehouseCode = order.Warehouse?.WarehouseCode;
    if (!warehouseCode) return null;
    const byCode = new Map<string, Decimal>();
    for (const line of order.SalesOrderLines ?? []) {
        const code = line.Product?.ProductCode;
        const qty = decimalField(line.OrderQuantity, 'OrderQuantity');
        if (!code || !qty || qty.lte(0)) continue;
        byCode.set(code, (byCode.get(code) ?? new Decimal(0)).plus(qty));
    }
    return byCode.size ? { warehouseCode, byCode } : null;
}

/**
 * One product's warehouse rows with the order's own allocation left out: available goes up and
 * allocated down by what the order allocated there, never by more than Unleashed reports allocated
 * (a deallocated order, or an account that does not allocate automatically, reserved less).
 * `orderAllocated` says how much was left out; rows the order does not touch are returned unchanged.
 */
export function leaveOutOwnAllocation(
    productCode: string,
    rows: WarehouseQuantities[],
    own: OwnAllocation | null
): WarehouseQuantities[] {
    const ordered = own?.byCode.get(productCode);
    if (!own || !ordered) return rows;
    return rows.map((row) => {
        if (row.warehouseCode !== own.warehouseCode) return row;
        const allocated = new Decimal(row.allocated);
        const mine = Decimal.max(0, Decimal.min(ordered, allocated));
        if (mine.isZero()) return row;
        return {
            ...row,
            allocated: allocated.minus(mine).toString(),
            available: new Decimal(row.available).plus(mine).toString(),
            orderAllocated: mine.toString()
        };
    });
}
