import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type InjectOptions } from 'fastify';
import pino from 'pino';
import { buildApp } from '../../src/app';
import { createServices } from '../../src/services';
import { testConfig } from '../../src/config';
import { signRequest, signedRequestsPlugin, type SignedRequestsOptions } from '../../src/http/auth';
import { problemPlugin } from '../../src/http/problem';
import { loggerOptions } from '../../src/logger';
import { openStore, type Store, type Tenant } from '../../src/store';

jest.setTimeout(60_000);

const ORG_A = '00D000000000001AAA';
const ORG_B = '00D000000000002BBB';

let store: Store;
let tenantA: Tenant;
let tenantB: Tenant;

beforeAll(async () => {
    store = await openStore({ dataDir: 'memory://', masterKey: randomBytes(32) });
    tenantA = await store.tenants.upsert({ orgId: ORG_A, unleashed: { apiId: 'ida', apiKey: 'UL-KEY-A' } });
    tenantB = await store.tenants.upsert({ orgId: ORG_B });
});

afterAll(async () => {
    await store.close();
});

/** Handler calls, so each test can prove a rejected request executed nothing. */
let executed: { orgId: string; body: unknown }[] = [];
beforeEach(() => {
    executed = [];
});

function routes(app: FastifyInstance): void {
    app.get('/v1/whoami', async (request) => {
        executed.push({ orgId: request.tenant.orgId, body: null });
        return { orgId: request.tenant.orgId, query: request.query };
    });
    app.post('/v1/echo', async (request) => {
        executed.push({ orgId: request.tenant.orgId, body: request.body });
        return {
            orgId: request.tenant.orgId,
            body: request.body ?? null,
            rawLength: request.rawBody?.length ?? 0
        };
    });
}

async function appWith(
    opts: Partial<SignedRequestsOptions> = {},
    s: Store = store,
    config = testConfig()
): Promise<FastifyInstance> {
    const app = await buildApp(config, { services: await createServices(config, { store: s }), auth: opts });
    routes(app);
    return app;
}

interface Call {
    method?: 'GET' | 'POST';
    url: string;
    body?: string | Buffer;
    /** The path Apex signs when it differs from the one sent (the Named Credential's path prefix). */
    signedPath?: string;
    tenant?: Tenant;
    secret?: Buffer;
    timestamp?: number;
    nonce?: string;
    contentType?: string | null;
}

function signed(c: Call) {
    const tenant = c.tenant ?? tenantA;
    const method = c.method ?? 'GET';
    const headers: Record<string, string> = signRequest({
        orgId: tenant.orgId,
        secret: c.secret ?? tenant.tenantSecret,
        method,
        pathWithQuery: c.signedPath ?? c.url,
        body: c.body,
        timestamp: c.timestamp,
        nonce: c.nonce
    });
    if (c.body !== undefined && c.contentType !== null)
        headers['content-type'] = c.contentType ?? 'application/json';
    return { method, url: c.url, headers, payload: c.body };
}

describe('signRequest', () => {
    // Fixed vectors computed apart from this code: openssl dgst -sha256 -mac HMAC -macopt
    // hexkey:0909...09 over "METHOD\npath\ntimestamp\nnonce\nhex(sha256(body))", base64.
    it('computes the CONTRACT signature', () => {
        const secret = Buffer.alloc(32, 9);
        const h = signRequest({
            orgId: ORG_A,
            secret: secret.toString('base64'),
            method: 'post',
            pathWithQuery: '/v1/stock?productCodes=A,B',
            body: '{"a":1}',
            timestamp: 1700000000,
            nonce: '0123456789abcdef'
        });
        expect(h).toEqual({
            'X-Connector-Org': ORG_A,
            'X-Connector-Timestamp': '1700000000',
            'X-Connector-Nonce': '0123456789abcdef',
            'X-Connector-Signature': 'iudMKls1Tws0bisv4cDSfletVw3VvsEzKg1HLYhSxE0='
        });
        // An empty body hashes as the empty string.
        const empty = signRequest({
            orgId: ORG_A,
            secret,
            method: 'GET',
            pathWithQuery: '/v1/x',
            timestamp: 1,
            nonce: 'ab'.repeat(8)
        });
        expect(empty['X-Connector-Signature']).toBe('M3U+QJYMgvW2rI8mU8Qi9i7TGVrIZYEj3tjfKbkhJ9A=');
        expect(
            signRequest({ orgId: ORG_A, secret, method: 'GET', pathWithQuery: '/v1/x' })['X-Connector-Nonce']
        ).toMatch(/^[0-9a-f]{32}$/);
    });
});

