import { Writable } from 'node:stream';
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
import { STARTS_PER_MINUTE } from '../../src/routes/oauth';
import { createServices } from '../../src/services';
import { openStore, type Store } from '../../src/store';

/**
 * Hosted connect end to end: the middleware app (inject) and the Salesforce simulator over real
 * HTTP. The browser is played by following each redirect by hand.
 */

const PUBLIC_URL = 'https://connector.example.test';
const REDIRECT_URI = `${PUBLIC_URL}/oauth/salesforce/callback`;
const RETURN_URL = 'https://acme.my.salesforce.com/lightning/n/unleashed__Unleashed_Admin';
const OTHER_ORG = '00D5g00000OTHERAAA';

jest.setTimeout(30_000);

interface Harness {
    sim: SalesforceSim;
    app: FastifyInstance;
    store: Store;
    config: AppConfig;
    logs: string[];
    close(): Promise<void>;
}

/** One database for the file (opening PGlite is the slow part); each test starts from empty tables. */
let store: Store;
beforeAll(async () => {
    store = await openStore({
        dataDir: 'memory://',
        masterKey: Buffer.from(testConfig().MASTER_KEY, 'base64')
    });
});
afterAll(async () => {
    await store.close();
});

async function harness(
    overrides: Partial<Record<keyof AppConfig, string>> = {},
    simNamespace = 'unleashed'
): Promise<Harness> {
    for (const table of ['oauth_states', 'nonces', 'tenants']) await store.db.query(`DELETE FROM ${table}`);
    const sim = await startSalesforceSim({
        namespace: simNamespace,
        connectedApp: { redirectUris: [REDIRECT_URI] }
    });
    const config = testConfig({
        LOG_LEVEL: 'info',
        SALESFORCE_LOGIN_URL: sim.url,
        SALESFORCE_CLIENT_ID: DEMO_CLIENT_ID,
        SALESFORCE_CLIENT_SECRET: DEMO_CLIENT_SECRET,
        PUBLIC_URL,
        SALESFORCE_NAMESPACE: simNamespace,
        RATE_LIMIT_PER_MINUTE: '100000',
        ...overrides
    });
    const services = await createServices(config, { store });
    const logs: string[] = [];
    const logStream = new Writable({
        write(chunk, _enc, done) {
            logs.push(String(chunk));
            done();
        }
    });
    const app = await buildApp(config, { services, logStream });
    return {
        sim,
        app,
        store,
        config,
        logs,
        async close() {
            await app.close();
            await sim.close();
        }
    };
}

const startPath = (orgId: string, returnUrl: string) =>
    `/oauth/salesforce/start?orgId=${encodeURIComponent(orgId)}&returnUrl=${encodeURIComponent(returnUrl)}`;

/** Start -> the simulator's authorize page -> the callback URL it redirects the browser to. */
async function toCallback(h: Harness, orgId = h.sim.orgId, returnUrl = RETURN_URL) {
    const start = await h.app.inject({ url: startPath(orgId, returnUrl) });
    expect(start.statusCode).toBe(302);
    const authorizeUrl = new URL(String(start.headers.location));
    const authorize = await fetch(authorizeUrl, { redirect: 'manual' });
    expect(authorize.status).toBe(302);
    const callback = new URL(authorize.headers.get('location')!);
    expect(`${callback.origin}${callback.pathname}`).toBe(REDIRECT_URI);
    return { authorizeUrl, callbackPath: `${callback.pathname}${callback.search}` };
}

function signedCall(h: Harness, method: 'GET' | 'DELETE', url: string, orgId: string, secret: string) {
    return h.app.inject({
        method,
        url,
        headers: signRequest({ orgId, secret, method, pathWithQuery: url })
    });
}

const eventsCalls = (sim: SalesforceSim) => sim.apexRestCalls.filter((c) => c.path.endsWith('/events'));
const revokeCalls = (sim: SalesforceSim) =>
    sim.requests.filter((r) => r.method === 'POST' && r.path === '/services/oauth2/revoke');

