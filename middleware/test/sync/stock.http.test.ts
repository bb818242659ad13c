import { Decimal } from 'decimal.js';
import type { UnleashedSim } from '../../src/sandbox/unleashed-sim';
import { startStack, type Stack } from '../support/stack';

/**
 * Live stock (GET /v1/stock) end to end: signed route -> StockService -> real client -> the Unleashed
 * simulator. Expected figures are read from the simulator's own state, never typed in.
 */

let stack: Stack;
// Starting the stack opens an embedded database: slow on a busy machine.
jest.setTimeout(60_000);

beforeAll(async () => {
    stack = await startStack();
});
afterAll(() => stack.close());
beforeEach(async () => {
    await settle(stack.sim);
    stack.sim.reset('demo');
    stack.sim.setSettings({ monthlyQuota: null });
    stack.sim.setFaults({ latencyMs: 0, failRate5xx: 0, burst429: 0, dropConnections: 0 });
    stack.services.forget(stack.orgId);
});

interface Quantities {
    warehouseCode: string;
    warehouseName: string;
    onHand: string;
    allocated: string;
    available: string;
    onPurchase: string;
}
interface ProductStock {
    productCode: string;
    known: boolean;
    warehouses: Quantities[];
}

/** Waits until no call reaches the simulator for a while (retries of a failed request run on). */
async function settle(sim: UnleashedSim): Promise<void> {
    let last = -1;
    while (sim.calls().length !== last) {
        last = sim.calls().length;
        await new Promise((r) => setTimeout(r, 60));
    }
}

/** What the simulator holds for one product in one warehouse, as the contract spells it. */
function expected(sim: UnleashedSim, code: string, warehouseCode: string): Quantities {
    const p = sim.state.products.indexOfCode(code);
    const w = sim.state.warehouseIndexByCode(warehouseCode);
    const cell = sim.state.stock.cell(p, w);
    const zero = new Decimal(0);
    return {
        warehouseCode,
        warehouseName: sim.state.warehouses[w]!.WarehouseName,
        onHand: (cell?.onHand ?? zero).toString(),
        allocated: (cell?.allocated ?? zero).toString(),
        available: (cell ? cell.onHand.minus(cell.allocated) : zero).toString(),
        onPurchase: (cell?.onPurchase ?? zero).toString()
    };
}

async function stock(query: string) {
    return stack.call('GET', `/v1/stock?${query}`);
}

function products(res: { json(): unknown }): ProductStock[] {
    return (res.json() as { products: ProductStock[] }).products;
}

describe('GET /v1/stock: figures', () => {
    it('answers every active warehouse exactly as Unleashed holds it, decimals included', async () => {
        // A fractional movement, so exactness is checked on more than whole numbers.
        const p = stack.sim.state.products.indexOfCode('WIDGET-BLUE');
        stack.sim.state.stock.adjust(
            p,
            1,
            { onHand: new Decimal('0.375'), allocated: new Decimal('1.5') },
            0
        );

        const res = await stock('productCodes=WIDGET-BLUE,BOLT-M6');
        expect(res.statusCode).toBe(200);
        const body = res.json();
        expect(Date.parse(body.asOf)).not.toBeNaN();
        expect(body.ageSeconds).toBe(0);
        const codes = stack.sim.state.warehouses.map((w) => w.WarehouseCode);
        expect(codes).toEqual(['MAIN', 'WLG', 'CHC']);
        expect(products(res)).toEqual(
            ['WIDGET-BLUE', 'BOLT-M6'].map((code) => ({
                productCode: code,
                known: true,
                warehouses: codes.map((w) => expected(stack.sim, code, w))
            }))
        );
        const wlg = products(res)[0]!.warehouses[1]!;
        expect(wlg.onHand).toMatch(/\.375$/);
        expect(wlg.allocated).toMatch(/\.5$/);
        expect(new Decimal(wlg.available)).toEqual(new Decimal(wlg.onHand).minus(wlg.allocated));
    });

    it('answers zeros, known, for a product that never had a stock transaction', async () => {
        const res = await stock('productCodes=GADGET-300');
        expect(products(res)).toEqual([
            {
                productCode: 'GADGET-300',
                known: true,
                warehouses: ['MAIN', 'WLG', 'CHC'].map((w) => ({
                    ...expected(stack.sim, 'GADGET-300', w),
                    onHand: '0',
                    allocated: '0',
                    available: '0',
                    onPurchase: '0'
                }))
            }
        ]);
    });

    it('answers known: false for a code Unleashed does not have, and for a mere prefix of one', async () => {
        const res = await stock('productCodes=NO-SUCH-THING,WIDGET-BLU,WIDGET-RED');
        expect(res.statusCode).toBe(200);
        expect(products(res).map((p) => [p.productCode, p.known, p.warehouses.length])).toEqual([
            ['NO-SUCH-THING', false, 0],
            ['WIDGET-BLU', false, 0],
            ['WIDGET-RED', true, 3]
        ]);
    });

    it('keeps negative availability (more allocated than on hand)', async () => {
        const res = await stock('productCodes=BATTERY-24V&warehouseCodes=MAIN');
        const main = products(res)[0]!.warehouses;
        expect(main).toEqual([expected(stack.sim, 'BATTERY-24V', 'MAIN')]);
        expect(main[0]).toMatchObject({ onHand: '2', allocated: '5', available: '-3' });
    });

    it('leaves an obsolete warehouse out unless includeObsolete=true', async () => {
        stack.sim.state.warehouses[1]!.Obsolete = true; // WLG
        const active = await stock('productCodes=WIDGET-BLUE');
        expect(products(active)[0]!.warehouses.map((w) => w.warehouseCode)).toEqual(['MAIN', 'CHC']);
        const all = await stock('productCodes=WIDGET-BLUE&includeObsolete=true');
        expect(products(all)[0]!.warehouses).toEqual(
            ['MAIN', 'WLG', 'CHC'].map((w) => expected(stack.sim, 'WIDGET-BLUE', w))
        );
    });

    it('filters by warehouseCodes, in the account order', async () => {
        const res = await stock('productCodes=WIDGET-BLUE,CABLE-2M&warehouseCodes=CHC,MAIN');
        expect(res.statusCode).toBe(200);
        for (const p of products(res)) {
            expect(p.warehouses).toEqual(['MAIN', 'CHC'].map((w) => expected(stack.sim, p.productCode, w)));
        }
        // Only the asked warehouses were read.
        const asked = stack.sim
            .calls()
            .filter((c) => c.path.toLowerCase().startsWith('/stockonhand'))
            .map((c) => /warehouseCode=([^&]+)/.exec(c.query)?.[1])
            .sort();
        expect(asked).toEqual(['CHC', 'MAIN']);
    });

    it('collapses duplicate codes, keeping the first order', async () => {
        const res = await stock('productCodes=WIDGET-RED,WIDGET-BLUE,WIDGET-RED,%20WIDGET-BLUE');
        expect(res.statusCode).toBe(200);
        expect(products(res).map((p) => p.productCode)).toEqual(['WIDGET-RED', 'WIDGET-BLUE']);
        // One product lookup per distinct code.
        const lookups = stack.sim.calls().filter((c) => c.path.toLowerCase().startsWith('/products'));
        expect(lookups).toHaveLength(2);
    });
});

