import { z } from 'zod';
import { parseDecimal } from '../../src/money/decimal';
import { testConfig } from '../../src/config';
import { createUnleashedClient, unleashedClientOptions } from '../../src/unleashed/client';
import { UnleashedError } from '../../src/unleashed/errors';
import { ProductSchema, SalesOrderSchema } from '../../src/unleashed/schemas';
import type { UnleashedClientOptions } from '../../src/unleashed/types';
import {
    expectedSignature,
    json,
    pageBody,
    startFakeUnleashed,
    type FakeUnleashed,
    type Handler
} from './fake-unleashed';

const API_ID = '6f1c4b5e-0d5a-4c55-9a54-1d2e3f405060';
const API_KEY = 'sq7Uz7ChGPC2oC2ZCiFFIAvXix7rTjWBzSPKY7w69uPJoOmvIbZCiUAuB6pbAeGqkpym9347ALqShWX8j2CFkQ==';

const Product = z.looseObject({ ProductCode: z.string(), ProductDescription: z.string().nullish() });

const open: FakeUnleashed[] = [];
afterEach(async () => {
    await Promise.all(open.splice(0).map((f) => f.close()));
});

async function setup(handler: Handler, overrides: Partial<UnleashedClientOptions> = {}) {
    const fake = await startFakeUnleashed(API_KEY, handler);
    open.push(fake);
    const calls: number[] = [];
    const client = createUnleashedClient({
        baseUrl: `${fake.url}/`,
        credentials: { apiId: API_ID, apiKey: API_KEY },
        clientType: 'unleashedconnector/salesforce',
        queryEncoding: 'minimal',
        timeoutMs: 2000,
        maxRetries: 3,
        retryBaseMs: 1,
        counter: { record: (n) => void calls.push(n) },
        ...overrides
    });
    return { client, fake, calls: () => calls.reduce((a, b) => a + b, 0) };
}

async function failure(p: Promise<unknown>): Promise<UnleashedError> {
    try {
        await p;
    } catch (e) {
        expect(e).toBeInstanceOf(UnleashedError);
        return e as UnleashedError;
    }
    throw new Error('expected the call to fail');
}

/** Every text an error exposes, to prove no secret is in any of them. */
function exposed(e: UnleashedError): string {
    return [e.message, e.describe(), String(e), JSON.stringify(e), e.stack ?? ''].join('\n');
}

