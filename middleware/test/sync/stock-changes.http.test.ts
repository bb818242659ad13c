import { Decimal } from 'decimal.js';
import { demoSnapshot, opportunityIds } from '../support/snapshots';
import { startStack, type Stack } from '../support/stack';

/**
 * Stock read once from every warehouse is then checked, not read (sync/stock-mirror.ts): one
 * StockOnHand call with `modifiedSince` names the products whose stock moved, and only those are
 * read again. The figures must stay exactly those of a full read: after a receipt in Unleashed,
 * after an order the connector placed, and when Unleashed does not report an allocation as a change.
 */

let stack: Stack;
jest.setTimeout(60_000);
const nextOpportunity = opportunityIds('CHG');
const CODES = ['WIDGET-BLUE', 'WIDGET-RED', 'BOLT-M6', 'NUT-M6'];

beforeAll(async () => {
    stack = await startStack();
});
afterAll(() => stack.close());
beforeEach(() => {
    stack.sim.reset('demo');
    stack.sim.setSettings({ allocationMovesStockDate: true });
    stack.services.forget(stack.orgId);
});

interface Row {
    warehouseCode: string;
    onHand: string;
    allocated: string;
    available: string;
    onPurchase: string;
}
type Products = { productCode: string; warehouses: Row[] }[];

/** The answer and the Unleashed calls it cost, as `resource?query` texts. */
async function view(codes = CODES): Promise<{ products: Products; calls: string[] }> {
    const before = stack.sim.callCount();
    const res = await stack.call('GET', `/v1/stock?productCodes=${codes.join(',')}`);
    expect(res.statusCode).toBe(200);
    const calls = stack.sim
        .calls()
        .slice(before)
        .map((c) => `${c.path.slice(1).replace(/\/\d+$/, '')}?${decodeURIComponent(c.query)}`);
    return { products: (res.json() as { products: Products }).products, calls };
}

/** What a read of every warehouse answers now, with nothing mirrored. */
async function fullRead(codes = CODES): Promise<Products> {
    stack.services.stock.forgetMirror(stack.orgId);
    return (await view(codes)).products;
}

function figure(products: Products, code: string, warehouse: string): Row {
    const row = products
        .find((p) => p.productCode === code)
        ?.warehouses.find((w) => w.warehouseCode === warehouse);
    if (!row) throw new Error(`no ${code} in ${warehouse}`);
    return row;
}

async function place(code: string, quantity: number): Promise<void> {
    const s = demoSnapshot(nextOpportunity(), {
        orderStatus: 'Placed',
        lines: [{ lineId: '00k5g000001CHG1', productCode: code, quantity, unitPrice: 19.99 }]
    });
    const sent = await stack.call('POST', '/v1/sales-orders', s);
    expect(sent.statusCode).toBe(201);
    expect(sent.json().status).toBe('Placed');
}

describe('stock checked for changes instead of read again', () => {
    it('answers a second view with one StockOnHand call that asks what moved, with the same figures', async () => {
        const first = await view();
        expect(first.calls.filter((c) => c.startsWith('StockOnHand')).length).toBeGreaterThan(1);

        const second = await view();
        expect(second.calls).toHaveLength(1);
        expect(second.calls[0]).toMatch(/^StockOnHand\?.*modifiedSince=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\b/);
        expect(second.calls[0]).toContain('productId=');
        expect(second.calls[0]).not.toContain('warehouseCode');
        expect(second.products).toEqual(first.products);
        expect(second.products).toEqual(await fullRead());
    });

    it('reads again only the product a goods receipt in Unleashed moved, and shows the new figure', async () => {
        const first = await view();
        const p = stack.sim.state.products.indexOfCode('BOLT-M6');
        const main = stack.sim.state.warehouseIndexByCode('MAIN');
        stack.sim.state.stock.adjust(p, main, { onHand: new Decimal(25) }, Date.now());

        const second = await view();
        const guid = stack.sim.state.products.guid(p).toLowerCase();
        // The check, then one read of that product's warehouses (fewer calls than one per warehouse).
        expect(second.calls).toHaveLength(2);
        expect(second.calls[1]).toBe(`StockOnHand/${guid}/AllWarehouses?`);
        const before = new Decimal(figure(first.products, 'BOLT-M6', 'MAIN').onHand);
        expect(figure(second.products, 'BOLT-M6', 'MAIN').onHand).toBe(before.plus(25).toString());
        expect(second.products).toEqual(await fullRead());
    });

    it('sees the allocation of an order the connector placed', async () => {
        const first = await view();
        await place('WIDGET-RED', 3);
        const second = await view();
        const was = figure(first.products, 'WIDGET-RED', 'MAIN');
        expect(figure(second.products, 'WIDGET-RED', 'MAIN')).toMatchObject({
            allocated: new Decimal(was.allocated).plus(3).toString(),
            available: new Decimal(was.available).minus(3).toString()
        });
        expect(stack.services.stock.changeCheckStopped(stack.orgId)).toBeNull();
        expect(second.products).toEqual(await fullRead());
    });

    it('stops checking, and reads every warehouse, when Unleashed does not report an allocation it made', async () => {
        stack.sim.setSettings({ allocationMovesStockDate: false });
        const first = await view();
        await place('WIDGET-RED', 3);

        // The check misses the order's products: the view reads everything and is still right.
        const second = await view();
        const was = figure(first.products, 'WIDGET-RED', 'MAIN');
        expect(figure(second.products, 'WIDGET-RED', 'MAIN').allocated).toBe(
            new Decimal(was.allocated).plus(3).toString()
        );
        expect(stack.services.stock.changeCheckStopped(stack.orgId)).toMatch(
            /Unleashed did not report the stock of products on sales order SO-\d+ as changed.*STOCK_CHANGE_CHECK/
        );

        // From then on every view reads every warehouse: no modifiedSince check any more.
        const third = await view();
        expect(third.calls.some((c) => c.includes('modifiedSince'))).toBe(false);
        expect(third.calls.length).toBeGreaterThan(1);
        expect(third.products).toEqual(second.products);

        // New credentials or a reconnect start afresh.
        stack.services.forget(stack.orgId);
        expect(stack.services.stock.changeCheckStopped(stack.orgId)).toBeNull();
    });
});

describe('STOCK_CHANGE_CHECK_SECONDS=0', () => {
    let off: Stack;
    beforeAll(async () => {
        off = await startStack({ config: { STOCK_CHANGE_CHECK_SECONDS: '0' } });
    });
    afterAll(() => off.close());

    it('reads every warehouse on every view', async () => {
        const url = `/v1/stock?productCodes=${CODES.join(',')}`;
        expect((await off.call('GET', url)).statusCode).toBe(200);
        const before = off.sim.callCount();
        expect((await off.call('GET', url)).statusCode).toBe(200);
        const calls = off.sim.calls().slice(before);
        expect(calls.length).toBeGreaterThan(1);
        expect(calls.every((c) => !decodeURIComponent(c.query).includes('modifiedSince'))).toBe(true);
    });
});
