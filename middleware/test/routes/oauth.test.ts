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
import { createHash } from 'node:crypto';
import { PAGE_CSP, STARTS_PER_MINUTE } from '../../src/routes/oauth';
import { PENDING_PER_ADDRESS } from '../../src/sync/connect';
import { createServices } from '../../src/services';
import { openStore, type Store } from '../../src/store';

/**
 * Hosted connect end to end: the middleware app (inject) and the Salesforce simulator over real
 * HTTP. The browser is played by following each redirect by hand.
 */

const PUBLIC_URL = 'https://connector.example.test';
const REDIRECT_URI = `${PUBLIC_URL}/oauth/salesforce/callback`;
/** The simulator's org serves on loopback, so its pages (the local preview) are loopback too. */
const RETURN_URL = 'http://127.0.0.1:3000/lightning/n/unleashed__Unleashed_Admin';
const COOKIE = '__Host-unleashed-connect';
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

const startPath = (orgId: string, returnUrl: string, loginUrl?: string) =>
    `/oauth/salesforce/start?orgId=${encodeURIComponent(orgId)}&returnUrl=${encodeURIComponent(returnUrl)}` +
    (loginUrl ? `&loginUrl=${encodeURIComponent(loginUrl)}` : '');

/** The `name=value` of the connect cookie a start set. */
function connectCookie(setCookie: string | string[] | undefined): string {
    const line = [setCookie ?? []].flat().find((c) => c.startsWith(`${COOKIE}=`));
    expect(line).toBeDefined();
    return line!.split(';')[0]!;
}

interface ToCallback {
    authorizeUrl: URL;
    callbackPath: string;
    /** The browser's connect cookie, as the callback request carries it. */
    cookie: string;
}

/** Start -> the simulator's authorize page -> the callback URL it redirects the browser to. */
async function toCallback(
    h: Harness,
    orgId = h.sim.orgId,
    returnUrl = RETURN_URL,
    loginUrl?: string,
    sim: SalesforceSim = h.sim
): Promise<ToCallback> {
    const start = await h.app.inject({ url: startPath(orgId, returnUrl, loginUrl) });
    expect(start.statusCode).toBe(302);
    const authorizeUrl = new URL(String(start.headers.location));
    expect(authorizeUrl.origin).toBe(new URL(loginUrl ?? sim.url).origin);
    const authorize = await fetch(authorizeUrl, { redirect: 'manual' });
    expect(authorize.status).toBe(302);
    const callback = new URL(authorize.headers.get('location')!);
    expect(`${callback.origin}${callback.pathname}`).toBe(REDIRECT_URI);
    return {
        authorizeUrl,
        callbackPath: `${callback.pathname}${callback.search}`,
        cookie: connectCookie(start.headers['set-cookie'])
    };
}

