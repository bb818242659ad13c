import { Decimal } from 'decimal.js';
import {
    DEMO_API_ID,
    DEMO_API_KEY,
    startUnleashedSim,
    type UnleashedSim
} from '../../src/sandbox/unleashed-sim';
import { stockAnswerSchema } from '../../src/sync/stock';
import { startStack, type Stack } from '../support/stack';

/**
 * The stock cache over the real stack: answers are reused for STOCK_CACHE_SECONDS per tenant and
 * query, say how old they are, and are never shared between tenants, even tenants reading the
 * same Unleashed account with different API credentials.
 */

const CACHE_SECONDS = 3;
const OTHER = {
    apiId: '0f6a2d4e-8b1c-4e5f-9a7d-3c2b1e0f9d8c',
    apiKey: 'b3RoZXItdGVuYW50LWtleS1mb3ItdGVzdHM='
};
const ORG_B = '00D5g000004BBBBEA2';
const ORG_C = '00D5g000004CCCCEA3';

let sim: UnleashedSim;
let stack: Stack;
// Starting the stack opens an embedded database: slow on a busy machine.
jest.setTimeout(60_000);

beforeAll(async () => {
    sim = await startUnleashedSim({
        seed: 'demo',
        credentials: [{ apiId: DEMO_API_ID, apiKey: DEMO_API_KEY }, OTHER]
    });
    stack = await startStack({
        config: { STOCK_CACHE_SECONDS: String(CACHE_SECONDS), UNLEASHED_BASE_URL: sim.url }
    });
    await stack.addTenant(ORG_B, OTHER);
    await stack.addTenant(ORG_C, { apiId: OTHER.apiId, apiKey: 'not-the-key' });
});
afterAll(async () => {
    await stack.close();
    await sim.close();
});
beforeEach(() => {
    sim.reset('demo');
    for (const org of [stack.orgId, ORG_B, ORG_C]) stack.services.forget(org);
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Answer {
    asOf: string;
    ageSeconds: number;
    products: { productCode: string; warehouses: { warehouseCode: string; onHand: string }[] }[];
}

async function stock(query: string, orgId = stack.orgId): Promise<{ status: number; body: Answer }> {
    const res = await stack.call('GET', `/v1/stock?${query}`, undefined, orgId);
    return { status: res.statusCode, body: res.json() };
}

function onHand(a: Answer, code: string, warehouse: string): string | undefined {
    return a.products
        .find((p) => p.productCode === code)
        ?.warehouses.find((w) => w.warehouseCode === warehouse)?.onHand;
}

/** Puts `n` more on hand in MAIN directly in the simulator (a goods receipt Unleashed-side). */
function receive(code: string, n: number): string {
    const p = sim.state.products.indexOfCode(code);
    sim.state.stock.adjust(p, 0, { onHand: new Decimal(n) }, Date.now());
    return sim.state.stock.cell(p, 0)!.onHand.toString();
}

describe('stock cache', () => {
    it('reuses an answer within STOCK_CACHE_SECONDS without calling Unleashed, and says how old it is', async () => {
        const q = 'productCodes=WIDGET-BLUE,BOLT-M6';
        const first = await stock(q);
        expect(first.status).toBe(200);
        expect(first.body.ageSeconds).toBe(0);
        const cost = sim.callCount();
        expect(cost).toBeGreaterThan(0);
        const before = onHand(first.body, 'WIDGET-BLUE', 'MAIN');
        const now = receive('WIDGET-BLUE', 7);

        await sleep(1200);
        const second = await stock(q);
        expect(sim.callCount()).toBe(cost);
        expect(second.body.asOf).toBe(first.body.asOf);
        expect(second.body.ageSeconds).toBe(1);
        expect(onHand(second.body, 'WIDGET-BLUE', 'MAIN')).toBe(before);

        await sleep(CACHE_SECONDS * 1000 - 1000);
        const third = await stock(q);
        // Expired: read again; warehouses and product GUIDs stay cached, so one call per product
        // (two products in three warehouses: per product is fewer calls than per warehouse).
        expect(sim.callCount() - cost).toBe(2);
        expect(third.body.ageSeconds).toBe(0);
        expect(Date.parse(third.body.asOf)).toBeGreaterThan(Date.parse(first.body.asOf));
        expect(onHand(third.body, 'WIDGET-BLUE', 'MAIN')).toBe(now);
    }, 15_000);

    it('serves the same question asked in another order or with duplicates from the cache, in the order asked', async () => {
        const first = await stock('productCodes=WIDGET-BLUE,BOLT-M6,CABLE-1M');
        const cost = sim.callCount();
        const again = await stock('productCodes=CABLE-1M,BOLT-M6,WIDGET-BLUE,BOLT-M6');
        expect(sim.callCount()).toBe(cost);
        expect(again.body.products.map((p) => p.productCode)).toEqual(['CABLE-1M', 'BOLT-M6', 'WIDGET-BLUE']);
        expect(again.body.products[0]).toEqual(first.body.products[2]);
        expect(again.body.asOf).toBe(first.body.asOf);
    });

    it('writes a cached answer as the response schema would, unknown codes included', async () => {
        const q = 'productCodes=WIDGET-BLUE,NO-SUCH-CODE,BOLT-M6';
        for (let i = 0; i < 2; i++) {
            const res = await stack.call('GET', `/v1/stock?${q}`);
            expect(res.statusCode).toBe(200);
            expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
            // Same keys, same order, nothing more: what the schema serializer writes for this answer.
            expect(res.body).toBe(JSON.stringify(stockAnswerSchema.parse(res.json())));
            expect(res.json().products.map((p: { known: boolean }) => p.known)).toEqual([true, false, true]);
        }
    });

    it('keeps separate answers for other warehouses or includeObsolete', async () => {
        await stock('productCodes=WIDGET-BLUE');
        let cost = sim.callCount();
        await stock('productCodes=WIDGET-BLUE&warehouseCodes=MAIN');
        expect(sim.callCount() - cost).toBe(1);
        cost = sim.callCount();
        await stock('productCodes=WIDGET-BLUE&includeObsolete=true');
        // One product: its stock in every warehouse in one call.
        expect(sim.callCount() - cost).toBe(1);
        cost = sim.callCount();
        await stock('productCodes=WIDGET-BLUE&warehouseCodes=MAIN');
        expect(sim.callCount()).toBe(cost);
    });
});

describe('tenant isolation', () => {
    it('never answers one tenant from another tenant cache', async () => {
        const q = 'productCodes=WIDGET-BLUE';
        const a1 = await stock(q);
        const before = onHand(a1.body, 'WIDGET-BLUE', 'MAIN');
        const now = receive('WIDGET-BLUE', 5);

        // B reads the same account with its own credentials: its own calls, fresh figures.
        const b = await stock(q, ORG_B);
        expect(b.status).toBe(200);
        expect(sim.callCount(OTHER.apiId)).toBe(1 + 1 + 1);
        expect(onHand(b.body, 'WIDGET-BLUE', 'MAIN')).toBe(now);

        // A still has its own (older) answer, and made no call for it.
        const demoCalls = sim.callCount(DEMO_API_ID);
        const a2 = await stock(q);
        expect(sim.callCount(DEMO_API_ID)).toBe(demoCalls);
        expect(onHand(a2.body, 'WIDGET-BLUE', 'MAIN')).toBe(before);

        // C's key is wrong: Unleashed refuses it, whatever A and B have cached.
        const c = await stock(q, ORG_C);
        expect(c.status).toBe(502);
        expect(c.body).toMatchObject({ unleashedStatus: 403 });
        expect(JSON.stringify(c.body)).not.toContain('WIDGET-BLUE');
    });

    it('forgetting one tenant leaves the others cached', async () => {
        const q = 'productCodes=WIDGET-RED';
        await stock(q);
        await stock(q, ORG_B);
        stack.services.forget(stack.orgId);
        const [demo, other] = [sim.callCount(DEMO_API_ID), sim.callCount(OTHER.apiId)];
        await stock(q);
        await stock(q, ORG_B);
        // A reads everything again (warehouses, product, stock); B nothing.
        expect(sim.callCount(DEMO_API_ID) - demo).toBe(1 + 1 + 1);
        expect(sim.callCount(OTHER.apiId)).toBe(other);
    });

    it('counts each tenant calls on its own quota', async () => {
        const read = (org: string) => stack.services.store.quota.read(org, 125000).then((r) => r.used);
        const [a0, b0] = [await read(stack.orgId), await read(ORG_B)];
        await stock('productCodes=WIDGET-BLUE,GIZMO-A');
        await stock('productCodes=GIZMO-A', ORG_B);
        expect((await read(stack.orgId)) - a0).toBe(sim.callCount(DEMO_API_ID));
        expect((await read(ORG_B)) - b0).toBe(sim.callCount(OTHER.apiId));
        expect(sim.callCount(OTHER.apiId)).toBe(1 + 1 + 1);
    });
});
