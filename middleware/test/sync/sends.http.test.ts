import { orderGuidFor } from '../../src/sync/ids';
import type { SendRecordsInput } from '../../src/sync/sends/records';
import { liveOrders, opportunityIds } from '../support/snapshots';
import { startStack, type Stack } from '../support/stack';

/**
 * Send to Unleashed from the records Salesforce gathered (sync/sends): the one home of the send
 * dialog's defaults, checks and messages, end to end through the signed routes and the Unleashed
 * simulator.
 */

let stack: Stack;
jest.setTimeout(60_000);

beforeAll(async () => {
    stack = await startStack();
});
afterAll(() => stack.close());
beforeEach(() => {
    stack.sim.reset('demo');
    stack.services.forget(stack.orgId);
});

const oppId = opportunityIds('SND');

const reference = {
    warehouses: [
        {
            id: 'a0W5g000000MAIN',
            code: 'MAIN',
            name: 'Main warehouse',
            place: 'Auckland, NZ',
            isDefault: true
        },
        { id: 'a0W5g000000WLGN', code: 'WLG', name: 'Wellington', place: null, isDefault: false }
    ],
    taxes: [{ id: 'a0T5g000000GST1', code: 'G.S.T.', name: 'GST', rate: 15, isDefault: true }],
    salesPersons: [{ id: 'a0S5g000000SAM1', email: 'sam.seller@example.com', name: 'Sam Seller' }],
    deliveryMethods: [{ id: 'a0D5g000000COU1', name: 'Courier' }]
};

function records(over: Partial<SendRecordsInput> = {}): SendRecordsInput {
    return {
        opportunity: {
            id: oppId(),
            name: 'Acme widgets',
            amount: 159.97,
            currencyIsoCode: 'NZD',
            closeDate: '2026-12-20'
        },
        account: {
            id: '0015g00000ACME1AAA',
            name: 'Acme Ltd',
            customerCode: 'ACME',
            shippingAddress: { street: '1 Queen St', city: 'Auckland', country: 'New Zealand' }
        },
        lines: [
            {
                lineId: '00k5g000001SND1',
                productName: 'Blue widget',
                productCode: 'WIDGET-BLUE',
                quantity: 3,
                unitPrice: 19.99
            },
            {
                lineId: '00k5g000001SND2',
                productName: 'Gift card',
                productCode: 'GIFT-CARD-50',
                quantity: 2,
                unitPrice: 50
            }
        ],
        reference,
        user: { email: 'Sam.Seller@example.com' },
        ...over
    };
}

/** A business Account Unleashed does not know yet: Beta Builders exists in Unleashed as BETA. */
function newBusinessAccount(name: string, contacts: unknown[] = []) {
    return { id: '0015g00000NEW01AAA', name, contacts } as SendRecordsInput['account'];
}