describe('signedRequestsPlugin', () => {
    let app: FastifyInstance;
    beforeAll(async () => {
        app = await appWith();
    });
    afterAll(async () => {
        await app.close();
    });

    it('passes a validly signed GET with its query, exactly as sent', async () => {
        const res = await app.inject(signed({ url: '/v1/whoami?productCodes=A%2CB,C&x=1' }));
        expect(res.statusCode).toBe(200);
        expect(res.json()).toEqual({ orgId: ORG_A, query: { productCodes: 'A,B,C', x: '1' } });
        expect(executed).toEqual([{ orgId: ORG_A, body: null }]);
        expect(res.headers['x-ratelimit-limit']).toBe('600');
    });

    it('passes a signed POST, keeping the raw body bytes it checked', async () => {
        const body = '{ "lines": [ { "quantity": 3, "unitPrice": "19.99" } ], "note": "caf\u00e9" }';
        const res = await app.inject(signed({ method: 'POST', url: '/v1/echo', body }));
        expect(res.statusCode).toBe(200);
        expect(res.json()).toEqual({
            orgId: ORG_A,
            body: { lines: [{ quantity: 3, unitPrice: '19.99' }], note: 'caf\u00e9' },
            rawLength: Buffer.byteLength(body)
        });
    });

    it('accepts an empty JSON body', async () => {
        const res = await app.inject(signed({ method: 'POST', url: '/v1/echo', body: '' }));
        expect(res.statusCode).toBe(200);
        expect(res.json()).toMatchObject({ orgId: ORG_A, body: null, rawLength: 0 });
    });

    const rejects = async (req: InjectOptions, title: string) => {
        const res = await app.inject(req);
        expect(res.statusCode).toBe(401);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(res.json()).toMatchObject({ status: 401, title });
        expect(executed).toEqual([]);
        return res;
    };

    it('refuses a forged signature', async () => {
        await rejects(signed({ url: '/v1/whoami', secret: randomBytes(32) }), 'Bad signature');
        // Another tenant's secret does not sign for this tenant either.
        await rejects(signed({ url: '/v1/whoami', secret: tenantB.tenantSecret }), 'Bad signature');
    });

    it('refuses a request altered after signing (body, query, method)', async () => {
        const post = signed({ method: 'POST', url: '/v1/echo', body: '{"qty":1}' });
        await rejects({ ...post, payload: '{"qty":9}' }, 'Bad signature');
        const get = signed({ url: '/v1/whoami?productCodes=A' });
        await rejects({ ...get, url: '/v1/whoami?productCodes=B' }, 'Bad signature');
        const asGet = signed({ method: 'POST', url: '/v1/whoami' });
        await rejects({ ...asGet, method: 'GET' }, 'Bad signature');
    });

    it('refuses a stale or future timestamp', async () => {
        const now = Math.floor(Date.now() / 1000);
        const res = await rejects(signed({ url: '/v1/whoami', timestamp: now - 301 }), 'Stale timestamp');
        expect(res.json().detail).toMatch(/old/);
        await rejects(signed({ url: '/v1/whoami', timestamp: now + 400 }), 'Stale timestamp');
        // Within the window is fine.
        expect((await app.inject(signed({ url: '/v1/whoami', timestamp: now - 250 }))).statusCode).toBe(200);
    });

    it('refuses a replayed nonce, even with a fresh signature', async () => {
        const first = signed({ url: '/v1/whoami' });
        expect((await app.inject(first)).statusCode).toBe(200);
        executed = [];
        await rejects(first, 'Replayed nonce');
        const nonce = first.headers['X-Connector-Nonce'];
        await rejects(signed({ url: '/v1/whoami?again=1', nonce }), 'Replayed nonce');
    });

    it('refuses unsigned, partly signed and malformed requests', async () => {
        const res = await rejects({ method: 'GET', url: '/v1/whoami' }, 'Unsigned request');
        expect(res.json().detail).toMatch(/X-Connector-Org.*X-Connector-Signature/);
        const { 'X-Connector-Signature': _s, ...noSig } = signed({ url: '/v1/whoami' }).headers;
        await rejects({ method: 'GET', url: '/v1/whoami', headers: noSig }, 'Unsigned request');
        await rejects(signed({ url: '/v1/whoami', nonce: 'abc123' }), 'Malformed nonce');
        await rejects(signed({ url: '/v1/whoami', nonce: 'z'.repeat(20) }), 'Malformed nonce');
        const bad = signed({ url: '/v1/whoami' });
        await rejects(
            { ...bad, headers: { ...bad.headers, 'X-Connector-Signature': 'bm90IGEgc2lnbmF0dXJl' } },
            'Bad signature'
        );
        await rejects(
            { ...bad, headers: { ...bad.headers, 'X-Connector-Timestamp': '12:00' } },
            'Malformed timestamp'
        );
        await rejects(
            { ...bad, headers: { ...bad.headers, 'X-Connector-Org': '00D123' } },
            'Malformed org id'
        );
    });

    it('answers an unknown org exactly as a wrong signature, so org ids cannot be probed', async () => {
        const stranger = { ...tenantA, orgId: '00D999999999999ZZZ' };
        const unknown = await rejects(signed({ url: '/v1/whoami', tenant: stranger }), 'Bad signature');
        const forged = await rejects(signed({ url: '/v1/whoami', secret: randomBytes(32) }), 'Bad signature');
        expect(unknown.json()).toEqual(forged.json());
        expect(unknown.json().detail).toBe('X-Connector-Signature does not match this request for this org');
        // Both after the body was read (a body does not tell them apart either).
        const post = await rejects(
            signed({ method: 'POST', url: '/v1/echo', body: '{"x":1}', tenant: stranger }),
            'Bad signature'
        );
        expect(post.json()).toEqual(forged.json());
    });

    it('accepts only the canonical base64 of a signature', async () => {
        const good = signed({ url: '/v1/whoami' });
        const sig = good.headers['X-Connector-Signature']!;
        // The last character before "=" carries two spare bits: flipping one decodes to the same bytes.
        const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
        const spare = alphabet[alphabet.indexOf(sig[42]!) ^ 1]!;
        const variant = `${sig.slice(0, 42)}${spare}=`;
        expect(Buffer.from(variant, 'base64').equals(Buffer.from(sig, 'base64'))).toBe(true);
        const res = await rejects(
            { ...good, headers: { ...good.headers, 'X-Connector-Signature': variant } },
            'Bad signature'
        );
        expect(res.json().detail).toMatch(/canonical base64/);
        // The canonical text of the same bytes passes.
        expect((await app.inject(good)).statusCode).toBe(200);
    });

    it('says why a JSON body is refused', async () => {
        const cases: [string | Buffer, RegExp][] = [
            ['{"qty":', /^The body is not valid JSON$/],
            ['{qty: 1}', /^The body is not valid JSON \(at character 1\)$/],
            [
                '{"a":{"__proto__":{"admin":true}}}',
                /"a\.__proto__" is refused: __proto__ and constructor keys/
            ],
            ['{"constructor":{"prototype":{"x":1}}}', /"constructor" is refused/],
            [Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]), /not valid UTF-8/],
            [`${'['.repeat(100)}${']'.repeat(100)}`, /deeper than 32 levels/]
        ];
        for (const [body, detail] of cases) {
            const res = await app.inject(signed({ method: 'POST', url: '/v1/echo', body }));
            expect(res.statusCode).toBe(400);
            expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
            expect(res.json()).toMatchObject({ title: 'Invalid JSON body', status: 400 });
            expect(res.json().detail).toMatch(detail);
        }
        // Ordinary nesting and keys that merely contain the words pass.
        const ok = await app.inject(
            signed({
                method: 'POST',
                url: '/v1/echo',
                body: '{"a":{"b":[{"c":1}]},"proto":1,"constructorName":"x"}'
            })
        );
        expect(ok.statusCode).toBe(200);
        expect(executed).toHaveLength(1);
    });

    it('guards unknown paths under the prefix too, and leaves others alone', async () => {
        await rejects({ method: 'GET', url: '/v1/no-such-route' }, 'Unsigned request');
        expect((await app.inject(signed({ url: '/v1/no-such-route' }))).statusCode).toBe(404);
        expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
        expect((await app.inject({ url: '/v10/whoami' })).statusCode).toBe(404);
    });

    it('does not run a handler for a body it could not check', async () => {
        // A body in a type without a parser never reaches the handler.
        // A body of a type whose bytes are not kept is refused, even when signed as if it were empty.
        const text = signed({ method: 'POST', url: '/v1/echo', body: 'qty=9', contentType: 'text/plain' });
        expect((await app.inject(text)).statusCode).toBe(415);
        const asEmpty = signed({ method: 'POST', url: '/v1/echo', body: '' });
        const res = await app.inject({
            ...asEmpty,
            payload: 'qty=9',
            headers: { ...asEmpty.headers, 'content-type': 'text/plain' }
        });
        expect(res.statusCode).toBe(415);
        expect(res.json().title).toBe('Unsupported media type');
        const xml = await app.inject(
            signed({ method: 'POST', url: '/v1/echo', body: '<a/>', contentType: 'application/xml' })
        );
        expect(xml.statusCode).toBe(415);
        // Broken JSON that is correctly signed is a 400.
        const bad = await app.inject(signed({ method: 'POST', url: '/v1/echo', body: '{"qty":' }));
        expect(bad.statusCode).toBe(400);
        const poisoned = await app.inject(
            signed({ method: 'POST', url: '/v1/echo', body: '{"__proto__":{"x":1}}' })
        );
        expect(poisoned.statusCode).toBe(400);
        expect(executed).toEqual([]);
    });

    it('lets each of two tenants see only itself', async () => {
        const a = await app.inject(signed({ url: '/v1/whoami', tenant: tenantA }));
        const b = await app.inject(signed({ url: '/v1/whoami', tenant: tenantB }));
        expect(a.json().orgId).toBe(ORG_A);
        expect(b.json().orgId).toBe(ORG_B);
        expect(executed.map((e) => e.orgId)).toEqual([ORG_A, ORG_B]);
        executed = [];
        // B's headers naming A's org (B signs, claims to be A) are refused.
        await rejects(signed({ url: '/v1/whoami', tenant: { ...tenantB, orgId: ORG_A } }), 'Bad signature');
    });
});

