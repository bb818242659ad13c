import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../src/app';
import { testConfig, type AppConfig } from '../../src/config';
import { signRequest } from '../../src/http/auth';
import { DEMO_API_ID, DEMO_API_KEY, startUnleashedSim } from '../../src/sandbox/unleashed-sim';
import type { UnleashedSim } from '../../src/sandbox/unleashed-sim/types';
import { createServices, type Services } from '../../src/services';
import { openStore, storeConfigFrom } from '../../src/store';

/**
 * The middleware as an org sees it, against the Unleashed simulator: a real app (signed /v1 routes,
 * in-memory store) and a tenant connected to the simulator's demo account. `call` signs like Apex.
 */
export interface Stack {
    app: FastifyInstance;
    sim: UnleashedSim;
    services: Services;
    config: AppConfig;
    orgId: string;
    call(
        method: 'GET' | 'POST' | 'DELETE',
        url: string,
        body?: unknown,
        orgId?: string
    ): Promise<LightMyRequestResponse>;
    addTenant(orgId: string, unleashed?: { apiId: string; apiKey: string } | null): Promise<void>;
    close(): Promise<void>;
}

export const ORG_ID = '00D5g000004ABCDEA1';

export async function startStack(
    opts: { seed?: 'demo' | 'empty'; config?: Partial<Record<keyof AppConfig, string>> } = {}
): Promise<Stack> {
    const sim = await startUnleashedSim({ seed: opts.seed ?? 'demo' });
    const config = testConfig({
        UNLEASHED_BASE_URL: sim.url,
        UNLEASHED_TIMEOUT_MS: '1500',
        UNLEASHED_MAX_RETRIES: '3',
        STOCK_CACHE_SECONDS: '0',
        RATE_LIMIT_PER_MINUTE: '100000',
        ...opts.config
    });
    // In memory, or on the database config.DATABASE_URL names (with the configured pool and timeouts).
    const store = await openStore(
        config.DATABASE_URL
            ? storeConfigFrom(config)
            : { dataDir: 'memory://', masterKey: Buffer.from(config.MASTER_KEY, 'base64') }
    );
    const services = await createServices(config, { store, clientOverrides: { retryBaseMs: 5 } });
    const app = await buildApp(config, { services });
    const secrets = new Map<string, Buffer>();

    const addTenant: Stack['addTenant'] = async (
        orgId,
        unleashed = { apiId: DEMO_API_ID, apiKey: DEMO_API_KEY }
    ) => {
        const secret = Buffer.alloc(32, orgId.charCodeAt(orgId.length - 1));
        secrets.set(orgId, secret);
        await store.tenants.upsert({ orgId, tenantSecret: secret, unleashed });
    };
    await addTenant(ORG_ID);

    return {
        app,
        sim,
        services,
        config,
        orgId: ORG_ID,
        addTenant,
        async call(method, url, body, orgId = ORG_ID) {
            const payload = body === undefined ? undefined : JSON.stringify(body);
            const headers: Record<string, string> = signRequest({
                orgId,
                secret: secrets.get(orgId) ?? Buffer.alloc(32),
                method,
                pathWithQuery: url,
                body: payload
            });
            if (payload !== undefined) headers['content-type'] = 'application/json';
            return app.inject({ method, url, headers, payload });
        },
        async close() {
            await app.close();
            await store.close();
            await sim.close();
        }
    };
}
