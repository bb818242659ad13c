import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app';
import { testConfig } from '../../src/config';
import { signRequest } from '../../src/http/auth';
import { DEMO_API_ID, DEMO_API_KEY, startUnleashedSim } from '../../src/sandbox/unleashed-sim';
import type { UnleashedSim } from '../../src/sandbox/unleashed-sim/types';
import { createServices, type Services } from '../../src/services';
import { openStore, storeConfigFrom, type Store } from '../../src/store';
import { startPostgres, type TestPostgres } from '../support/postgres';

/**
 * Two middleware instances behind one balancer share one PostgreSQL store: a tenant's request budget
 * and its Unleashed quota meter are the tenant's, not each instance's.
 */

jest.setTimeout(120_000);

const ORG = '00D5g000004LIMITA1';
const SECRET = Buffer.alloc(32, 9);
const PER_MINUTE = 6;

let pg: TestPostgres;
let sim: UnleashedSim;
const instances: { app: FastifyInstance; services: Services; store: Store }[] = [];

beforeAll(async () => {
    pg = await startPostgres();
    sim = await startUnleashedSim({ seed: 'demo' });
    const config = testConfig({
        DATABASE_URL: await pg.createDatabase(),
        UNLEASHED_BASE_URL: sim.url,
        STOCK_CACHE_SECONDS: '0',
        RATE_LIMIT_PER_MINUTE: String(PER_MINUTE)
    });
    for (let i = 0; i < 2; i++) {
        const store = await openStore(storeConfigFrom(config));
        const services = await createServices(config, { store });
        instances.push({ app: await buildApp(config, { services }), services, store });
    }
    await instances[0]!.store.tenants.upsert({
        orgId: ORG,
        tenantSecret: SECRET,
        unleashed: { apiId: DEMO_API_ID, apiKey: DEMO_API_KEY }
    });
});
afterAll(async () => {
    for (const i of instances) {
        await i.app.close();
        await i.store.close();
    }
    await sim?.close();
    await pg?.stop();
});

function call(instance: number, url: string) {
    const headers = signRequest({ orgId: ORG, secret: SECRET, method: 'GET', pathWithQuery: url });
    return instances[instance]!.app.inject({ method: 'GET', url, headers });
}

/** Starts right after a minute boundary of the database clock, so the test stays inside one window. */
async function atWindowStart(): Promise<void> {
    const [row] = await instances[0]!.store.db.query<{ left: number }>(
        'SELECT 60 - mod(extract(epoch FROM now())::numeric, 60)::float8 AS left'
    );
    const left = Number(row!.left);
    if (left < 20) await new Promise((r) => setTimeout(r, left * 1000 + 200));
}

it('gives a tenant its per-minute budget once across two instances, not once per instance', async () => {
    await atWindowStart();
    const answers: number[] = [];
    for (let i = 0; i < PER_MINUTE * 2; i++) {
        answers.push((await call(i % 2, '/v1/stock?productCodes=WIDGET-BLUE')).statusCode);
    }
    expect(answers.slice(0, PER_MINUTE)).toEqual(Array(PER_MINUTE).fill(200));
    expect(answers.slice(PER_MINUTE)).toEqual(Array(PER_MINUTE).fill(429));
    // Refused on both instances, with the wait until the shared window ends.
    const refused = await call(0, '/v1/stock?productCodes=WIDGET-BLUE');
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
});

it('meters Unleashed calls of every instance on the one quota counter of the tenant', async () => {
    const tenant = (await instances[0]!.store.tenants.get(ORG))!;
    const before = sim.callCount();
    for (const i of instances) {
        const client = await i.services.unleashedFor(tenant);
        await client.get('/Warehouses');
    }
    expect(sim.callCount() - before).toBe(2);
    const readings = await Promise.all(instances.map((i) => i.store.quota.read(ORG, 125000)));
    // Both instances read the same meter, and it counted every call the simulator saw.
    expect(readings[0]!.used).toBe(sim.callCount());
    expect(readings[1]!.used).toBe(sim.callCount());
});
