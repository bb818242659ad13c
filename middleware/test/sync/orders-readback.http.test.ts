import fc from 'fast-check';
import { Decimal } from 'decimal.js';
import { demoSnapshot, liveOrders, opportunityIds } from '../support/snapshots';
import { startStack, type Stack } from '../support/stack';

/**
 * Sends whose effect in Unleashed is unconfirmed check what Unleashed kept: a PUT that keeps the old
 * lines, a create asked as Placed and stored Parked, and totals refused under a midpoint rule.
 */

// Each stack opens an embedded database: slow on a busy machine.
jest.setTimeout(60_000);

const oppId = opportunityIds('RBK');
const snapshot = (over: Record<string, unknown> = {}) => demoSnapshot(oppId(), over);
const live = (stack: Stack) => liveOrders(stack.sim);

describe('read-back after writes', () => {
    let stack: Stack;
    beforeAll(async () => {
        stack = await startStack();
    });
    afterAll(() => stack.close());
    beforeEach(() => {
        stack.sim.reset('demo');
        stack.sim.setSettings({ orderUpdate: 'replace', createPlacedAs: 'Placed' });
        stack.services.forget(stack.orgId);
    });

    it('reads the order back after every update and answers what Unleashed kept', async () => {
        const s = snapshot();
        expect((await stack.call('POST', '/v1/sales-orders', s)).statusCode).toBe(201);
        const changed = {
            ...s,
            lines: [
                { lineId: '00k5g000001AAA1', productCode: 'WIDGET-BLUE', quantity: 5, unitPrice: '19.99' }
            ]
        };
        const before = stack.sim.calls().length;
        const res = await stack.call('POST', '/v1/sales-orders', changed);
        expect(res.statusCode).toBe(200);
        expect(res.json()).toMatchObject({ created: false, status: 'Parked', total: '114.94', warnings: [] });
        const after = stack.sim
            .calls()
            .slice(before)
            .map((c) => `${c.method} ${c.path.split('/')[1]}`);
        // The PUT is followed by a GET of the same order.
        expect(after.slice(after.indexOf('PUT SalesOrders'))).toEqual(['PUT SalesOrders', 'GET SalesOrders']);
        expect(live(stack)[0]!.SalesOrderLines).toHaveLength(1);
    });

    it('refuses clearly when Unleashed kept the old lines on a header-only update', async () => {
        stack.sim.setSettings({ orderUpdate: 'header-only' });
        const s = snapshot();
        const first = (await stack.call('POST', '/v1/sales-orders', s)).json();
        const res = await stack.call('POST', '/v1/sales-orders', {
            ...s,
            comments: 'Leave at the door',
            lines: [
                { lineId: '00k5g000001AAA1', productCode: 'WIDGET-BLUE', quantity: 5, unitPrice: '19.99' }
            ]
        });
        expect(res.statusCode).toBe(409);
        const body = res.json();
        expect(body.title).toBe('Unleashed kept a different order');
        expect(body.differences).toEqual([
            'Unleashed has 2 product lines, Salesforce sent 1',
            'line 1 (WIDGET-BLUE): quantity 3 in Unleashed, 5 sent',
            'line 1 (WIDGET-BLUE): line total 59.97 in Unleashed, 99.95 sent',
            'line 1 (WIDGET-BLUE): line tax 9 in Unleashed, 14.99 sent',
            'SubTotal 159.97 in Unleashed, 99.95 sent',
            'TaxTotal 9 in Unleashed, 14.99 sent',
            'Total 168.97 in Unleashed, 114.94 sent'
        ]);
        expect(body.detail).toContain(`sales order ${first.orderNumber}`);
        expect(body.detail).toMatch(/Change the lines on the Parked order in Unleashed/);
        // One order, header updated, old lines kept: nothing duplicated.
        const orders = live(stack);
        expect(orders).toHaveLength(1);
        expect(orders[0]).toMatchObject({ Comments: 'Leave at the door' });
        expect(orders[0]!.SalesOrderLines).toHaveLength(2);
    });

    it('a header-only update that changes no lines is accepted', async () => {
        stack.sim.setSettings({ orderUpdate: 'header-only' });
        const s = snapshot();
        await stack.call('POST', '/v1/sales-orders', s);
        const res = await stack.call('POST', '/v1/sales-orders', { ...s, comments: 'Just a note' });
        expect(res.statusCode).toBe(200);
        expect(live(stack)[0]).toMatchObject({ Comments: 'Just a note' });
    });

    it('reports the status Unleashed stored, never the one asked for', async () => {
        stack.sim.setSettings({ createPlacedAs: 'Parked' });
        const s = snapshot({ orderStatus: 'Placed' });
        const res = await stack.call('POST', '/v1/sales-orders', s);
        expect(res.statusCode).toBe(201);
        expect(res.json().status).toBe('Parked');
        expect(res.json().warnings).toEqual([
            'Unleashed stored the order as Parked, not Placed as sent; change its status in Unleashed if needed.'
        ]);
        const sent = await stack.services.orderStatus.sentOrders.get(stack.orgId, res.json().orderGuid);
        expect(sent).toMatchObject({ status: 'Parked' });
    });

    it('delivery methods named DeliveryMethodName are checked and sent', async () => {
        stack.sim.setSettings({ deliveryMethodNameField: 'DeliveryMethodName' });
        try {
            const s = snapshot({ deliveryMethod: 'courier' });
            const preview = (await stack.call('POST', '/v1/sales-orders/preview', s)).json();
            expect(preview).toMatchObject({ errors: [], warnings: [] });
            expect((await stack.call('POST', '/v1/sales-orders', s)).statusCode).toBe(201);
            expect(live(stack)[0]!.DeliveryMethod).toBe('Courier');
        } finally {
            stack.sim.setSettings({ deliveryMethodNameField: 'Name' });
        }
    });

    it('Placed stored as Placed carries no warning', async () => {
        const res = await stack.call('POST', '/v1/sales-orders', snapshot({ orderStatus: 'Placed' }));
        expect(res.json()).toMatchObject({ status: 'Placed', warnings: [] });
    });
});

