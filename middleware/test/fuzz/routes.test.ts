import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse, RouteOptions } from 'fastify';
import fc from 'fast-check';
import { buildApp } from '../../src/app';
import { testConfig } from '../../src/config';
import { signRequest } from '../../src/http/auth';
import { DEMO_API_ID, DEMO_API_KEY, startUnleashedSim } from '../../src/sandbox/unleashed-sim';
import type { UnleashedSim } from '../../src/sandbox/unleashed-sim/types';
import { createServices, type Services } from '../../src/services';
import { openStore } from '../../src/store';
import { webhookSignature } from '../../src/sync/status';

/**
 * Hostile input against every route of the app, enumerated from the app itself (a route added later
 * is fuzzed without touching this file): bodies, query strings, path segments and headers of the
 * wrong type, huge, deeply nested, with prototype keys, NaN/Infinity/1e999, invalid UTF-8, in the
 * wrong content type; signed by a connected org (so the validators and rules see them) and not.
 * Whatever arrives: never a 5xx, every error problem+json with a detail that says something, and
 * no secret in any answer or log line. Seeded, so a failure replays exactly.
 */

const SEED = 20261204;
const RUNS_PER_ROUTE = 220;
jest.setTimeout(180_000);

const ORG = '00D5g000004FUZZEA1';
const TENANT_SECRET = randomBytes(32);
const SIGNING_KEY = 'fuzz-webhook-signing-key-9f2c';
const CLIENT_SECRET = 'fuzz-connected-app-secret-77a1';

interface Route {
    method: string;
    url: string;
}

let sim: UnleashedSim;
let services: Services;
let app: FastifyInstance;
let masterKey: string;
const routes: Route[] = [];
const logLines: string[] = [];
/** Request fields the app documents, per route: hostile values go into real fields too. */
const fieldsOf = new Map<string, { query: string[]; body: string[] }>();

beforeAll(async () => {
    sim = await startUnleashedSim({ seed: 'demo' });
    const config = testConfig({
        LOG_LEVEL: 'trace',
        UNLEASHED_BASE_URL: sim.url,
        UNLEASHED_TIMEOUT_MS: '1500',
        UNLEASHED_MAX_RETRIES: '0',
        STOCK_CACHE_SECONDS: '0',
        RATE_LIMIT_PER_MINUTE: '100000',
        PUBLIC_URL: 'https://connector.example.test',
        SALESFORCE_CLIENT_ID: 'fuzz-client-id',
        SALESFORCE_CLIENT_SECRET: CLIENT_SECRET
    });
    masterKey = config.MASTER_KEY;
    const store = await openStore({
        dataDir: 'memory://',
        masterKey: Buffer.from(config.MASTER_KEY, 'base64')
    });
    services = await createServices(config, { store, clientOverrides: { retryBaseMs: 1 } });
    await connectOrg();
    const logStream = new Writable({
        write(chunk, _enc, cb) {
            logLines.push(String(chunk));
            cb();
        }
    });
    const onRoute = (r: RouteOptions) => {
        for (const method of [r.method].flat()) {
            if (method !== 'HEAD') routes.push({ method, url: r.url });
        }
    };
    app = await buildApp(config, { services, logStream, onRoute });
    await app.ready();

    const doc = (await app.inject({ url: '/docs/json' })).json() as OpenApi;
    for (const [path, ops] of Object.entries(doc.paths)) {
        for (const [method, op] of Object.entries(ops)) {
            const body = op.requestBody?.content?.['application/json']?.schema?.properties ?? {};
            fieldsOf.set(`${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`, {
                query: (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
                body: Object.keys(body)
            });
        }
    }
}, 120_000);

async function connectOrg(): Promise<void> {
    await services.store.tenants.upsert({
        orgId: ORG,
        tenantSecret: TENANT_SECRET,
        unleashed: { apiId: DEMO_API_ID, apiKey: DEMO_API_KEY }
    });
    if ((await services.orderStatus.subscriptions.list(ORG)).length === 0) {
        await services.orderStatus.subscriptions.add(ORG, {
            subscriptionId: 'fuzz-sub',
            targetUrl: `https://connector.example.test/webhooks/unleashed/${ORG}`,
            eventTypes: ['salesorder.updated'],
            signingKey: SIGNING_KEY
        });
    }
}

afterAll(async () => {
    await app?.close();
    await services?.statusSync.webhooks.close();
    await services?.close();
    await services?.store.close();
    await sim?.close();
});

interface OpenApi {
    paths: Record<
        string,
        Record<
            string,
            {
                parameters?: { in: string; name: string }[];
                requestBody?: {
                    content?: Record<string, { schema?: { properties?: Record<string, unknown> } }>;
                };
            }
        >
    >;
}

// ---- hostile material --------------------------------------------------------------------------

const PROTO_KEYS = [
    '__proto__',
    'constructor',
    'prototype',
    'toString',
    'hasOwnProperty',
    '__defineGetter__'
];

/** JSON number texts JSON.stringify would never write. */
const WILD_NUMBERS = [
    'NaN',
    'Infinity',
    '-Infinity',
    '1e999',
    '-1e999',
    '1e-999',
    '-0',
    '0x10',
    '01',
    '1.',
    '.5',
    '9'.repeat(400)
];

const hostileString = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.constantFrom(
        '',
        ' ',
        '\u0000',
        '\ud800',
        '\udfff\ud800',
        '\u202e',
        '../../etc/passwd',
        "'; DROP TABLE tenants; --",
        '<script>alert(1)</script>',
        '${jndi:ldap://x}',
        '%00',
        '%zz',
        '00D000000000001AAA',
        'NaN',
        'Infinity',
        '1e999',
        '-1',
        '0',
        'true',
        'null',
        '[object Object]',
        ...PROTO_KEYS
    ),
    fc.integer({ min: 1000, max: 200_000 }).map((n) => 'A'.repeat(n))
);

