import '../salesforce/node-realm';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app';
import { testConfig, type AppConfig } from '../../src/config';
import { signRequest } from '../../src/http/auth';
import {
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    startSalesforceSim,
    type SalesforceSim
} from '../../src/sandbox/salesforce-sim';
import { DEMO_API_ID, DEMO_API_KEY, startUnleashedSim } from '../../src/sandbox/unleashed-sim';
import type { UnleashedSim } from '../../src/sandbox/unleashed-sim/types';
import { createServices, type Services } from '../../src/services';
import { openStore, storeConfigFrom, type Store } from '../../src/store';
import type { ImportJob } from '../../src/store/types';
import type { Checkpoint } from '../../src/sync/imports/runner';
import { orderGuidFor } from '../../src/sync/ids';
import { startInstanceProcess, type InstanceProcess } from '../support/instances';
import { startPostgres, type TestPostgres } from '../support/postgres';
import { orgSnapshot, startHarness } from './imports/harness';

/**
 * Two middleware instances on one PostgreSQL store. Instance A runs in a process of its own and is
 * killed with SIGKILL in the middle of a send and of an import; instance B, in this process,
 * finishes the work: one order, not two, and the import goes on from A's last checkpoint.
 */

jest.setTimeout(180_000);

const ORG = '00D5g000004FAULTA1';
const SECRET = Buffer.alloc(32, 5);
const TAKEOVER_SECONDS = 2;
const PAGE_SIZE = 5;
const PAGES_IN_FLIGHT = 2;
const ALL = ['warehouses', 'taxes', 'salesPersons', 'deliveryMethods', 'products', 'priceTiers', 'customers'];

let pg: TestPostgres;
let usim: UnleashedSim;
let sfsim: SalesforceSim;
let config: AppConfig;
let store: Store;
let services: Services;
let app: FastifyInstance;
let a: InstanceProcess | undefined;

beforeAll(async () => {
    pg = await startPostgres();
    usim = await startUnleashedSim({ seed: 'demo' });
    sfsim = await startSalesforceSim({ namespace: 'unleashed', seed: 'demo' });
    config = testConfig({
        DATABASE_URL: await pg.createDatabase(),
        UNLEASHED_BASE_URL: usim.url,
        // Long enough that only the kill ends A's wait for an answer that never comes.
        UNLEASHED_TIMEOUT_MS: '60000',
        UNLEASHED_MAX_RETRIES: '3',
        SALESFORCE_CLIENT_ID: DEMO_CLIENT_ID,
        SALESFORCE_CLIENT_SECRET: DEMO_CLIENT_SECRET,
        RATE_LIMIT_PER_MINUTE: '100000',
        ORDER_STATUS_POLL_SECONDS: '0',
        IMPORT_TAKEOVER_SECONDS: String(TAKEOVER_SECONDS)
    });
    store = await openStore(storeConfigFrom(config));
    services = await createServices(config, {
        store,
        clientOverrides: { retryBaseMs: 5, retryMaxDelayMs: 50 },
        imports: {
            autoStart: false,
            runner: {
                pageSize: PAGE_SIZE,
                pagesInFlight: PAGES_IN_FLIGHT,
                progressIntervalMs: 0,
                retryDelayMs: 10
            },
            worker: { pollMs: 20 }
        }
    });
    app = await buildApp(config, { services });
    await store.tenants.upsert({
        orgId: ORG,
        tenantSecret: SECRET,
        instanceUrl: sfsim.url,
        unleashed: { apiId: DEMO_API_ID, apiKey: DEMO_API_KEY },
        salesforce: { refreshToken: sfsim.issueRefreshToken() },
        settings: { namespace: 'unleashed' }
    });
});
afterAll(async () => {
    await a?.kill();
    await app?.close();
    await store?.close();
    await usim?.close();
    await sfsim?.close();
    await pg?.stop();
});
afterEach(async () => {
    await a?.kill();
    a = undefined;
    sfsim.onRequest = null;
});

/** Instance A: the same configuration, in its own process. */
function startA(): Promise<InstanceProcess> {
    // Two pages in flight (not the default six): with 30 products in pages of 5, six in flight would
    // read the whole list before the kill, leaving no checkpoint past the first page to resume from.
    const env: Record<string, string> = {
        INSTANCE_IMPORT_PAGE_SIZE: String(PAGE_SIZE),
        INSTANCE_IMPORT_PAGES_IN_FLIGHT: String(PAGES_IN_FLIGHT)
    };
    for (const [k, v] of Object.entries(config)) {
        if (v === undefined) continue;
        env[k] = Array.isArray(v) ? v.join(',') : String(v);
    }
    return startInstanceProcess(env);
}

function signed(method: 'GET' | 'POST', url: string, body?: unknown) {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers = signRequest({ orgId: ORG, secret: SECRET, method, pathWithQuery: url, body: payload });
    return { headers: payload ? { ...headers, 'content-type': 'application/json' } : headers, payload };
}

/** A request to instance A over HTTP (its answer may never come: A can be killed first). */
function callA(method: 'GET' | 'POST', url: string, body?: unknown) {
    const { headers, payload } = signed(method, url, body);
    return fetch(`${a!.url}${url}`, { method, headers, body: payload });
}

/** The same request to instance B. */
function callB(method: 'GET' | 'POST', url: string, body?: unknown) {
    const { headers, payload } = signed(method, url, body);
    return app.inject({ method, url, headers, payload });
}

async function until(what: string, ok: () => boolean | Promise<boolean>): Promise<void> {
    for (let i = 0; i < 3000; i++) {
        if (await ok()) return;
        await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`gave up waiting for ${what}`);
}

