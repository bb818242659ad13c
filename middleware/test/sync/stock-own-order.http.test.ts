import { Decimal } from 'decimal.js';
import { demoSnapshot, opportunityIds } from '../support/snapshots';
import { startStack, type Stack } from '../support/stack';

/**
 * Stock for an Opportunity whose sales order is in Unleashed (GET /v1/stock?orderGuid=): once the
 * order is Placed, Unleashed counts its lines as allocated, and the Opportunity's own lines must not
 * be short of what they reserved themselves. Figures come from the simulator, which allocates a
 * Placed order's quantities the way Unleashed does.
 */

let stack: Stack;
jest.setTimeout(60_000);
const nextOpportunity = opportunityIds('OWN');

beforeAll(async () => {
    stack = await startStack();
});
afterAll(() => stack.close());
beforeEach(() => {
    stack.sim.reset('demo');
    stack.services.forget(stack.orgId);
});

interface Row {
    warehouseCode: string;
    onHand: string;
    allocated: string;
    available: string;
    orderAllocated?: string;
}

async function main(code: string, orderGuid?: string): Promise<Row> {
    const q = `productCodes=${code}&warehouseCodes=MAIN${orderGuid ? `&orderGuid=${orderGuid}` : ''}`;
    const res = await stack.call('GET', `/v1/stock?${q}`);
    expect(res.statusCode).toBe(200);
    return (res.json() as { products: { warehouses: Row[] }[] }).products[0]!.warehouses[0]!;
}

/** Sends an order for all of WIDGET-BLUE's available stock in MAIN (on two lines); its GUID. */
async function sendAllOfIt(orderStatus: 'Placed' | 'Parked'): Promise<{ guid: string; qty: Decimal }> {
    const before = await main('WIDGET-BLUE');
    const qty = new Decimal(before.available);
    expect(qty.gt(2)).toBe(true);
    const first = qty.minus(2);
    const s = demoSnapshot(nextOpportunity(), {
        orderStatus,
        lines: [
            {
                lineId: '00k5g000001OWN1',
                productCode: 'WIDGET-BLUE',
                quantity: first.toString(),
                unitPrice: 19.99
            },
            { lineId: '00k5g000001OWN2', productCode: 'WIDGET-BLUE', quantity: 2, unitPrice: 19.99 }
        ]
    });
    const sent = await stack.call('POST', '/v1/sales-orders', s);
    expect(sent.statusCode).toBe(201);
    expect(sent.json().status).toBe(orderStatus);
    return { guid: sent.json().orderGuid as string, qty };
}

describe('GET /v1/stock with the Opportunity’s own order', () => {
    it('counts what a Placed order allocated as available to its own Opportunity, and only to it', async () => {
        const before = await main('WIDGET-BLUE');
        const { guid, qty } = await sendAllOfIt('Placed');

        // Everyone else sees the stock taken by the order.
        const others = await main('WIDGET-BLUE');
        expect(new Decimal(others.available)).toEqual(new Decimal(before.available).minus(qty));
        expect(new Decimal(others.allocated)).toEqual(new Decimal(before.allocated).plus(qty));
        expect(others.orderAllocated).toBeUndefined();

        // The Opportunity itself sees the figures without its own allocation, and how much that was.
        const own = await main('WIDGET-BLUE', guid);
        expect(own).toMatchObject({
            onHand: before.onHand,
            allocated: before.allocated,
            available: before.available,
            orderAllocated: qty.toString()
        });
    });

    it('changes nothing for a Parked order, which allocates nothing in Unleashed', async () => {
        const before = await main('WIDGET-BLUE');
        const { guid } = await sendAllOfIt('Parked');
        expect(await main('WIDGET-BLUE', guid)).toEqual(before);
    });

    it('changes nothing for products the order does not hold, nor in other warehouses', async () => {
        const { guid } = await sendAllOfIt('Placed');
        const res = await stack.call('GET', `/v1/stock?productCodes=WIDGET-BLUE,BOLT-M6&orderGuid=${guid}`);
        const products = (res.json() as { products: { productCode: string; warehouses: Row[] }[] }).products;
        const left = products.flatMap((p) =>
            p.warehouses.filter((w) => w.orderAllocated).map((w) => `${p.productCode}@${w.warehouseCode}`)
        );
        expect(left).toEqual(['WIDGET-BLUE@MAIN']);
    });

    it('never leaves out more than Unleashed reports allocated (an order deallocated in Unleashed)', async () => {
        const { guid } = await sendAllOfIt('Placed');
        // Someone deallocates part of the order in Unleashed: allocated drops below the order's quantity.
        const p = stack.sim.state.products.indexOfCode('WIDGET-BLUE');
        const w = stack.sim.state.warehouseIndexByCode('MAIN');
        const held = stack.sim.state.stock.cell(p, w)!.allocated;
        stack.sim.state.stock.adjust(p, w, { allocated: held.minus(1).negated() }, Date.now());
        const own = await main('WIDGET-BLUE', guid);
        expect(own.orderAllocated).toBe('1');
        expect(own.allocated).toBe('0');
        expect(new Decimal(own.available)).toEqual(new Decimal(own.onHand));
    });

    it('answers plain stock for an order GUID Unleashed does not have', async () => {
        const before = await main('WIDGET-BLUE');
        expect(await main('WIDGET-BLUE', '0b9e8d7c-6a5f-4e3d-9c2b-1a0f9e8d7c6b')).toEqual(before);
    });

    it('refuses a malformed orderGuid, before calling Unleashed', async () => {
        const calls = stack.sim.callCount();
        const res = await stack.call('GET', '/v1/stock?productCodes=WIDGET-BLUE&orderGuid=SO-00012');
        expect(res.statusCode).toBe(400);
        expect(res.json().detail).toContain('orderGuid is 36 characters');
        expect(stack.sim.callCount()).toBe(calls);
    });
});