describe('across instances', () => {
    it('refuses on one app a nonce already used on another sharing the store', async () => {
        const one = await appWith();
        const two = await appWith();
        try {
            const req = signed({ url: '/v1/whoami' });
            expect((await one.inject(req)).statusCode).toBe(200);
            const res = await two.inject(req);
            expect(res.statusCode).toBe(401);
            expect(res.json().title).toBe('Replayed nonce');
        } finally {
            await one.close();
            await two.close();
        }
    });
});

describe('failed signatures per client address', () => {
    it('refuses an address past its budget before reading the store, other addresses unaffected', async () => {
        const app = await appWith({ failuresPerIpPerMinute: 3 });
        const reads = jest.spyOn(store.tenants, 'get');
        try {
            const from = (remoteAddress: string, req: InjectOptions) => app.inject({ ...req, remoteAddress });
            for (let i = 0; i < 3; i++) {
                const stranger = { ...tenantA, orgId: `00D99999999999${i}ZZZ` };
                expect(
                    (await from('203.0.113.5', signed({ url: '/v1/whoami', tenant: stranger }))).statusCode
                ).toBe(401);
            }
            const readsBefore = reads.mock.calls.length;
            // Past the budget even a valid request from that address is refused, unread.
            const blocked = await from('203.0.113.5', signed({ url: '/v1/whoami' }));
            expect(blocked.statusCode).toBe(429);
            expect(blocked.headers['content-type']).toMatch(/^application\/problem\+json/);
            expect(blocked.json()).toMatchObject({ title: 'Too many failed attempts', status: 429 });
            expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
            expect(reads.mock.calls.length).toBe(readsBefore);
            expect(executed).toEqual([]);
            // Another address (another org behind Salesforce's shared egress) goes on.
            expect((await from('203.0.113.6', signed({ url: '/v1/whoami' }))).statusCode).toBe(200);
            // Valid requests do not count: a busy address is never limited by its successes.
            for (let i = 0; i < 5; i++) {
                expect((await from('203.0.113.7', signed({ url: '/v1/whoami' }))).statusCode).toBe(200);
            }
        } finally {
            reads.mockRestore();
            await app.close();
        }
    });
});

