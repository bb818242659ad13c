import { Writable } from 'node:stream';
import { buildApp } from '../../src/app';
import { testConfig, type AppConfig } from '../../src/config';
import {
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    startSalesforceSim,
    type SalesforceSim
} from '../../src/sandbox/salesforce-sim';
import { createServices } from '../../src/services';
import { openStore, type Store } from '../../src/store';
import {
    checkReturnUrl,
    ConnectError,
    ConnectService,
    modeNotices,
    STATE_TTL_MS
} from '../../src/sync/connect';

/** The connect rule on its own: return addresses, state lifetime, start-up notes, disconnect. */

jest.setTimeout(30_000);

const PUBLIC_URL = 'https://connector.example.test';
const REDIRECT_URI = `${PUBLIC_URL}/oauth/salesforce/callback`;
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
const SELF_HOSTED = {
    CONNECTOR_ORG_ID: '00D5g00000SELFHAAA',
    CONNECTOR_TENANT_SECRET: Buffer.alloc(32, 9).toString('base64')
};

function refused(fn: () => unknown): ConnectError {
    try {
        fn();
    } catch (err) {
        expect(err).toBeInstanceOf(ConnectError);
        return err as ConnectError;
    }
    throw new Error('expected a refusal');
}

describe('checkReturnUrl', () => {
    const prod = { loginUrl: 'https://login.salesforce.com', allowLoopback: false };
    const dev = { loginUrl: 'http://sim.internal:4555', allowLoopback: true };

    it('accepts https pages on Salesforce domains', () => {
        for (const url of [
            'https://acme.my.salesforce.com/lightning/n/x',
            'https://acme--uat.sandbox.lightning.force.com/lightning/n/x?a=1',
            'https://acme.my.salesforce-setup.com/lightning/setup/x'
        ]) {
            expect(checkReturnUrl(url, prod).toString()).toBe(url);
        }
    });

    it('refuses other hosts, plain http, and bare or look-alike domains with a reason', () => {
        for (const url of [
            'https://salesforce.com.example.org/x',
            'https://evilsalesforce.com/x',
            'https://salesforce.com/x',
            'http://acme.my.salesforce.com/x',
            'ftp://acme.my.salesforce.com/x',
            'data:text/html,hi'
        ]) {
            const err = refused(() => checkReturnUrl(url, prod));
            expect(err.status).toBe(400);
            expect(err.detail).toMatch(/returnUrl must be an https page of the org's My Domain/);
        }
        expect(refused(() => checkReturnUrl('x'.repeat(2001), prod)).detail).toMatch(/too long/);
        expect(refused(() => checkReturnUrl('not a url', prod)).detail).toMatch(/not an absolute URL/);
    });

    it('accepts loopback only outside production, and the configured login host with its port', () => {
        expect(() => checkReturnUrl('http://127.0.0.1:3000/setup', prod)).toThrow(ConnectError);
        expect(() => checkReturnUrl('http://localhost:3000/setup', prod)).toThrow(ConnectError);
        expect(checkReturnUrl('http://127.0.0.1:3000/setup', dev).host).toBe('127.0.0.1:3000');
        expect(checkReturnUrl('http://localhost/setup', dev).hostname).toBe('localhost');
        expect(checkReturnUrl('http://sim.internal:4555/lightning/n/x', dev).host).toBe('sim.internal:4555');
        expect(() => checkReturnUrl('http://sim.internal:4556/x', dev)).toThrow(ConnectError);
        expect(() => checkReturnUrl('https://sim.internal:4555/x', dev)).toThrow(ConnectError);
    });
});

describe('start-up notes', () => {
    const messages = (config: AppConfig, level: 'info' | 'warn') =>
        modeNotices(config)
            .filter((n) => n.level === level)
            .map((n) => n.message);

    it('names what hosted connect still needs', () => {
        expect(messages(testConfig(), 'info')).toEqual([
            'Hosted connect is off (GET /oauth/salesforce/start answers 503): set SALESFORCE_CLIENT_ID, SALESFORCE_CLIENT_SECRET, PUBLIC_URL'
        ]);
        const hosted = testConfig({ SALESFORCE_CLIENT_ID: 'id', SALESFORCE_CLIENT_SECRET: 's', PUBLIC_URL });
        expect(modeNotices(hosted)).toEqual([]);
    });

    it('warns that a self-hosted org without Salesforce access cannot receive its secret', () => {
        const [warning] = messages(testConfig(SELF_HOSTED), 'warn');
        expect(warning).toContain('its tenant secret cannot be delivered to the org');
        expect(warning).toContain('import and status back-sync are disabled');
        expect(warning).toContain('SALESFORCE_INSTANCE_URL, SALESFORCE_CLIENT_ID, SALESFORCE_REFRESH_TOKEN');

        const withToken = testConfig({
            ...SELF_HOSTED,
            SALESFORCE_INSTANCE_URL: 'https://acme.my.salesforce.com',
            SALESFORCE_CLIENT_ID: 'id',
            SALESFORCE_REFRESH_TOKEN: '5Aep-token'
        });
        expect(messages(withToken, 'warn')).toEqual([]);
        const onlyToken = testConfig({ ...SELF_HOSTED, SALESFORCE_REFRESH_TOKEN: '5Aep-token' });
        const [partial] = messages(onlyToken, 'warn');
        expect(partial).toContain('SALESFORCE_INSTANCE_URL, SALESFORCE_CLIENT_ID');
        expect(partial).not.toContain('SALESFORCE_REFRESH_TOKEN');
    });

    it('are written to the log when the app starts, without the secrets of the configuration', async () => {
        const config = testConfig({ ...SELF_HOSTED, LOG_LEVEL: 'info' });
        const store = await openStore({
            dataDir: 'memory://',
            masterKey: Buffer.from(config.MASTER_KEY, 'base64')
        });
        const logs: string[] = [];
        const logStream = new Writable({
            write(chunk, _enc, done) {
                logs.push(String(chunk));
                done();
            }
        });
        const app = await buildApp(config, { services: await createServices(config, { store }), logStream });
        try {
            const lines = logs.map((l) => JSON.parse(l) as { level: number; msg: string });
            const warning = lines.find((l) => l.msg.includes('its tenant secret cannot be delivered'));
            expect(warning?.level).toBe(40);
            expect(lines.some((l) => l.msg.startsWith('Hosted connect is off'))).toBe(true);
            expect(logs.join('')).not.toContain(SELF_HOSTED.CONNECTOR_TENANT_SECRET);
        } finally {
            await app.close();
            await store.close();
        }
    });
});

describe('ConnectService against the Salesforce simulator', () => {
    let sim: SalesforceSim;
    let store: Store;
    let config: AppConfig;
    let clock: number;
    const service = (overrides: Partial<ConstructorParameters<typeof ConnectService>[0]> = {}) =>
        new ConnectService({ store, config, now: () => clock, ...overrides });

    beforeAll(async () => {
        store = await openStore({
            dataDir: 'memory://',
            masterKey: Buffer.from(testConfig().MASTER_KEY, 'base64')
        });
    });
    afterAll(async () => {
        await store.close();
    });
    beforeEach(async () => {
        for (const table of ['oauth_states', 'tenants']) await store.db.query(`DELETE FROM ${table}`);
        sim = await startSalesforceSim({ connectedApp: { redirectUris: [REDIRECT_URI] } });
        config = testConfig({
            SALESFORCE_LOGIN_URL: sim.url,
            SALESFORCE_CLIENT_ID: DEMO_CLIENT_ID,
            SALESFORCE_CLIENT_SECRET: DEMO_CLIENT_SECRET,
            PUBLIC_URL
        });
        clock = Date.parse('2026-11-23T10:00:00Z');
    });
    afterEach(async () => {
        await sim.close();
    });

    /** What the browser brings back from the simulator's authorize page. */
    async function authorize(authorizeUrl: string): Promise<{ code: string; state: string }> {
        const res = await fetch(authorizeUrl, { redirect: 'manual' });
        const back = new URL(res.headers.get('location')!);
        return { code: back.searchParams.get('code')!, state: back.searchParams.get('state')! };
    }

    it('accepts a callback until 10 minutes after the start, not later', async () => {
        const connect = service();
        const early = await authorize((await connect.start(startOf(sim.orgId))).authorizeUrl);
        const late = await authorize((await connect.start(startOf(sim.orgId))).authorizeUrl);

        clock += STATE_TTL_MS - 1;
        const done = await connect.finish(early, BROWSER);
        expect(done).toMatchObject({ orgId: sim.orgId, reconnected: false });
        expect(new URL(done.returnUrl).searchParams.get('unleashedConnected')).toBe('1');

        clock += 1;
        await expect(connect.finish(late, BROWSER)).rejects.toMatchObject({
            status: 400,
            title: 'Connect request expired',
            returnUrl: RETURN_URL
        });
    });

    it('keeps the state in the store, so another instance can finish what one started', async () => {
        const first = service();
        const second = service();
        const answer = await authorize((await first.start(startOf(sim.orgId))).authorizeUrl);
        const done = await second.finish(answer, BROWSER);
        expect(done.orgId).toBe(sim.orgId);
        expect((await store.tenants.get(sim.orgId))!.tenantSecret.toString('base64')).toBe(
            sim.apex.connection!.secret
        );
        await expect(first.finish(answer, BROWSER)).rejects.toMatchObject({
            title: 'Connect request already used'
        });
    });

    it('drops states an hour past their expiry when the next connect starts', async () => {
        const connect = service();
        await connect.start(startOf(sim.orgId));
        clock += STATE_TTL_MS + 59 * 60_000;
        await connect.start(startOf(sim.orgId));
        expect(await store.db.query('SELECT 1 FROM oauth_states')).toHaveLength(2);
        clock += 2 * 60_000;
        await connect.start(startOf(sim.orgId));
        expect(await store.db.query('SELECT 1 FROM oauth_states')).toHaveLength(2);
    });

    it('does not revoke the refresh token the environment configures for a self-hosted org', async () => {
        const token = sim.issueRefreshToken();
        const selfHosted = testConfig({
            ...SELF_HOSTED,
            CONNECTOR_ORG_ID: sim.orgId,
            SALESFORCE_INSTANCE_URL: sim.url,
            SALESFORCE_REFRESH_TOKEN: token
        });
        const tenant = await store.tenants.upsert({
            orgId: sim.orgId,
            instanceUrl: sim.url,
            salesforce: { refreshToken: token }
        });
        expect(await service().disconnect(tenant, selfHosted)).toEqual({ revoked: false, revokeError: null });
        expect(sim.requests.filter((r) => r.path === '/services/oauth2/revoke')).toEqual([]);
        expect(await store.tenants.get(sim.orgId)).toBeNull();
    });

    it('treats an already revoked token as revoked and reports any other refusal', async () => {
        const tenant = await store.tenants.upsert({
            orgId: sim.orgId,
            instanceUrl: sim.url,
            salesforce: { refreshToken: '5Aep-gone' }
        });
        const gone = service({
            fetch: async () => new Response('{"error":"invalid_token"}', { status: 400 })
        });
        expect(await gone.disconnect(tenant, config)).toEqual({ revoked: true, revokeError: null });

        const again = await store.tenants.upsert({
            orgId: sim.orgId,
            instanceUrl: sim.url,
            salesforce: { refreshToken: '5Aep-kept' }
        });
        const down = service({ fetch: async () => new Response('unavailable', { status: 503 }) });
        const result = await down.disconnect(again, config);
        expect(result.revoked).toBe(false);
        expect(result.revokeError).toBe('Salesforce answered HTTP 503 to the token revocation');
        expect(await store.tenants.get(sim.orgId)).toBeNull();
    });

    it('gives up on a code exchange Salesforce does not answer, storing nothing', async () => {
        const hanging: typeof fetch = (input, init) => {
            if (!String(input).endsWith('/services/oauth2/token')) return fetch(input, init);
            return new Promise((_resolve, reject) => {
                init?.signal?.addEventListener('abort', () => reject(init.signal!.reason));
            });
        };
        const connect = service({ fetch: hanging, exchangeTimeoutMs: 50 });
        const answer = await authorize((await connect.start(startOf(sim.orgId))).authorizeUrl);
        await expect(connect.finish(answer, BROWSER)).rejects.toMatchObject({
            status: 502,
            title: 'Salesforce did not complete the connection',
            detail: 'Salesforce did not answer the code exchange within 0.05 s. Nothing was changed.'
        });
        expect(await store.tenants.list()).toEqual([]);
        expect(sim.apex.connection).toBeNull();
    });

    it('caps unfinished connects across the service at OAUTH_PENDING_LIMIT; finished and expired ones free their place', async () => {
        config = testConfig({
            SALESFORCE_LOGIN_URL: sim.url,
            SALESFORCE_CLIENT_ID: DEMO_CLIENT_ID,
            SALESFORCE_CLIENT_SECRET: DEMO_CLIENT_SECRET,
            PUBLIC_URL,
            OAUTH_PENDING_LIMIT: '2'
        });
        const connect = service();
        const from = (client: string) => ({ ...startOf(sim.orgId), client });
        const first = await authorize((await connect.start(from('10.0.0.1'))).authorizeUrl);
        await connect.start(from('10.0.0.2'));
        await expect(connect.start(from('10.0.0.3'))).rejects.toMatchObject({
            status: 503,
            title: 'Too many connects in progress'
        });
        await connect.finish(first, BROWSER);
        await connect.start(from('10.0.0.3'));
        await expect(connect.start(from('10.0.0.4'))).rejects.toMatchObject({ status: 503 });
        clock += STATE_TTL_MS;
        await connect.start(from('10.0.0.4'));
    });

    it('refuses to start or finish without the hosted settings', async () => {
        const bare = new ConnectService({ store, config: testConfig() });
        expect(bare.settings).toBeNull();
        await expect(bare.start(startOf(sim.orgId))).rejects.toMatchObject({
            status: 503,
            title: 'Hosted connect is not configured on this middleware'
        });
        await expect(bare.finish({ code: 'c', state: 's' }, BROWSER)).rejects.toMatchObject({ status: 503 });
    });
});
