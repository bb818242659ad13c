import { connect, type AddressInfo, type Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app';
import { testConfig, type AppConfig } from '../../src/config';
import { signRequest } from '../../src/http/auth';
import { createServices, type Services } from '../../src/services';
import { openStore, type Store } from '../../src/store';
import { webhookSignature } from '../../src/sync/status';

/**
 * What a client cannot do to the server below the routes: hold a connection by trickling a request,
 * make the webhook route wait for a body that can never be accepted, send webhooks in a content
 * type whose bytes get lost, choose its own address through X-Forwarded-For, or get an error that
 * is not problem+json. Real sockets on loopback where the behaviour is Node's, inject elsewhere.
 */

// Embedded databases and real sockets under a loaded machine.
jest.setTimeout(60_000);

const ORG = '00D000000000001AAA';
const SIGNING_KEY = 'webhook-signing-key-for-tests';

let store: Store;
let services: Services;
let app: FastifyInstance;
let port: number;

function configWith(overrides: Partial<Record<keyof AppConfig, string>> = {}): AppConfig {
    return testConfig({ REQUEST_TIMEOUT_MS: '1000', ...overrides });
}

beforeAll(async () => {
    const config = configWith();
    store = await openStore({ dataDir: 'memory://', masterKey: Buffer.from(config.MASTER_KEY, 'base64') });
    await store.tenants.upsert({ orgId: ORG });
    services = await createServices(config, { store });
    await services.orderStatus.subscriptions.add(ORG, {
        subscriptionId: 'sub-1',
        targetUrl: 'https://example.test/webhooks',
        eventTypes: ['product.updated'],
        signingKey: SIGNING_KEY
    });
    app = await buildApp(config, { services });
    await app.listen({ host: '127.0.0.1', port: 0 });
    port = (app.server.address() as AddressInfo).port;
});

afterAll(async () => {
    await app?.close();
    await services?.close();
    await store?.close();
});

interface RawAnswer {
    /** Everything the server wrote before closing or before the guard ran out. */
    text: string;
    closed: boolean;
}

/**
 * Opens a socket, lets `drive` write to it, and collects the answer. The guard only bounds a test
 * that would otherwise wait for ever on a server that never answers; no assertion is about time.
 */
function rawExchange(drive: (socket: Socket) => void, guardMs = 8000): Promise<RawAnswer> {
    return new Promise((resolve, reject) => {
        const socket = connect(port, '127.0.0.1');
        let text = '';
        const guard = setTimeout(() => {
            socket.destroy();
            resolve({ text, closed: false });
        }, guardMs);
        socket.on('data', (chunk) => {
            text += chunk.toString('latin1');
        });
        socket.on('close', () => {
            clearTimeout(guard);
            resolve({ text, closed: true });
        });
        socket.on('error', (err: NodeJS.ErrnoException) => {
            if (err.code !== 'ECONNRESET' && err.code !== 'EPIPE') reject(err);
        });
        socket.on('connect', () => drive(socket));
    });
}

function problemOf(answer: RawAnswer): {
    status: number;
    contentType: string;
    body: Record<string, unknown>;
} {
    // The first answer only (a test checks separately that no second one follows).
    const end = answer.text.indexOf('\r\n\r\n');
    const head = answer.text.slice(0, end);
    const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
    const body = answer.text.slice(end + 4, end + 4 + length);
    const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]);
    const contentType = /content-type: ([^\r\n]+)/i.exec(head)?.[1] ?? '';
    return { status, contentType, body: body ? (JSON.parse(body) as Record<string, unknown>) : {} };
}

function webhookHead(orgId: string, contentLength: number, extra: Record<string, string> = {}): string {
    const headers = {
        host: '127.0.0.1',
        'content-type': 'application/json',
        'content-length': String(contentLength),
        'x-unleashed-timestamp': String(Math.floor(Date.now() / 1000)),
        'x-unleashed-signature': Buffer.alloc(32, 1).toString('base64'),
        ...extra
    };
    const lines = Object.entries(headers).map(([k, v]) => `${k}: ${v}`);
    return `POST /webhooks/unleashed/${orgId} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`;
}