describe('a middleware behind a path prefix (PUBLIC_BASE_PATH)', () => {
    // Apex signs the path after the Named Credential's URL (https://host/connector), never the prefix.
    it('serves and verifies requests whose prefix the proxy forwarded, and those it stripped', async () => {
        const app = await appWith({}, store, testConfig({ PUBLIC_BASE_PATH: '/connector' }));
        try {
            const forwarded = await app.inject(
                signed({ url: '/connector/v1/whoami?x=1', signedPath: '/v1/whoami?x=1' })
            );
            expect([forwarded.statusCode, forwarded.json()]).toEqual([
                200,
                { orgId: ORG_A, query: { x: '1' } }
            ]);
            const post = await app.inject(
                signed({ method: 'POST', url: '/connector/v1/echo', signedPath: '/v1/echo', body: '{"a":1}' })
            );
            expect(post.statusCode).toBe(200);
            expect((await app.inject(signed({ url: '/v1/whoami' }))).statusCode).toBe(200);
            expect((await app.inject({ url: '/connector/healthz' })).statusCode).toBe(200);
            // Still guarded under the prefix, and a signature over the prefix is not what Apex sends.
            expect((await app.inject({ url: '/connector/v1/whoami' })).statusCode).toBe(401);
            const overPrefix = await app.inject(signed({ url: '/connector/v1/whoami' }));
            expect([overPrefix.statusCode, overPrefix.json().title]).toEqual([401, 'Bad signature']);
            // Only the whole prefix segment is removed.
            expect((await app.inject(signed({ url: '/connectorx/v1/whoami' }))).statusCode).toBe(404);
        } finally {
            await app.close();
        }
    });
});