async function refreshWorks(sim: SalesforceSim, refreshToken: string): Promise<boolean> {
    const res = await fetch(`${sim.url}/services/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
            grant_type: 'refresh_token',
            refresh_token: refreshToken,
            client_id: DEMO_CLIENT_ID,
            client_secret: DEMO_CLIENT_SECRET
        }).toString()
    });
    return res.status === 200;
}

describe('hosted connect: GET /oauth/salesforce/start and /callback', () => {
    let h: Harness;
    beforeEach(async () => {
        h = await harness();
    });
    afterEach(async () => {
        await h.close();
    });

    it('connects the org: PKCE authorize, code exchange, secret delivered by Apex REST, then signed calls work', async () => {
        const { authorizeUrl, callbackPath } = await toCallback(h);
        expect(`${authorizeUrl.origin}${authorizeUrl.pathname}`).toBe(
            `${h.sim.url}/services/oauth2/authorize`
        );
        const params = Object.fromEntries(authorizeUrl.searchParams);
        expect(params).toMatchObject({
            response_type: 'code',
            client_id: DEMO_CLIENT_ID,
            redirect_uri: REDIRECT_URI,
            code_challenge_method: 'S256'
        });
        expect(params.code_challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
        const state = params.state!;
        expect(state.length).toBeGreaterThanOrEqual(43);

        // The state and the verifier are not readable in the store.
        const stateRows = await h.store.db.query<Record<string, unknown>>('SELECT * FROM oauth_states');
        expect(stateRows).toHaveLength(1);
        expect(JSON.stringify(stateRows)).not.toContain(state);
        expect(stateRows[0]).toMatchObject({ org_id: h.sim.orgId, return_url: RETURN_URL });

        const code = new URL(callbackPath, PUBLIC_URL).searchParams.get('code')!;
        const callback = await h.app.inject({ url: callbackPath });
        expect(callback.statusCode).toBe(302);
        const back = new URL(String(callback.headers.location));
        expect(`${back.origin}${back.pathname}`).toBe(RETURN_URL);
        expect(back.searchParams.get('unleashedConnected')).toBe('1');
        expect(callback.headers['cache-control']).toBe('no-store');

        // The org received the secret through /services/apexrest/unleashed/events.
        const delivered = eventsCalls(h.sim);
        expect(delivered).toHaveLength(1);
        expect(delivered[0]!.method).toBe('POST');
        expect(delivered[0]!.path).toBe('/unleashed/events');
        const body = delivered[0]!.body as { events: { type: string; secret: string }[] };
        expect(body.events).toHaveLength(1);
        expect(body.events[0]!.type).toBe('connection.secret');
        const secret = h.sim.apex.connection?.secret;
        expect(secret).toBe(body.events[0]!.secret);
        expect(Buffer.from(secret!, 'base64')).toHaveLength(32);

        // The tenant: the same secret, the instance URL, a working refresh token, encrypted at rest.
        const tenant = await h.store.tenants.get(h.sim.orgId);
        expect(tenant).not.toBeNull();
        expect(tenant!.tenantSecret.toString('base64')).toBe(secret);
        expect(tenant!.instanceUrl).toBe(h.sim.url);
        expect(tenant!.settings.namespace).toBe('unleashed');
        const refreshToken = tenant!.salesforce!.refreshToken;
        expect(await refreshWorks(h.sim, refreshToken)).toBe(true);
        const raw = JSON.stringify(await h.store.db.query('SELECT * FROM tenants'));
        expect(raw).not.toContain(refreshToken);
        expect(raw).not.toContain(secret);
        expect(raw).not.toContain(Buffer.from(secret!, 'base64').toString('hex'));

        const signed = await signedCall(h, 'GET', '/v1/connection', h.sim.orgId, secret!);
        expect(signed.statusCode).toBe(200);
        expect(signed.json()).toMatchObject({ orgId: h.sim.orgId, unleashedConnected: false });
        // A secret the org was not given does not sign.
        const forged = await signedCall(
            h,
            'GET',
            '/v1/connection',
            h.sim.orgId,
            Buffer.alloc(32, 1).toString('base64')
        );
        expect(forged.statusCode).toBe(401);

        // Nothing secret reached a log line.
        const logText = h.logs.join('');
        expect(logText).toContain('org connected');
        expect(logText).toContain('/oauth/salesforce/callback?code=%5Bredacted%5D');
        for (const s of [secret!, refreshToken, state, code]) expect(logText).not.toContain(s);
    });

    it('refuses a replayed callback and keeps the first connection', async () => {
        const { callbackPath } = await toCallback(h);
        expect((await h.app.inject({ url: callbackPath })).statusCode).toBe(302);
        const secret = h.sim.apex.connection!.secret;

        const replay = await h.app.inject({ url: callbackPath });
        expect(replay.statusCode).toBe(400);
        expect(replay.headers['content-type']).toMatch(/^text\/html/);
        expect(replay.body).toContain('Connect request already used');
        expect(replay.body).toContain(RETURN_URL);
        expect(eventsCalls(h.sim)).toHaveLength(1);
        expect((await h.store.tenants.get(h.sim.orgId))!.tenantSecret.toString('base64')).toBe(secret);
    });

    it('refuses an unknown or missing state without calling Salesforce', async () => {
        const before = h.sim.requests.length;
        const unknown = await h.app.inject({ url: '/oauth/salesforce/callback?code=abc&state=not-a-state' });
        expect(unknown.statusCode).toBe(400);
        expect(unknown.body).toContain('Unknown connect request');
        expect(unknown.body).toContain('not known here');
        const missing = await h.app.inject({ url: '/oauth/salesforce/callback?code=abc' });
        expect(missing.statusCode).toBe(400);
        expect(missing.body).toContain('carries no state');
        expect(h.sim.requests.length).toBe(before);
        expect(await h.store.tenants.list()).toEqual([]);
    });

    it('refuses an expired state (older than 10 minutes)', async () => {
        const { callbackPath } = await toCallback(h);
        await h.store.db.query(`UPDATE oauth_states SET expires_at = now() - interval '1 second'`);
        const res = await h.app.inject({ url: callbackPath });
        expect(res.statusCode).toBe(400);
        expect(res.body).toContain('Connect request expired');
        expect(res.body).toContain('10 minutes');
        expect(h.sim.requests.filter((r) => r.path === '/services/oauth2/token')).toHaveLength(0);
        expect(await h.store.tenants.get(h.sim.orgId)).toBeNull();
    });

    it('shows a clear page when the admin denies access', async () => {
        h.sim.oauth.denyAuthorization = true;
        const { callbackPath } = await toCallback(h);
        expect(callbackPath).toContain('error=access_denied');
        const res = await h.app.inject({ url: callbackPath });
        expect(res.statusCode).toBe(403);
        expect(res.headers['content-type']).toMatch(/^text\/html/);
        expect(res.body).toContain('Connection not allowed');
        expect(res.body).toContain('choose Allow');
        expect(res.body).toContain(`href="${RETURN_URL}"`);
        expect(await h.store.tenants.list()).toEqual([]);
        // The state is spent too.
        expect((await h.app.inject({ url: callbackPath })).body).toContain('already used');
    });

    it('refuses a login into another org than the one that started, and revokes that grant', async () => {
        const { callbackPath } = await toCallback(h, OTHER_ORG);
        const res = await h.app.inject({ url: callbackPath });
        expect(res.statusCode).toBe(403);
        expect(res.body).toContain('Logged in to another org');
        expect(res.body).toContain(OTHER_ORG);
        expect(res.body).toContain(h.sim.orgId);
        expect(eventsCalls(h.sim)).toHaveLength(0);
        expect(h.sim.apex.connection).toBeNull();
        expect(await h.store.tenants.list()).toEqual([]);
        expect(revokeCalls(h.sim)).toHaveLength(1);
    });

    it('stores nothing when the org refuses the secret (user without Unleashed_Manage_Connection)', async () => {
        h.sim.apex.userCanManageConnection = false;
        const { callbackPath } = await toCallback(h);
        const res = await h.app.inject({ url: callbackPath });
        expect(res.statusCode).toBe(502);
        expect(res.body).toContain('The org did not accept the connection');
        expect(res.body).toContain('Unleashed_Manage_Connection');
        expect(res.body).toContain('Nothing was changed');
        expect(eventsCalls(h.sim)).toHaveLength(1);
        expect(h.sim.apex.connection).toBeNull();
        expect(await h.store.tenants.get(h.sim.orgId)).toBeNull();
        // The grant that was not kept is revoked.
        expect(revokeCalls(h.sim)).toHaveLength(1);
    });

    it('keeps the earlier connection when a reconnect cannot deliver its secret', async () => {
        const first = await toCallback(h);
        expect((await h.app.inject({ url: first.callbackPath })).statusCode).toBe(302);
        const oldSecret = h.sim.apex.connection!.secret;

        h.sim.setApexHandler('events', () => ({
            status: 500,
            body: [{ errorCode: 'APEX_ERROR', message: 'System.LimitException' }]
        }));
        const second = await toCallback(h);
        const res = await h.app.inject({ url: second.callbackPath });
        expect(res.statusCode).toBe(502);
        expect(res.body).toContain('the earlier connection still works');
        expect((await h.store.tenants.get(h.sim.orgId))!.tenantSecret.toString('base64')).toBe(oldSecret);
        expect((await signedCall(h, 'GET', '/v1/connection', h.sim.orgId, oldSecret)).statusCode).toBe(200);
    });

    it('reconnecting makes a new secret, keeps Unleashed credentials and tells the org the company', async () => {
        const first = await toCallback(h);
        await h.app.inject({ url: first.callbackPath });
        const oldSecret = h.sim.apex.connection!.secret;
        await h.store.tenants.upsert({
            orgId: h.sim.orgId,
            unleashed: { apiId: '11111111-2222-3333-4444-555555555555', apiKey: 'k'.repeat(40) },
            settings: { companyName: 'Acme Ltd', baseCurrency: 'NZD' }
        });

        const second = await toCallback(h);
        expect((await h.app.inject({ url: second.callbackPath })).statusCode).toBe(302);
        const newSecret = h.sim.apex.connection!.secret;
        expect(newSecret).not.toBe(oldSecret);
        expect(h.sim.apex.connection).toMatchObject({ companyName: 'Acme Ltd', baseCurrency: 'NZD' });
        const tenant = (await h.store.tenants.get(h.sim.orgId))!;
        expect(tenant.tenantSecret.toString('base64')).toBe(newSecret);
        expect(tenant.unleashed?.apiId).toBe('11111111-2222-3333-4444-555555555555');
        expect((await signedCall(h, 'GET', '/v1/connection', h.sim.orgId, oldSecret)).statusCode).toBe(401);
        const now = await signedCall(h, 'GET', '/v1/connection', h.sim.orgId, newSecret);
        expect(now.json()).toMatchObject({ unleashedConnected: true, companyName: 'Acme Ltd' });
    });

    it('two connects of one org at once end with the org and the store holding the same secret', async () => {
        const [a, b] = [await toCallback(h), await toCallback(h)];
        const answers = await Promise.all([a, b].map((c) => h.app.inject({ url: c.callbackPath })));
        expect(answers.map((r) => r.statusCode)).toEqual([302, 302]);
        expect(eventsCalls(h.sim)).toHaveLength(2);
        const tenant = (await h.store.tenants.get(h.sim.orgId))!;
        expect(tenant.tenantSecret.toString('base64')).toBe(h.sim.apex.connection!.secret);
    });

    it.each([
        ['a foreign host', 'https://evil.example.com/lightning/n/x'],
        ['a look-alike host', 'https://acme.salesforce.com.evil.example/x'],
        ['plain http on Salesforce', 'http://acme.my.salesforce.com/x'],
        ['a script URL', 'javascript:alert(1)'],
        ['a relative path', '/lightning/n/x'],
        ['credentials in the URL', 'https://user:pw@acme.my.salesforce.com/x']
    ])('refuses a returnUrl with %s, storing nothing', async (_label, returnUrl) => {
        const res = await h.app.inject({ url: startPath(h.sim.orgId, returnUrl) });
        expect(res.statusCode).toBe(400);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(res.json()).toMatchObject({ title: 'Refused return address' });
        expect(res.headers.location).toBeUndefined();
        expect(await h.store.db.query('SELECT * FROM oauth_states')).toEqual([]);
    });

    it.each([
        'https://acme.my.salesforce.com/lightning/n/unleashed__Unleashed_Admin',
        'https://acme.lightning.force.com/lightning/n/unleashed__Unleashed_Admin',
        'https://acme.my.salesforce-setup.com/lightning/setup/SetupOneHome/home'
    ])('accepts the Salesforce return address %s', async (returnUrl) => {
        const res = await h.app.inject({ url: startPath(h.sim.orgId, returnUrl) });
        expect(res.statusCode).toBe(302);
    });

    it('limits connect starts per address', async () => {
        const statuses: number[] = [];
        for (let i = 0; i < STARTS_PER_MINUTE + 1; i++) {
            statuses.push((await h.app.inject({ url: startPath(h.sim.orgId, RETURN_URL) })).statusCode);
        }
        expect(statuses.slice(0, STARTS_PER_MINUTE).every((s) => s === 302)).toBe(true);
        const last = await h.app.inject({ url: startPath(h.sim.orgId, RETURN_URL) });
        expect(last.statusCode).toBe(429);
        expect(Number(last.headers['retry-after'])).toBeGreaterThan(0);
        const other = await h.app.inject({
            url: startPath(h.sim.orgId, RETURN_URL),
            remoteAddress: '10.0.0.9'
        });
        expect(other.statusCode).toBe(302);
    });

    it('refuses a malformed org id', async () => {
        for (const orgId of ['', '00D5g00000UNLSH', '001000000000001AAA', "00D000000000001AA'"]) {
            const res = await h.app.inject({ url: startPath(orgId, RETURN_URL) });
            expect(res.statusCode).toBe(400);
            expect(res.json().title).toBe('Invalid org id');
        }
    });

    it('disconnect revokes the refresh token, deletes the tenant, and signed calls then get 401', async () => {
        const { callbackPath } = await toCallback(h);
        await h.app.inject({ url: callbackPath });
        const secret = h.sim.apex.connection!.secret;
        const refreshToken = (await h.store.tenants.get(h.sim.orgId))!.salesforce!.refreshToken;
        expect(await refreshWorks(h.sim, refreshToken)).toBe(true);

        const del = await signedCall(h, 'DELETE', '/v1/connection', h.sim.orgId, secret);
        expect(del.statusCode).toBe(204);
        expect(revokeCalls(h.sim)).toHaveLength(1);
        expect(await refreshWorks(h.sim, refreshToken)).toBe(false);
        expect(await h.store.tenants.get(h.sim.orgId)).toBeNull();
        const after = await signedCall(h, 'GET', '/v1/connection', h.sim.orgId, secret);
        expect(after.statusCode).toBe(401);
        // The same answer as a wrong signature: an outsider cannot tell which org ids exist.
        expect(after.json().title).toBe('Bad signature');
        expect(h.logs.join('')).not.toContain(refreshToken);
    });

    it('disconnect still forgets the org when Salesforce cannot be reached to revoke', async () => {
        const secret = Buffer.alloc(32, 3);
        await h.store.tenants.upsert({
            orgId: OTHER_ORG,
            tenantSecret: secret,
            instanceUrl: 'http://127.0.0.1:9',
            salesforce: { refreshToken: '5AepUnreachableRefreshToken' }
        });
        const del = await signedCall(h, 'DELETE', '/v1/connection', OTHER_ORG, secret.toString('base64'));
        expect(del.statusCode).toBe(204);
        expect(await h.store.tenants.get(OTHER_ORG)).toBeNull();
        const logText = h.logs.join('');
        expect(logText).toContain('Salesforce refresh token not revoked');
        expect(logText).not.toContain('5AepUnreachableRefreshToken');
    });
});

describe('hosted connect configuration', () => {
    it('documents both routes in the OpenAPI description', async () => {
        const h = await harness();
        try {
            const paths = (await h.app.inject({ url: '/docs/json' })).json().paths as Record<string, unknown>;
            expect(Object.keys(paths)).toEqual(
                expect.arrayContaining(['/oauth/salesforce/start', '/oauth/salesforce/callback'])
            );
        } finally {
            await h.close();
        }
    });

    it('answers 503 when client id, client secret or public URL is missing', async () => {
        const h = await harness({ PUBLIC_URL: '' });
        try {
            const res = await h.app.inject({ url: startPath(h.sim.orgId, RETURN_URL) });
            expect(res.statusCode).toBe(503);
            expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
            expect(res.json()).toMatchObject({
                status: 503,
                title: 'Hosted connect is not configured on this middleware'
            });
            expect(res.json().detail).toContain('PUBLIC_URL');
            const cb = await h.app.inject({ url: '/oauth/salesforce/callback?code=x&state=y' });
            expect(cb.statusCode).toBe(503);
            expect(cb.body).toContain('Hosted connect is not configured on this middleware');
            expect(h.logs.join('')).toContain('Hosted connect is off');
        } finally {
            await h.close();
        }
    });

    it('shows what Salesforce said when the code exchange fails (wrong client secret), storing nothing', async () => {
        const h = await harness({ SALESFORCE_CLIENT_SECRET: 'not-the-app-secret' });
        try {
            const { callbackPath } = await toCallback(h);
            const res = await h.app.inject({ url: callbackPath });
            expect(res.statusCode).toBe(502);
            expect(res.body).toContain('Salesforce did not complete the connection');
            expect(res.body).toContain('invalid_client');
            expect(res.body).not.toContain('not-the-app-secret');
            expect(eventsCalls(h.sim)).toHaveLength(0);
            expect(await h.store.tenants.list()).toEqual([]);
        } finally {
            await h.close();
        }
    });

    it('delivers to the unprefixed resource in an org without a namespace', async () => {
        const h = await harness({}, '');
        try {
            const { callbackPath } = await toCallback(h);
            expect((await h.app.inject({ url: callbackPath })).statusCode).toBe(302);
            expect(eventsCalls(h.sim).map((c) => c.path)).toEqual(['/events']);
            expect((await h.store.tenants.get(h.sim.orgId))!.settings.namespace).toBe('');
        } finally {
            await h.close();
        }
    });

    it('says so when the package is not found under the configured namespace', async () => {
        const h = await harness({ SALESFORCE_NAMESPACE: 'otherns' });
        try {
            const { callbackPath } = await toCallback(h);
            const res = await h.app.inject({ url: callbackPath });
            expect(res.statusCode).toBe(502);
            expect(res.body).toContain('/services/apexrest/otherns/events');
            expect(res.body).toContain('is the package installed');
            expect(await h.store.tenants.list()).toEqual([]);
        } finally {
            await h.close();
        }
    });
});