/** The browser arriving at the callback with its cookie. */
const callBack = (h: Harness, c: ToCallback) =>
    h.app.inject({ url: c.callbackPath, headers: { cookie: c.cookie } });

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
        const started = await toCallback(h);
        const { authorizeUrl, callbackPath } = started;
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
        expect(stateRows[0]).toMatchObject({
            org_id: h.sim.orgId,
            return_url: RETURN_URL,
            login_url: h.sim.url
        });
        // Nor is the browser's cookie: the row keeps its hash.
        expect(JSON.stringify(stateRows)).not.toContain(started.cookie.split('=')[1]);

        const code = new URL(callbackPath, PUBLIC_URL).searchParams.get('code')!;
        const callback = await callBack(h, started);
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
        for (const s of [secret!, refreshToken, state, code, started.cookie.split('=')[1]!]) {
            expect(logText).not.toContain(s);
        }
    });

    it('refuses a replayed callback and keeps the first connection', async () => {
        const started = await toCallback(h);
        expect((await callBack(h, started)).statusCode).toBe(302);
        const secret = h.sim.apex.connection!.secret;

        const replay = await callBack(h, started);
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
        const started = await toCallback(h);
        await h.store.db.query(`UPDATE oauth_states SET expires_at = now() - interval '1 second'`);
        const res = await callBack(h, started);
        expect(res.statusCode).toBe(400);
        expect(res.body).toContain('Connect request expired');
        expect(res.body).toContain('10 minutes');
        expect(h.sim.requests.filter((r) => r.path === '/services/oauth2/token')).toHaveLength(0);
        expect(await h.store.tenants.get(h.sim.orgId)).toBeNull();
    });

    it('shows a clear page when the admin denies access', async () => {
        h.sim.oauth.denyAuthorization = true;
        const started = await toCallback(h);
        const { callbackPath } = started;
        expect(callbackPath).toContain('error=access_denied');
        const res = await callBack(h, started);
        expect(res.statusCode).toBe(403);
        expect(res.headers['content-type']).toMatch(/^text\/html/);
        expect(res.body).toContain('Connection not allowed');
        expect(res.body).toContain('choose Allow');
        expect(res.body).toContain(`href="${RETURN_URL}"`);
        expect(await h.store.tenants.list()).toEqual([]);
        // The state is spent too.
        expect((await callBack(h, started)).body).toContain('already used');
    });

    it('refuses a login into another org than the one that started, and revokes that grant', async () => {
        const started = await toCallback(h, OTHER_ORG);
        const res = await callBack(h, started);
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
        const started = await toCallback(h);
        const res = await callBack(h, started);
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
        expect((await callBack(h, first)).statusCode).toBe(302);
        const oldSecret = h.sim.apex.connection!.secret;

        h.sim.setApexHandler('events', () => ({
            status: 500,
            body: [{ errorCode: 'APEX_ERROR', message: 'System.LimitException' }]
        }));
        const second = await toCallback(h);
        const res = await callBack(h, second);
        expect(res.statusCode).toBe(502);
        expect(res.body).toContain('the earlier connection still works');
        expect((await h.store.tenants.get(h.sim.orgId))!.tenantSecret.toString('base64')).toBe(oldSecret);
        expect((await signedCall(h, 'GET', '/v1/connection', h.sim.orgId, oldSecret)).statusCode).toBe(200);
    });

    it('reconnecting makes a new secret, keeps Unleashed credentials and tells the org the company', async () => {
        const first = await toCallback(h);
        await callBack(h, first);
        const oldSecret = h.sim.apex.connection!.secret;
        await h.store.tenants.upsert({
            orgId: h.sim.orgId,
            unleashed: { apiId: '11111111-2222-3333-4444-555555555555', apiKey: 'k'.repeat(40) },
            settings: { companyName: 'Acme Ltd', baseCurrency: 'NZD' }
        });

        const oldToken = (await h.store.tenants.get(h.sim.orgId))!.salesforce!.refreshToken;
        expect(await refreshWorks(h.sim, oldToken)).toBe(true);

        const second = await toCallback(h);
        expect((await callBack(h, second)).statusCode).toBe(302);
        const newSecret = h.sim.apex.connection!.secret;
        // The earlier refresh token is revoked; the new one works.
        const newToken = (await h.store.tenants.get(h.sim.orgId))!.salesforce!.refreshToken;
        expect(newToken).not.toBe(oldToken);
        expect(await refreshWorks(h.sim, oldToken)).toBe(false);
        expect(await refreshWorks(h.sim, newToken)).toBe(true);
        expect(revokeCalls(h.sim)).toHaveLength(1);
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
        const answers = await Promise.all([a, b].map((c) => callBack(h, c)));
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
    ])('accepts the return address %s of the org whose My Domain logs in', async (returnUrl) => {
        const res = await h.app.inject({
            url: startPath(h.sim.orgId, returnUrl, 'https://acme.my.salesforce.com')
        });
        expect(res.statusCode).toBe(302);
        expect(new URL(String(res.headers.location)).origin).toBe('https://acme.my.salesforce.com');
    });

    it.each([
        ['a Site anyone can publish', 'https://evil.force.com/x'],
        ['an Experience Cloud site', 'https://evil.my.site.com/x'],
        ['another org’s My Domain', 'https://evil-dev-ed.develop.my.salesforce.com/x'],
        ['another org’s Lightning host', 'https://evil.lightning.force.com/x']
    ])('refuses at start %s as the return address of a My Domain login', async (_label, returnUrl) => {
        const res = await h.app.inject({
            url: startPath(h.sim.orgId, returnUrl, 'https://acme.my.salesforce.com')
        });
        expect(res.statusCode).toBe(400);
        expect(res.json().title).toBe('Refused return address');
        expect(await h.store.db.query('SELECT * FROM oauth_states')).toEqual([]);
    });

    it.each([
        ['a foreign host', 'https://evil.example.com'],
        ['plain http on a My Domain', 'http://acme.my.salesforce.com'],
        ['an Experience Cloud site', 'https://acme.my.site.com'],
        ['a Lightning host (not a login host)', 'https://acme.lightning.force.com'],
        ['a path', 'https://acme.my.salesforce.com/secur/frontdoor.jsp'],
        ['another port', 'https://acme.my.salesforce.com:8443'],
        ['credentials', 'https://u:p@acme.my.salesforce.com']
    ])('refuses a loginUrl with %s, storing nothing', async (_label, loginUrl) => {
        const res = await h.app.inject({ url: startPath(h.sim.orgId, RETURN_URL, loginUrl) });
        expect(res.statusCode).toBe(400);
        expect(res.json().title).toBe('Refused login address');
        expect(res.headers.location).toBeUndefined();
        expect(await h.store.db.query('SELECT * FROM oauth_states')).toEqual([]);
    });

    it('refuses at the callback a return address that is not a page of the org that consented, and revokes the grant', async () => {
        // A look-alike the start cannot tell apart: the shared login host names no org.
        const evil = 'https://evil-dev-ed.develop.my.salesforce.com/lightning/n/x';
        const start = await h.app.inject({
            url: startPath(h.sim.orgId, evil, 'https://login.salesforce.com')
        });
        expect(start.statusCode).toBe(302);
        // The browser is sent to login.salesforce.com; the simulator plays it.
        const authorizeUrl = new URL(String(start.headers.location));
        expect(authorizeUrl.origin).toBe('https://login.salesforce.com');
        const authorize = await fetch(`${h.sim.url}${authorizeUrl.pathname}${authorizeUrl.search}`, {
            redirect: 'manual'
        });
        const back = new URL(authorize.headers.get('location')!);
        // The code exchange goes where the connect logged in: redirect the stored login host to the simulator.
        await h.store.db.query('UPDATE oauth_states SET login_url = $1', [h.sim.url]);
        const res = await h.app.inject({
            url: `${back.pathname}${back.search}`,
            headers: { cookie: connectCookie(start.headers['set-cookie']) }
        });
        expect(res.statusCode).toBe(403);
        expect(res.body).toContain('Refused return address');
        expect(res.body).not.toContain('href=');
        expect(res.headers.location).toBeUndefined();
        expect(eventsCalls(h.sim)).toHaveLength(0);
        expect(await h.store.tenants.list()).toEqual([]);
        expect(revokeCalls(h.sim)).toHaveLength(1);
    });

    it('binds the connect to the browser that started it (HttpOnly, SameSite=Lax, Secure cookie)', async () => {
        const started = await toCallback(h);
        const start = await h.app.inject({ url: startPath(h.sim.orgId, RETURN_URL) });
        const line = [start.headers['set-cookie'] ?? []].flat()[0]!;
        expect(line).toMatch(
            /^__Host-unleashed-connect=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=600; HttpOnly; SameSite=Lax; Secure$/
        );

        // Another browser (no cookie, or its own cookie) cannot complete it, and does not spend it.
        const bare = await h.app.inject({ url: started.callbackPath });
        expect(bare.statusCode).toBe(403);
        expect(bare.body).toContain('Connect started in another browser');
        const other = await h.app.inject({
            url: started.callbackPath,
            headers: { cookie: connectCookie(start.headers['set-cookie']) }
        });
        expect(other.statusCode).toBe(403);
        expect(h.sim.requests.filter((r) => r.path === '/services/oauth2/token')).toHaveLength(0);
        expect(await h.store.tenants.list()).toEqual([]);

        expect((await callBack(h, started)).statusCode).toBe(302);
    });

    it('keeps the browser’s cookie across starts, so two tabs of one browser both finish', async () => {
        const first = await toCallback(h);
        const again = await h.app.inject({
            url: startPath(h.sim.orgId, RETURN_URL),
            headers: { cookie: first.cookie }
        });
        expect(connectCookie(again.headers['set-cookie'])).toBe(first.cookie);
        expect((await callBack(h, first)).statusCode).toBe(302);
    });

    it('serves its pages and redirects with a Content-Security-Policy, no-store and no framing', async () => {
        const start = await h.app.inject({ url: startPath(h.sim.orgId, RETURN_URL) });
        const page = await h.app.inject({ url: '/oauth/salesforce/callback?code=abc&state=not-a-state' });
        for (const res of [start, page]) {
            expect(res.headers['content-security-policy']).toBe(PAGE_CSP);
            expect(res.headers['cache-control']).toBe('no-store');
            expect(res.headers['x-frame-options']).toBe('DENY');
            expect(res.headers['referrer-policy']).toBe('no-referrer');
        }
        expect(PAGE_CSP).toContain("default-src 'none'");
        expect(PAGE_CSP).toContain("frame-ancestors 'none'");
        // The page's one style is the one the policy allows by hash; it has no script and no inline style attribute.
        const style = /<style>([^<]*)<\/style>/.exec(page.body)![1]!;
        const hash = createHash('sha256').update(style).digest('base64');
        expect(PAGE_CSP).toContain(`style-src 'sha256-${hash}'`);
        expect(page.body).not.toMatch(/<script|style="/);
    });

    it('caps unfinished connects per address, then across the service', async () => {
        for (let i = 0; i < PENDING_PER_ADDRESS; i++) {
            expect((await h.app.inject({ url: startPath(h.sim.orgId, RETURN_URL) })).statusCode).toBe(302);
        }
        const capped = await h.app.inject({ url: startPath(h.sim.orgId, RETURN_URL) });
        expect(capped.statusCode).toBe(429);
        expect(capped.json()).toMatchObject({ title: 'Too many connects in progress' });
        expect(capped.json().detail).toContain(`${PENDING_PER_ADDRESS} connects`);
        const elsewhere = await h.app.inject({
            url: startPath(h.sim.orgId, RETURN_URL),
            remoteAddress: '10.0.0.9'
        });
        expect(elsewhere.statusCode).toBe(302);
        expect(await h.store.db.query('SELECT 1 FROM oauth_states')).toHaveLength(PENDING_PER_ADDRESS + 1);
    });

    it('limits connect starts per address and minute, refused ones included', async () => {
        const statuses: number[] = [];
        for (let i = 0; i < STARTS_PER_MINUTE; i++) {
            statuses.push((await h.app.inject({ url: startPath('00Dbad', RETURN_URL) })).statusCode);
        }
        expect(statuses.every((s) => s === 400)).toBe(true);
        const last = await h.app.inject({ url: startPath(h.sim.orgId, RETURN_URL) });
        expect(last.statusCode).toBe(429);
        expect(last.json().title).toBe('Too many requests');
        expect(Number(last.headers['retry-after'])).toBeGreaterThan(0);
        const other = await h.app.inject({
            url: startPath(h.sim.orgId, RETURN_URL),
            remoteAddress: '10.0.0.9'
        });
        expect(other.statusCode).toBe(302);
    });

    it('refuses an instance_url that is not Salesforce before sending it anything, and revokes at the login host', async () => {
        h.sim.oauth.answerInstanceUrl = 'http://attacker.example.test';
        const started = await toCallback(h);
        const res = await callBack(h, started);
        expect(res.statusCode).toBe(502);
        expect(res.body).toContain('Salesforce answered an unexpected address');
        expect(res.body).toContain('nothing was sent to it');
        expect(eventsCalls(h.sim)).toHaveLength(0);
        expect(await h.store.tenants.list()).toEqual([]);
        // Revoked where the connect logged in (the simulator), never at the address Salesforce named.
        expect(revokeCalls(h.sim)).toHaveLength(1);
    });

    it('logs in at the org’s own host, whatever SALESFORCE_LOGIN_URL says', async () => {
        await h.close();
        h = await harness({ SALESFORCE_LOGIN_URL: 'https://login.salesforce.com' });
        const started = await toCallback(h, h.sim.orgId, RETURN_URL, h.sim.url);
        expect((await callBack(h, started)).statusCode).toBe(302);
        expect(h.sim.requests.filter((r) => r.path === '/services/oauth2/token')).toHaveLength(1);
        expect((await h.store.tenants.get(h.sim.orgId))!.instanceUrl).toBe(h.sim.url);
    });

    it('a sandbox connects to the same middleware as its production org, each at its own login host', async () => {
        await h.close();
        h = await harness({ SALESFORCE_LOGIN_URL: 'https://login.salesforce.com' });
        const sandbox = await startSalesforceSim({
            orgId: '00D5g00000SANDB',
            connectedApp: { redirectUris: [REDIRECT_URI] }
        });
        try {
            const prod = await toCallback(h, h.sim.orgId, RETURN_URL, h.sim.url);
            expect((await callBack(h, prod)).statusCode).toBe(302);
            const sbx = await toCallback(h, sandbox.orgId, RETURN_URL, sandbox.url, sandbox);
            expect((await callBack(h, sbx)).statusCode).toBe(302);

            const [p, s] = [await h.store.tenants.get(h.sim.orgId), await h.store.tenants.get(sandbox.orgId)];
            expect(p!.instanceUrl).toBe(h.sim.url);
            expect(s!.instanceUrl).toBe(sandbox.url);
            expect(s!.tenantSecret.toString('base64')).toBe(sandbox.apex.connection!.secret);
            expect(sandbox.apex.connection!.orgId).toBe(sandbox.orgId);
            expect(p!.tenantSecret.equals(s!.tenantSecret)).toBe(false);
            const signed = await signedCall(
                h,
                'GET',
                '/v1/connection',
                sandbox.orgId,
                sandbox.apex.connection!.secret
            );
            expect(signed.json()).toMatchObject({ orgId: sandbox.orgId });
        } finally {
            await sandbox.close();
        }
    });

    it('refuses a malformed org id', async () => {
        for (const orgId of ['', '00D5g00000UNLSH', '001000000000001AAA', "00D000000000001AA'"]) {
            const res = await h.app.inject({ url: startPath(orgId, RETURN_URL) });
            expect(res.statusCode).toBe(400);
            expect(res.json().title).toBe('Invalid org id');
        }
    });

    it('disconnect revokes the refresh token, deletes the tenant, and signed calls then get 401', async () => {
        const started = await toCallback(h);
        await callBack(h, started);
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
            const started = await toCallback(h);
            const res = await callBack(h, started);
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
            const started = await toCallback(h);
            expect((await callBack(h, started)).statusCode).toBe(302);
            expect(eventsCalls(h.sim).map((c) => c.path)).toEqual(['/events']);
            expect((await h.store.tenants.get(h.sim.orgId))!.settings.namespace).toBe('');
        } finally {
            await h.close();
        }
    });

    it('says so when the package is not found under the configured namespace', async () => {
        const h = await harness({ SALESFORCE_NAMESPACE: 'otherns' });
        try {
            const started = await toCallback(h);
            const res = await callBack(h, started);
            expect(res.statusCode).toBe(502);
            expect(res.body).toContain('/services/apexrest/otherns/events');
            expect(res.body).toContain('is the package installed');
            expect(await h.store.tenants.list()).toEqual([]);
        } finally {
            await h.close();
        }
    });
});
