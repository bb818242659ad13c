import { webhookSignature } from '../../../src/sync/status';
import { startHarness, type Harness } from './harness';
import { unleashedSignature } from './receiver';

/**
 * Status flowing back by webhook, over real HTTP: an order sent from an Opportunity changes status in
 * the Unleashed simulator, the simulator delivers a signed webhook to the middleware, which fetches
 * the order and pushes one order.status event to the Salesforce simulator's /events resource.
 */

// Servers and an embedded database start per file: generous under a loaded machine.
jest.setTimeout(30_000);
let h: Harness;
beforeAll(async () => {
    h = await startHarness();
});
afterAll(() => h?.close());

const field = (name: string) => `unleashed__${name}`;

function opportunityRow(id: string): Record<string, unknown> {
    const row = h.sfsim.records('Opportunity').find((r) => r.Id === id);
    if (!row) throw new Error(`no Opportunity ${id}`);
    return row;
}

async function subscribe(): Promise<string> {
    const client = await h.services.unleashedFor((await h.services.store.tenants.get(h.orgId))!);
    await h.services.statusSync.subscriber.ensure(h.orgId, client);
    const [key] = await h.services.orderStatus.subscriptions.signingKeys(h.orgId);
    return key!.signingKey;
}

async function post(body: string, headers: Record<string, string>, orgId = h.orgId) {
    const res = await fetch(`${h.url}/webhooks/unleashed/${orgId}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

function signed(key: string, body: string, atMs = Date.now()) {
    const timestamp = String(Math.floor(atMs / 1000));
    return {
        'x-unleashed-timestamp': timestamp,
        'x-unleashed-signature': unleashedSignature(key, timestamp, body)
    };
}

async function inboxCount(): Promise<number> {
    const rows = await h.services.store.db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM webhook_inbox WHERE org_id = $1',
        [h.orgId]
    );
    return rows[0]!.n;
}

let signingKey: string;
let opp: string;
let sent: { orderGuid: string; orderNumber: string };

beforeAll(async () => {
    signingKey = await subscribe();
    opp = h.opportunity('Webhook: complete me');
    sent = await h.send(opp);
    await h.settle();
});

test('the signature scheme matches an independent implementation', () => {
    expect(webhookSignature('k3y', '1700000000', '{"a":1}')).toBe(
        unleashedSignature('k3y', '1700000000', '{"a":1}')
    );
});

test('completing the order in Unleashed reaches the Opportunity once, by webhook', async () => {
    const before = h.eventCalls().length;
    await h.unleashed.post(`/SalesOrders/${sent.orderGuid}/Complete`, {});
    await h.settle();

    const delivery = h.usim.webhooks.deliveries.at(-1)!;
    expect(delivery).toMatchObject({ eventType: 'salesorder.updated', outcome: 'delivered', status: 200 });
    const calls = h.eventCalls().slice(before);
    expect(calls).toEqual([
        [
            {
                type: 'order.status',
                opportunityId: opp,
                orderGuid: sent.orderGuid,
                orderNumber: sent.orderNumber,
                status: 'Completed',
                subTotal: '59.97',
                taxTotal: '9.00',
                total: '68.97',
                customStatus: null,
                previousStatus: 'Parked',
                changedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
                action: 'none',
                note: null
            }
        ]
    ]);
    const row = opportunityRow(opp);
    expect(row[field('Unleashed_Order_Status__c')]).toBe('Completed');
    expect(row[field('Unleashed_Total__c')]).toBe(68.97);
    expect(await h.services.orderStatus.sentOrders.get(h.orgId, sent.orderGuid)).toMatchObject({
        status: 'Completed',
        pending: null
    });
    const inbox = await h.services.orderStatus.inbox.get(h.orgId, delivery.eventNotificationId);
    expect(inbox).toMatchObject({
        eventType: 'salesorder.updated',
        outcome: 'delivered 1; shipments and invoices: delivered 0, failed 0'
    });
    expect(inbox?.processedAt).toBeInstanceOf(Date);
});

test('placing a Parked order in Unleashed reaches the Opportunity', async () => {
    const other = h.opportunity('Webhook: place me');
    const order = await h.send(other);
    const before = h.eventCalls().length;
    await h.unleashed.put(`/SalesOrders/${order.orderGuid}`, { OrderStatus: 'Placed' });
    await h.settle();
    expect(h.eventCalls().slice(before)).toEqual([
        [expect.objectContaining({ opportunityId: other, orderGuid: order.orderGuid, status: 'Placed' })]
    ]);
    expect(opportunityRow(other)[field('Unleashed_Order_Status__c')]).toBe('Placed');
});

describe('refused deliveries change nothing', () => {
    let order: { orderGuid: string };
    let body: string;
    const forgedOpp = () => h.opportunity('Webhook: forged');
    let oppId: string;
    beforeAll(async () => {
        oppId = forgedOpp();
        order = await h.send(oppId);
        body = JSON.stringify({
            eventType: 'salesorder.updated',
            eventNotificationId: 'forged-0001',
            subscriptionId: 'whatever',
            createdOn: new Date().toISOString(),
            data: JSON.stringify({ salesOrderGuid: order.orderGuid })
        });
        // Unleashed's state differs from Salesforce's, so an accepted delivery would push an event.
        await h.unleashed.put(`/SalesOrders/${order.orderGuid}`, { OrderStatus: 'Placed' });
        await h.settle();
        await h.services.orderStatus.sentOrders.record(h.orgId, {
            orderGuid: order.orderGuid,
            opportunityId: oppId,
            orderNumber: null,
            status: 'Parked'
        });
    });

    async function expectRefused(res: { status: number; body: Record<string, unknown> }) {
        expect(res.status).toBe(401);
        expect(res.body).toMatchObject({ status: 401, title: 'Webhook not accepted' });
    }

    test.each([
        ['signed with another key', () => signed('not-the-key', body)],
        ['timestamp 6 minutes old (replay)', () => signed(signingKey, body, Date.now() - 360_000)],
        ['timestamp 6 minutes ahead', () => signed(signingKey, body, Date.now() + 360_000)],
        ['no signature', () => ({ 'x-unleashed-timestamp': String(Math.floor(Date.now() / 1000)) })],
        [
            'no timestamp',
            () => ({ 'x-unleashed-signature': signed(signingKey, body)['x-unleashed-signature'] })
        ],
        [
            'signature of another timestamp',
            () => ({
                ...signed(signingKey, body),
                'x-unleashed-timestamp': String(Math.floor(Date.now() / 1000) - 1)
            })
        ]
    ])('%s: 401', async (_label, headers) => {
        const calls = h.eventCalls().length;
        const inbox = await inboxCount();
        await expectRefused(await post(body, headers()));
        await h.settle();
        expect(h.eventCalls()).toHaveLength(calls);
        expect(await inboxCount()).toBe(inbox);
        expect((await h.services.orderStatus.sentOrders.get(h.orgId, order.orderGuid))?.status).toBe(
            'Parked'
        );
    });

    test('a body changed after signing: 401', async () => {
        const headers = signed(signingKey, body);
        await expectRefused(await post(body.replace('forged-0001', 'forged-0002'), headers));
        expect(await h.services.orderStatus.inbox.get(h.orgId, 'forged-0002')).toBeNull();
    });

    test('a real delivery replayed after the window: 401', async () => {
        const delivery = h.usim.webhooks.deliveries.at(-1)!;
        const old = Date.now() - 301_000;
        await expectRefused(await post(delivery.body, signed(signingKey, delivery.body, old)));
    });

    test('another org, or no such org: 401', async () => {
        const calls = h.eventCalls().length;
        await h.services.store.tenants.upsert({ orgId: '00D5g000004OTHEREA' });
        await expectRefused(await post(body, signed(signingKey, body), '00D5g000004OTHEREA'));
        await expectRefused(await post(body, signed(signingKey, body), '00D5g000004NOBODYA'));
        await expectRefused(await post(body, signed(signingKey, body), 'not-an-org'));
        await h.settle();
        expect(h.eventCalls()).toHaveLength(calls);
    });

    test('the signed original is accepted (the refusals were about the signature, not the body)', async () => {
        const res = await post(body, signed(signingKey, body));
        expect(res).toEqual({
            status: 200,
            body: { outcome: 'accepted', eventNotificationId: 'forged-0001' }
        });
        await h.settle();
        expect(h.eventCalls().at(-1)).toEqual([
            expect.objectContaining({ orderGuid: order.orderGuid, status: 'Placed' })
        ]);
    });
});

test('a notification delivered three times (and posted again) is processed once', async () => {
    const other = h.opportunity('Webhook: duplicates');
    const order = await h.send(other);
    h.usim.webhooks.setSettings({ copies: 3 });
    try {
        const before = h.eventCalls().length;
        await h.unleashed.post(`/SalesOrders/${order.orderGuid}/Complete`, {});
        await h.settle();
        const copies = h.usim.webhooks.deliveries.slice(-3);
        expect(new Set(copies.map((d) => d.eventNotificationId)).size).toBe(1);
        expect(copies.map((d) => d.outcome)).toEqual(['delivered', 'delivered', 'delivered']);
        expect(h.eventCalls().slice(before)).toEqual([[expect.objectContaining({ status: 'Completed' })]]);

        const again = await post(copies[0]!.body, signed(signingKey, copies[0]!.body));
        expect(again).toEqual({
            status: 200,
            body: { outcome: 'duplicate', eventNotificationId: copies[0]!.eventNotificationId }
        });
        await h.settle();
        expect(h.eventCalls().slice(before)).toHaveLength(1);
    } finally {
        h.usim.webhooks.setSettings({ copies: 1 });
    }
});

test('an order Unleashed does not show yet is fetched again until it does', async () => {
    const other = h.opportunity('Webhook: late order');
    const guid = '0e1e0000-0000-4000-8000-00000000c001';
    await h.services.orderStatus.sentOrders.record(h.orgId, {
        orderGuid: guid,
        opportunityId: other,
        orderNumber: null,
        status: 'Parked'
    });
    const body = JSON.stringify({
        eventType: 'salesorder.updated',
        eventNotificationId: 'late-0001',
        data: JSON.stringify({ salesOrderGuid: guid })
    });
    expect((await post(body, signed(signingKey, body))).body.outcome).toBe('accepted');
    // The first fetch finds nothing; the order appears before the retries run out.
    await new Promise((r) => setTimeout(r, 10));
    await h.unleashed.post(`/SalesOrders/${guid}`, {
        Customer: { CustomerCode: 'ACME' },
        Warehouse: { WarehouseCode: 'MAIN' },
        Currency: { CurrencyCode: 'NZD' },
        Tax: { TaxCode: 'G.S.T.' },
        TaxRate: 0.15,
        OrderStatus: 'Placed',
        SalesOrderLines: [
            {
                LineNumber: 1,
                Product: { ProductCode: 'WIDGET-BLUE' },
                OrderQuantity: 1,
                UnitPrice: 19.99,
                DiscountRate: 0,
                LineTotal: 19.99,
                TaxRate: 0.15,
                LineTax: 3.0
            }
        ],
        SubTotal: 19.99,
        TaxTotal: 3.0,
        Total: 22.99
    });
    await h.settle();
    const gets = h.usim
        .calls()
        .filter((c) => c.method === 'GET' && c.path.toLowerCase() === `/salesorders/${guid}`);
    expect(gets.length).toBeGreaterThanOrEqual(2);
    expect(gets[0]!.status).toBe(404);
    expect(gets.at(-1)!.status).toBe(200);
    expect(h.eventCalls().at(-1)).toEqual([
        expect.objectContaining({ opportunityId: other, orderGuid: guid, status: 'Placed', total: '22.99' })
    ]);
});

test('an order not sent from Salesforce is acknowledged and costs no Unleashed call', async () => {
    const guid = '0e1e0000-0000-4000-8000-00000000c002';
    const body = JSON.stringify({
        eventType: 'salesorder.updated',
        eventNotificationId: 'foreign-0001',
        data: JSON.stringify({ salesOrderGuid: guid })
    });
    const calls = h.usim.callCount();
    const events = h.eventCalls().length;
    expect((await post(body, signed(signingKey, body))).body.outcome).toBe('accepted');
    await h.settle();
    expect(h.usim.callCount()).toBe(calls);
    expect(h.eventCalls()).toHaveLength(events);
    expect(await h.services.orderStatus.inbox.get(h.orgId, 'foreign-0001')).toMatchObject({
        outcome: 'ignored: not an order sent from Salesforce'
    });

    const product = JSON.stringify({
        eventType: 'product.updated',
        eventNotificationId: 'product-0001',
        data: '{}'
    });
    expect((await post(product, signed(signingKey, product))).body.outcome).toBe('ignored');
    const garbage = '{"eventType": 7}';
    expect((await post(garbage, signed(signingKey, garbage))).status).toBe(400);
});

test('timestamps in milliseconds are read too', async () => {
    const other = h.opportunity('Webhook: ms timestamps');
    const order = await h.send(other);
    h.usim.webhooks.setSettings({ timestampFormat: 'milliseconds' });
    try {
        await h.unleashed.post(`/SalesOrders/${order.orderGuid}/Complete`, {});
        await h.settle();
        expect(h.usim.webhooks.deliveries.at(-1)).toMatchObject({ outcome: 'delivered', status: 200 });
        expect(h.eventCalls().at(-1)).toEqual([
            expect.objectContaining({ opportunityId: other, status: 'Completed' })
        ]);
    } finally {
        h.usim.webhooks.setSettings({ timestampFormat: 'seconds' });
    }
});

test('deliveries older than a week are forgotten by the poller', async () => {
    await h.services.store.db.query(
        "UPDATE webhook_inbox SET received_at = now() - interval '8 days' WHERE event_id = 'foreign-0001'"
    );
    await h.services.statusSync.poller.pollDue();
    expect(await h.services.orderStatus.inbox.get(h.orgId, 'foreign-0001')).toBeNull();
    expect(await h.services.orderStatus.inbox.get(h.orgId, 'late-0001')).not.toBeNull();
});
