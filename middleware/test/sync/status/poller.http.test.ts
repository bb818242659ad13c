import { StatusPoller } from '../../../src/sync/status';
import { startHarness, type Harness } from './harness';

/**
 * The polling fallback over real HTTP with webhooks off (no public URL, so no subscription): the
 * poller asks the Unleashed simulator for orders modified since its watermark, keeps the ones sent
 * from Salesforce, and pushes changed statuses to the Salesforce simulator in batched calls.
 */

// Servers and an embedded database start per file: generous under a loaded machine.
jest.setTimeout(30_000);
let h: Harness;
beforeAll(async () => {
    h = await startHarness({ publicUrl: false });
});
afterAll(() => h?.close());

const field = (name: string) => `unleashed__${name}`;
const statusOf = (opportunityId: string) =>
    h.sfsim.records('Opportunity').find((r) => r.Id === opportunityId)?.[field('Unleashed_Order_Status__c')];

function poller(owner = 'poller-a', intervalSeconds = 0.001): StatusPoller {
    const p = new StatusPoller({
        tenants: h.services.store.tenants,
        repos: h.services.orderStatus,
        pusher: h.services.statusSync.pusher,
        unleashedFor: (t) => h.services.unleashedFor(t),
        intervalSeconds,
        owner
    });
    const pollDue = p.pollDue.bind(p);
    // The previous poll made the tenant due again 1 ms later (database clock): let that pass.
    p.pollDue = async () => {
        await new Promise((r) => setTimeout(r, 5));
        return pollDue();
    };
    return p;
}

const listCalls = () =>
    h.usim.calls().filter((c) => c.method === 'GET' && /^\/salesorders(\/\d+)?$/i.test(c.path));

const ORDER = (status: 'Parked' | 'Placed') => ({
    Customer: { CustomerCode: 'ACME' },
    Warehouse: { WarehouseCode: 'MAIN' },
    Currency: { CurrencyCode: 'NZD' },
    Tax: { TaxCode: 'G.S.T.' },
    TaxRate: 0.15,
    OrderStatus: status,
    SalesOrderLines: [
        {
            LineNumber: 1,
            Product: { ProductCode: 'CABLE-1M' },
            OrderQuantity: 2,
            UnitPrice: 7.5,
            DiscountRate: 0,
            LineTotal: 15.0,
            TaxRate: 0.15,
            LineTax: 2.25
        }
    ],
    SubTotal: 15.0,
    TaxTotal: 2.25,
    Total: 17.25
});

test('nothing sent yet: no poll, no Unleashed call', async () => {
    const calls = h.usim.callCount();
    expect(await poller().pollDue()).toEqual([]);
    expect(h.usim.callCount()).toBe(calls);
});

