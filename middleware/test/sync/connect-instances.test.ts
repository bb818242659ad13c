import { testConfig, type AppConfig } from '../../src/config';
import {
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    startSalesforceSim,
    type SalesforceSim
} from '../../src/sandbox/salesforce-sim';
import type { Store } from '../../src/store';
import { ConnectError, ConnectService } from '../../src/sync/connect';
import { backends, type Backend } from '../store/backends';

/**
 * Several middleware instances on one database (PostgreSQL: one pool each): a connect started on
 * one finishes on another, a callback delivered twice at once connects once, and two connects of
 * one org at once leave the org and the store with the same secret.
 */

jest.setTimeout(120_000);

const PUBLIC_URL = 'https://connector.example.test';
/** The simulator's org serves on loopback, so its pages (the local preview) are loopback too. */
const RETURN_URL = 'http://127.0.0.1:3000/lightning/n/unleashed__Unleashed_Admin';
/** The browser's connect cookie (the route makes it; here one browser does every connect). */
const BROWSER = 'b'.repeat(43);
const startOf = (orgId: string) => ({
    orgId,
    returnUrl: RETURN_URL,
    browserKey: BROWSER,
    client: '127.0.0.1'
});

describe.each(backends())('hosted connect across instances on %s', (_name: string, backend: Backend) => {
    let sim: SalesforceSim;
    let config: AppConfig;
    let stores: Store[];
    let closeStores: () => Promise<void>;
    let instances: ConnectService[];

    beforeAll(async () => {
        await backend.start();
    });
    afterAll(async () => {
        await backend.stop();
    });
    beforeEach(async () => {
        sim = await startSalesforceSim({
            connectedApp: { redirectUris: [`${PUBLIC_URL}/oauth/salesforce/callback`] }
        });
        config = testConfig({
            SALESFORCE_LOGIN_URL: sim.url,
            SALESFORCE_CLIENT_ID: DEMO_CLIENT_ID,
            SALESFORCE_CLIENT_SECRET: DEMO_CLIENT_SECRET,
            PUBLIC_URL
        });
        const opened = await backend.openInstances(await backend.newDatabase(), 2, {
            masterKey: Buffer.from(config.MASTER_KEY, 'base64')
        });
        stores = opened.stores;
        closeStores = opened.close;
        instances = stores.map((store) => new ConnectService({ store, config }));
    });
    afterEach(async () => {
        await closeStores();
        await sim.close();
    });

    async function authorize(connect: ConnectService): Promise<{ code: string; state: string }> {
        const { authorizeUrl } = await connect.start(startOf(sim.orgId));
        const res = await fetch(authorizeUrl, { redirect: 'manual' });
        const back = new URL(res.headers.get('location')!);
        return { code: back.searchParams.get('code')!, state: back.searchParams.get('state')! };
    }

    it('finishes on one instance what another started', async () => {
        const [a, b] = instances as [ConnectService, ConnectService];
        const done = await b.finish(await authorize(a), BROWSER);
        expect(done.orgId).toBe(sim.orgId);
        const tenant = await stores[0]!.tenants.get(sim.orgId);
        expect(tenant!.tenantSecret.toString('base64')).toBe(sim.apex.connection!.secret);
    });

    it('connects once when the same callback reaches two instances at the same moment', async () => {
        const [a, b] = instances as [ConnectService, ConnectService];
        const answer = await authorize(a);
        const outcomes = await Promise.allSettled([a.finish(answer, BROWSER), b.finish(answer, BROWSER)]);
        const ok = outcomes.filter((o) => o.status === 'fulfilled');
        const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
        expect(ok).toHaveLength(1);
        expect(refused).toHaveLength(1);
        expect(refused[0]!.reason).toBeInstanceOf(ConnectError);
        expect((refused[0]!.reason as ConnectError).title).toBe('Connect request already used');
        expect(sim.apexRestCalls.filter((c) => c.path.endsWith('/events'))).toHaveLength(1);
    });

    it('two connects of one org on two instances leave the org and the store with one secret', async () => {
        // The org applies each secret at once, but answers the first delivery last: without a lock
        // across instances the first connect would store its secret after the org took the second.
        let calls = 0;
        sim.setApexHandler('events', async (req) => {
            const event = (req.body as { events: { secret: string }[] }).events[0]!;
            sim.apex.connection = {
                secret: event.secret,
                companyName: null,
                baseCurrency: null,
                connectedAt: new Date().toISOString()
            };
            if (calls++ === 0) await new Promise((r) => setTimeout(r, 300));
            return { body: { results: [{ index: 0, ok: true, error: null }] } };
        });
        const [a, b] = instances as [ConnectService, ConnectService];
        const [first, second] = [await authorize(a), await authorize(b)];
        const one = a.finish(first, BROWSER);
        await new Promise((r) => setTimeout(r, 50));
        await Promise.all([one, b.finish(second, BROWSER)]);
        expect(calls).toBe(2);
        const tenant = await stores[1]!.tenants.get(sim.orgId);
        expect(tenant!.tenantSecret.toString('base64')).toBe(sim.apex.connection!.secret);
    });
});