describe('GET /v1/stock: refusals', () => {
    async function refused(query: string) {
        const before = stack.sim.callCount();
        const res = await stock(query);
        expect(res.statusCode).toBe(400);
        expect(res.headers['content-type']).toMatch(/problem\+json/);
        return { body: res.json(), upstream: stack.sim.callCount() - before };
    }

    it('refuses an unknown warehouse code, naming it', async () => {
        const { body } = await refused('productCodes=WIDGET-BLUE&warehouseCodes=MAIN,NOWHERE');
        expect(body.title).toBe('Unknown warehouse');
        expect(body.detail).toBe('Unleashed has no warehouse NOWHERE');
    });

    it('refuses 201 product codes, naming the limit of 200, before calling Unleashed', async () => {
        const codes = Array.from({ length: 201 }, (_, i) => `SKU-${i}`).join(',');
        const { body, upstream } = await refused(`productCodes=${codes}`);
        expect(body.detail).toContain('at most 200 product codes per request');
        expect(upstream).toBe(0);
        // 200 distinct codes (and 201 with a duplicate) are within the limit.
        const ok = await stock(`productCodes=${codes.split(',').slice(0, 200).join(',')},SKU-0`);
        expect(ok.statusCode).toBe(200);
        expect(products(ok)).toHaveLength(200);
    });

    it('refuses empty or missing productCodes', async () => {
        for (const q of ['productCodes=', 'productCodes=,,%20', 'warehouseCodes=MAIN']) {
            const { body, upstream } = await refused(q);
            expect(body.invalidParams[0].field).toMatch(/productCodes/);
            expect(upstream).toBe(0);
        }
        expect((await refused('productCodes=')).body.detail).toContain('give at least one product code');
    });

    it('refuses a bad includeObsolete', async () => {
        const { body } = await refused('productCodes=WIDGET-BLUE&includeObsolete=yes');
        expect(body.invalidParams[0].field).toMatch(/includeObsolete/);
    });
});

