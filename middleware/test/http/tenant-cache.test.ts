import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app';
import { testConfig } from '../../src/config';
import { signRequest } from '../../src/http/auth';
import { createServices } from '../../src/services';
import { openStore, storeOn, type Store, type Tenant } from '../../src/store';

/**
 * The signed-request check keeps each tenant it read for TENANT_CACHE_SECONDS, on each instance.
 * That must not weaken it: this instance's rotation and disconnect count at once, a secret rotated
 * on another instance is good at once, a nonce is still claimed in the store on every request (so a
 * replay is refused on any instance), and an unknown org costs the same store read as a bad signature.
 */

jest.setTimeout(60_000);

const KEY = randomBytes(32);
const ORG = '00D000000000077CCA';
const STRANGER = '00D000000000078DDA';

let one: { app: FastifyInstance; store: Store };
let two: { app: FastifyInstance; store: Store };
let tenant: Tenant;

beforeAll(async () => {
    const config = testConfig({ TENANT_CACHE_SECONDS: '60' });
    const base = await openStore({ dataDir: 'memory://', masterKey: KEY, tenantCacheSeconds: 60 });
    // Two instances on one database, each with its own cache.
    const other = storeOn(base.db, { masterKey: KEY, tenantCacheSeconds: 60 });
    const appOn = async (store: Store) => {
        const app = await buildApp(config, { services: await createServices(config, { store }) });
        app.get('/v1/whoami', async (request) => ({ orgId: request.tenant.orgId }));
        return app;
    };
    one = { app: await appOn(base), store: base };
    two = { app: await appOn(other), store: other };
});
afterAll(async () => {
    await one.app.close();
    await two.app.close();
    await one.store.close();
});
beforeEach(async () => {
    tenant = await one.store.tenants.upsert({ orgId: ORG, tenantSecret: randomBytes(32) });
});

function signed(secret: Buffer = tenant.tenantSecret, orgId = ORG, nonce?: string) {
    const headers = signRequest({ orgId, secret, method: 'GET', pathWithQuery: '/v1/whoami', nonce });
    return { method: 'GET' as const, url: '/v1/whoami', headers };
}

async function status(app: FastifyInstance, req: ReturnType<typeof signed>) {
    const res = await app.inject(req);
    return res.statusCode === 401 ? `401 ${res.json().title}` : String(res.statusCode);
}

it('reads the tenant once for many requests, and still refuses a replay on either instance', async () => {
    const reads = jest.spyOn(one.store.tenants, 'get');
    try {
        for (let i = 0; i < 5; i++) expect(await status(one.app, signed())).toBe('200');
        expect(reads).toHaveBeenCalledTimes(1);
        const req = signed();
        expect(await status(two.app, signed())).toBe('200');
        expect(await status(one.app, req)).toBe('200');
        // Both instances hold the tenant; the nonce is claimed in the store all the same.
        expect(await status(two.app, req)).toBe('401 Replayed nonce');
        expect(await status(one.app, req)).toBe('401 Replayed nonce');
    } finally {
        reads.mockRestore();
    }
});

it("takes this instance's key rotation and disconnect at once", async () => {
    const old = tenant.tenantSecret;
    expect(await status(one.app, signed())).toBe('200');
    const rotated = await one.store.tenants.upsert({ orgId: ORG, tenantSecret: randomBytes(32) });
    expect(await status(one.app, signed(old))).toBe('401 Bad signature');
    expect(await status(one.app, signed(rotated.tenantSecret))).toBe('200');
    await one.store.tenants.delete(ORG);
    expect(await status(one.app, signed(rotated.tenantSecret))).toBe('401 Bad signature');
});

it('accepts a secret rotated on another instance at once, and from then on refuses the old one', async () => {
    const old = tenant.tenantSecret;
    expect(await status(one.app, signed(old))).toBe('200');
    const rotated = await two.store.tenants.upsert({ orgId: ORG, tenantSecret: randomBytes(32) });
    // Instance one still holds the old tenant: a signature it does not match sends it to the store.
    expect(await status(one.app, signed(rotated.tenantSecret))).toBe('200');
    expect(await status(one.app, signed(old))).toBe('401 Bad signature');
});

it('costs one store read for a bad signature and one for an unknown org, so neither tells them apart', async () => {
    expect(await status(one.app, signed())).toBe('200');
    const reads = jest.spyOn(one.store.tenants, 'get');
    try {
        expect(await status(one.app, signed(randomBytes(32)))).toBe('401 Bad signature');
        expect(reads).toHaveBeenCalledTimes(1);
        expect(await status(one.app, signed(randomBytes(32), STRANGER))).toBe('401 Bad signature');
        expect(reads).toHaveBeenCalledTimes(2);
        // An unknown org is not remembered: once connected (on any instance) it is served.
        const joined = await two.store.tenants.upsert({ orgId: STRANGER });
        expect(await status(one.app, signed(joined.tenantSecret, STRANGER))).toBe('200');
    } finally {
        reads.mockRestore();
    }
});
