import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../../src/app';
import { testConfig, type AppConfig } from '../../../src/config';
import { signRequest } from '../../../src/http/auth';
import {
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    startSalesforceSim,
    type SalesforceSim
} from '../../../src/sandbox/salesforce-sim';
import { DEMO_API_ID, DEMO_API_KEY, startUnleashedSim } from '../../../src/sandbox/unleashed-sim';
import type { UnleashedSim } from '../../../src/sandbox/unleashed-sim/types';
import { createServices, type Services } from '../../../src/services';
import { openStore } from '../../../src/store';
import { createUnleashedClient } from '../../../src/unleashed/client';
import type { UnleashedClient } from '../../../src/unleashed/types';

/** Parsed JSON of a reply: tests index into it freely. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

/**
 * The whole back-sync over real HTTP: the middleware listening on loopback (so the Unleashed
 * simulator can deliver webhooks to it), the Unleashed simulator, and the Salesforce simulator
 * reached through jsforce with the tenant's stored instance URL and refresh token.
 */
export interface Harness {
    url: string;
    app: FastifyInstance;
    services: Services;
    config: AppConfig;
    usim: UnleashedSim;
    sfsim: SalesforceSim;
    orgId: string;
    /** Acts in Unleashed as a user would (its calls count on the simulator, not on the tenant). */
    unleashed: UnleashedClient;
    /** A signed call from the org, over HTTP. */
    call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: Json }>;
    /** Sends an Opportunity's order through the middleware; answers the send result. */
    send(opportunityId: string, over?: Record<string, unknown>): Promise<Json>;
    /** A new Opportunity in the Salesforce simulator. */
    opportunity(name: string): string;
    /** order.status events Salesforce received, in order (one array per call). */
    eventCalls(): Record<string, unknown>[][];
    /** Waits for the Unleashed simulator's deliveries and our processing of them. */
    settle(): Promise<void>;
    close(): Promise<void>;
}

export async function startHarness(
    opts: { config?: Partial<Record<keyof AppConfig, string>>; publicUrl?: boolean } = {}
): Promise<Harness> {
    const usim = await startUnleashedSim({ seed: 'demo' });
    const sfsim = await startSalesforceSim({ seed: 'demo' });
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const config = testConfig({
        UNLEASHED_BASE_URL: usim.url,
        UNLEASHED_TIMEOUT_MS: '2000',
        UNLEASHED_MAX_RETRIES: '2',
        STOCK_CACHE_SECONDS: '0',
        RATE_LIMIT_PER_MINUTE: '100000',
        SALESFORCE_LOGIN_URL: sfsim.url,
        SALESFORCE_CLIENT_ID: DEMO_CLIENT_ID,
        SALESFORCE_CLIENT_SECRET: DEMO_CLIENT_SECRET,
        ...(opts.publicUrl === false ? {} : { PUBLIC_URL: url }),
        ...opts.config
    });
    const store = await openStore({
        dataDir: 'memory://',
        masterKey: Buffer.from(config.MASTER_KEY, 'base64')
    });
    const services = await createServices(config, {
        store,
        clientOverrides: { retryBaseMs: 5 },
        statusOverrides: { webhookNotFoundDelayMs: 25 }
    });
    const app = await buildApp(config, { services });
    await app.ready();
    server.on('request', (req, res) => app.routing(req, res));

    const orgId = sfsim.orgId;
    const secret = Buffer.alloc(32, 9);
    await store.tenants.upsert({
        orgId,
        tenantSecret: secret,
        instanceUrl: sfsim.url,
        unleashed: { apiId: DEMO_API_ID, apiKey: DEMO_API_KEY },
        salesforce: { refreshToken: sfsim.issueRefreshToken() }
    });
    const unleashed = createUnleashedClient({
        baseUrl: usim.url,
        credentials: { apiId: DEMO_API_ID, apiKey: DEMO_API_KEY },
        clientType: 'test/unleashed-user',
        queryEncoding: 'sign-decoded',
        timeoutMs: 2000,
        maxRetries: 0
    });

    const call: Harness['call'] = async (method, path, body) => {
        const payload = body === undefined ? undefined : JSON.stringify(body);
        const headers: Record<string, string> = signRequest({
            orgId,
            secret,
            method,
            pathWithQuery: path,
            body: payload
        });
        if (payload !== undefined) headers['content-type'] = 'application/json';
        const res = await fetch(url + path, { method, headers, body: payload });
        const text = await res.text();
        return { status: res.status, body: text ? JSON.parse(text) : undefined };
    };

    return {
        url,
        app,
        services,
        config,
        usim,
        sfsim,
        orgId,
        unleashed,
        call,
        async send(opportunityId, over = {}) {
            const res = await call('POST', '/v1/sales-orders', {
                opportunityId,
                currencyIsoCode: 'NZD',
                account: { id: '0015g00000ACME1AAA', name: 'Acme Ltd', customerCode: 'ACME' },
                warehouseCode: 'MAIN',
                taxCode: 'G.S.T.',
                requiredDate: '2026-12-01',
                lines: [
                    { lineId: '00k5g000001AAA1', productCode: 'WIDGET-BLUE', quantity: 3, unitPrice: 19.99 }
                ],
                ...over
            });
            if (res.status >= 300) throw new Error(`send failed: ${res.status} ${JSON.stringify(res.body)}`);
            return res.body;
        },
        opportunity(name) {
            return sfsim.org.insertRaw('Opportunity', {
                Name: name,
                StageName: 'Proposal',
                CloseDate: '2026-12-01',
                CurrencyIsoCode: 'NZD'
            });
        },
        eventCalls() {
            return sfsim.apexRestCalls
                .filter((c) => /\/events$/.test(c.path))
                .map((c) => (c.body as { events: Record<string, unknown>[] }).events ?? []);
        },
        async settle() {
            await usim.webhooks.idle();
            await services.statusSync.webhooks.idle();
        },
        async close() {
            await services.statusSync.close();
            await app.close();
            await new Promise<void>((resolve) => {
                server.closeAllConnections();
                server.close(() => resolve());
            });
            await store.close();
            await usim.close();
            await sfsim.close();
        }
    };
}
