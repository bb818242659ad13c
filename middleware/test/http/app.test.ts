import { Writable } from 'node:stream';
import { buildApp } from '../../src/app';
import { ConfigError, loadConfig, testConfig } from '../../src/config';
import { HttpProblem } from '../../src/http/problem';
import pino from 'pino';
import { loggerOptions } from '../../src/logger';

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

    it('reports not ready with the failing dependency', async () => {
        const app = await buildApp(testConfig(), {
            readinessChecks: [
                { name: 'store', check: async () => Promise.reject(new Error('connection refused')) }
            ]
        });
        const res = await app.inject({ url: '/readyz' });
        expect(res.statusCode).toBe(503);
        expect(res.json().checks.store).toBe('connection refused');
        await app.close();
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