describe('timeouts', () => {
    it('cuts off a request whose body trickles in, with a 408 problem', async () => {
        let timer: NodeJS.Timeout | undefined;
        const answer = await rawExchange((socket) => {
            // Headers that pass every check made before the body, then one byte every 200 ms.
            socket.write(webhookHead(ORG, 200));
            timer = setInterval(() => socket.writable && socket.write('x'), 200);
        });
        clearInterval(timer);
        expect(answer.closed).toBe(true);
        const problem = problemOf(answer);
        expect(problem.status).toBe(408);
        expect(problem.contentType).toMatch(/^application\/problem\+json/);
        expect(problem.body).toMatchObject({ status: 408, title: 'Request timeout' });
        expect(problem.body.detail).toMatch(/REQUEST_TIMEOUT_MS/);
    });

    it('passes the configured timeouts to the server', async () => {
        const config = configWith({ REQUEST_TIMEOUT_MS: '4000', CONNECTION_TIMEOUT_MS: '9000' });
        const other = await buildApp(config, { services });
        try {
            expect(other.server.requestTimeout).toBe(4000);
            // Node would otherwise enforce its 60 s headers timeout as the request limit.
            expect(other.server.headersTimeout).toBe(4000);
            expect(other.server.timeout).toBe(9000);
        } finally {
            await other.close();
        }
    });
});

describe('webhook route, before its body', () => {
    it.each([
        ['an org that is not connected', '00D999999999999ZZZ', {}],
        ['a malformed org id', 'not-an-org', {}],
        ['no signature header', ORG, { 'x-unleashed-signature': '' }],
        ['an unreadable timestamp', ORG, { 'x-unleashed-timestamp': 'yesterday' }],
        ['a signature that cannot be an HMAC', ORG, { 'x-unleashed-signature': 'abc' }]
    ])('answers %s at once, without waiting for the body', async (_label, orgId, extra) => {
        const head = webhookHead(orgId, 5000, extra).replace(/\r\nx-unleashed-signature: \r\n/, '\r\n');
        // The body announced is never sent: only an answer that does not wait for it arrives.
        const answer = await rawExchange((socket) => socket.write(head), 5000);
        const problem = problemOf(answer);
        expect(problem.status).toBe(401);
        // And the connection is closed rather than left waiting for the body.
        expect(answer.closed).toBe(true);
        expect(answer.text.match(/^HTTP\/1\.1 /gm)).toHaveLength(1);
        expect(problem.contentType).toMatch(/^application\/problem\+json/);
        expect(problem.body).toEqual({
            type: 'about:blank',
            title: 'Webhook not accepted',
            status: 401,
            detail: 'The delivery is not signed for this org.'
        });
    });
});

describe('webhook content types', () => {
    const event = (id: string) =>
        JSON.stringify({ eventType: 'product.updated', eventNotificationId: id, data: '{}' });

    it.each([
        ['text/plain', 'text/plain'],
        ['text/plain with a charset', 'text/plain; charset=utf-8'],
        ['application/json', 'application/json'],
        ['application/json with a charset', 'application/json; charset=utf-8'],
        ['a form type', 'application/x-www-form-urlencoded'],
        ['no content type', null]
    ])('keeps the signed bytes of a delivery sent as %s', async (_label, contentType) => {
        const id = `ct-${Math.random().toString(36).slice(2)}`;
        const body = event(id);
        const timestamp = String(Math.floor(Date.now() / 1000));
        const res = await app.inject({
            method: 'POST',
            url: `/webhooks/unleashed/${ORG}`,
            headers: {
                ...(contentType ? { 'content-type': contentType } : {}),
                'x-unleashed-timestamp': timestamp,
                'x-unleashed-signature': webhookSignature(SIGNING_KEY, timestamp, body)
            },
            payload: body
        });
        expect([res.statusCode, res.json()]).toEqual([200, { outcome: 'ignored', eventNotificationId: id }]);
    });

    it('still refuses a text/plain delivery altered after signing', async () => {
        const body = event('ct-altered');
        const timestamp = String(Math.floor(Date.now() / 1000));
        const res = await app.inject({
            method: 'POST',
            url: `/webhooks/unleashed/${ORG}`,
            headers: {
                'content-type': 'text/plain',
                'x-unleashed-timestamp': timestamp,
                'x-unleashed-signature': webhookSignature(SIGNING_KEY, timestamp, body)
            },
            payload: body.replace('ct-altered', 'ct-changed')
        });
        expect(res.statusCode).toBe(401);
        expect(await services.orderStatus.inbox.get(ORG, 'ct-changed')).toBeNull();
    });
});