/** A JSON value as text, so literal NaN, 1e999 and lone surrogates can be written. */
const leafText: fc.Arbitrary<string> = fc.oneof(
    hostileString.map((s) => JSON.stringify(s)),
    fc.constantFrom(...WILD_NUMBERS),
    fc.double().map((d) => (Number.isFinite(d) ? String(d) : 'NaN')),
    fc.integer().map(String),
    fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }).map(String),
    fc.constantFrom('true', 'false', 'null', '"\\ud800"', '"\\u0000"', '{}', '[]')
);

function keysFor(fields: string[]): fc.Arbitrary<string> {
    return fc.oneof(
        fields.length ? fc.constantFrom(...fields) : fc.constant('x'),
        fc.constantFrom(...PROTO_KEYS),
        fc.string({ maxLength: 12 })
    );
}

const jsonText = (fields: string[]): fc.Arbitrary<string> =>
    fc.letrec<{ value: string }>((tie) => ({
        value: fc.oneof(
            { depthSize: 'small', withCrossShrink: true },
            leafText,
            fc.array(tie('value'), { maxLength: 5 }).map((items) => `[${items.join(',')}]`),
            fc
                .array(fc.tuple(keysFor(fields), tie('value')), { maxLength: 6 })
                .map((entries) => `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`)
        )
    })).value;