// 1 x 0.125 = 0.125 lands on a half cent: 0.13 away from zero, 0.12 half to even.
const MIDPOINT_LINES = [
    { lineId: 'm1', productCode: 'SPROCKET-10', quantity: 1, unitPrice: '0.125' },
    { lineId: 'm2', productCode: 'GIFT-CARD-50', quantity: 1, unitPrice: '50' }
];

describe.each(['half-away-from-zero', 'half-even'] as const)('MONEY_ROUNDING=%s', (rounding) => {
    const other = rounding === 'half-even' ? 'half-away-from-zero' : 'half-even';
    let stack: Stack;
    beforeAll(async () => {
        stack = await startStack({ config: { MONEY_ROUNDING: rounding, MONEY_UNIT_PRICE_DECIMALS: '4' } });
    });
    afterAll(() => stack.close());
    beforeEach(() => {
        stack.sim.reset('demo');
        stack.services.forget(stack.orgId);
    });

    it('a midpoint order is accepted by Unleashed rounding the same way', async () => {
        stack.sim.setSettings({ rounding });
        const res = await stack.call('POST', '/v1/sales-orders', snapshot({ lines: MIDPOINT_LINES }));
        expect(res.statusCode).toBe(201);
        expect(res.json().subTotal).toBe(rounding === 'half-even' ? '50.12' : '50.13');
    });

    it('generated orders, half cents included, are accepted as sent by Unleashed rounding alike', async () => {
        stack.sim.setSettings({ rounding });
        const mode = rounding === 'half-even' ? Decimal.ROUND_HALF_EVEN : Decimal.ROUND_HALF_UP;
        const price = fc.integer({ min: 1, max: 200_000 }).map((c) => new Decimal(c).div(1000).toString());
        const line = fc.record({
            code: fc.constantFrom('WIDGET-BLUE', 'GIFT-CARD-50', 'SPROCKET-10'),
            qty: fc.integer({ min: 1, max: 50 }),
            price
        });
        await fc.assert(
            fc.asyncProperty(fc.array(line, { minLength: 1, maxLength: 4 }), async (ls) => {
                const s = snapshot({
                    lines: ls.map((l, i) => ({
                        lineId: `g${i}`,
                        productCode: l.code,
                        quantity: l.qty,
                        unitPrice: l.price
                    }))
                });
                const sent = await stack.call('POST', '/v1/sales-orders', s);
                // The simulator refuses any figure that differs from its own calculation.
                expect(sent.statusCode).toBe(201);
                let sub = new Decimal(0);
                for (const l of ls)
                    sub = sub.plus(new Decimal(l.qty).times(l.price).toDecimalPlaces(2, mode));
                expect(sent.json().subTotal).toBe(sub.toFixed(2));
            }),
            { numRuns: 25 }
        );
    });

    it('totals refused by Unleashed name the line, the figures and MONEY_ROUNDING', async () => {
        stack.sim.setSettings({ rounding: other });
        const res = await stack.call('POST', '/v1/sales-orders', snapshot({ lines: MIDPOINT_LINES }));
        expect(res.statusCode).toBe(422);
        const body = res.json();
        expect(body.title).toBe('Unleashed refused the order totals');
        const sent = rounding === 'half-even' ? '0.12' : '0.13';
        const alt = rounding === 'half-even' ? '0.13' : '0.12';
        expect(body.detail).toContain(
            `line 1 (SPROCKET-10): 1 x 0.125 = 0.125, sent LineTotal ${sent}; ${other} gives ${alt}`
        );
        expect(body.detail).toContain(`with MONEY_ROUNDING=${rounding}`);
        expect(body.detail).toContain(`set MONEY_ROUNDING=${other}`);
        expect(live(stack)).toHaveLength(0);
    });
});