describe('GET /v1/stock: when Unleashed fails', () => {
    it('answers 502 with Unleashed words after retrying a 5xx', async () => {
        stack.sim.setFaults({ failRate5xx: 1 });
        const res = await stock('productCodes=WIDGET-BLUE');
        expect(res.statusCode).toBe(502);
        expect(res.headers['content-type']).toMatch(/problem\+json/);
        const body = res.json();
        expect(body).toMatchObject({ title: 'Unleashed failed', unleashedStatus: 503, retryable: true });
        expect(body.detail).toBe('Reading stock: The service is temporarily unavailable.');
        await settle(stack.sim);
        // Retried: UNLEASHED_MAX_RETRIES=3 gives four attempts for each call that was tried.
        const failed = stack.sim.calls().filter((c) => c.outcome === 'fault-5xx');
        const byTarget = new Map<string, number>();
        for (const c of failed) byTarget.set(c.path + c.query, (byTarget.get(c.path + c.query) ?? 0) + 1);
        expect([...byTarget.values()].every((n) => n === 4)).toBe(true);
        expect(stack.sim.calls().some((c) => c.outcome === 'ok')).toBe(false);
    });

    it('answers 504 when Unleashed does not answer', async () => {
        stack.sim.setFaults({ dropConnections: 100 });
        const res = await stock('productCodes=WIDGET-BLUE');
        expect(res.statusCode).toBe(504);
        expect(res.json()).toMatchObject({ title: 'Unleashed did not answer', unleashedStatus: 0 });
        expect(res.json().detail).toMatch(/^Reading stock: network error/);
    });

    it('recovers from occasional 5xx and 429 without the caller noticing', async () => {
        stack.sim.setFaults({ failRate5xx: 0.3, burst429: 1 });
        const res = await stock('productCodes=WIDGET-BLUE');
        expect(res.statusCode).toBe(200);
        expect(products(res)[0]!.warehouses).toEqual(
            ['MAIN', 'WLG', 'CHC'].map((w) => expected(stack.sim, 'WIDGET-BLUE', w))
        );
    });

    it('says plainly that the monthly API allowance is spent', async () => {
        stack.sim.setSettings({ monthlyQuota: 2 });
        const res = await stock('productCodes=WIDGET-BLUE,WIDGET-RED');
        expect(res.statusCode).toBe(503);
        const body = res.json();
        expect(body).toMatchObject({
            title: 'Unleashed API allowance used up',
            unleashedStatus: 403,
            retryable: false
        });
        expect(body.detail).toContain('API limit exceeded: the monthly API call allowance has been used.');
        expect(body.detail).toContain('00:00 UTC on the 1st of next month');
        await settle(stack.sim);
        // A spent allowance is not retried: one denied attempt per call.
        const denied = stack.sim.calls().filter((c) => c.outcome === 'quota');
        expect(denied.length).toBeGreaterThan(0);
        expect(new Set(denied.map((c) => c.path + c.query)).size).toBe(denied.length);
    });
});

describe('GET /v1/stock: Unleashed calls', () => {
    it('makes one StockOnHand call per warehouse for all products, plus lookups cached afterwards', async () => {
        const codes = ['WIDGET-BLUE', 'WIDGET-RED', 'BOLT-M6', 'NUT-M6', 'CABLE-1M'];
        const first = await stock(`productCodes=${codes.join(',')}`);
        expect(first.statusCode).toBe(200);
        const paths = stack.sim.calls().map((c) => c.path.toLowerCase().split('/')[1]);
        expect(paths.filter((p) => p === 'warehouses')).toHaveLength(1);
        expect(paths.filter((p) => p === 'products')).toHaveLength(codes.length);
        expect(paths.filter((p) => p === 'stockonhand')).toHaveLength(3);

        // Warehouses and product GUIDs are remembered: read again, the stock costs one call per warehouse.
        stack.services.stock.forgetMirror(stack.orgId);
        let before = stack.sim.callCount();
        expect((await stock(`productCodes=${codes.join(',')}`)).statusCode).toBe(200);
        expect(stack.sim.callCount() - before).toBe(3);

        // ... and once read, checked for changes in one call for all of them (stock-changes tests).
        before = stack.sim.callCount();
        expect((await stock(`productCodes=${codes.join(',')}`)).statusCode).toBe(200);
        expect(stack.sim.callCount() - before).toBe(1);
    });

    it('100 identical concurrent requests cost the Unleashed calls of one', async () => {
        stack.sim.setFaults({ latencyMs: 40 });
        const q = 'productCodes=WIDGET-BLUE,WIDGET-RED,GADGET-100';
        expect((await stock(q)).statusCode).toBe(200);
        const one = stack.sim.callCount();
        expect(one).toBe(1 + 3 + 3);

        stack.services.forget(stack.orgId);
        const before = stack.sim.callCount();
        const answers = await Promise.all(Array.from({ length: 100 }, () => stock(q)));
        expect(answers.every((r) => r.statusCode === 200)).toBe(true);
        expect(stack.sim.callCount() - before).toBe(one);
        const bodies = new Set(answers.map((r) => JSON.stringify(products(r))));
        expect(bodies.size).toBe(1);
    });

    it('counts every Unleashed call, retries included, on the tenant quota', async () => {
        const month = () => stack.services.store.quota.read(stack.orgId, 125000);
        const start = (await month()).used;
        stack.sim.setFaults({ failRate5xx: 0.3 });
        expect((await stock('productCodes=WIDGET-BLUE,SPROCKET-10')).statusCode).toBe(200);
        expect((await stock('productCodes=NO-SUCH-THING&warehouseCodes=WLG')).statusCode).toBe(200);
        await settle(stack.sim);
        const used = (await month()).used - start;
        expect(stack.sim.calls().some((c) => c.outcome === 'fault-5xx')).toBe(true);
        expect(used).toBe(stack.sim.callCount());
        expect(used).toBe(stack.sim.calls().length);
    });
});