const bodyBytes = (fields: string[]): fc.Arbitrary<Buffer | string> =>
    fc.oneof(
        { arbitrary: jsonText(fields), weight: 4 },
        // Real fields, one hostile value each: the shape a validator has to look inside.
        {
            arbitrary: fc
                .array(fc.tuple(keysFor(fields), leafText), { minLength: 1, maxLength: 8 })
                .map((entries) => `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`),
            weight: 6
        },
        fc.integer({ min: 20, max: 20_000 }).map((n) => `${'['.repeat(n)}${']'.repeat(n)}`),
        fc.integer({ min: 20, max: 5_000 }).map((n) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`),
        fc
            .integer({ min: 1, max: 3000 })
            .map((n) => JSON.stringify({ lines: Array.from({ length: n }, () => ({})) })),
        fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)),
        fc.constantFrom(
            '',
            '{',
            'null',
            '"just a string"',
            '{"__proto__":{"polluted":true}}',
            '{"constructor":{"prototype":{"polluted":true}}}',
            Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]),
            Buffer.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d]),
            'a=1&b=2',
            '<?xml version="1.0"?><a/>'
        ),
        // Around BODY_LIMIT_BYTES (1 MiB), rarely: each costs a hash of a megabyte.
        {
            arbitrary: fc.integer({ min: 1_040_000, max: 1_060_000 }).map((n) => `{"x":"${'y'.repeat(n)}"}`),
            weight: 1
        }
    );

const contentType = fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'APPLICATION/JSON',
    'application/json; charset=latin1',
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=xyz',
    'application/xml',
    'application/problem+json',
    'application/json, text/plain',
    '*/*',
    ';;;',
    undefined
);

/** Percent-encodes the UTF-8 bytes of any string (lone surrogates included, as U+FFFD). */
function pct(s: string): string {
    return Buffer.from(s, 'utf8')
        .toString('latin1')
        .replace(
            /[^A-Za-z0-9\-_.~]/g,
            (ch) => `%${ch.charCodeAt(0).toString(16).padStart(2, '0').toUpperCase()}`
        );
}

const queryPart = (fields: string[]): fc.Arbitrary<string> =>
    fc
        .array(
            fc.tuple(
                fc.oneof(
                    keysFor(fields),
                    fc.constantFrom('__proto__[polluted]', 'constructor[prototype][x]', 'a[]', 'a[b][c]')
                ),
                fc.oneof(
                    hostileString,
                    fc.constantFrom('%ff%fe', '%c3%28', '%', '%2', '%zz', '%00', 'a%20b', '1e999', 'NaN')
                ),
                fc.boolean()
            ),
            { maxLength: 6 }
        )
        .map((pairs) =>
            pairs
                // Some values go out raw (broken escapes, bytes), most percent-encoded.
                .map(([k, v, raw]) => `${pct(k)}=${raw && /^[\x21-\x7e]*$/.test(v) ? v : pct(v)}`)
                .join('&')
        );

const pathSegment = fc.oneof(
    // Well-formed ids half of the time, so the checks behind the router are reached.
    {
        arbitrary: fc.constantFrom(
            ORG,
            '0e1e0000-0000-4000-8000-00000000c001',
            '3f2504e0-4f89-41d3-9a0c-0305e82c3301'
        ),
        weight: 3
    },
    fc.constantFrom('00D000000000001AAA', '1', '..', '%2e%2e', '%00', '%2F', 'NaN', '%ff', '%c3%28'),
    fc.string({ minLength: 1, maxLength: 30 }).map(pct),
    fc.integer({ min: 90, max: 400 }).map((n) => 'x'.repeat(n))
);

const headerValue = fc.oneof(
    fc.constantFrom(
        '',
        '0',
        '-1',
        '1e999',
        'NaN',
        'Infinity',
        '9'.repeat(30),
        ' ',
        'a'.repeat(8000),
        '__proto__'
    ),
    fc.string({ maxLength: 60 }).filter((s) => /^[\x20-\x7e]*$/.test(s))
);

interface Case {
    segments: string[];
    query: string;
    body: Buffer | string | undefined;
    contentType: string | undefined;
    signing: 'org' | 'none' | 'garbage' | 'webhook';
    headers: [string, string][];
    remoteAddress: string;
}

function caseFor(route: Route): fc.Arbitrary<Case> {
    const fields = fieldsOf.get(`${route.method} ${route.url}`) ?? { query: [], body: [] };
    const hasBody = route.method === 'POST' || route.method === 'PUT' || route.method === 'PATCH';
    return fc.record({
        segments: fc.array(pathSegment, { minLength: 3, maxLength: 3 }),
        query: fc.oneof(queryPart(fields.query), fc.constant('')),
        body: hasBody
            ? fc.option(bodyBytes(fields.body), { nil: undefined, freq: 8 })
            : fc.constant(undefined),
        contentType,
        signing: fc.constantFrom<Case['signing']>(
            'org',
            'org',
            'org',
            'webhook',
            'webhook',
            'none',
            'garbage'
        ),
        headers: fc.array(
            fc.tuple(
                fc.constantFrom(
                    'x-connector-org',
                    'x-connector-timestamp',
                    'x-connector-nonce',
                    'x-connector-signature',
                    'x-unleashed-timestamp',
                    'x-unleashed-signature',
                    'x-forwarded-for',
                    'accept',
                    'accept-encoding',
                    'cookie',
                    'origin',
                    'x-http-method-override'
                ),
                headerValue
            ),
            { maxLength: 3 }
        ),
        remoteAddress: fc.ipV4()
    });
}

/** The route's URL with its parameters (and a /docs wildcard) filled from hostile segments. */
function urlOf(route: Route, c: Case): string {
    let i = 0;
    const path = route.url
        .replace(/:\w+/g, () => c.segments[i++ % c.segments.length]!)
        .replace(/\*/g, () => c.segments[i++ % c.segments.length]!);
    return c.query ? `${path}?${c.query}` : path;
}

function requestOf(route: Route, c: Case): InjectOptions {
    const url = urlOf(route, c);
    const headers: Record<string, string> = {};
    if (c.contentType !== undefined && c.body !== undefined) headers['content-type'] = c.contentType;
    const bytes =
        c.body === undefined ? undefined : Buffer.isBuffer(c.body) ? c.body : Buffer.from(c.body, 'utf8');
    if (c.signing === 'org') {
        Object.assign(
            headers,
            signRequest({
                orgId: ORG,
                secret: TENANT_SECRET,
                method: route.method,
                pathWithQuery: url,
                body: bytes
            })
        );
    } else if (c.signing === 'webhook') {
        const timestamp = String(Math.floor(Date.now() / 1000));
        headers['x-unleashed-timestamp'] = timestamp;
        headers['x-unleashed-signature'] = webhookSignature(SIGNING_KEY, timestamp, bytes ?? '');
    } else if (c.signing === 'garbage') {
        Object.assign(headers, {
            'x-connector-org': ORG,
            'x-connector-timestamp': String(Math.floor(Date.now() / 1000)),
            'x-connector-nonce': randomBytes(16).toString('hex'),
            'x-connector-signature': randomBytes(32).toString('base64')
        });
    }
    // Extra hostile headers; a signed case keeps its signature headers intact ('none' and 'garbage'
    // cases carry hostile ones).
    for (const [name, value] of c.headers) {
        if (c.signing !== 'none' && c.signing !== 'garbage' && /^x-(connector|unleashed)-/.test(name))
            continue;
        headers[name] = value;
    }
    return {
        method: route.method as InjectOptions['method'],
        url,
        headers,
        payload: bytes,
        remoteAddress: c.remoteAddress
    };
}

// ---- what every answer must satisfy ------------------------------------------------------------

function secrets(): string[] {
    return [
        TENANT_SECRET.toString('base64'),
        TENANT_SECRET.toString('hex'),
        masterKey,
        Buffer.from(masterKey, 'base64').toString('hex'),
        DEMO_API_KEY,
        SIGNING_KEY,
        CLIENT_SECRET
    ];
}

/** Routes an admin's browser visits (the OAuth connect flow): their errors are HTML pages. */
const BROWSER_PAGES = /^\/oauth\//;

function checkAnswer(res: LightMyRequestResponse, path: string, label: string): void {
    const where = `${label} -> ${res.statusCode} ${res.body.slice(0, 300)}`;
    if (res.statusCode >= 500) throw new Error(`5xx: ${where}`);
    const type = String(res.headers['content-type'] ?? '');
    if (res.statusCode >= 400 && BROWSER_PAGES.test(path) && type.startsWith('text/html')) {
        // A page for the admin's browser: it must still say what went wrong.
        if (!/<h1>[^<]{8,}<\/h1>/.test(res.body)) throw new Error(`error page without a heading: ${where}`);
    } else if (res.statusCode >= 400) {
        if (!/^application\/problem\+json/.test(type)) {
            throw new Error(`error not problem+json: ${where}`);
        }
        const problem = JSON.parse(res.body) as Record<string, unknown>;
        if (problem.status !== res.statusCode || typeof problem.title !== 'string' || !problem.title) {
            throw new Error(`problem without status/title: ${where}`);
        }
        if (typeof problem.detail !== 'string' || problem.detail.trim().length < 8) {
            throw new Error(`problem without a useful detail: ${where}`);
        }
    }
    const everything = `${JSON.stringify(res.headers)}\n${res.body}`;
    for (const s of secrets()) if (everything.includes(s)) throw new Error(`secret in answer: ${where}`);
}

// ---- the suite ---------------------------------------------------------------------------------

const statuses = new Map<string, Map<number, number>>();

test('the app exposes the routes this suite is expected to reach', () => {
    const names = routes.map((r) => `${r.method} ${r.url}`);
    // A sanity floor, not the list: every route found is fuzzed below, these must be among them.
    for (const known of [
        'GET /healthz',
        'GET /readyz',
        'GET /v1/stock',
        'POST /v1/sales-orders',
        'GET /oauth/salesforce/start',
        'POST /webhooks/unleashed/:orgId'
    ]) {
        expect(names).toContain(known);
    }
});

describe('hostile requests to every route', () => {
    // Routes are known only once the app is built, so one test walks them all.
    test('no 5xx, problem+json with a detail for every error, no secret in any answer', async () => {
        expect(routes.length).toBeGreaterThan(10);
        for (const [index, route] of routes.entries()) {
            const seen = new Map<number, number>();
            statuses.set(`${route.method} ${route.url}`, seen);
            await fc.assert(
                fc.asyncProperty(caseFor(route), async (c) => {
                    const req = requestOf(route, c);
                    const res = await app.inject(req);
                    seen.set(res.statusCode, (seen.get(res.statusCode) ?? 0) + 1);
                    // A request that disconnected the org: connect it again for the cases after it.
                    if (res.statusCode < 300 && route.method === 'DELETE') await connectOrg();
                    checkAnswer(
                        res,
                        route.url,
                        `${req.method} ${String(req.url).slice(0, 200)} [${c.signing}, ${c.contentType}]`
                    );
                }),
                { seed: SEED + index, numRuns: RUNS_PER_ROUTE, endOnFailure: true }
            );
        }
        await services.statusSync.webhooks.idle();
    });

    test('the signed cases got past the signature check (so the validators were fuzzed too)', () => {
        const signedRoutes = [...statuses.entries()].filter(([name]) => name.includes(' /v1/'));
        expect(signedRoutes.length).toBeGreaterThan(0);
        for (const [name, seen] of signedRoutes) {
            const beyondAuth = [...seen.entries()]
                .filter(([status]) => status !== 401)
                .reduce((n, [, k]) => n + k, 0);
            expect([name, beyondAuth > RUNS_PER_ROUTE / 10]).toEqual([name, true]);
        }
    });

    test('no secret in any log line, and no unhandled error logged', () => {
        expect(logLines.length).toBeGreaterThan(100);
        const all = logLines.join('');
        for (const s of secrets()) expect(all.includes(s) ? s : null).toBeNull();
        const errors = logLines
            .map((l) => JSON.parse(l) as { level: number; msg: string })
            .filter((l) => l.level >= 50);
        expect(errors.map((e) => e.msg)).toEqual([]);
    });
});
