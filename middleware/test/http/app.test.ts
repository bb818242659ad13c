import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { buildApp } from '../../src/app';
import { ConfigError, loadConfig, testConfig } from '../../src/config';
import { HttpProblem } from '../../src/http/problem';
import pino from 'pino';
import { loggerOptions } from '../../src/logger';

// Each app opens an embedded database: generous under a loaded machine.
jest.setTimeout(60_000);

const RANDOM_KEY = 'q5Ez0Vb3XlYtVv4mG2v9Cw1i8Jm6pQy7HsLr0eT2uNk=';

function configError(env: Record<string, string>): string {
    try {
        loadConfig(env);
    } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        return (err as ConfigError).message;
    }
    throw new Error('expected a ConfigError');
}

describe('config', () => {
    it('names a missing MASTER_KEY', () => {
        expect(() => loadConfig({})).toThrow(/MASTER_KEY is required/);
    });
    it('names a malformed variable and says why', () => {
        const env = { MASTER_KEY: 'short', PORT: 'eighty' };
        try {
            loadConfig(env);
            throw new Error('expected a ConfigError');
        } catch (err) {
            expect(err).toBeInstanceOf(ConfigError);
            const msg = (err as ConfigError).message;
            expect(msg).toMatch(/MASTER_KEY must be the base64 text of exactly 32 random bytes/);
            expect(msg).toMatch(/PORT/);
        }
    });
    it('requires the self-hosted org and secret together', () => {
        expect(() => testConfig({ CONNECTOR_ORG_ID: '00D000000000001AAA' })).toThrow(
            /CONNECTOR_ORG_ID and CONNECTOR_TENANT_SECRET must be set together/
        );
    });
    it('refuses placeholder master keys in every mode, and says how to make one', () => {
        const placeholders = {
            'all zeros': Buffer.alloc(32),
            'one repeated byte': Buffer.alloc(32, 7),
            'two alternating bytes': Buffer.from(Array.from({ length: 32 }, (_, i) => (i % 2 ? 0xaa : 0x55))),
            'a counting sequence': Buffer.from(Array.from({ length: 32 }, (_, i) => i)),
            'a typed password': Buffer.from('correct horse battery staple 123')
        };
        for (const [label, key] of Object.entries(placeholders)) {
            expect(key).toHaveLength(32);
            for (const NODE_ENV of ['production', 'development', 'test']) {
                const msg = configError({ NODE_ENV, MASTER_KEY: key.toString('base64') });
                expect([label, msg]).toEqual([
                    label,
                    expect.stringMatching(/MASTER_KEY .*openssl rand -base64 32/)
                ]);
            }
        }
        // Real random keys pass (many of them, so the thresholds are not near what randomness gives).
        for (let i = 0; i < 2000; i++) {
            expect(() => loadConfig({ MASTER_KEY: randomBytes(32).toString('base64') })).not.toThrow();
        }
        // An earlier key being retired is not judged: it has to stay readable until rotation.
        expect(
            loadConfig({
                MASTER_KEY: RANDOM_KEY,
                MASTER_KEYS_PREVIOUS: Buffer.alloc(32, 1).toString('base64')
            }).MASTER_KEYS_PREVIOUS
        ).toHaveLength(1);
    });

    it('refuses plain http to Unleashed or Salesforce in production, except on loopback', () => {
        const prod = { NODE_ENV: 'production', MASTER_KEY: RANDOM_KEY };
        for (const name of ['UNLEASHED_BASE_URL', 'SALESFORCE_LOGIN_URL', 'SALESFORCE_INSTANCE_URL']) {
            expect(configError({ ...prod, [name]: 'http://api.example.com' })).toMatch(
                new RegExp(`${name} must be https in production`)
            );
            for (const loopback of ['http://127.0.0.1:4010', 'http://localhost:4010', 'http://[::1]:4010']) {
                expect(loadConfig({ ...prod, [name]: loopback })[name as 'UNLEASHED_BASE_URL']).toBe(
                    loopback
                );
            }
            expect(loadConfig({ ...prod, [name]: 'https://api.example.com' })).toBeDefined();
            // The demo and tests run in development or test mode against simulators.
            expect(
                loadConfig({ ...prod, NODE_ENV: 'development', [name]: 'http://sim.internal:4010' })
            ).toBeDefined();
        }
        // Production is the default mode.
        expect(configError({ MASTER_KEY: RANDOM_KEY, UNLEASHED_BASE_URL: 'http://10.0.0.5' })).toMatch(
            /UNLEASHED_BASE_URL must be https/
        );
    });

    it('reads TRUST_PROXY as off, a hop count or a list of proxy addresses, never "every hop"', () => {
        const trust = (v: string) => loadConfig({ MASTER_KEY: RANDOM_KEY, TRUST_PROXY: v }).TRUST_PROXY;
        expect(loadConfig({ MASTER_KEY: RANDOM_KEY }).TRUST_PROXY).toBe(false);
        expect(trust('false')).toBe(false);
        expect(trust('0')).toBe(false);
        expect(trust('2')).toBe(2);
        expect(trust('10.0.0.0/8, 192.168.1.7,fd00::/8 ,loopback')).toBe(
            '10.0.0.0/8,192.168.1.7,fd00::/8,loopback'
        );
        expect(configError({ MASTER_KEY: RANDOM_KEY, TRUST_PROXY: 'true' })).toMatch(
            /TRUST_PROXY true would trust every hop/
        );
        expect(configError({ MASTER_KEY: RANDOM_KEY, TRUST_PROXY: '10.0.0.0/33,proxy.local' })).toMatch(
            /TRUST_PROXY .*not understood: 10\.0\.0\.0\/33, proxy\.local/
        );
    });

    it('reads PUBLIC_BASE_PATH as a clean path prefix', () => {
        const base = (v: string) =>
            loadConfig({ MASTER_KEY: RANDOM_KEY, PUBLIC_BASE_PATH: v }).PUBLIC_BASE_PATH;
        expect(loadConfig({ MASTER_KEY: RANDOM_KEY }).PUBLIC_BASE_PATH).toBe('');
        expect(base('/connector/')).toBe('/connector');
        expect(base('/a/b-c_1.2')).toBe('/a/b-c_1.2');
        for (const bad of ['connector', '/a/../b', '/a b', '/a?x=1', '//a']) {
            expect(configError({ MASTER_KEY: RANDOM_KEY, PUBLIC_BASE_PATH: bad })).toMatch(
                /PUBLIC_BASE_PATH/
            );
        }
    });

    it('defaults the request and connection timeouts, and bounds them', () => {
        const cfg = testConfig();
        expect(cfg.REQUEST_TIMEOUT_MS).toBe(30000);
        expect(cfg.CONNECTION_TIMEOUT_MS).toBe(130000);
        expect(cfg.AUTH_FAILURES_PER_IP_PER_MINUTE).toBe(60);
        expect(configError({ MASTER_KEY: RANDOM_KEY, REQUEST_TIMEOUT_MS: '0' })).toMatch(
            /REQUEST_TIMEOUT_MS/
        );
    });

    it('defaults to loopback, the real Unleashed API and PGlite', () => {
        const cfg = testConfig();
        expect(cfg.HOST).toBe('127.0.0.1');
        expect(cfg.UNLEASHED_BASE_URL).toBe('https://api.unleashedsoftware.com');
        expect(cfg.DATABASE_URL).toBeUndefined();
        expect(cfg.SALESFORCE_NAMESPACE).toBe('unleashed');
        expect(testConfig({ SALESFORCE_NAMESPACE: '' }).SALESFORCE_NAMESPACE).toBe('');
    });
});

