import { Decimal } from 'decimal.js';
import { ProductSchema, StockOnHandSchema, WarehouseSchema } from '../unleashed/schemas';
import {
    chainsFor,
    check,
    emit,
    inChains,
    numberOptions,
    percentile,
    round1,
    round2,
    say,
    startBaseline,
    startBenchStack,
    timed
} from './support';

/**
 * Live stock for one Opportunity (`--lines` products) over every warehouse of the simulator's large
 * account, each Unleashed call taking `--latency` ms:
 * - ours: GET /v1/stock through the listening middleware (signed), cold, then with warehouses and
 *   product GUIDs known; the cost of a cached answer; 100 identical concurrent requests;
 * - naive: what a connector without batching does, one call per line and warehouse, in sequence
 *   (look the product up by code, then StockOnHand?warehouseCode=W&productId=GUID per warehouse).
 * Both answers are compared figure by figure before any timing is reported.
 */

interface Quantities {
    warehouseCode: string;
    onHand: string;
    allocated: string;
    available: string;
    onPurchase: string;
}
interface StockBody {
    products: { productCode: string; known: boolean; warehouses: Quantities[] }[];
}

/** Distinct, active product codes of the large seed (P000001...), spread over the catalog. */
function opportunityCodes(lines: number): string[] {
    const out = new Set<string>();
    for (let i = 0; out.size < lines; i++) {
        const index = (i * 1999 + 7) % 100_000;
        if (index % 100 === 99) continue; // obsolete in the large seed
        out.add(`P${String(index + 1).padStart(6, '0')}`);
    }
    return [...out];
}