describe('context', () => {
    it('starts from the Opportunity, then the settings, then the imported defaults', async () => {
        const r = records();
        r.opportunity.stored = { taxCode: 'NO GST', orderStatus: 'Placed' };
        r.settings = { defaultWarehouseCode: 'WLG' };
        const res = await stack.call('POST', '/v1/sends/context', r);
        expect(res.statusCode).toBe(200);
        const c = res.json();
        expect(c.defaults).toMatchObject({
            warehouseCode: 'WLG',
            taxCode: 'NO GST',
            salesPersonEmail: 'sam.seller@example.com',
            orderStatus: 'Placed',
            customerCode: 'ACME',
            newCustomerCode: null
        });
        expect(c.defaults.deliveryAddress).toMatchObject({ name: 'Acme Ltd', street: '1 Queen St' });
        expect(
            c.warehouses.map((o: { value: string; isDefault: boolean }) => [o.value, o.isDefault])
        ).toEqual([
            ['MAIN', false],
            ['WLG', true]
        ]);
        expect(c.blocking).toEqual([]);
        expect(c.order.editable).toBe(true);
    });

    it('names a zero quantity, a negative price and an unknown product before the first step', async () => {
        const r = records({
            lines: [
                {
                    lineId: '00k5g000001SND1',
                    productName: 'Blue widget',
                    productCode: 'WIDGET-BLUE',
                    quantity: 0,
                    unitPrice: 19.99
                },
                {
                    lineId: '00k5g000001SND2',
                    productName: 'Mystery box',
                    productCode: 'NO-SUCH-THING',
                    quantity: 1,
                    unitPrice: 5
                },
                {
                    lineId: '00k5g000001SND3',
                    productName: 'Gift card',
                    productCode: 'GIFT-CARD-50',
                    quantity: 1,
                    unitPrice: -2
                }
            ]
        });
        const c = (await stack.call('POST', '/v1/sends/context', r)).json();
        expect(c.blocking).toEqual([
            "Line 1 (Blue widget) has a quantity of 0. Enter a quantity greater than 0 on the Opportunity's product line, or remove the line.",
            'Line 3 (Gift card) has a negative sales price (-2). Unleashed takes credits as credit notes, not as order lines.',
            'Line 2 (Mystery box): Unleashed has no product with code NO-SUCH-THING. Correct the code on the Product, or remove the line.'
        ]);
        // Never a schema path.
        expect(c.blocking.join(' ')).not.toMatch(/lines\.\d|body\./);
    });

    it('offers the existing Unleashed customer of the same name instead of creating a second one', async () => {
        const c = (
            await stack.call(
                'POST',
                '/v1/sends/context',
                records({ account: newBusinessAccount('  beta   builders ') })
            )
        ).json();
        expect(c.account.customerMatches).toEqual([
            expect.objectContaining({ code: 'BETA', name: 'Beta Builders', matchedBy: 'name' })
        ]);
        expect(c.defaults.newCustomerCode).toBe('BETABUILDERS');
    });

    it("takes a business Account's contact from its primary contact role", async () => {
        const account = newBusinessAccount('Gamma Garden Supplies', [
            { firstName: 'Zed', lastName: 'Other', email: 'zed@gamma.example', isPrimary: false },
            {
                firstName: 'Jane',
                lastName: 'Doe',
                email: 'jane@gamma.example',
                isPrimary: true,
                role: 'Decision Maker'
            }
        ]);
        const c = (await stack.call('POST', '/v1/sends/context', records({ account }))).json();
        expect(c.account).toMatchObject({
            contactName: 'Jane Doe, jane@gamma.example',
            email: 'jane@gamma.example'
        });
    });

    it('refuses records that are not records, naming the field', async () => {
        const res = await stack.call('POST', '/v1/sends/context', {
            opportunity: { id: 'not-an-id' },
            lines: []
        });
        expect(res.statusCode).toBe(400);
        expect(res.body).toMatch(/opportunity\.id|account/);
    });
});

describe('preview', () => {
    it('shows list price, discount and net price, and explains a rounding difference in words', async () => {
        const line = (quantity: number, unitPrice: number, discountPercent: number) => ({
            lineId: '00k5g000001SND1',
            productName: 'Blue widget',
            productCode: 'WIDGET-BLUE',
            quantity,
            unitPrice,
            discountPercent
        });
        // Salesforce: 3 x 19.99 less 5 % = 56.9715, Amount 56.97; Unleashed: 18.99 x 3 = 56.97.
        const r = records({
            lines: [line(3, 19.99, 5)],
            opportunity: { id: oppId(), name: 'Discounted', amount: 56.97, currencyIsoCode: 'NZD' }
        });
        const p = (await stack.call('POST', '/v1/sends/preview', { records: r, choices: {} })).json();
        expect(p.lines[0]).toMatchObject({
            listPrice: '19.99',
            discountPercent: '5',
            unitPrice: '18.99',
            lineTotal: '56.97'
        });
        expect([p.amountDiffers, p.amountNote]).toEqual([false, null]);
        // Salesforce: 7 x 9.99 less 12.5 % = 61.18875, Amount 61.19; Unleashed: 8.74 x 7 = 61.18.
        const r2 = records({
            lines: [line(7, 9.99, 12.5)],
            opportunity: { id: oppId(), amount: 61.19, currencyIsoCode: 'NZD' }
        });
        const p2 = (await stack.call('POST', '/v1/sends/preview', { records: r2, choices: {} })).json();
        expect(p2.amountDiffers).toBe(true);
        expect(p2.amountNote).toBe(
            "Unleashed's subtotal 61.18 differs from the Opportunity's 61.19 by 0.01 NZD: Unleashed rounds each line's discounted unit price to cents before multiplying by the quantity, Salesforce multiplies first."
        );
        // A difference rounding cannot explain says so.
        const r3 = records({
            lines: [line(7, 9.99, 12.5)],
            opportunity: { id: oppId(), amount: 70, currencyIsoCode: 'NZD' }
        });
        const p3 = (await stack.call('POST', '/v1/sends/preview', { records: r3, choices: {} })).json();
        expect(p3.amountNote).toMatch(/by 8\.82 NZD, more than rounding explains/);
    });

    it('asks to confirm a free line and an unusually large quantity', async () => {
        const r = records({
            settings: { largeQuantity: 100 },
            lines: [
                {
                    lineId: '00k5g000001SND1',
                    productName: 'Blue widget',
                    productCode: 'WIDGET-BLUE',
                    quantity: 250,
                    unitPrice: 19.99
                },
                {
                    lineId: '00k5g000001SND2',
                    productName: 'Gift card',
                    productCode: 'GIFT-CARD-50',
                    quantity: 1,
                    unitPrice: 0
                }
            ]
        });
        const p = (await stack.call('POST', '/v1/sends/preview', { records: r, choices: {} })).json();
        expect(p.confirmations.map((c: { key: string }) => c.key)).toEqual([
            'large-quantity:00k5g000001SND1',
            'zero-price:00k5g000001SND2'
        ]);
        const confirmed = { confirmed: ['zero-price:00k5g000001SND2'] };
        const p2 = (await stack.call('POST', '/v1/sends/preview', { records: r, choices: confirmed })).json();
        expect(p2.confirmations.map((c: { key: string }) => c.key)).toEqual([
            'large-quantity:00k5g000001SND1'
        ]);
    });

    it('refuses with the blocking messages and asks Unleashed nothing', async () => {
        const before = stack.sim.calls().length;
        const r = records({
            account: {
                id: '0015g00000ACME1AAA',
                name: 'Acme Ltd',
                customerCode: 'ACME',
                doNotSend: true,
                doNotSendReason: 'On credit hold'
            }
        });
        const res = await stack.call('POST', '/v1/sends/preview', { records: r, choices: {} });
        expect(res.statusCode).toBe(422);
        expect(res.json()).toMatchObject({
            blocking: ['The account is marked "Do not send to Unleashed": On credit hold']
        });
        expect(stack.sim.calls().length).toBe(before);
    });
});

