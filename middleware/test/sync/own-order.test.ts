import { DEFAULT_UNALLOCATED_STATUSES, leaveOutOwnAllocation, ownAllocation } from '../../src/sync/own-order';
import { testConfig } from '../../src/config';
import type { UnleashedSalesOrder } from '../../src/unleashed/schemas';

const order = (status: string, lines: [string | null, number][]): UnleashedSalesOrder => ({
    Guid: '0b9e8d7c-6a5f-4e3d-9c2b-1a0f9e8d7c6b',
    OrderStatus: status,
    Warehouse: { WarehouseCode: 'MAIN' },
    SalesOrderLines: lines.map(([code, qty], i) => ({
        LineNumber: i + 1,
        Product: code ? { ProductCode: code } : null,
        OrderQuantity: qty
    }))
});

const row = {
    warehouseCode: 'MAIN',
    warehouseName: 'Main',
    onHand: '20',
    allocated: '14',
    available: '6',
    onPurchase: '0'
};

describe('an order’s own allocation', () => {
    it('adds up a Placed or Backordered order’s lines per product, skipping comment lines', () => {
        for (const status of ['Placed', 'Backordered', 'placed']) {
            const own = ownAllocation(
                order(status, [
                    ['A', 12],
                    ['B', 1],
                    ['A', 0.5],
                    [null, 3]
                ]),
                DEFAULT_UNALLOCATED_STATUSES
            );
            expect(own?.warehouseCode).toBe('MAIN');
            expect(Object.fromEntries([...own!.byCode].map(([k, v]) => [k, v.toString()]))).toEqual({
                A: '12.5',
                B: '1'
            });
        }
    });

    it('holds nothing when Parked, Completed or Deleted, or when there is no order', () => {
        for (const status of ['Parked', 'Completed', 'Deleted', '']) {
            expect(ownAllocation(order(status, [['A', 12]]), DEFAULT_UNALLOCATED_STATUSES)).toBeNull();
        }
        expect(ownAllocation(null, DEFAULT_UNALLOCATED_STATUSES)).toBeNull();
    });

    it('follows the configured statuses (STOCK_UNALLOCATED_ORDER_STATUSES)', () => {
        const config = testConfig({ STOCK_UNALLOCATED_ORDER_STATUSES: 'Parked, Backordered' });
        expect(config.STOCK_UNALLOCATED_ORDER_STATUSES).toEqual(['Parked', 'Backordered']);
        expect(
            ownAllocation(order('Backordered', [['A', 1]]), config.STOCK_UNALLOCATED_ORDER_STATUSES)
        ).toBeNull();
        expect(
            ownAllocation(order('Completed', [['A', 1]]), config.STOCK_UNALLOCATED_ORDER_STATUSES)
        ).not.toBeNull();
        expect(testConfig({}).STOCK_UNALLOCATED_ORDER_STATUSES).toEqual(['Parked', 'Completed', 'Deleted']);
    });

    it('moves the order’s quantity from allocated to available in the order’s warehouse only', () => {
        const own = ownAllocation(order('Placed', [['A', 12]]), DEFAULT_UNALLOCATED_STATUSES);
        const other = { ...row, warehouseCode: 'WLG' };
        expect(leaveOutOwnAllocation('A', [row, other], own)).toEqual([
            { ...row, allocated: '2', available: '18', orderAllocated: '12' },
            other
        ]);
        expect(leaveOutOwnAllocation('B', [row], own)).toEqual([row]);
    });

    it('leaves out at most what Unleashed reports allocated', () => {
        const own = ownAllocation(order('Placed', [['A', 12]]), DEFAULT_UNALLOCATED_STATUSES);
        expect(leaveOutOwnAllocation('A', [{ ...row, allocated: '5', available: '15' }], own)).toEqual([
            { ...row, allocated: '0', available: '20', orderAllocated: '5' }
        ]);
        expect(leaveOutOwnAllocation('A', [{ ...row, allocated: '0', available: '20' }], own)).toEqual([
            { ...row, allocated: '0', available: '20' }
        ]);
    });
});