describe('requests', () => {
    it('sends the required headers and a signature of exactly the query bytes sent', async () => {
        const { client, fake } = await setup((_req, res) => json(res, 200, { ProductCode: 'A1' }));
        const body = await client.get(
            '/Products/abc',
            {
                modifiedSince: '2024-03-05T14:07:09',
                customerName: 'Caf\u00e9 & Co',
                ids: ['g1', 'g2'],
                none: null
            },
            Product
        );
        expect(body).toEqual({ ProductCode: 'A1' });
        const [req] = fake.requests;
        expect(req!.rawUrl).toBe(
            '/Products/abc?modifiedSince=2024-03-05T14:07:09&customerName=Caf%C3%A9%20%26%20Co&ids=g1,g2'
        );
        expect(req!.method).toBe('GET');
        expect(req!.headers.accept).toBe('application/json');
        expect(req!.headers['content-type']).toBe('application/json');
        expect(req!.headers['api-auth-id']).toBe(API_ID);
        expect(req!.headers['client-type']).toBe('unleashedconnector/salesforce');
        expect(req!.headers['api-auth-signature']).toBe(expectedSignature(API_KEY, req!.rawQuery));
        expect(req!.signatureOk).toBe(true);
    });

    it('rfc3986 sends and signs the escaped form', async () => {
        const { client, fake } = await setup((_req, res) => json(res, 200, {}), { queryEncoding: 'rfc3986' });
        await client.get('Customers', { modifiedSince: '2024-03-05T14:07:09', customerCode: 'A B' });
        expect(fake.requests[0]!.rawUrl).toBe(
            '/Customers?modifiedSince=2024-03-05T14%3A07%3A09&customerCode=A%20B'
        );
        expect(fake.requests[0]!.signatureOk).toBe(true);
    });

    it('signs the empty query when there is none, and posts Decimals as exact JSON numbers', async () => {
        const { client, fake } = await setup((req, res) =>
            json(res, 201, { Guid: req.path.split('/')[2], OrderStatus: 'Parked' })
        );
        const created = await client.post(
            '/SalesOrders/0b0c8f5e-1111-4222-8333-944445555666',
            {
                SubTotal: parseDecimal('68.64', 'SubTotal'),
                TaxRate: parseDecimal('0.15', 'TaxRate'),
                Big: parseDecimal('12193263111.2635269', 'x'),
                Lines: [{ UnitPrice: parseDecimal('0.1', 'p') }]
            },
            z.looseObject({ Guid: z.string(), OrderStatus: z.string() })
        );
        expect(created).toEqual({ Guid: '0b0c8f5e-1111-4222-8333-944445555666', OrderStatus: 'Parked' });
        const req = fake.requests[0]!;
        expect(req.rawUrl).toBe('/SalesOrders/0b0c8f5e-1111-4222-8333-944445555666');
        expect(req.headers['api-auth-signature']).toBe(expectedSignature(API_KEY, ''));
        expect(req.body).toBe(
            '{"SubTotal":68.64,"TaxRate":0.15,"Big":12193263111.2635269,"Lines":[{"UnitPrice":0.1}]}'
        );
    });

    it('puts and deletes', async () => {
        const { client, fake } = await setup((req, res) => {
            if (req.method === 'DELETE') {
                res.writeHead(204).end();
            } else {
                json(res, 200, { ok: true });
            }
        });
        await expect(client.put('/SalesOrders/g', { Comments: 'x' })).resolves.toEqual({ ok: true });
        await expect(client.del('/SalesOrders/g')).resolves.toBeUndefined();
        expect(fake.requests.map((r) => `${r.method} ${r.rawUrl} ${r.body}`)).toEqual([
            'PUT /SalesOrders/g {"Comments":"x"}',
            'DELETE /SalesOrders/g '
        ]);
    });

    it('refuses a query string inside the path, since it would not be signed as given', async () => {
        const { client } = await setup((_req, res) => json(res, 200, {}));
        await expect(client.get('/Products?productCode=A')).rejects.toThrow(
            /pass query parameters separately/
        );
    });

    it('does not follow redirects, so the signature never leaves for another host', async () => {
        const other = await startFakeUnleashed(API_KEY, (_req, res) => json(res, 200, {}));
        try {
            const { client } = await setup((_req, res) => {
                res.writeHead(302, { Location: `${other.url}/Products` }).end();
            });
            const e = await failure(client.get('/Products'));
            expect(e.status).toBe(302);
            expect(e.retryable).toBe(false);
            expect(other.requests).toHaveLength(0);
        } finally {
            await other.close();
        }
    });
});

