import {
    DEMO_API_ID,
    DEMO_API_KEY,
    startUnleashedSim,
    type UnleashedSim
} from '../../src/sandbox/unleashed-sim';
import { createUnleashedClient } from '../../src/unleashed/client';
import type { UnleashedClient } from '../../src/unleashed/types';
import { StockService } from '../../src/sync/stock';
import { UnleashedError } from '../../src/unleashed/errors';

/**
 * How many round trips to Unleashed a stock answer waits for, and how many calls it makes. The
 * client below holds every call until no other call is being issued, then lets the whole batch
 * through: one batch is one round trip, so calls that could run together but are made one after
 * another show up as more rounds. Counts, not timings.
 */

let sim: UnleashedSim;
beforeAll(async () => {
    sim = await startUnleashedSim({ seed: 'large' });
});
afterAll(() => sim.close());
beforeEach(() => sim.reset('large'));

interface Counted {
    client: UnleashedClient;
    rounds(): number;
    calls(): { path: string; query: string }[];
}

function countedClient(): Counted {
    const inner = createUnleashedClient({
        baseUrl: sim.url,
        credentials: { apiId: DEMO_API_ID, apiKey: DEMO_API_KEY },
        clientType: 'test/rounds',
        queryEncoding: 'minimal',
        timeoutMs: 30_000,
        maxRetries: 0
    });
    let waiting: (() => void)[] = [];
    let rounds = 0;
    let timer: NodeJS.Timeout | null = null;
    const flush = () => {
        timer = null;
        const batch = waiting;
        waiting = [];
        rounds++;
        for (const go of batch) go();
    };
    // Every call issued while others are still being issued joins their batch.
    const gate = () =>
        new Promise<void>((resolve) => {
            waiting.push(resolve);
            if (timer) clearTimeout(timer);
            timer = setTimeout(flush, 20);
        });
    const client: UnleashedClient = {
        ...inner,
        async get(...a) {
            await gate();
            return inner.get(...a);
        },
        async getPage(...a) {
            await gate();
            return inner.getPage(...a);
        },
        async all(...a) {
            await gate();
            return inner.all(...a);
        }
    };
    const after = sim.calls().at(-1)?.seq ?? 0;
    return {
        client,
        rounds: () => rounds,
        calls: () => sim.calls().filter((c) => c.seq > after)
    };
}

const ORG = 'org1';
/** Ten active products of the large account and the GUIDs Salesforce would hold for them. */
const codes = Array.from({ length: 10 }, (_, i) => `P${String(i * 97 + 1).padStart(6, '0')}`);
const guids = () => codes.map((c) => sim.state.products.product(sim.state.products.indexOfCode(c)).Guid);
const activeWarehouses = () => sim.state.warehouses.filter((w) => !w.Obsolete).length;

describe('stock round trips', () => {
    it('reads every warehouse in one round once GUIDs and warehouses are known', async () => {
        const stock = new StockService({ cacheSeconds: 0 });
        const first = countedClient();
        await stock.getStock(ORG, first.client, { productCodes: codes });
        const warm = countedClient();
        const answer = await stock.getStock(ORG, warm.client, { productCodes: codes });
        expect(answer.products.every((p) => p.known && p.warehouses.length === activeWarehouses())).toBe(
            true
        );
        expect(warm.calls()).toHaveLength(activeWarehouses());
        expect(warm.rounds()).toBe(1);
    });

    it('answers a first look in two rounds when the GUIDs travel with the request', async () => {
        const stock = new StockService({ cacheSeconds: 0 });
        const c = countedClient();
        const answer = await stock.getStock(ORG, c.client, { productCodes: codes, productGuids: guids() });
        expect(answer.products.map((p) => p.known)).toEqual(codes.map(() => true));
        // Round 1: the warehouse list and one Products call confirming the GUIDs; round 2: stock.
        expect(c.rounds()).toBe(2);
        const paths = c.calls().map((x) => x.path.toLowerCase().split('/')[1]);
        expect(paths.filter((p) => p === 'products')).toHaveLength(1);
        expect(c.calls().some((x) => /productCode=/.test(x.query))).toBe(false);
        expect(paths.filter((p) => p === 'stockonhand')).toHaveLength(activeWarehouses());
    });

    it('answers the same figures with and without GUIDs, and a stale GUID falls back to the code', async () => {
        const plain = await new StockService({ cacheSeconds: 0 }).getStock(ORG, countedClient().client, {
            productCodes: codes
        });
        const wrong = guids();
        [wrong[0], wrong[1]] = [wrong[1]!, wrong[0]!]; // two GUIDs swapped: each names the other's code
        wrong[2] = '00000000-0000-4000-8000-000000000000'; // a product since deleted
        const c = countedClient();
        const withGuids = await new StockService({ cacheSeconds: 0, concurrency: 20 }).getStock(
            ORG,
            c.client,
            {
                productCodes: codes,
                productGuids: wrong
            }
        );
        expect(withGuids.products).toEqual(plain.products);
        // Only the code whose GUID is unknown was looked up by code; at most three rounds.
        expect(c.calls().filter((x) => /productCode=/.test(x.query))).toHaveLength(1);
        expect(c.rounds()).toBeLessThanOrEqual(3);
    });

    it('looks up codes without GUIDs in parallel: one round, then the stock', async () => {
        const stock = new StockService({ cacheSeconds: 0, concurrency: 20 });
        const c = countedClient();
        await stock.getStock(ORG, c.client, { productCodes: codes });
        expect(c.rounds()).toBe(2);
        // The GUIDs found are read together: one StockOnHand call per warehouse, not per product.
        const reads = c.calls().filter((x) => x.path.toLowerCase().startsWith('/stockonhand'));
        expect(reads).toHaveLength(activeWarehouses());
    });
});