export async function run(args: string[]): Promise<void> {
    const opt = numberOptions(args, { lines: 50, latency: 150, requests: 500, concurrent: 100, chains: 0 });
    const codes = opportunityCodes(opt.lines);
    say(`stock: ${opt.lines} lines, ${opt.latency} ms per Unleashed call, seed large`);

    const stack = await startBenchStack({ seed: 'large', latencyMs: opt.latency, stockCacheSeconds: 300 });
    /** Wall time in units of one Unleashed call: what a round trip costs. */
    const trips = (ms: number) => round2(ms / opt.latency);
    const baseline = await startBaseline({ seed: 'large', latencyMs: opt.latency });
    try {
        const warehouseCodes = stack.sim.state.warehouses
            .filter((w) => !w.Obsolete)
            .map((w) => w.WarehouseCode);
        const url = `/v1/stock?productCodes=${codes.join(',')}`;
        const upstream = async <T>(fn: () => Promise<T>) => {
            const before = stack.sim.callCount();
            const r = await timed(fn);
            return { ...r, calls: stack.sim.callCount() - before };
        };

        const guidsOf = (list: string[]) =>
            list.map((c) => stack.sim.state.products.guid(stack.sim.state.products.indexOfCode(c)));
        // A first look as the package makes it: the GUIDs Salesforce holds travel with the codes.
        const withGuids = (list: string[]) =>
            `/v1/stock?productCodes=${list.join(',')}&productGuids=${guidsOf(list).join(',')}`;
        // Ours, cold without GUIDs (a request as older packages send it): lookups by code.
        const plain = await upstream(() => stack.call('GET', url));
        check(plain.value.status === 200, `cold answer ${plain.value.status}`);
        say(`ours cold, no GUIDs: ${round1(plain.ms)} ms, ${plain.calls} Unleashed calls`);
        stack.services.forget(stack.orgId);

        // Ours, cold: nothing cached (warehouses, GUIDs, answers); the GUIDs travel with the request.
        const cold = await upstream(() => stack.call('GET', withGuids(codes)));
        check(
            cold.value.status === 200,
            `cold answer ${cold.value.status}: ${cold.value.text.slice(0, 300)}`
        );
        const answer = cold.value.body as StockBody;
        say(`ours cold: ${round1(cold.ms)} ms, ${cold.calls} Unleashed calls`);

        // Ours, warm: warehouses and GUIDs known, the answer itself not (another cache key), and the
        // stock read again from every warehouse (nothing held for change checks).
        stack.services.stock.forgetMirror(stack.orgId);
        const warm = await upstream(() =>
            stack.call('GET', `${url}&warehouseCodes=${warehouseCodes.join(',')}`)
        );
        check(warm.value.status === 200, `warm answer ${warm.value.status}`);
        say(`ours warm: ${round1(warm.ms)} ms, ${warm.calls} Unleashed calls`);

        // Ours, checked: the stock read before is checked for changes (none), not read again. All
        // warehouses but the last: another answer, all of it held from the read above.
        const some = warehouseCodes.slice(0, -1);
        const checked = await upstream(() => stack.call('GET', `${url}&warehouseCodes=${some.join(',')}`));
        check(checked.value.status === 200, `checked answer ${checked.value.status}`);
        const fullRead = (warm.value.body as StockBody).products.map((p) => ({
            ...p,
            warehouses: p.warehouses.filter((w) => some.includes(w.warehouseCode))
        }));
        check(
            JSON.stringify((checked.value.body as StockBody).products) === JSON.stringify(fullRead),
            'a checked answer differs from the full read'
        );
        say(`ours checked: ${round1(checked.ms)} ms, ${checked.calls} Unleashed calls`);

        // A cached answer: the middleware's own cost per request (signing check, nonce, cache, JSON).
        const times: number[] = [];
        const cachedRun = await upstream(async () => {
            for (let i = 0; i < opt.requests; i++) {
                const r = await stack.call('GET', url);
                check(r.status === 200, `cached answer ${r.status}`);
                times.push(r.ms);
            }
        });
        check(cachedRun.calls === 0, `cached requests called Unleashed ${cachedRun.calls} times`);
        const cached = {
            requests: opt.requests,
            p50Ms: round2(percentile(times, 50)),
            p99Ms: round2(percentile(times, 99)),
            meanMs: round2(times.reduce((a, b) => a + b, 0) / times.length),
            upstreamCalls: cachedRun.calls
        };
        say(`ours cached: p50 ${cached.p50Ms} ms, p99 ${cached.p99Ms} ms over ${opt.requests} requests`);

        // Identical concurrent requests, nothing cached: one load is shared by all.
        stack.services.forget(stack.orgId);
        const burst = await upstream(() =>
            Promise.all(Array.from({ length: opt.concurrent }, () => stack.call('GET', withGuids(codes))))
        );
        check(
            burst.value.every((r) => r.status === 200 && r.text === burst.value[0]!.text),
            'concurrent answers differ'
        );
        say(`ours ${opt.concurrent} concurrent: ${round1(burst.ms)} ms, ${burst.calls} Unleashed calls`);

        // Growth: round trips for 10, 50 and 200 lines, first look (GUIDs sent) and warm.
        const growth: Record<string, unknown>[] = [];
        for (const n of [10, 50, 200]) {
            const list = opportunityCodes(n);
            stack.services.forget(stack.orgId);
            const first = await upstream(() => stack.call('GET', withGuids(list)));
            check(first.value.status === 200, `growth ${n}: ${first.value.status}`);
            stack.services.stock.forgetMirror(stack.orgId);
            const again = await upstream(() =>
                stack.call('GET', `${withGuids(list)}&warehouseCodes=${warehouseCodes.join(',')}`)
            );
            growth.push({
                lines: n,
                firstLook: { wallMs: round1(first.ms), calls: first.calls, roundTrips: trips(first.ms) },
                guidsKnown: { wallMs: round1(again.ms), calls: again.calls, roundTrips: trips(again.ms) }
            });
            say(`growth ${n} lines: ${JSON.stringify(growth.at(-1))}`);
        }

        // Naive, on its own simulator: strictly sequential calls (in chains when the budget needs it).
        const client = baseline.client;
        const naive = new Map<string, Quantities[]>();
        const before = baseline.sim.callCount();
        const listed = await timed(() => client.all('Warehouses', {}, WarehouseSchema));
        const naiveWarehouses = listed.value.filter((w) => w.Obsolete !== true).map((w) => w.WarehouseCode);
        const tasks = codes.map((code) => async () => {
            const product = await client.findByCode(
                'Products',
                'productCode',
                code,
                (p) => p.ProductCode,
                ProductSchema,
                {
                    includeObsolete: true
                }
            );
            const rows: Quantities[] = [];
            for (const w of naiveWarehouses) {
                const items = product
                    ? await client.all(
                          'StockOnHand',
                          { warehouseCode: w, productId: [String(product.Guid)] },
                          StockOnHandSchema
                      )
                    : [];
                const r = items[0];
                const q = (v: number | string | null | undefined) => new Decimal(String(v ?? 0)).toString();
                rows.push({
                    warehouseCode: w,
                    onHand: q(r?.QtyOnHand),
                    allocated: q(r?.AllocatedQty),
                    available: q(r?.AvailableQty),
                    onPurchase: q(r?.OnPurchase)
                });
            }
            naive.set(code, rows);
        });
        const expectedCalls = 1 + codes.length * (1 + naiveWarehouses.length);
        const chains = opt.chains > 0 ? opt.chains : chainsFor(expectedCalls, opt.latency, 35_000);
        say(
            `naive: ${expectedCalls} calls in sequence${chains > 1 ? `, run as ${chains} parallel chains to save time` : ''}...`
        );
        const naiveRun = await inChains(tasks, chains);
        const naiveCalls = baseline.sim.callCount() - before;
        const naiveMs = listed.ms + naiveRun.sequentialMs;
        say(`naive: ${round1(naiveMs)} ms in sequence, ${naiveCalls} Unleashed calls`);

        // Same figures both ways, or the timings compare different work.
        check(answer.products.length === codes.length, 'ours: one product per code');
        for (const p of answer.products) {
            const theirs = naive.get(p.productCode);
            check(p.known && theirs !== undefined, `${p.productCode} known both ways`);
            const mine = p.warehouses.map(({ warehouseCode, onHand, allocated, available, onPurchase }) => ({
                warehouseCode,
                onHand,
                allocated,
                available,
                onPurchase
            }));
            check(
                JSON.stringify(mine) === JSON.stringify(theirs),
                `${p.productCode}: same figures both ways`
            );
        }

        emit({
            bench: 'stock',
            floorAndGoal: {
                guidsKnown: { floorRoundTrips: 1, goalRoundTrips: 1.3, roundTrips: trips(warm.ms) },
                checkedUnchanged: { floorRoundTrips: 1, roundTrips: trips(checked.ms), calls: checked.calls },
                firstLook: { floorRoundTrips: 2, goalRoundTrips: 3, roundTrips: trips(cold.ms) },
                cachedP99Ms: { floor: 1, goal: 2, measured: cached.p99Ms }
            },
            growth,
            lines: codes.length,
            warehouses: warehouseCodes.length,
            latencyMs: opt.latency,
            ours: {
                coldWithoutGuids: {
                    wallMs: round1(plain.ms),
                    calls: plain.calls,
                    roundTrips: trips(plain.ms)
                },
                cold: { wallMs: round1(cold.ms), calls: cold.calls, roundTrips: trips(cold.ms) },
                warm: { wallMs: round1(warm.ms), calls: warm.calls, roundTrips: trips(warm.ms) },
                checked: { wallMs: round1(checked.ms), calls: checked.calls, roundTrips: trips(checked.ms) },
                cached,
                concurrent: {
                    requests: opt.concurrent,
                    wallMs: round1(burst.ms),
                    calls: burst.calls,
                    callsOfOne: cold.calls
                }
            },
            naive: {
                wallMs: round1(naiveMs),
                calls: naiveCalls,
                chains,
                elapsedMs: round1(listed.ms + naiveRun.wallMs)
            },
            ratios: {
                coldSpeedup: round1(naiveMs / cold.ms),
                warmSpeedup: round1(naiveMs / warm.ms),
                coldCallReduction: round1(naiveCalls / cold.calls),
                warmCallReduction: round1(naiveCalls / warm.calls)
            },
            sameFigures: true
        });
    } finally {
        await stack.close();
        await baseline.sim.close();
    }
}