describe('pagination', () => {
    const codes = ['P1', 'P2', 'P3', 'P4', 'P5'];
    const paged: Handler = (req, res) => {
        const page = Number(req.path.split('/')[2]);
        const size = Number(req.query.get('pageSize'));
        json(
            res,
            200,
            pageBody(
                codes.slice((page - 1) * size, page * size).map((c) => ({ ProductCode: c })),
                page,
                size,
                codes.length
            )
        );
    };

    it('walks every page with the page in the path and pageSize in the signed query', async () => {
        const { client, fake, calls } = await setup(paged);
        const items = await client.all('Products', { includeObsolete: false }, Product, { pageSize: 2 });
        expect(items.map((i) => i.ProductCode)).toEqual(codes);
        expect(fake.requests.map((r) => r.rawUrl)).toEqual([
            '/Products/1?includeObsolete=false&pageSize=2',
            '/Products/2?includeObsolete=false&pageSize=2',
            '/Products/3?includeObsolete=false&pageSize=2'
        ]);
        expect(fake.requests.every((r) => r.signatureOk)).toBe(true);
        expect(calls()).toBe(3);
    });

    it('yields the pages with their pagination, default pageSize 1000', async () => {
        const { client, fake } = await setup(paged);
        const seen = [];
        for await (const p of client.pages('Products', {}, Product)) seen.push(p);
        expect(seen).toHaveLength(1);
        expect(seen[0]!.pagination).toEqual({
            NumberOfItems: 5,
            PageSize: 1000,
            PageNumber: 1,
            NumberOfPages: 1
        });
        expect(fake.requests[0]!.rawUrl).toBe('/Products/1?pageSize=1000');
    });

    it('ends cleanly on an empty result (PageNumber 0, NumberOfPages 0)', async () => {
        const { client, fake } = await setup((_req, res) => json(res, 200, pageBody([], 1, 200, 0)));
        const seen = [];
        for await (const p of client.pages('Customers', { customerCode: 'ZZZ' }, Product)) seen.push(p);
        expect(seen).toEqual([
            { pagination: { NumberOfItems: 0, PageSize: 200, PageNumber: 0, NumberOfPages: 0 }, items: [] }
        ]);
        expect(await client.all('Customers', {}, Product)).toEqual([]);
        expect(fake.requests).toHaveLength(2);
    });

    it('rejects a pageSize outside 1..1000 before calling', async () => {
        const { client, fake } = await setup(paged);
        await expect(client.all('Products', {}, Product, { pageSize: 1001 })).rejects.toThrow(
            /pageSize must be 1\.\.1000/
        );
        expect(fake.requests).toHaveLength(0);
    });

    it('names the resource and field when an item does not match its schema', async () => {
        const { client, fake } = await setup((_req, res) =>
            json(res, 200, pageBody([{ ProductCode: 'A' }, { ProductDescription: 'no code' }], 1, 1000, 2))
        );
        const e = await failure(client.all('Products', {}, Product));
        expect(e.kind).toBe('invalid-response');
        expect(e.message).toMatch(
            /Products item: Items\[1\]\.ProductCode: expected string, received undefined/
        );
        expect(e.retryable).toBe(false);
        expect(fake.requests).toHaveLength(1);
    });

    it('names the envelope field when the page itself is malformed', async () => {
        const { client } = await setup((_req, res) => json(res, 200, { Items: [] }));
        const e = await failure(client.getPage('Products', 1, {}, Product));
        expect(e.message).toMatch(/Products page 1: Pagination: expected object/);
        const notJson = await setup((_req, res) => {
            res.writeHead(200, { 'Content-Type': 'text/html' }).end('<html>maintenance</html>');
        });
        const e2 = await failure(notJson.client.getPage('Products', 1, {}, Product));
        expect(e2.message).toMatch(/not JSON: <html>maintenance<\/html>/);
    });
});

describe('response schemas', () => {
    it('a single record that does not match names the resource and the field', async () => {
        const { client } = await setup((_req, res) =>
            json(res, 200, { Guid: 'g', SalesOrderLines: [{ LineNumber: 1, UnitPrice: 'twenty' }] })
        );
        const e = await failure(client.get('/SalesOrders/g', undefined, SalesOrderSchema));
        expect(e.kind).toBe('invalid-response');
        expect(e.status).toBe(200);
        expect(e.message).toBe(
            'Unleashed returned an unexpected SalesOrders: SalesOrderLines[0].UnitPrice: expected number, received string'
        );
    });

    it('pages are typed by the item schema and keep unknown fields', async () => {
        const { client } = await setup((_req, res) =>
            json(
                res,
                200,
                pageBody([{ Guid: 'g', ProductCode: 'A', DefaultSellPrice: 22.88, Extra: 1 }], 1, 1000, 1)
            )
        );
        const [p] = await client.all('Products', {}, ProductSchema);
        expect(p).toEqual({ Guid: 'g', ProductCode: 'A', DefaultSellPrice: 22.88, Extra: 1 });
    });
});

