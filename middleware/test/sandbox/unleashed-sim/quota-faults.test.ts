import {
    DEMO_API_ID,
    DEMO_API_KEY,
    startUnleashedSim,
    type UnleashedSim
} from '../../../src/sandbox/unleashed-sim';
import { caller, simGet, simPost, type Caller } from './sim-client';

const OTHER_ID = '22222222-3333-4444-8555-666666666666';
const OTHER_KEY = 'another-key-used-as-utf8-text';

const ORDER = {
    Customer: { CustomerCode: 'ACME' },
    Warehouse: { WarehouseCode: 'MAIN' },
    Tax: { TaxCode: 'G.S.T.' },
    SalesOrderLines: [
        {
            Product: { ProductCode: 'WIDGET-BLUE' },
            OrderQuantity: 1,
            UnitPrice: 19.99,
            TaxRate: 0.15,
            LineTotal: 19.99,
            LineTax: 3.0
        }
    ],
    SubTotal: 19.99,
    TaxTotal: 3.0,
    Total: 22.99
};

describe('monthly quota', () => {
    let sim: UnleashedSim;
    let call: Caller;
    let now = Date.UTC(2026, 0, 31, 23, 59, 0);
    beforeAll(async () => {
        sim = await startUnleashedSim({
            settings: { monthlyQuota: 3 },
            clock: () => now,
            credentials: [
                { apiId: DEMO_API_ID, apiKey: DEMO_API_KEY },
                { apiId: OTHER_ID, apiKey: OTHER_KEY }
            ]
        });
        call = caller(sim.url);
    });
    afterAll(() => sim.close());

    it('counts every authenticated call and blocks every call once the month is spent', async () => {
        expect((await call('GET', '/Currencies')).status).toBe(200);
        expect((await call('GET', '/Products?pageSize=1001')).status).toBe(400); // errors count too
        expect((await call('GET', '/Currencies', { signAs: 'nope' })).status).toBe(403); // not authenticated: not counted
        await simGet(sim.url, 'state'); // inspection routes never count
        expect(sim.callCount(DEMO_API_ID)).toBe(2);
        expect((await call('GET', '/Currencies')).status).toBe(200);
        const blocked = await call('GET', '/Currencies');
        expect(blocked.status).toBe(403);
        expect(blocked.body.Description).toMatch(/API limit exceeded/);
        expect(
            (await call('POST', '/SalesOrders/5a1e0000-0000-4000-8000-00000000aaaa', { body: ORDER })).status
        ).toBe(403);
        expect((await simGet(sim.url, 'orders')).Items).toEqual([]);
        expect(sim.callCount(DEMO_API_ID)).toBe(3);
    });

    it('answers a spent allowance with the status set (403 by default, 429 possible), no Retry-After', async () => {
        sim.setSettings({ quotaStatus: 429 });
        try {
            const blocked = await call('GET', '/Currencies');
            expect(blocked.status).toBe(429);
            expect(blocked.headers.get('retry-after')).toBeNull();
            expect(blocked.body.Description).toMatch(/API limit exceeded/);
        } finally {
            sim.setSettings({ quotaStatus: 403 });
        }
        expect((await call('GET', '/Currencies')).status).toBe(403);
        expect(sim.callCount(DEMO_API_ID)).toBe(3);
    });

    it('keeps a separate allowance per API id', async () => {
        const other = caller(sim.url, { apiId: OTHER_ID, apiKey: OTHER_KEY });
        expect((await other('GET', '/Currencies')).status).toBe(200);
        expect(sim.callCount(OTHER_ID)).toBe(1);
    });

    it('resets on the 1st of the month (UTC)', async () => {
        expect((await call('GET', '/Currencies')).status).toBe(403);
        now = Date.UTC(2026, 1, 1, 0, 0, 1);
        expect((await call('GET', '/Currencies')).status).toBe(200);
        const state = await simGet(sim.url, 'state');
        expect(state.quota[`${DEMO_API_ID}|2026-01`]).toBe(3);
        expect(state.quota[`${DEMO_API_ID}|2026-02`]).toBe(1);
    });
});