describe('per-tenant rate limit', () => {
    it('answers 429 with Retry-After past the budget, per org', async () => {
        // Budgets are counted in the store, which the earlier tests of this file share: start afresh.
        await store.db.query('DELETE FROM rate_windows');
        const app = await appWith({ rateLimitPerMinute: 3 });
        try {
            for (let i = 0; i < 3; i++) {
                const ok = await app.inject(signed({ url: '/v1/whoami' }));
                expect(ok.statusCode).toBe(200);
                expect(ok.headers['x-ratelimit-remaining']).toBe(String(2 - i));
            }
            executed = [];
            const limited = await app.inject(signed({ url: '/v1/whoami' }));
            expect(limited.statusCode).toBe(429);
            expect(limited.headers['content-type']).toMatch(/^application\/problem\+json/);
            expect(limited.json()).toMatchObject({ title: 'Too many requests', status: 429 });
            expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
            expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
            expect(executed).toEqual([]);
            // Another org has its own budget; unsigned noise does not spend A's.
            expect((await app.inject(signed({ url: '/v1/whoami', tenant: tenantB }))).statusCode).toBe(200);
        } finally {
            await app.close();
        }
    });
});

describe('logging', () => {
    it('logs rejections at warn without the signature or any secret', async () => {
        const lines: string[] = [];
        const sink = new Writable({
            write(chunk, _enc, cb) {
                lines.push(String(chunk));
                cb();
            }
        });
        // The app's own logger options, at the most verbose level, into a buffer.
        const app = Fastify({ loggerInstance: pino(loggerOptions('trace'), sink) as FastifyBaseLogger });
        await app.register(problemPlugin);
        await app.register(signedRequestsPlugin, { store });
        routes(app);

        const forged = signed({ url: '/v1/whoami', secret: randomBytes(32) });
        const good = signed({ method: 'POST', url: '/v1/echo', body: '{"x":1}' });
        const stale = signed({ url: '/v1/whoami', timestamp: 1_000_000 });
        expect((await app.inject(forged)).statusCode).toBe(401);
        expect((await app.inject(good)).statusCode).toBe(200);
        expect((await app.inject(good)).statusCode).toBe(401);
        expect((await app.inject(stale)).statusCode).toBe(401);
        await app.close();

        const out = lines.join('');
        const warns = lines.map((l) => JSON.parse(l)).filter((l) => l.level === 40);
        expect(warns.map((w) => w.reason)).toEqual(['Bad signature', 'Replayed nonce', 'Stale timestamp']);
        expect(warns[0]).toMatchObject({
            orgId: ORG_A,
            method: 'GET',
            path: '/v1/whoami',
            msg: 'signed request rejected'
        });
        for (const secret of [
            forged.headers['X-Connector-Signature'],
            good.headers['X-Connector-Signature'],
            stale.headers['X-Connector-Signature'],
            tenantA.tenantSecret.toString('base64'),
            tenantA.tenantSecret.toString('hex'),
            'UL-KEY-A'
        ]) {
            expect(out).not.toContain(secret as string);
        }
    });
});
