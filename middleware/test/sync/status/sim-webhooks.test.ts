import { DEMO_API_ID, DEMO_API_KEY, startUnleashedSim } from '../../../src/sandbox/unleashed-sim';
import type { UnleashedSim } from '../../../src/sandbox/unleashed-sim/types';
import { createUnleashedClient } from '../../../src/unleashed/client';
import { isUnleashedError } from '../../../src/unleashed/errors';
import type { UnleashedClient } from '../../../src/unleashed/types';
import { startReceiver, unleashedSignature, type Receiver } from './receiver';

/** The Unleashed simulator's webhooks: subscriptions through the API, signed at-least-once deliveries. */

let sim: UnleashedSim;
let receiver: Receiver;
let client: UnleashedClient;

beforeAll(async () => {
    sim = await startUnleashedSim({ seed: 'demo' });
    receiver = await startReceiver();
    client = createUnleashedClient({
        baseUrl: sim.url,
        credentials: { apiId: DEMO_API_ID, apiKey: DEMO_API_KEY },
        clientType: 'test/webhooks',
        queryEncoding: 'sign-decoded',
        timeoutMs: 2000,
        maxRetries: 0
    });
});
afterAll(async () => {
    await sim.close();
    await receiver.close();
});
beforeEach(() => {
    sim.reset('demo');
    receiver.received.length = 0;
    receiver.answers.length = 0;
});

const ORDER = {
    Customer: { CustomerCode: 'ACME' },
    Warehouse: { WarehouseCode: 'MAIN' },
    Currency: { CurrencyCode: 'NZD' },
    Tax: { TaxCode: 'G.S.T.' },
    TaxRate: 0.15,
    OrderStatus: 'Parked',
    SalesOrderLines: [
        {
            LineNumber: 1,
            Product: { ProductCode: 'WIDGET-BLUE' },
            OrderQuantity: 3,
            UnitPrice: 19.99,
            DiscountRate: 0,
            LineTotal: 59.97,
            TaxRate: 0.15,
            LineTax: 9.0
        }
    ],
    SubTotal: 59.97,
    TaxTotal: 9.0,
    Total: 68.97
};
const GUID = '5a1e0000-0000-4000-8000-00000000b001';

async function subscribe(url = receiver.url, types = ['salesorder.created', 'salesorder.updated']) {
    return client.post<{ SubscriptionId: string; SigningKey: string }>('/Webhooks/Subscriptions', {
        NotificationUrl: url,
        EventTypes: types
    });
}

async function status(fn: () => Promise<unknown>): Promise<number> {
    try {
        await fn();
        return 200;
    } catch (err) {
        if (isUnleashedError(err)) return err.status;
        throw err;
    }
}

test('subscriptions: the key once, at most 5, HTTPS or loopback only, known event types, delete', async () => {
    const created = await subscribe();
    expect(created.SubscriptionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(Buffer.from(created.SigningKey, 'base64')).toHaveLength(32);
    const listed = await client.get<{ Items: Record<string, unknown>[] }>('/Webhooks/Subscriptions');
    expect(listed.Items).toHaveLength(1);
    expect(listed.Items[0]).not.toHaveProperty('SigningKey');
    expect(JSON.stringify(listed)).not.toContain(created.SigningKey);

    expect(await status(() => subscribe('http://example.com/hook'))).toBe(400);
    expect(await status(() => subscribe('https://example.com/hook', ['salesorder.exploded']))).toBe(400);
    for (let i = 0; i < 4; i++) await subscribe(`https://example.com/hook${i}`);
    expect(await status(() => subscribe('https://example.com/hook9'))).toBe(400);

    await client.del(`/Webhooks/Subscriptions/${created.SubscriptionId}`);
    expect((await client.get<{ Items: unknown[] }>('/Webhooks/Subscriptions')).Items).toHaveLength(4);
    expect(await status(() => client.del(`/Webhooks/Subscriptions/${created.SubscriptionId}`))).toBe(404);
});

test('an order created then completed is delivered twice, thin and signed; deliveries are not counted', async () => {
    const { SigningKey } = await subscribe();
    const before = sim.callCount();
    await client.post(`/SalesOrders/${GUID}`, ORDER);
    await client.post(`/SalesOrders/${GUID}/Complete`, {});
    await sim.webhooks.idle();
    expect(sim.callCount()).toBe(before + 2);

    expect(receiver.received).toHaveLength(2);
    const bodies = receiver.received.map((r) => JSON.parse(r.body) as Record<string, unknown>);
    expect(bodies.map((b) => b.eventType)).toEqual(['salesorder.created', 'salesorder.updated']);
    for (const [i, r] of receiver.received.entries()) {
        const ts = String(r.headers['x-unleashed-timestamp']);
        expect(Math.abs(Number(ts) - Date.now() / 1000)).toBeLessThan(60);
        expect(r.headers['x-unleashed-signature']).toBe(unleashedSignature(SigningKey, ts, r.body));
        expect(typeof bodies[i]!.data).toBe('string');
        expect(JSON.parse(bodies[i]!.data as string)).toEqual({ salesOrderGuid: GUID });
    }
    expect(new Set(bodies.map((b) => b.eventNotificationId)).size).toBe(2);
});

test('a failing receiver gets the same notification again; copies repeat it on purpose', async () => {
    await subscribe(receiver.url, ['salesorder.created']);
    sim.webhooks.setSettings({ retryDelayMs: 1 });
    receiver.answers.push(500, 503);
    await client.post(`/SalesOrders/${GUID}`, ORDER);
    await sim.webhooks.idle();
    expect(receiver.received).toHaveLength(3);
    expect(new Set(receiver.received.map((r) => r.body)).size).toBe(1);
    expect(sim.webhooks.deliveries[0]).toMatchObject({ attempts: 3, outcome: 'delivered', status: 200 });

    receiver.received.length = 0;
    sim.webhooks.setSettings({ copies: 2 });
    await client.post('/SalesOrders/5a1e0000-0000-4000-8000-00000000b002', ORDER);
    await sim.webhooks.idle();
    expect(receiver.received).toHaveLength(2);
    expect(receiver.received[0]!.body).toBe(receiver.received[1]!.body);
});

test('disabled webhooks deliver nothing; a reset forgets subscriptions', async () => {
    await subscribe();
    sim.webhooks.setSettings({ enabled: false });
    await client.post(`/SalesOrders/${GUID}`, ORDER);
    await sim.webhooks.idle();
    expect(receiver.received).toHaveLength(0);
    expect(sim.webhooks.deliveries.map((d) => d.outcome)).toEqual(['skipped']);
    sim.reset();
    expect(sim.webhooks.list()).toEqual([]);
});
