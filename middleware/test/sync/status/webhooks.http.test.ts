import { webhookSignature } from '../../../src/sync/status';
import { startHarness, type Harness } from './harness';
import { unleashedSignature } from './receiver';

/**
 * Status flowing back by webhook, over real HTTP: an order sent from an Opportunity changes status in
 * the Unleashed simulator, the simulator delivers a signed webhook to the middleware, which fetches
 * the order and pushes one order.status event to the Salesforce simulator's /events resource.
 */

let h: Harness;
beforeAll(async () => {
    h = await startHarness();
});
afterAll(() => h.close());

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
                total: '68.97'
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
    expect(inbox).toMatchObject({ eventType: 'salesorder.updated', outcome: 'delivered 1' });
    expect(inbox?.processedAt).toBeInstanceOf(Date);
});