describe('with orders sent from Salesforce', () => {
    const opps: string[] = [];
    const orders: { orderGuid: string; orderNumber: string }[] = [];
    const foreign = '0f0e0000-0000-4000-8000-00000000d001';

    beforeAll(async () => {
        for (const name of ['Poll A', 'Poll B', 'Poll C']) {
            const id = h.opportunity(name);
            opps.push(id);
            orders.push(await h.send(id));
        }
        await h.unleashed.post(`/SalesOrders/${foreign}`, ORDER('Parked'));
    });

    test('finds the changes, pushes only orders we sent, in one batched call; a second poll pushes nothing', async () => {
        await h.unleashed.post(`/SalesOrders/${orders[0]!.orderGuid}/Complete`, {});
        await h.unleashed.put(`/SalesOrders/${orders[1]!.orderGuid}`, { OrderStatus: 'Placed' });
        await h.unleashed.post(`/SalesOrders/${foreign}/Complete`, {});
        const before = h.eventCalls().length;
        const lists = listCalls().length;

        const [report] = await poller().pollDue();
        expect(report).toMatchObject({
            orgId: h.orgId,
            ours: 3,
            unchanged: 1,
            delivered: 2,
            failed: 0,
            calls: [2]
        });
        expect(report!.seen).toBeGreaterThanOrEqual(4);
        const asked = listCalls().slice(lists);
        expect(asked).toHaveLength(1);
        // Sent RFC 3986-encoded; the signature covers the decoded text (docs/unleashed-api.md).
        expect(asked[0]!.query).toMatch(
            /^modifiedSince=\d{4}-\d{2}-\d{2}T\d{2}%3A\d{2}%3A\d{2}&orderStatus=Parked%2CPlaced%2CBackordered%2CCompleted%2CDeleted&pageSize=1000$/
        );

        const calls = h.eventCalls().slice(before);
        expect(calls).toHaveLength(1);
        expect(calls[0]!.map((e) => [e.opportunityId, e.orderGuid, e.status]).sort()).toEqual(
            [
                [opps[0], orders[0]!.orderGuid, 'Completed'],
                [opps[1], orders[1]!.orderGuid, 'Placed']
            ].sort()
        );
        expect(calls.flat().some((e) => e.orderGuid === foreign)).toBe(false);
        expect([statusOf(opps[0]!), statusOf(opps[1]!), statusOf(opps[2]!)]).toEqual([
            'Completed',
            'Placed',
            null
        ]);
        expect(h.usim.webhooks.deliveries).toEqual([]);

        const [again] = await poller().pollDue();
        expect(again).toMatchObject({ delivered: 0, unchanged: 3, calls: [] });
        expect(h.eventCalls().slice(before)).toHaveLength(1);
    });

    test('a Salesforce failure is kept and delivered by the next poll', async () => {
        await h.unleashed.put(`/SalesOrders/${orders[2]!.orderGuid}`, { OrderStatus: 'Placed' });
        const before = h.eventCalls().length;
        h.sfsim.setApiUsage(h.sfsim.settings.dailyApiLimit);
        try {
            const [failed] = await poller().pollDue();
            expect(failed).toMatchObject({ delivered: 0, failed: 1 });
        } finally {
            h.sfsim.setApiUsage(0);
        }
        const row = await h.services.orderStatus.sentOrders.get(h.orgId, orders[2]!.orderGuid);
        expect(row).toMatchObject({ status: 'Parked', attempts: 0, pending: { status: 'Placed' } });
        expect(row!.lastError).toMatch(/REQUEST_LIMIT_EXCEEDED|limit/i);
        expect((await h.services.orderStatus.polls.get(h.orgId))?.lastError).toBe(
            '1 status events not delivered yet'
        );
        expect(statusOf(opps[2]!)).toBeNull();

        // Unleashed has nothing newer: the event comes from the store, not from the order list.
        const [retried] = await poller().pollDue();
        expect(retried).toMatchObject({ delivered: 1, failed: 0 });
        expect(h.eventCalls().slice(before)).toEqual([
            [expect.objectContaining({ opportunityId: opps[2], status: 'Placed' })]
        ]);
        expect(statusOf(opps[2]!)).toBe('Placed');
        expect(await h.services.orderStatus.sentOrders.get(h.orgId, orders[2]!.orderGuid)).toMatchObject({
            status: 'Placed',
            pending: null,
            lastError: null
        });
        expect((await h.services.orderStatus.polls.get(h.orgId))?.lastError).toBeNull();
    });

    test('an event the org refuses for good is sent once, not again, with its reason kept', async () => {
        const guid = '0f0e0000-0000-4000-8000-00000000d002';
        await h.services.orderStatus.sentOrders.record(h.orgId, {
            orderGuid: guid,
            opportunityId: '0065g00000NOSUCHAAA',
            orderNumber: null,
            status: 'Parked'
        });
        await h.unleashed.post(`/SalesOrders/${guid}`, ORDER('Placed'));
        const before = h.eventCalls().length;
        const reports = [];
        for (let i = 0; i < 3; i++) reports.push((await poller().pollDue())[0]);
        expect(reports[0]).toMatchObject({ failed: 1, refused: 1, abandoned: 1 });
        expect(reports[1]).toMatchObject({ failed: 0, givenUp: 1, calls: [] });
        expect(reports[2]).toMatchObject({ failed: 0, givenUp: 1, calls: [] });
        expect(
            h
                .eventCalls()
                .slice(before)
                .flat()
                .filter((e) => e.orderGuid === guid)
        ).toHaveLength(1);
        const row = await h.services.orderStatus.sentOrders.get(h.orgId, guid);
        expect(row).toMatchObject({ status: 'Parked', pending: null, attempts: 5 });
        expect(row!.lastError).toMatch(/Opportunity not found/);
    });

    test("a validation rule on the Opportunity: the status stays in the rep's Sync Log and is not sent again", async () => {
        const org = h.sfsim.org;
        const rep = org.insertRaw('User', {
            Username: 'rep@unleashed-connector.example',
            LastName: 'Rep',
            Name: 'Sam Rep',
            Email: 'rep@unleashed-connector.example',
            IsActive: true
        });
        const opp = org.insertRaw('Opportunity', {
            Name: 'Poll D',
            StageName: 'Proposal',
            CloseDate: '2026-12-01',
            CurrencyIsoCode: 'NZD',
            OwnerId: rep
        });
        const order = await h.send(opp);
        org.addValidationRule('Opportunity', (row) =>
            row.Id === opp && row.Unleashed_Order_Status__c === 'Completed'
                ? 'A completed order needs a purchase order number first.'
                : null
        );
        await h.unleashed.post(`/SalesOrders/${order.orderGuid}/Complete`, {});
        const before = h.eventCalls().length;

        const [refused] = await poller().pollDue();
        expect(refused).toMatchObject({ failed: 1, refused: 1 });
        expect((await h.services.orderStatus.polls.get(h.orgId))?.lastError).toMatch(
            /1 status events refused by Salesforce for good/
        );
        const logs = h.sfsim
            .records(field('Unleashed_Sync_Log__c'))
            .filter((r) => r[field('Opportunity__c')] === opp);
        expect(logs).toHaveLength(1);
        expect(logs[0]).toMatchObject({
            OwnerId: rep,
            [field('Status__c')]: 'Error',
            [field('Operation__c')]: 'Order Status',
            [field('Error_Text__c')]: 'A completed order needs a purchase order number first.'
        });
        expect(logs[0]![field('Request_Summary__c')]).toMatch(
            /status Completed.*not shown on the Opportunity\.$/
        );
        expect(statusOf(opp)).toBeNull();

        const [again] = await poller().pollDue();
        expect(again).toMatchObject({ failed: 0, calls: [] });
        expect(
            h
                .eventCalls()
                .slice(before)
                .flat()
                .filter((e) => e.opportunityId === opp)
        ).toHaveLength(1);
    });

    test('a row lock held elsewhere is retried until it passes', async () => {
        const opp = h.opportunity('Poll E');
        const order = await h.send(opp);
        h.sfsim.org.lock(opp, 'row');
        await h.unleashed.put(`/SalesOrders/${order.orderGuid}`, { OrderStatus: 'Placed' });
        try {
            const [locked] = await poller().pollDue();
            expect(locked).toMatchObject({ failed: 1, refused: 0, abandoned: 0 });
            const row = await h.services.orderStatus.sentOrders.get(h.orgId, order.orderGuid);
            expect(row).toMatchObject({ status: 'Parked', attempts: 1, pending: { status: 'Placed' } });
            expect(row!.lastError).toMatch(/unable to obtain exclusive access/);
        } finally {
            h.sfsim.org.lock(opp, null);
        }
        const [passed] = await poller().pollDue();
        expect(passed).toMatchObject({ delivered: 1, failed: 0 });
        expect(statusOf(opp)).toBe('Placed');
    });

    test('250 changed orders go out as calls of 200 and 50', async () => {
        const many: { guid: string; opp: string }[] = [];
        for (let i = 0; i < 250; i++) {
            const guid = `0f0e0000-0000-4000-8000-${String(100000 + i).padStart(12, '0')}`;
            const opp = h.opportunity(`Bulk ${i}`);
            await h.services.orderStatus.sentOrders.record(h.orgId, {
                orderGuid: guid,
                opportunityId: opp,
                orderNumber: null,
                status: 'Parked'
            });
            await h.unleashed.post(`/SalesOrders/${guid}`, ORDER('Placed'));
            many.push({ guid, opp });
        }
        const before = h.eventCalls().length;
        const [report] = await poller().pollDue();
        expect(report).toMatchObject({ delivered: 250, failed: 0, calls: [200, 50] });
        expect(
            h
                .eventCalls()
                .slice(before)
                .map((c) => c.length)
        ).toEqual([200, 50]);
        expect(many.every(({ opp }) => statusOf(opp) === 'Placed')).toBe(true);
    });

    test('two instances polling at once: one polls, the other skips', async () => {
        await h.unleashed.post(`/SalesOrders/${orders[0]!.orderGuid}/Complete`, {}).catch(() => undefined);
        const lists = listCalls().length;
        const [a, b] = await Promise.all([
            poller('instance-1', 300).pollDue(),
            poller('instance-2', 300).pollDue()
        ]);
        expect(a.length + b.length).toBe(1);
        expect(listCalls().length - lists).toBe(1);
        // Not due again for the interval, whichever instance asks.
        expect(await poller('instance-3', 300).pollDue()).toEqual([]);
        expect(listCalls().length - lists).toBe(1);
    });
});
