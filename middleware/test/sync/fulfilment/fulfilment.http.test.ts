import { StatusPoller } from '../../../src/sync/status';
import { startHarness, type Harness, type Json } from '../status/harness';

/**
 * Fulfilment back to Salesforce over real HTTP: the Unleashed simulator's warehouse user completes,
 * ships and invoices orders sent from Salesforce; webhooks (order events) and the poller bring each
 * change to the Salesforce simulator's events resource exactly once.
 */

jest.setTimeout(60_000);
let h: Harness;
beforeAll(async () => {
    h = await startHarness();
});
afterAll(() => h?.close());

const sim = async (path: string, body: unknown = {}): Promise<Json> => {
    const res = await fetch(`${h.usim.url}/__sim/${path}`, { method: 'POST', body: JSON.stringify(body) });
    const json = (await res.json()) as Json;
    if (res.status >= 300) throw new Error(`${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
};
const events = (type: string): Json[] =>
    h
        .eventCalls()
        .flat()
        .filter((e) => e.type === type);

function poller(): StatusPoller {
    const p = new StatusPoller({
        tenants: h.services.store.tenants,
        repos: h.services.orderStatus,
        pusher: h.services.statusSync.pusher,
        unleashedFor: (t) => h.services.unleashedFor(t),
        fulfilment: h.services.fulfilment,
        intervalSeconds: 0.001,
        owner: 'poller-test'
    });
    const pollDue = p.pollDue.bind(p);
    p.pollDue = async () => {
        await new Promise((r) => setTimeout(r, 5));
        return pollDue();
    };
    return p;
}

async function sendOne(name: string): Promise<{ opp: string; orderGuid: string; orderNumber: string }> {
    const opp = h.opportunity(name);
    const sent = await h.send(opp, { orderStatus: 'Placed' });
    return { opp, orderGuid: sent.orderGuid, orderNumber: sent.orderNumber };
}

describe('through webhooks', () => {
    beforeAll(async () => {
        const client = await h.services.unleashedFor((await h.services.store.tenants.get(h.orgId))!);
        await h.services.statusSync.subscriber.ensure(h.orgId, client);
        h.usim.webhooks.setSettings({ copies: 2 });
    });
    afterAll(() => h.usim.webhooks.setSettings({ copies: 1 }));

    test('a shipment with tracking reaches Salesforce once, with its link, though every event came twice', async () => {
        const o = await sendOne('Ship by webhook');
        await h.settle();
        const before = events('order.shipment').length;
        const order = await h.unleashed.get<Json>(`/SalesOrders/${o.orderGuid}`);
        await sim(`orders/${o.orderGuid}/ship`, {
            courier: 'NZ Post',
            trackingNumber: 'NZ 123/456',
            lines: [{ lineNumber: order.SalesOrderLines[0].LineNumber, quantity: 2 }]
        });
        await h.settle();
        const shipped = events('order.shipment').slice(before);
        expect(shipped).toHaveLength(1);
        expect(shipped[0]).toMatchObject({
            opportunityId: o.opp,
            orderGuid: o.orderGuid,
            orderNumber: o.orderNumber,
            status: 'Dispatched',
            courier: 'NZ Post',
            trackingNumber: 'NZ 123/456',
            trackingUrl: 'https://www.nzpost.co.nz/tools/tracking?trackid=NZ%20123%2F456',
            deleted: false,
            lines: [{ lineNumber: 1, orderLineNumber: order.SalesOrderLines[0].LineNumber, quantity: '2' }]
        });
        expect(shipped[0].dispatchDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        // The Salesforce simulator kept it by shipment GUID.
        expect(h.sfsim.apex.shipments.get(shipped[0].shipmentGuid)).toMatchObject({
            trackingNumber: 'NZ 123/456'
        });
    });

    test('an invoice arrives with its totals in the order currency; a later status change is pushed once', async () => {
        const o = await sendOne('Invoice by webhook');
        await h.settle();
        const order = await h.unleashed.get<Json>(`/SalesOrders/${o.orderGuid}`);
        await sim(`orders/${o.orderGuid}/invoice`, { dueInDays: 20 });
        await h.settle();
        const inv = events('order.invoice').filter((e) => e.orderGuid === o.orderGuid);
        expect(inv).toHaveLength(1);
        expect(inv[0]).toMatchObject({
            opportunityId: o.opp,
            orderNumber: o.orderNumber,
            status: 'Completed',
            currency: 'NZD',
            total: Number(order.Total).toFixed(2),
            deleted: false
        });
        const days = (Date.parse(inv[0].dueDate) - Date.parse(inv[0].invoiceDate)) / 86_400_000;
        expect(days).toBe(20);
        // The same states seen again (by a poll) are not sent again.
        await poller().pollDue();
        expect(events('order.invoice').filter((e) => e.orderGuid === o.orderGuid)).toHaveLength(1);
    });
});

describe('through polling (webhooks off)', () => {
    beforeAll(() => h.usim.webhooks.setSettings({ enabled: false }));
    afterAll(() => h.usim.webhooks.setSettings({ enabled: true }));

    test('status transitions, a custom status and a Deleted order, each with the time it changed', async () => {
        const a = await sendOne('Transitions A');
        const parked = h.opportunity('Transitions Parked');
        const p = await h.send(parked, { orderStatus: 'Parked' });
        await sim(`orders/${a.orderGuid}/status`, { status: 'Backordered' });
        await poller().pollDue();
        const backordered = events('order.status').filter((e) => e.orderGuid === a.orderGuid);
        expect(backordered.at(-1)).toMatchObject({
            status: 'Backordered',
            previousStatus: 'Placed',
            action: 'none'
        });
        expect(Date.parse(backordered.at(-1)!.changedAt)).not.toBeNaN();

        await sim(`orders/${a.orderGuid}/status`, { customStatus: 'Awaiting stock' });
        await poller().pollDue();
        expect(
            events('order.status')
                .filter((e) => e.orderGuid === a.orderGuid)
                .at(-1)
        ).toMatchObject({
            status: 'Backordered',
            customStatus: 'Awaiting stock'
        });

        await h.unleashed.del(`/SalesOrders/${p.orderGuid}`);
        await poller().pollDue();
        const deleted = events('order.status').filter((e) => e.orderGuid === p.orderGuid);
        expect(deleted.at(-1)).toMatchObject({
            status: 'Deleted',
            previousStatus: 'Parked',
            action: 'unlock'
        });
        expect(deleted.at(-1)!.note).toMatch(/deleted in Unleashed.*sent to Unleashed again/);
        // Nothing changed since: another poll pushes nothing.
        const count = h.eventCalls().length;
        await poller().pollDue();
        expect(h.eventCalls().length).toBe(count);
    });

    test('a shipment whose tracking number is typed in later reaches Salesforce by the list poll', async () => {
        const o = await sendOne('Ship by poll');
        const shipment = await sim(`orders/${o.orderGuid}/ship`, {
            courier: 'Unknown Couriers Ltd',
            status: 'Packed'
        });
        // The status of the order does not change, so only the list poll sees the shipment: make
        // it due now (it runs every FULFILMENT_POLL_SECONDS).
        await h.services.store.db.query('UPDATE fulfilment_polls SET next_poll_at = now()');
        await poller().pollDue();
        const first = events('order.shipment').filter((e) => e.orderGuid === o.orderGuid);
        expect(first).toHaveLength(1);
        expect(first[0]).toMatchObject({
            status: 'Packed',
            trackingNumber: null,
            trackingUrl: null,
            dispatchDate: null
        });

        // A poll before the list is due again reads no shipment.
        await fetch(`${h.usim.url}/__sim/shipments/${shipment.Guid}`, {
            method: 'POST',
            body: JSON.stringify({ status: 'Dispatched', trackingNumber: 'UC-1' })
        });
        await poller().pollDue();
        expect(events('order.shipment').filter((e) => e.orderGuid === o.orderGuid)).toHaveLength(1);
        await h.services.store.db.query('UPDATE fulfilment_polls SET next_poll_at = now()');
        await poller().pollDue();
        const all = events('order.shipment').filter((e) => e.orderGuid === o.orderGuid);
        expect(all).toHaveLength(2);
        expect(all[1]).toMatchObject({ status: 'Dispatched', trackingNumber: 'UC-1', trackingUrl: null });
    });
});

describe('the customer history route', () => {
    test('pages of orders and invoices with totals and statuses, cached briefly; unknown customer 404', async () => {
        // Unleashed (here the simulator) lists ACME's orders oldest first.
        h.usim.state.orders
            .filter((o) => o.Customer.CustomerCode === 'ACME')
            .forEach((o, i) => (o.OrderDate = new Date(Date.UTC(2026, 0, 1 + i))));
        const r1 = await h.call('GET', '/v1/customers/ACME/history?page=1');
        expect(r1.status).toBe(200);
        expect(r1.body.customerCode).toBe('ACME');
        expect(r1.body.pageSize).toBe(20);
        expect(r1.body.orders.items.length).toBeGreaterThan(0);
        expect(r1.body.orders.items[0]).toEqual(
            expect.objectContaining({
                status: expect.any(String),
                total: expect.stringMatching(/^\d+\.\d{2}$/)
            })
        );
        expect(r1.body.orders.items.some((o: Json) => o.sentFromSalesforce)).toBe(true);
        expect(r1.body.invoices.items.length).toBeGreaterThan(0);
        // The newest first within a page, whatever order Unleashed lists them in.
        const dates = r1.body.orders.items.map((o: Json) => String(o.date ?? ''));
        expect(dates).toEqual([...dates].sort().reverse());

        const calls = h.usim.callCount();
        const again = await h.call('GET', '/v1/customers/ACME/history?page=1');
        expect(again.body).toEqual(r1.body);
        expect(h.usim.callCount()).toBe(calls);

        const past = await h.call(
            'GET',
            `/v1/customers/ACME/history?page=${r1.body.orders.numberOfPages + 1}`
        );
        expect(past.status).toBe(200);
        expect(past.body.orders.items).toEqual([]);
        expect(past.body.orders.numberOfItems).toBe(r1.body.orders.numberOfItems);

        const unknown = await h.call('GET', '/v1/customers/NOPE-404/history');
        expect(unknown.status).toBe(404);
        expect(unknown.body.detail).toMatch(/no customer with the code "NOPE-404"/);

        expect((await h.call('GET', '/v1/customers/ACME/history?page=0')).status).toBe(400);
    });
});

test('the quota meter carries what polling costs per day, and one poll spends exactly that share', async () => {
    const r = await h.call('GET', '/v1/connection');
    expect(r.status).toBe(200);
    // 300 s order polls (288 a day) + shipment and invoice lists every 3600 s (2 x 24).
    const share = (perDay: number) => Math.round(((perDay * 31) / r.body.quota.limit) * 1000) / 10;
    expect(r.body.quota.polling).toEqual({
        callsPerDay: 336,
        callsPerMonth: 336 * 31,
        percentOfLimit: share(336),
        // While webhooks deliver changes the order poll runs hourly: 24 + 2 x 24.
        withWebhooks: { callsPerDay: 72, callsPerMonth: 72 * 31, percentOfLimit: share(72) }
    });
    await h.services.store.db.query('UPDATE fulfilment_polls SET next_poll_at = now()');
    h.usim.webhooks.setSettings({ enabled: false });
    const before = h.usim.calls().length;
    await poller().pollDue();
    const made = h.usim
        .calls()
        .slice(before)
        .filter((c) => c.method === 'GET')
        .map((c) => c.path.toLowerCase().replace(/\/\d+$/, ''));
    h.usim.webhooks.setSettings({ enabled: true });
    expect(made.sort()).toEqual(['/invoices', '/salesorders', '/salesshipments']);
});