describe('send', () => {
    it('creates the order once and says what Salesforce should store', async () => {
        const r = records();
        const first = await stack.call('POST', '/v1/sends', {
            records: r,
            choices: { deliveryMethod: 'Courier' }
        });
        expect(first.statusCode).toBe(201);
        const a = first.json();
        expect(a).toMatchObject({
            success: true,
            orderGuid: orderGuidFor(stack.orgId, r.opportunity.id),
            status: 'Parked',
            total: '168.97',
            customerCode: 'ACME',
            accountCustomerCode: null,
            remember: {
                warehouseId: 'a0W5g000000MAIN',
                taxId: 'a0T5g000000GST1',
                salesPersonId: 'a0S5g000000SAM1',
                deliveryMethodId: 'a0D5g000000COU1',
                orderStatus: 'Parked'
            }
        });
        expect(a.summary).toMatch(
            /^Opportunity 0065g\w+: 2 line\(s\), warehouse MAIN, customer ACME, status Parked, currency NZD -> SO-\S+ Parked$/
        );
        const again = await stack.call('POST', '/v1/sends', { records: r, choices: {} });
        expect(again.statusCode).toBe(200);
        expect(liveOrders(stack.sim).filter((o) => o.Guid === a.orderGuid)).toHaveLength(1);
    });

    it('makes a new order once Unleashed deleted the last one, and then updates that one', async () => {
        const r = records();
        const first = (await stack.call('POST', '/v1/sends', { records: r, choices: {} })).json();
        const deleted = stack.sim.state.orders.find((o) => o.Guid === first.orderGuid)!;
        deleted.OrderStatus = 'Deleted';
        // What the status back-sync stored on the Opportunity.
        r.opportunity.order = { guid: first.orderGuid, number: first.orderNumber, status: 'Deleted' };
        const context = (await stack.call('POST', '/v1/sends/context', r)).json();
        expect(context.blocking).toEqual([]);
        expect(context.notices).toContain(
            `Sales order ${first.orderNumber} was deleted in Unleashed: sending creates a new sales order.`
        );
        const second = await stack.call('POST', '/v1/sends', { records: r, choices: {} });
        expect(second.statusCode).toBe(201);
        expect(second.json().orderGuid).toBe(orderGuidFor(stack.orgId, r.opportunity.id, 1));
        expect(second.json().orderNumber).not.toBe(first.orderNumber);
        const third = await stack.call('POST', '/v1/sends', { records: r, choices: {} });
        expect([third.statusCode, third.json().orderGuid]).toEqual([200, second.json().orderGuid]);
        expect(liveOrders(stack.sim).filter((o) => o.CustomerRef === r.opportunity.id)).toHaveLength(1);
    });

    it('creates a business customer with its contact, and tells Salesforce the new code', async () => {
        const account = newBusinessAccount('Delta Drilling', [
            { firstName: 'Dee', lastName: 'Driller', email: 'dee@delta.example', role: 'Billing Contact' }
        ]);
        const res = await stack.call('POST', '/v1/sends', { records: records({ account }), choices: {} });
        expect(res.statusCode).toBe(201);
        expect(res.json().accountCustomerCode).toBe('DELTADRILLING');
        const created = stack.sim.state.customers.find((c) => c.CustomerCode === 'DELTADRILLING');
        expect(created).toMatchObject({
            Email: 'dee@delta.example',
            ContactFirstName: 'Dee',
            ContactLastName: 'Driller'
        });
    });

    it('refuses an unconfirmed free line with blocking, sending nothing', async () => {
        const r = records({
            lines: [
                {
                    lineId: '00k5g000001SND1',
                    productName: 'Blue widget',
                    productCode: 'WIDGET-BLUE',
                    quantity: 1,
                    unitPrice: 0
                }
            ]
        });
        const res = await stack.call('POST', '/v1/sends', { records: r, choices: {} });
        expect(res.statusCode).toBe(422);
        expect(res.json().blocking).toEqual([
            'Line 1 (Blue widget) is free of charge (price 0). Confirm that it is meant to be.'
        ]);
        expect(liveOrders(stack.sim)).toHaveLength(0);
        const ok = await stack.call('POST', '/v1/sends', {
            records: r,
            choices: { confirmed: ['zero-price:00k5g000001SND1'] }
        });
        expect(ok.statusCode).toBe(201);
    });

    it('asks to confirm a large total only a computed total reveals', async () => {
        const r = records({ settings: { largeTotal: 150 } });
        const res = await stack.call('POST', '/v1/sends', { records: r, choices: {} });
        expect(res.statusCode).toBe(422);
        expect(res.json().confirmations).toEqual([
            expect.objectContaining({ key: 'large-total', message: expect.stringContaining('168.97 NZD') })
        ]);
        expect(liveOrders(stack.sim)).toHaveLength(0);
    });

    it('carries the summary and the effective choices when Unleashed refuses, for the Sync Log and a retry', async () => {
        const r = records({ account: { id: '0015g00000ACME1AAA', name: 'Acme Ltd', customerCode: 'NOPE' } });
        const res = await stack.call('POST', '/v1/sends', { records: r, choices: {} });
        expect(res.statusCode).toBe(422);
        const body = res.json();
        expect(body.blocking).toBeUndefined();
        expect(body.summary).toMatch(/customer NOPE/);
        expect(body.choices).toMatchObject({
            warehouseCode: 'MAIN',
            customerCode: 'NOPE',
            taxCode: 'G.S.T.'
        });
    });
});

