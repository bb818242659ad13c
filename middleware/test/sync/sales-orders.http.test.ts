import fc from 'fast-check';
import { Decimal } from 'decimal.js';
import { customerGuidFor, orderGuidFor } from '../../src/sync/ids';
import { demoSnapshot, liveOrders, opportunityIds } from '../support/snapshots';
import { startStack, type Stack } from '../support/stack';

/**
 * Send to Unleashed end to end: signed route -> rules -> real client -> the Unleashed simulator,
 * which validates the money with its own implementation and refuses what Unleashed refuses.
 */

let stack: Stack;
// Starting the stack opens an embedded database: slow on a busy machine.
jest.setTimeout(60_000);

beforeAll(async () => {
    stack = await startStack();
});
afterAll(() => stack.close());
beforeEach(() => {
    stack.sim.reset('demo');
    stack.sim.setFaults({
        latencyMs: 0,
        failRate5xx: 0,
        burst429: 0,
        dropConnections: 0,
        timeoutAfterCommit: 0
    });
    stack.services.forget(stack.orgId);
});

const oppId = opportunityIds('AAA');

function snapshot(over: Record<string, unknown> = {}) {
    return demoSnapshot(oppId(), {
        salesPersonEmail: 'sam.seller@example.com',
        deliveryMethod: 'Courier',
        requiredDate: '2026-12-01',
        deliveryAddress: { name: 'Acme Ltd', street: '1 Queen St', city: 'Auckland', country: 'New Zealand' },
        lines: [
            {
                lineId: '00k5g000001AAA1',
                productCode: 'WIDGET-BLUE',
                quantity: 3,
                unitPrice: 19.99,
                description: 'Blue'
            },
            { lineId: '00k5g000001AAA2', productCode: 'GIFT-CARD-50', quantity: '2', unitPrice: '50' }
        ],
        ...over
    });
}

const ordersIn = liveOrders;

describe('preview', () => {
    it('answers the totals Unleashed will compute, the product tax winning per line', async () => {
        const res = await stack.call('POST', '/v1/sales-orders/preview', snapshot());
        expect(res.statusCode).toBe(200);
        const p = res.json();
        expect(p.errors).toEqual([]);
        expect(p.lines.map((l: Record<string, string>) => [l.taxCode, l.lineTotal, l.lineTax])).toEqual([
            ['G.S.T.', '59.97', '9.00'],
            ['NO GST', '100.00', '0.00']
        ]);
        expect([p.subTotal, p.taxTotal, p.total]).toEqual(['159.97', '9.00', '168.97']);
        expect(p.customer).toEqual({ mode: 'existing', code: 'ACME', name: 'Acme Ltd' });
        expect(ordersIn(stack.sim)).toHaveLength(0);
    });

    it('names each blocking problem and creates nothing', async () => {
        const res = await stack.call(
            'POST',
            '/v1/sales-orders/preview',
            snapshot({
                lines: [
                    { lineId: 'a', productCode: 'WIDGET-BLUE-OLD', quantity: 1, unitPrice: 1 },
                    { lineId: 'b', productCode: 'WIDGET-BLU', quantity: 1, unitPrice: 1 }
                ]
            })
        );
        expect(res.json().errors).toEqual([
            'Line 1 (WIDGET-BLUE-OLD): product WIDGET-BLUE-OLD is obsolete in Unleashed.',
            // A prefix of real codes is not a product: lookups are exact.
            'Line 2 (WIDGET-BLU): product WIDGET-BLU does not exist in Unleashed.'
        ]);
        // One message for a missing product, not also "0 available".
        expect(res.json().warnings.filter((w: string) => w.startsWith('WIDGET-BLU:'))).toEqual([]);
    });

    it('refuses malformed input with the field and reason, before anything runs', async () => {
        const calls = stack.sim.callCount();
        const res = await stack.call(
            'POST',
            '/v1/sales-orders/preview',
            snapshot({ warehouseCode: '', lines: [] })
        );
        expect(res.statusCode).toBe(400);
        expect(res.headers['content-type']).toMatch(/problem\+json/);
        expect(res.json().invalidParams.map((i: { field: string }) => i.field)).toEqual([
            'body.warehouseCode',
            'body.lines'
        ]);
        expect(stack.sim.callCount()).toBe(calls);
    });
});