describe('faults', () => {
    let sim: UnleashedSim;
    let call: Caller;
    beforeEach(async () => {
        sim = await startUnleashedSim({ settings: { faultSeed: 7 } });
        call = caller(sim.url);
    });
    afterEach(() => sim.close());

    it('adds latency', async () => {
        sim.setFaults({ latencyMs: 150 });
        const t0 = Date.now();
        expect((await call('GET', '/Currencies')).status).toBe(200);
        expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
    });

    it('fails a share of calls with 503, the same calls for the same seed', async () => {
        const run = async (s: UnleashedSim): Promise<number[]> => {
            s.setFaults({ failRate5xx: 0.5 });
            const c = caller(s.url);
            const out: number[] = [];
            for (let i = 0; i < 20; i++) out.push((await c('GET', '/Currencies')).status);
            return out;
        };
        const first = await run(sim);
        const twin = await startUnleashedSim({ settings: { faultSeed: 7 } });
        try {
            expect(await run(twin)).toEqual(first);
        } finally {
            await twin.close();
        }
        expect(first.filter((s) => s === 503).length).toBeGreaterThan(3);
        expect(first.filter((s) => s === 200).length).toBeGreaterThan(3);
        sim.setFaults({ failRate5xx: 1 });
        const r = await call('GET', '/Currencies');
        expect(r.status).toBe(503);
        expect(r.body.Description).toBeTruthy();
        sim.setFaults({ failRate5xx: 0 });
        expect((await call('GET', '/Currencies')).status).toBe(200);
    });

    it('answers a burst of 429 with Retry-After: 1', async () => {
        sim.setFaults({ burst429: 2 });
        for (let i = 0; i < 2; i++) {
            const r = await call('GET', '/Currencies');
            expect(r.status).toBe(429);
            expect(r.headers.get('retry-after')).toBe('1');
        }
        expect((await call('GET', '/Currencies')).status).toBe(200);
        expect(sim.faults.burst429).toBe(0);
    });

    it('drops connections without an answer', async () => {
        const res = await simPost(sim.url, 'faults', { dropConnections: 1 });
        expect(await res.json()).toMatchObject({ dropConnections: 1 });
        await expect(call('GET', '/Currencies')).rejects.toThrow();
        expect((await call('GET', '/Currencies')).status).toBe(200);
        const calls = (await simGet(sim.url, 'calls')).Items as { outcome: string }[];
        expect(calls.map((c) => c.outcome)).toEqual(['dropped', 'ok']);
    });

    it('commits a write and never answers: the order exists although the client timed out', async () => {
        sim.setFaults({ timeoutAfterCommit: 1 });
        const guid = '5a1e0000-0000-4000-8000-00000000beef';
        await expect(
            call('POST', `/SalesOrders/${guid}`, { body: ORDER, signal: AbortSignal.timeout(300) })
        ).rejects.toThrow();
        const read = await call('GET', `/SalesOrders/${guid}`);
        expect(read.status).toBe(200);
        expect(read.body.OrderNumber).toBe('SO-00000001');
        // A client that retries with the same GUID is told the order exists; one that makes up a new
        // GUID per attempt creates the duplicate this fault is here to expose.
        const retry = await call('POST', `/SalesOrders/${guid}`, { body: ORDER });
        expect(retry.status).toBe(400);
        const naive = await call('POST', '/SalesOrders/5a1e0000-0000-4000-8000-00000000f00d', {
            body: ORDER
        });
        expect(naive.status).toBe(201);
        expect((await simGet(sim.url, 'orders')).Items).toHaveLength(2);
        expect(sim.calls()[0]!.outcome).toBe('hung');
    });

    it('does not spend timeoutAfterCommit on reads or on writes that fail', async () => {
        sim.setFaults({ timeoutAfterCommit: 1 });
        expect((await call('GET', '/Currencies')).status).toBe(200);
        expect(
            (
                await call('POST', '/SalesOrders/5a1e0000-0000-4000-8000-00000000c0de', {
                    body: { ...ORDER, Total: 1 }
                })
            ).status
        ).toBe(400);
        expect(sim.faults.timeoutAfterCommit).toBe(1);
    });

    it('closes even with a hung request open', async () => {
        sim.setFaults({ timeoutAfterCommit: 1 });
        const pending = call('POST', '/SalesOrders/5a1e0000-0000-4000-8000-00000000d00d', {
            body: ORDER
        }).catch((e: unknown) => e);
        await new Promise((r) => setTimeout(r, 100));
        await sim.close();
        expect(await pending).toMatchObject({ message: expect.stringMatching(/fetch failed/) });
        sim = await startUnleashedSim(); // afterEach closes this one
    });

    it('takes faults at start and restores them on reset', async () => {
        const faulty = await startUnleashedSim({ faults: { burst429: 1 } });
        try {
            const c = caller(faulty.url);
            expect((await c('GET', '/Currencies')).status).toBe(429);
            expect((await c('GET', '/Currencies')).status).toBe(200);
            faulty.reset();
            expect(faulty.faults.burst429).toBe(1);
            expect(faulty.callCount()).toBe(0);
            expect((await c('GET', '/Currencies')).status).toBe(429);
        } finally {
            await faulty.close();
        }
    });

    it('validates fault and setting updates, and resets to the seed', async () => {
        expect((await simPost(sim.url, 'faults', { failRate5xx: 2 })).status).toBe(400);
        expect((await simPost(sim.url, 'faults', { nonsense: 1 })).status).toBe(400);
        expect((await simPost(sim.url, 'settings', { rounding: 'half-even' })).status).toBe(200);
        expect(sim.settings.rounding).toBe('half-even');
        expect((await simPost(sim.url, 'settings', { rounding: 'banker' })).status).toBe(400);
        await call('POST', '/SalesOrders/5a1e0000-0000-4000-8000-00000000e00e', { body: ORDER });
        const reset = await simPost(sim.url, 'reset', { seed: 'empty' });
        expect(reset.status).toBe(200);
        const state = await simGet(sim.url, 'state');
        expect(state).toMatchObject({ seed: 'empty', calls: 0 });
        expect(state.counts).toMatchObject({ products: 0, salesOrders: 0 });
        expect((await simPost(sim.url, 'reset', { seed: 'huge' })).status).toBe(400);
        expect((await fetch(`${sim.url}/__sim/unknown`)).status).toBe(404);
    });
});