describe('findByCode', () => {
    it('asks with the prefix filter, then keeps only the exact, case-sensitive match', async () => {
        const all = ['abc', 'ABC-1', 'ABC', 'ABCD'];
        const { client, fake } = await setup((req, res) => {
            // Unleashed-style: a case-insensitive "starts with" filter.
            const prefix = (req.query.get('productCode') ?? '').toLowerCase();
            const items = all
                .filter((c) => c.toLowerCase().startsWith(prefix))
                .map((c) => ({ ProductCode: c }));
            json(res, 200, pageBody(items, 1, 1000, items.length));
        });
        const code = (p: z.infer<typeof Product>) => p.ProductCode;
        expect((await client.findByCode('Products', 'productCode', 'ABC', code, Product))?.ProductCode).toBe(
            'ABC'
        );
        expect((await client.findByCode('Products', 'productCode', 'abc', code, Product))?.ProductCode).toBe(
            'abc'
        );
        expect(await client.findByCode('Products', 'productCode', 'AB', code, Product)).toBeNull();
        expect(await client.findByCode('Products', 'productCode', 'ABC-', code, Product)).toBeNull();
        expect(fake.requests[0]!.rawUrl).toBe('/Products/1?productCode=ABC&pageSize=1000');
        expect(fake.requests.every((r) => r.signatureOk)).toBe(true);
    });
});