describe('errors below the routes are problem+json', () => {
    it('a request that is not HTTP: 400', async () => {
        const answer = await rawExchange((socket) => socket.write('HELLO THERE\r\n\r\n'));
        const problem = problemOf(answer);
        expect(problem).toMatchObject({
            status: 400,
            contentType: expect.stringMatching(/^application\/problem\+json/)
        });
        expect(problem.body).toMatchObject({ title: 'Bad request', status: 400 });
        expect(answer.closed).toBe(true);
    });

    it('headers larger than the server accepts: 431', async () => {
        const answer = await rawExchange((socket) =>
            socket.write(`GET /healthz HTTP/1.1\r\nhost: x\r\nx-big: ${'a'.repeat(40_000)}\r\n\r\n`)
        );
        const problem = problemOf(answer);
        expect(problem).toMatchObject({
            status: 431,
            contentType: expect.stringMatching(/^application\/problem\+json/)
        });
        expect(problem.body.detail).toMatch(/headers exceed/);
    });

    it('a body over BODY_LIMIT_BYTES: 413 naming the limit', async () => {
        const timestamp = String(Math.floor(Date.now() / 1000));
        const res = await app.inject({
            method: 'POST',
            url: `/webhooks/unleashed/${ORG}`,
            headers: {
                'content-type': 'application/json',
                'x-unleashed-timestamp': timestamp,
                'x-unleashed-signature': Buffer.alloc(32, 1).toString('base64')
            },
            payload: `{"x":"${'y'.repeat(1_100_000)}"}`
        });
        expect(res.statusCode).toBe(413);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(res.json()).toMatchObject({
            title: 'Request body too large',
            detail: expect.stringMatching(/1048576 bytes .*BODY_LIMIT_BYTES/)
        });
    });

    it('a signed body in a content type the API does not read: 415 naming it', async () => {
        const tenant = (await store.tenants.get(ORG))!;
        const body = '<order/>';
        const res = await app.inject({
            method: 'POST',
            url: '/v1/sales-orders',
            headers: {
                ...signRequest({
                    orgId: ORG,
                    secret: tenant.tenantSecret,
                    method: 'POST',
                    pathWithQuery: '/v1/sales-orders',
                    body
                }),
                'content-type': 'application/xml'
            },
            payload: body
        });
        expect(res.statusCode).toBe(415);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(res.json()).toMatchObject({
            title: 'Unsupported media type',
            detail: 'Content-Type "application/xml" is not accepted here; send application/json'
        });
    });

    it('a badly percent-encoded path: 400', async () => {
        const res = await app.inject({ method: 'POST', url: '/webhooks/unleashed/%zz', payload: '' });
        expect(res.statusCode).toBe(400);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(res.json()).toMatchObject({ title: 'Bad request', detail: expect.stringMatching(/percent/) });
    });

    it('a path segment longer than any accepted value: 414', async () => {
        const res = await app.inject({ method: 'POST', url: `/webhooks/unleashed/${'a'.repeat(300)}` });
        expect(res.statusCode).toBe(414);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(res.json()).toMatchObject({ title: 'URI too long', status: 414 });
    });
});

describe('TRUST_PROXY', () => {
    async function ipSeenWith(trustProxy: string | undefined, remoteAddress: string, forwardedFor: string) {
        const config = configWith(trustProxy === undefined ? {} : { TRUST_PROXY: trustProxy });
        const probe = await buildApp(config, { services });
        probe.get('/ip-probe', async (request) => ({ ip: request.ip }));
        try {
            const res = await probe.inject({
                url: '/ip-probe',
                remoteAddress,
                headers: { 'x-forwarded-for': forwardedFor }
            });
            return res.json().ip as string;
        } finally {
            await probe.close();
        }
    }
    // The client put a forged address first; the balancer appended the address it saw.
    const forged = '6.6.6.6, 203.0.113.9';

    it('off by default: the socket peer is the client', async () => {
        expect(await ipSeenWith(undefined, '10.1.2.3', forged)).toBe('10.1.2.3');
    });

    it('a hop count trusts that many proxies and no further', async () => {
        expect(await ipSeenWith('1', '10.1.2.3', forged)).toBe('203.0.113.9');
        expect(await ipSeenWith('2', '10.1.2.3', forged)).toBe('6.6.6.6');
    });

    it('a CIDR list trusts only those proxies', async () => {
        expect(await ipSeenWith('10.0.0.0/8', '10.1.2.3', forged)).toBe('203.0.113.9');
        // A client reaching the middleware directly cannot pretend to be behind the proxy.
        expect(await ipSeenWith('10.0.0.0/8', '198.51.100.7', forged)).toBe('198.51.100.7');
    });
});