describe('product-code lookups are bounded', () => {
    it('stops a lookup of a prefix shared by the whole account after its page cap, and remembers the miss', async () => {
        const stock = new StockService({ cacheSeconds: 0, lookup: { maxPages: 3, extraPages: 10 } });
        const c = countedClient();
        const answer = await stock.getStock(ORG, c.client, { productCodes: ['P'] });
        expect(answer.products).toEqual([{ productCode: 'P', known: false, warehouses: [] }]);
        const lookups = c.calls().filter((x) => x.path.toLowerCase().startsWith('/products'));
        // Without a bound: 100 pages of 1,000 to answer "unknown".
        expect(lookups).toHaveLength(3);

        const again = countedClient();
        await stock.getStock(ORG, again.client, { productCodes: ['P'] });
        expect(again.calls().filter((x) => x.path.toLowerCase().startsWith('/products'))).toHaveLength(0);
    });

    it('keeps all lookups of one request within its call budget', async () => {
        const stock = new StockService({ cacheSeconds: 0, lookup: { maxPages: 5, extraPages: 4 } });
        const c = countedClient();
        const prefixes = ['P0', 'P00', 'P01', 'P02', 'P03'];
        const answer = await stock.getStock(ORG, c.client, { productCodes: prefixes });
        expect(answer.products.every((p) => !p.known)).toBe(true);
        // One page per code plus the request's 4 extra pages (each prefix matches 10,000 or more).
        expect(c.calls().filter((x) => x.path.toLowerCase().startsWith('/products'))).toHaveLength(5 + 4);
    });

    it('still finds an exact code among the candidates of its first page', async () => {
        const stock = new StockService({ cacheSeconds: 0 });
        const answer = await stock.getStock(ORG, countedClient().client, { productCodes: ['P000010'] });
        expect(answer.products[0]!.known).toBe(true);
    });

    it('checks stock read before in one round, and reads everything when Unleashed refuses the check', async () => {
        const stopped: string[] = [];
        const stock = new StockService({
            cacheSeconds: 0,
            changeCheckSeconds: 3600,
            onChangeCheckStopped: (_t, reason) => stopped.push(reason)
        });
        const first = countedClient();
        const full = await stock.getStock(ORG, first.client, { productCodes: codes, productGuids: guids() });

        const checked = countedClient();
        expect(await stock.getStock(ORG, checked.client, { productCodes: codes })).toEqual({
            ...full,
            asOf: expect.any(String),
            ageSeconds: expect.any(Number)
        });
        expect(checked.calls().map((c) => c.path.split('/')[1])).toEqual(['StockOnHand']);
        expect(checked.rounds()).toBe(1);

        // An account whose StockOnHand refuses modifiedSince: the view reads every warehouse instead.
        const refusing = countedClient();
        const client = {
            ...refusing.client,
            async all<T>(...a: Parameters<UnleashedClient['all']>) {
                if (a[1].modifiedSince !== undefined) {
                    throw new UnleashedError({
                        status: 400,
                        method: 'GET',
                        path: '/StockOnHand/1',
                        message: 'modifiedSince is not a valid filter',
                        retryable: false,
                        kind: 'http'
                    });
                }
                return refusing.client.all(...a) as Promise<T[]>;
            }
        } as UnleashedClient;
        const after = await stock.getStock(ORG, client, { productCodes: codes });
        expect(after.products).toEqual(full.products);
        expect(stopped).toEqual([expect.stringContaining('Unleashed refused the stock change check (400')]);
        expect(stock.changeCheckStopped(ORG)).toBe(stopped[0]);
        expect(refusing.calls().filter((c) => c.path.startsWith('/StockOnHand')).length).toBe(
            activeWarehouses()
        );
    });
});