describe('retries', () => {
    it('retries a 503 and succeeds, counting both attempts', async () => {
        const { client, fake, calls } = await setup((_req, res, i) =>
            i === 0 ? json(res, 503, { Description: 'Service Unavailable' }) : json(res, 200, { ok: 1 })
        );
        await expect(client.get('/Currencies')).resolves.toEqual({ ok: 1 });
        expect(fake.requests).toHaveLength(2);
        expect(calls()).toBe(2);
    });

    it('gives up after maxRetries and reports the last status; every attempt counted', async () => {
        const { client, fake, calls } = await setup(
            (_req, res) => json(res, 500, { Description: 'could not be parsed' }),
            {
                maxRetries: 2
            }
        );
        const e = await failure(client.get('/Customers'));
        expect(e.status).toBe(500);
        expect(e.retryable).toBe(true);
        expect(e.attempts).toBe(3);
        expect(e.message).toBe('could not be parsed');
        expect(e.describe()).toBe('Unleashed GET /Customers failed (500, 3 attempts): could not be parsed');
        expect(fake.requests).toHaveLength(3);
        expect(calls()).toBe(3);
    });

    it.each([400, 401, 403, 404, 405])('never retries %i', async (status) => {
        const { client, fake, calls } = await setup((_req, res) =>
            json(res, status, { Description: `status ${status}` })
        );
        const e = await failure(client.get('/Products/x'));
        expect(e.status).toBe(status);
        expect(e.retryable).toBe(false);
        expect(e.attempts).toBe(1);
        expect(fake.requests).toHaveLength(1);
        expect(calls()).toBe(1);
    });

    it('honours Retry-After in seconds', async () => {
        const { client, fake } = await setup((_req, res, i) =>
            i === 0
                ? json(res, 429, { Description: 'slow down' }, { 'Retry-After': '1' })
                : json(res, 200, {})
        );
        const t0 = Date.now();
        await client.get('/Products/1');
        expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
        expect(fake.requests).toHaveLength(2);
    });

    it('honours Retry-After as an HTTP date', async () => {
        let retryAt = 0;
        const { client } = await setup((_req, res, i) => {
            if (i > 0) return json(res, 200, {});
            retryAt = Math.ceil((Date.now() + 1000) / 1000) * 1000; // a whole second, as HTTP dates are
            json(res, 503, {}, { 'Retry-After': new Date(retryAt).toUTCString() });
        });
        await client.get('/Products/1');
        expect(Date.now()).toBeGreaterThanOrEqual(retryAt - 50);
    });

    it('caps a long Retry-After at retryMaxDelayMs', async () => {
        const { client } = await setup(
            (_req, res, i) => (i === 0 ? json(res, 429, {}, { 'Retry-After': '3600' }) : json(res, 200, {})),
            { retryMaxDelayMs: 300 }
        );
        const t0 = Date.now();
        await client.get('/Products/1');
        const elapsed = Date.now() - t0;
        expect(elapsed).toBeGreaterThanOrEqual(280);
        expect(elapsed).toBeLessThan(3000);
    });

    it('backs off exponentially with full jitter', async () => {
        const fail2: Handler = (_req, res, i) => (i < 2 ? json(res, 503, {}) : json(res, 200, {}));
        // random 0.5, base 100: waits 50 then 100 ms.
        const a = await setup(fail2, { retryBaseMs: 100, random: () => 0.5 });
        let t0 = Date.now();
        await a.client.get('/Products/1');
        expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
        await a.fake.close();
        // random 0: a huge base still retries at once, so the jitter really scales the wait.
        const b = await setup(fail2, { retryBaseMs: 60_000, random: () => 0 });
        t0 = Date.now();
        await b.client.get('/Products/1');
        expect(Date.now() - t0).toBeLessThan(1000);
    });

    it('retries a dropped connection', async () => {
        const { client, fake, calls } = await setup((req, res, i) => {
            if (i === 0) {
                res.socket?.destroy();
                return;
            }
            json(res, 200, { ok: true });
        });
        await expect(client.get('/Warehouses')).resolves.toEqual({ ok: true });
        expect(fake.requests).toHaveLength(2);
        expect(calls()).toBe(2);
    });

    it('times out, retries, then fails with status 0', async () => {
        const { client, fake, calls } = await setup(() => undefined /* never answers */, {
            timeoutMs: 150,
            maxRetries: 2
        });
        const t0 = Date.now();
        const e = await failure(client.get('/StockOnHand'));
        expect(Date.now() - t0).toBeGreaterThanOrEqual(3 * 140);
        expect(e.status).toBe(0);
        expect(e.kind).toBe('timeout');
        expect(e.retryable).toBe(true);
        expect(e.attempts).toBe(3);
        expect(e.message).toBe('no answer within 150 ms');
        expect(fake.requests).toHaveLength(3);
        expect(calls()).toBe(3);
    });

    it('fails with status 0 when nothing listens', async () => {
        const { client, fake, calls } = await setup(() => undefined, { maxRetries: 1 });
        await fake.close();
        const e = await failure(client.get('/Products/1'));
        expect(e.status).toBe(0);
        expect(e.kind).toBe('network');
        expect(e.message).toMatch(/^network error: ECONNREFUSED/);
        expect(calls()).toBe(2);
    });

    it('waits for an asynchronous counter before each attempt', async () => {
        const order: string[] = [];
        const { client } = await setup(
            (_req, res, i) => {
                order.push(`http ${i}`);
                if (i === 0) json(res, 502, {});
                else json(res, 200, {});
            },
            {
                counter: {
                    record: async (n) => {
                        await new Promise((r) => setTimeout(r, 5));
                        order.push(`count ${n}`);
                    }
                }
            }
        );
        await client.get('/Products/1');
        expect(order).toEqual(['count 1', 'http 0', 'count 1', 'http 1']);
    });
});