describe('send', () => {
    it('creates the order once; a second send updates it in place while Parked', async () => {
        const s = snapshot();
        const first = await stack.call('POST', '/v1/sales-orders', s);
        expect(first.statusCode).toBe(201);
        const a = first.json();
        expect(a).toMatchObject({
            orderGuid: orderGuidFor(stack.orgId, s.opportunityId),
            status: 'Parked',
            total: '168.97',
            customerCode: 'ACME',
            created: true
        });
        const again = await stack.call('POST', '/v1/sales-orders', { ...s, comments: 'Leave at the door' });
        expect(again.statusCode).toBe(200);
        expect(again.json()).toMatchObject({ orderNumber: a.orderNumber, created: false });
        const orders = ordersIn(stack.sim);
        expect(orders).toHaveLength(1);
        expect(orders[0]).toMatchObject({ Comments: 'Leave at the door' });

        const view = await stack.call('GET', `/v1/sales-orders/${a.orderGuid}`);
        expect(view.json()).toMatchObject({
            orderNumber: a.orderNumber,
            status: 'Parked',
            total: '168.97',
            warehouseCode: 'MAIN'
        });
        expect(view.json().lines).toHaveLength(2);
    });

    it('lets an org read only the orders it sent, not those of another org on the same account', async () => {
        const other = '00D5g000007OTHREA1';
        await stack.addTenant(other);
        const sent = await stack.call('POST', '/v1/sales-orders', snapshot(), other);
        expect(sent.statusCode).toBe(201);
        const guid = sent.json().orderGuid as string;
        expect((await stack.call('GET', `/v1/sales-orders/${guid}`, undefined, other)).statusCode).toBe(200);

        const foreign = await stack.call('GET', `/v1/sales-orders/${guid}`);
        expect(foreign.statusCode).toBe(404);
        expect(foreign.json().detail).toMatch(/This org sent no sales order/);
        // Nothing about the order leaks into the refusal.
        expect(foreign.body).not.toMatch(new RegExp(sent.json().orderNumber as string));
    });

    it('refuses to change an order once it is Placed, and changes nothing', async () => {
        const s = snapshot({ orderStatus: 'Placed' });
        expect((await stack.call('POST', '/v1/sales-orders', s)).statusCode).toBe(201);
        const res = await stack.call('POST', '/v1/sales-orders', { ...s, comments: 'changed' });
        expect(res.statusCode).toBe(422);
        expect(res.json().detail).toBe(
            'The order is Placed in Unleashed and can no longer be changed from Salesforce.'
        );
        expect(ordersIn(stack.sim)[0]!.Comments ?? null).toBeNull();
    });

    it('50 concurrent sends of one Opportunity make one order', async () => {
        const s = snapshot();
        const answers = await Promise.all(
            Array.from({ length: 50 }, () => stack.call('POST', '/v1/sales-orders', s))
        );
        expect(answers.map((r) => r.statusCode).sort()).toEqual([...Array(49).fill(200), 201]);
        expect(new Set(answers.map((r) => r.json().orderNumber)).size).toBe(1);
        expect(ordersIn(stack.sim)).toHaveLength(1);
    });

    it('a timeout after Unleashed committed, then retries, still yields exactly one order', async () => {
        stack.sim.setFaults({ timeoutAfterCommit: 1 });
        const s = snapshot();
        const res = await stack.call('POST', '/v1/sales-orders', s);
        expect(res.statusCode).toBe(201);
        expect(res.json().orderNumber).toMatch(/^SO-/);
        expect(ordersIn(stack.sim)).toHaveLength(1);
        // And a later send from Salesforce finds it rather than creating another.
        expect((await stack.call('POST', '/v1/sales-orders', s)).json().created).toBe(false);
        expect(ordersIn(stack.sim)).toHaveLength(1);
    });

    it('survives 5xx, 429 and dropped connections', async () => {
        stack.sim.setFaults({ burst429: 1, dropConnections: 1, failRate5xx: 0.2 });
        const res = await stack.call('POST', '/v1/sales-orders', snapshot());
        expect(res.statusCode).toBe(201);
        expect(ordersIn(stack.sim)).toHaveLength(1);
    });

    it('creates a new customer once, in the Opportunity currency, for a Person Account', async () => {
        const account = {
            id: '0015g00000JANE1AAA',
            name: 'Jane Citizen',
            isPersonAccount: true,
            firstName: 'Jane',
            lastName: 'Citizen',
            email: 'jane@example.com.au',
            billingAddress: { street: '1 George St', city: 'Sydney', country: 'Australia' }
        };
        const s = snapshot({ currencyIsoCode: 'AUD', account, newCustomerCode: 'JANE-C' });
        const res = await stack.call('POST', '/v1/sales-orders', s);
        expect(res.statusCode).toBe(201);
        expect(res.json()).toMatchObject({ customerCode: 'JANE-C', customerCreated: true });
        const again = await stack.call('POST', '/v1/sales-orders', { ...s, opportunityId: oppId() });
        expect(again.json()).toMatchObject({ customerCode: 'JANE-C', customerCreated: false });
        const janes = stack.sim.state.customers.filter(
            (c: { CustomerCode: string }) => c.CustomerCode === 'JANE-C'
        );
        expect(janes).toHaveLength(1);
        expect(janes[0]).toMatchObject({
            Guid: customerGuidFor(stack.orgId, account.id),
            Currency: expect.objectContaining({ CurrencyCode: 'AUD' }),
            ContactFirstName: 'Jane',
            ContactLastName: 'Citizen'
        });
        expect(
            ordersIn(stack.sim).map((o: { Currency?: { CurrencyCode?: string } }) => o.Currency?.CurrencyCode)
        ).toEqual(['AUD', 'AUD']);
    });

    it('refuses a currency Unleashed does not have before creating anything', async () => {
        const s = snapshot({
            currencyIsoCode: 'JPY',
            account: { id: '0015g00000NEW01AAA', name: 'Tokyo Co', email: 't@example.jp' },
            newCustomerCode: 'TOKYO'
        });
        const res = await stack.call('POST', '/v1/sales-orders', s);
        expect(res.statusCode).toBe(422);
        expect(res.json().errors).toContain(
            "Currency JPY is not set up in Unleashed; add it there or change the Opportunity's currency."
        );
        expect(
            stack.sim.state.customers.some((c: { CustomerCode: string }) => c.CustomerCode === 'TOKYO')
        ).toBe(false);
        expect(ordersIn(stack.sim)).toHaveLength(0);
    });

    it('answers 409 when the org has not connected Unleashed', async () => {
        await stack.addTenant('00D5g000009ZZZZEA1', null);
        const res = await stack.call('POST', '/v1/sales-orders/preview', snapshot(), '00D5g000009ZZZZEA1');
        expect(res.statusCode).toBe(409);
        expect(res.json().title).toBe('Unleashed is not connected');
    });

    it('totals of generated orders, half cents included, are accepted by the simulator as sent', async () => {
        const price = fc.integer({ min: 1, max: 2_000_000 }).map((c) => new Decimal(c).div(1000).toString()); // 3 places
        const line = fc.record({
            code: fc.constantFrom('WIDGET-BLUE', 'GIFT-CARD-50', 'SPROCKET-10', 'BOLT-M6'),
            qty: fc.integer({ min: 1, max: 500 }),
            price
        });
        await fc.assert(
            fc.asyncProperty(fc.array(line, { minLength: 1, maxLength: 6 }), async (ls) => {
                const s = snapshot({
                    lines: ls.map((l, i) => ({
                        lineId: `l${i}`,
                        productCode: l.code,
                        quantity: l.qty,
                        unitPrice: l.price
                    }))
                });
                const preview = (await stack.call('POST', '/v1/sales-orders/preview', s)).json();
                const sent = await stack.call('POST', '/v1/sales-orders', s);
                // The simulator refuses any total that differs from its own calculation.
                expect(sent.statusCode).toBe(201);
                expect(sent.json().total).toBe(preview.total);
                let sub = new Decimal(0);
                for (const l of ls)
                    sub = sub.plus(
                        new Decimal(l.qty).times(l.price).toDecimalPlaces(2, Decimal.ROUND_HALF_UP)
                    );
                expect(preview.subTotal).toBe(sub.toFixed(2));
            }),
            { numRuns: 60 }
        );
    });
});