describe('how each company sells', () => {
    it("takes the Account's own defaults before the org's, and its chosen address", async () => {
        const r = records();
        r.account = {
            ...r.account!,
            billingAddress: { street: 'PO Box 100', city: 'Auckland' },
            defaults: {
                warehouseCode: 'WLG',
                deliveryMethod: 'Courier',
                salesOrderGroup: 'Trade',
                deliverTo: 'billing'
            }
        };
        r.settings = { defaultWarehouseCode: 'MAIN' };
        r.reference = { ...reference, salesOrderGroups: [{ id: 'a0G5g000000TRD1', name: 'Trade' }] };
        const c = (await stack.call('POST', '/v1/sends/context', r)).json();
        expect(c.defaults).toMatchObject({
            warehouseCode: 'WLG',
            deliveryMethod: 'Courier',
            salesOrderGroup: 'Trade',
            deliveryAddress: { name: 'Acme Ltd', street: 'PO Box 100', city: 'Auckland' }
        });
        expect(c.salesOrderGroups).toEqual([
            { value: 'Trade', label: 'Trade', detail: null, isDefault: true }
        ]);
        // What the Opportunity stored still wins over the Account.
        r.opportunity.stored = { warehouseCode: 'MAIN' };
        const c2 = (await stack.call('POST', '/v1/sends/context', r)).json();
        expect(c2.defaults.warehouseCode).toBe('MAIN');
    });

    it('puts the mapped fields and the sales order group on the Unleashed order', async () => {
        const r = records({
            mapped: {
                customerRef: 'PO-4471',
                deliveryInstruction: 'Leave at the loading dock',
                comments: 'Mapped comment',
                lines: [{ lineId: '00k5g000001SND1', comments: 'Engrave: ACME' }]
            }
        });
        const res = await stack.call('POST', '/v1/sends', {
            records: r,
            choices: { salesOrderGroup: 'Trade' }
        });
        expect(res.statusCode).toBe(201);
        const order = liveOrders(stack.sim).find((o) => o.Guid === res.json().orderGuid)!;
        expect(order).toMatchObject({
            CustomerRef: 'PO-4471',
            DeliveryInstruction: 'Leave at the loading dock',
            Comments: 'Mapped comment',
            SalesOrderGroup: 'Trade',
            SourceId: 'Salesforce'
        });
        expect(order.SalesOrderLines.map((l) => l.Comments)).toEqual(['Engrave: ACME', 'Gift card']);
    });

    it("shows the customer's Unleashed price beside the Opportunity's, and uses it when asked", async () => {
        // ACME buys at the Wholesale tier: a blue widget is 17.50 for them, 19.99 on the Opportunity.
        const r = records();
        const p = (await stack.call('POST', '/v1/sends/preview', { records: r, choices: {} })).json();
        expect(p.lines[0]).toMatchObject({
            unitPrice: '19.99',
            customerPrice: '17.50',
            customerPriceDiffers: true
        });
        expect([p.customerPricesDiffer, p.usingUnleashedPrices]).toEqual([true, false]);
        const used = await stack.call('POST', '/v1/sends/preview', {
            records: r,
            choices: { useUnleashedPrices: true }
        });
        const q = used.json();
        expect(q.lines[0]).toMatchObject({
            listPrice: '19.99',
            unitPrice: '17.5',
            lineTotal: '52.50',
            customerPriceDiffers: false
        });
        expect(q.usingUnleashedPrices).toBe(true);
        expect(q.amountNote).toMatch(/the lines carry Unleashed's prices for this customer/);
        const sent = await stack.call('POST', '/v1/sends', {
            records: r,
            choices: { useUnleashedPrices: true }
        });
        expect(sent.statusCode).toBe(201);
        expect(sent.json().subTotal).toBe(q.subTotal);
        const order = liveOrders(stack.sim).find((o) => o.Guid === sent.json().orderGuid)!;
        expect(order.SalesOrderLines[0]!.UnitPrice.toString()).toBe('17.5');
    });

    it('has no customer price for a new customer', async () => {
        const p = (
            await stack.call('POST', '/v1/sends/preview', {
                records: records({
                    account: newBusinessAccount('Epsilon Events', [{ email: 'e@eps.example' }])
                }),
                choices: {}
            })
        ).json();
        expect(p.lines.map((l: { customerPrice: string | null }) => l.customerPrice)).toEqual([null, null]);
        expect(p.customerPricesDiffer).toBe(false);
    });

    it('sends a Salesforce Order exactly once, speaking of the Order', async () => {
        const orderId = '8015g000000SND1AAA';
        const r = records({
            source: 'Order',
            opportunity: { id: orderId, amount: 159.97, currencyIsoCode: 'NZD' }
        });
        const empty = (await stack.call('POST', '/v1/sends/context', { ...r, lines: [] })).json();
        expect(empty.blocking).toContain('The Order has no products.');
        const first = await stack.call('POST', '/v1/sends', { records: r, choices: {} });
        expect(first.statusCode).toBe(201);
        expect(first.json().orderGuid).toBe(orderGuidFor(stack.orgId, orderId));
        expect(first.json().summary).toMatch(/^Order 8015g000000SND1AAA: 2 line\(s\)/);
        const again = await stack.call('POST', '/v1/sends', { records: r, choices: {} });
        expect(again.statusCode).toBe(200);
        const orders = liveOrders(stack.sim).filter((o) => o.CustomerRef === orderId);
        expect(orders).toHaveLength(1);
    });

    it('refuses an Order id given as an Opportunity, naming the field', async () => {
        const res = await stack.call(
            'POST',
            '/v1/sends/context',
            records({ opportunity: { id: '0015g00000ACME1AAA' } })
        );
        expect(res.statusCode).toBe(400);
        expect(res.body).toMatch(/Opportunity \(006\) or Order \(801\) id/);
    });
});