describe('error texts', () => {
    it.each([
        [{ Description: 'Customer code is required', DebugInformation: 'x' }, 'Customer code is required'],
        [
            { Items: [{ Description: 'LineTotal mismatch' }, { Description: 'TaxTotal mismatch' }] },
            'LineTotal mismatch; TaxTotal mismatch'
        ],
        [[{ Description: 'first' }, { Description: 'second' }], 'first; second'],
        [
            { Message: 'The requested resource does not support http method' },
            'The requested resource does not support http method'
        ],
        ['Just a string', 'Just a string']
    ])('reads %j', async (body, text) => {
        const { client } = await setup((_req, res) => json(res, 400, body));
        expect((await failure(client.get('/SalesOrders'))).message).toBe(text);
    });

    it('relays a raw text body, truncated', async () => {
        const { client } = await setup((_req, res) => {
            res.writeHead(400, { 'Content-Type': 'text/plain' }).end(`Bad thing ${'x'.repeat(2000)}`);
        });
        const e = await failure(client.get('/SalesOrders'));
        expect(e.message.startsWith('Bad thing xxx')).toBe(true);
        expect(e.message).toMatch(/\.\.\. \(2010 characters\)$/);
        expect(e.message.length).toBeLessThan(600);
    });

    it('uses the status line when the body is empty', async () => {
        const { client } = await setup((_req, res) => {
            res.writeHead(404).end();
        });
        const e = await failure(client.get('/SalesOrders/nope'));
        expect(e.message).toBe('HTTP 404 Not Found');
        expect(e.path).toBe('/SalesOrders/nope');
        expect(e.method).toBe('GET');
    });

    it('never exposes the API key or the signature, even when the server echoes them', async () => {
        const { client, fake } = await setup((req, res) =>
            json(res, 400, {
                Description: `bad ${String(req.headers['api-auth-signature'])} for key ${API_KEY}`
            })
        );
        const e = await failure(client.get('/Products', { productCode: 'A' }));
        const signature = String(fake.requests[0]!.headers['api-auth-signature']);
        expect(e.message).toBe('bad [redacted] for key [redacted]');
        expect(exposed(e)).not.toContain(signature);
        expect(exposed(e)).not.toContain(API_KEY);
    });

    it('scrubs secrets from a malformed success body too', async () => {
        const { client } = await setup((req, res) => {
            res.writeHead(200).end(`<p>${String(req.headers['api-auth-signature'])} ${API_KEY}</p>`);
        });
        const e = await failure(client.get('/Products'));
        expect(e.message).toBe(
            'Unleashed answered Products with a body that is not JSON: <p>[redacted] [redacted]</p>'
        );
    });

    it('a wrong key is a 403 that is not retried', async () => {
        const { fake } = await setup((_req, res) => json(res, 200, {}));
        const wrong = createUnleashedClient({
            baseUrl: fake.url,
            credentials: { apiId: API_ID, apiKey: 'not-the-key' },
            clientType: 'unleashedconnector/salesforce',
            queryEncoding: 'minimal',
            timeoutMs: 2000,
            maxRetries: 3,
            retryBaseMs: 1
        });
        const e = await failure(wrong.get('/Products', { productCode: 'A' }));
        expect(e.status).toBe(403);
        expect(e.message).toBe('Forbidden');
        expect(fake.requests).toHaveLength(1);
        expect(exposed(e)).not.toContain('not-the-key');
    });
});

describe('unleashedClientOptions', () => {
    it('takes every setting from the configuration', () => {
        const counter = { record: () => undefined };
        const cfg = testConfig({
            UNLEASHED_QUERY_ENCODING: 'rfc3986',
            UNLEASHED_TIMEOUT_MS: '1234',
            UNLEASHED_MAX_RETRIES: '2'
        });
        expect(unleashedClientOptions(cfg, { apiId: 'id', apiKey: 'key' }, counter)).toEqual({
            baseUrl: 'https://api.unleashedsoftware.com',
            credentials: { apiId: 'id', apiKey: 'key' },
            clientType: 'unleashedconnector/salesforce',
            queryEncoding: 'rfc3986',
            timeoutMs: 1234,
            maxRetries: 2,
            counter
        });
    });
});