describe('an instance killed in the middle of a send', () => {
    it('holds the lock till it dies; the other instance then finishes the send once, no duplicate order', async () => {
        const opportunityId = '0065g0000FAULT1AAA';
        const orderGuid = orderGuidFor(ORG, opportunityId);
        const snapshot = (quantity: number) => ({
            opportunityId,
            currencyIsoCode: 'NZD',
            account: { id: '0015g00000ACME1AAA', name: 'Acme Ltd', customerCode: 'ACME' },
            warehouseCode: 'MAIN',
            taxCode: 'G.S.T.',
            requiredDate: '2026-12-01',
            lines: [{ lineId: '00k5g000001AAA1', productCode: 'WIDGET-BLUE', quantity, unitPrice: 19.99 }]
        });
        const orders = () =>
            usim.state.orders.filter((o) => String(o.Guid).toLowerCase() === orderGuid.toLowerCase());

        a = await startA();
        // Unleashed commits A's order and never answers: A waits, holding the Opportunity's lock.
        usim.setFaults({ timeoutAfterCommit: 1 });
        const sentByA = callA('POST', '/v1/sales-orders', snapshot(3)).then(
            (res) => res.status,
            () => 'no answer'
        );
        await until('the order to be committed for A', () =>
            usim
                .calls()
                .some(
                    (c) => c.method === 'POST' && c.path.startsWith('/SalesOrders/') && c.outcome === 'hung'
                )
        );
        expect(orders()).toHaveLength(1);

        // The rep retries and the balancer picks B: it waits for A's lock instead of sending alongside.
        const sentByB = callB('POST', '/v1/sales-orders', snapshot(4));
        await new Promise((r) => setTimeout(r, 300));
        expect(orders()[0]!.SalesOrderLines).toHaveLength(1);
        expect(Number(orders()[0]!.SalesOrderLines![0]!.OrderQuantity)).toBe(3);

        await a.kill();
        expect(await sentByA).toBe('no answer');
        const res = await sentByB;
        expect(res.statusCode).toBe(200);
        // B found the order A created and updated it in place: one order, B's quantity.
        expect(res.json()).toMatchObject({ orderGuid, created: false });
        expect(orders()).toHaveLength(1);
        expect(Number(orders()[0]!.SalesOrderLines![0]!.OrderQuantity)).toBe(4);
        expect(
            usim.calls().filter((c) => c.method === 'POST' && c.path.startsWith('/SalesOrders/'))
        ).toHaveLength(1);
    });
});

describe('an instance killed in the middle of an import', () => {
    let reference: { snapshot: ReturnType<typeof orgSnapshot>; job: ImportJob };
    beforeAll(async () => {
        // An undisturbed import of the same data, to compare with.
        const h = await startHarness({
            imports: { runner: { pageSize: PAGE_SIZE, pagesInFlight: PAGES_IN_FLIGHT } }
        });
        try {
            const job = await h.importAll({ entities: ALL, createMissingAccounts: true });
            expect(job.status).toBe('succeeded');
            reference = { snapshot: orgSnapshot(h.sfsim), job };
        } finally {
            await h.close();
        }
    });

    it('is taken over by the other instance, which goes on from the last checkpoint and ends as an undisturbed run', async () => {
        a = await startA();
        const killA = a.kill.bind(a);
        // Killed when the third page of products writes its first price book entries: part of that
        // page is written, its checkpoint is not.
        let posts = 0;
        sfsim.onRequest = (method, path) => {
            if (method === 'POST' && path.endsWith('/composite/sobjects') && ++posts === 9) void killA();
        };
        const started = await callA('POST', '/v1/imports', { entities: ALL, createMissingAccounts: true });
        expect(started.status).toBe(202);
        const { jobId } = (await started.json()) as { jobId: string };
        await a.exited;
        sfsim.onRequest = null;

        const crashed = (await store.jobs.get(ORG, jobId))!;
        expect(crashed.status).toBe('running');
        expect(crashed.done).toBeGreaterThan(0);
        expect(crashed.done).toBeLessThan(crashed.total);
        const checkpoint = crashed.checkpoint as unknown as Checkpoint;
        expect(checkpoint.units[checkpoint.unit]).toBe('products');
        expect(checkpoint.page).toBeGreaterThan(1);

        // B takes the job over once A's heartbeat is older than IMPORT_TAKEOVER_SECONDS, and only then.
        const worker = services.imports.worker;
        expect(worker.opts.staleAfterSeconds).toBe(TAKEOVER_SECONDS);
        const callsBefore = usim.calls().length;
        await until('the takeover', () => worker.runOnce());
        const job = (await store.jobs.get(ORG, jobId))!;
        expect(job.errors).toEqual([]);
        expect(job.status).toBe('succeeded');
        expect(job.counts).toEqual(reference.job.counts);
        expect([job.done, job.total]).toEqual([reference.job.done, reference.job.total]);
        expect(orgSnapshot(sfsim)).toEqual(reference.snapshot);

        // Nothing A had checkpointed was read again: no reference list, only the products from A's
        // next page on (30 demo products in pages of 5).
        const byB = usim.calls().slice(callsBefore);
        expect(byB.filter((c) => /^\/(Warehouses|Taxes|SalesPersons|DeliveryMethods)/.test(c.path))).toEqual(
            []
        );
        expect(byB.filter((c) => c.path.startsWith('/Products/'))).toHaveLength(6 - checkpoint.page + 1);
        // And the job ran once: no other worker holds it now.
        expect(await worker.runOnce()).toBe(false);
    });
});