describe('buildApp', () => {
    it('answers liveness and readiness', async () => {
        const app = await buildApp(testConfig(), {
            readinessChecks: [{ name: 'store', check: async () => undefined }]
        });
        expect((await app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' });
        const ready = await app.inject({ url: '/readyz' });
        expect(ready.statusCode).toBe(200);
        expect(ready.json()).toEqual({ status: 'ready', checks: { store: 'ok' } });
        await app.close();
    });

    it('reports not ready with the failing dependency, its cause only in the log', async () => {
        const lines: string[] = [];
        const logStream = new Writable({
            write(chunk, _enc, cb) {
                lines.push(String(chunk));
                cb();
            }
        });
        const cause = 'connect ECONNREFUSED 10.20.30.40:5432 (user connector_rw)';
        const app = await buildApp(testConfig({ LOG_LEVEL: 'info' }), {
            logStream,
            readinessChecks: [{ name: 'database', check: async () => Promise.reject(new Error(cause)) }]
        });
        const res = await app.inject({ url: '/readyz' });
        expect(res.statusCode).toBe(503);
        expect(res.json()).toEqual({ status: 'not ready', checks: { store: 'ok', database: 'unavailable' } });
        expect(res.body).not.toMatch(/10\.20\.30\.40|5432|connector_rw|ECONNREFUSED/);
        await app.close();
        const logged = lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'readiness check failed');
        expect(logged).toMatchObject({ check: 'database', err: { message: cause } });
    });

    it('serves OpenAPI at /docs/json', async () => {
        const app = await buildApp(testConfig());
        const res = await app.inject({ url: '/docs/json' });
        expect(res.statusCode).toBe(200);
        expect(res.json().paths['/healthz']).toBeDefined();
        await app.close();
    });

    it('answers unknown routes and thrown problems as problem+json without stack traces', async () => {
        const app = await buildApp(testConfig());
        app.get('/boom', async () => {
            throw new Error('secret internals at line 42');
        });
        app.get('/teapot', async () => {
            throw new HttpProblem(409, 'Conflict', 'already sent', { orderNumber: 'SO-1' });
        });
        const nf = await app.inject({ url: '/nope' });
        expect(nf.statusCode).toBe(404);
        expect(nf.headers['content-type']).toMatch(/application\/problem\+json/);
        const boom = await app.inject({ url: '/boom' });
        expect(boom.statusCode).toBe(500);
        expect(boom.body).not.toMatch(/secret internals/);
        const tp = await app.inject({ url: '/teapot' });
        expect(tp.statusCode).toBe(409);
        expect(tp.json()).toMatchObject({ title: 'Conflict', detail: 'already sent', orderNumber: 'SO-1' });
        await app.close();
    });
});

describe('logger', () => {
    it('redacts secrets at any level', () => {
        const lines: string[] = [];
        const sink = new Writable({
            write(chunk, _enc, cb) {
                lines.push(String(chunk));
                cb();
            }
        });
        const log = pino(loggerOptions('info'), sink);
        log.info({ tenant: { apiKey: 'k3y-value', refreshToken: 'rt-value' }, secret: 's3cret' }, 'hello');
        const out = lines.join('');
        expect(out).toMatch(/hello/);
        expect(out).not.toMatch(/k3y-value|rt-value|s3cret/);
        expect(out).toMatch(/\[redacted\]/);
    });
});
