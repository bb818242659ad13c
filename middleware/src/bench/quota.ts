import { testConfig } from '../config';
import { mulberry32 } from '../sandbox/unleashed-sim/prng';
import { Decimal } from 'decimal.js';
import { check, emit, numberOptions, round1, say, startBenchStack, type BenchStack } from './support';
import { opportunityLines, snapshot } from './push';

/**
 * `npm run bench -- quota [--importCalls 6] [--webhooks 1] [--catalog 500] [--checkSeconds 3600]`
 *
 * The monthly Unleashed calls of a modelled 20-rep org against the smallest plan (125,000 calls).
 * Each activity's calls are measured here against the simulator's large account (10 warehouses):
 *   - 500 sends of a 10-line Opportunity (lines carry the GUIDs Salesforce holds), each as the
 *     month's first (nothing cached) or not (reference data cached), half and half;
 *   - 5,000 stock views, run here as a month on one clock shared by the simulator and the middleware
 *     (stock.ts `runViews`): each of the 500 Opportunities (10 lines from a working set of `--catalog`
 *     active products) is viewed three times in the session its rep works it (0, 5 and 15 minutes),
 *     sent 20 minutes in (its lines allocated in a warehouse) and viewed twice more at random times
 *     of the month; 2,500 Product page views at random; 10 goods receipts a working day of 20
 *     products each. Every call those views cost is counted, cache refreshes included. The same
 *     month without change checks (`STOCK_CHANGE_CHECK_SECONDS=0`) runs again on a stack of its own;
 *   - one nightly incremental import with few changes (`--importCalls`, the Unleashed calls the
 *     import benchmark's incremental run measured);
 *   - status polling, one page of changed orders a poll: every ORDER_STATUS_POLL_SECONDS_WITH_WEBHOOKS
 *     (3600 s) while the tenant's webhooks are in use and deliver each change before the poll sees
 *     it (the poller's own rule, test/sync/status/poll-pace.http.test.ts), else every
 *     ORDER_STATUS_POLL_SECONDS (300 s); `--webhooks 0` models an org without them.
 * The baseline is the same month without the batching: one call per line per warehouse.
 */

const PLAN = 125_000;
const DAYS = 30;
const WORKDAYS = 22;

export async function run(args: string[]): Promise<void> {
    const defaults = testConfig();
    const opt = numberOptions(args, {
        importCalls: 6,
        webhooks: 1,
        catalog: 500,
        checkSeconds: defaults.STOCK_CHANGE_CHECK_SECONDS,
        pollSeconds: defaults.ORDER_STATUS_POLL_SECONDS,
        webhookPollSeconds: defaults.ORDER_STATUS_POLL_SECONDS_WITH_WEBHOOKS
    });
    const pollEvery =
        opt.webhooks === 1 ? Math.max(opt.pollSeconds, opt.webhookPollSeconds) : opt.pollSeconds;
    // The month runs on this clock; everything before it (sends, single views) at the real time.
    let clockMs = Date.now();
    const stack = await monthStack(opt.checkSeconds, () => clockMs);
    try {
        const calls = async (fn: () => Promise<{ status: number }>, what: string) => {
            const before = stack.sim.callCount();
            const r = await fn();
            check(r.status === 200 || r.status === 201, `${what} answered ${r.status}`);
            return stack.sim.callCount() - before;
        };
        const lines = opportunityLines(stack.sim, 10);
        const codes = lines.map((l) => l.productCode);
        const guids = lines.map((l) => l.productGuid!);
        const stockUrl = (c: string[], g: string[]) =>
            `/v1/stock?productCodes=${c.join(',')}&productGuids=${g.join(',')}`;

        let sent = 0;
        const send = async () =>
            calls(
                () =>
                    stack.call(
                        'POST',
                        '/v1/sales-orders',
                        snapshot(`0065g00000Q${String(++sent).padStart(7, '0')}`, lines, true, null)
                    ),
                'send'
            );
        stack.services.forget(stack.orgId);
        const sendCold = await send();
        const sendWarm = await send();

        stack.services.forget(stack.orgId);
        const productCold = await calls(
            () => stack.call('GET', stockUrl(codes.slice(0, 1), guids.slice(0, 1))),
            'product view'
        );
        const productWarm = await calls(
            () => stack.call('GET', stockUrl(codes.slice(0, 1), guids.slice(0, 1))),
            'product view'
        );
        stack.services.forget(stack.orgId);
        const oppCold = await calls(() => stack.call('GET', stockUrl(codes, guids)), 'opportunity view');
        const oppWarm = await calls(() => stack.call('GET', stockUrl(codes, guids)), 'opportunity view');

        const sends = 250 * sendCold + 250 * sendWarm;
        // Without change checks: every view reads every warehouse; warehouses (5 min) and GUIDs
        // (1 h) expire, counted as a cold view once an hour, 10 hours a day.
        stack.services.stock.forgetMirror(stack.orgId);
        const oppRead = await calls(() => stack.call('GET', stockUrl(codes, guids)), 'opportunity view');
        stack.services.forget(stack.orgId);
        const month = await monthOfViews(stack, opt.catalog, (ms) => (clockMs = ms), clockMs);
        const views = month.calls;
        // The same month with every view reading every warehouse, on a stack of its own.
        const unchecked = await uncheckedMonth(opt.catalog);
        const imports = DAYS * opt.importCalls;
        const polling = pollEvery > 0 ? Math.round((DAYS * 86_400) / pollEvery) : 0;
        const total = sends + views + imports + polling;
        const warehouses = stack.sim.state.warehouses.filter((w) => !w.Obsolete).length;
        // Without batching: one lookup per line, then one call per line per warehouse.
        // ... and polling at the usual pace whatever the webhooks do.
        const naivePolling = opt.pollSeconds > 0 ? Math.round((DAYS * 86_400) / opt.pollSeconds) : 0;
        const naive =
            500 * (1 + 10 * 2) +
            2500 * (1 + warehouses) +
            2500 * 10 * (1 + warehouses) +
            imports +
            naivePolling;
        const model = {
            sends: { count: 500, callsFirst: sendCold, callsCached: sendWarm, calls: sends },
            stockViews: {
                count: month.views,
                catalog: opt.catalog,
                productPage: { cold: productCold, again: productWarm },
                opportunity10Lines: { cold: oppCold, checked: oppWarm, readAgain: oppRead },
                calls: views,
                withoutChangeChecks: unchecked
            },
            nightlyImport: { runs: DAYS, callsEach: opt.importCalls, calls: imports },
            statusPolling: { webhooks: opt.webhooks === 1, everySeconds: pollEvery, calls: polling }
        };
        say(`quota model: ${JSON.stringify(model)}`);
        const withoutChecks = total - views + unchecked;
        emit({
            bench: 'quota',
            plan: PLAN,
            warehouses,
            model,
            monthlyCalls: total,
            percentOfPlan: round1((100 * total) / PLAN),
            goalPercent: 10,
            withoutChangeChecks: {
                monthlyCalls: withoutChecks,
                percentOfPlan: round1((100 * withoutChecks) / PLAN)
            },
            naive: { monthlyCalls: naive, percentOfPlan: round1((100 * naive) / PLAN) },
            ratios: { callReduction: round1(naive / total) }
        });
    } finally {
        await stack.close();
    }
}

const monthStack = (checkSeconds: number, clock: () => number) =>
    startBenchStack({
        seed: 'large',
        latencyMs: 0,
        stockCacheSeconds: 0,
        clock,
        config: { STOCK_CHANGE_CHECK_SECONDS: String(checkSeconds) }
    });

async function uncheckedMonth(catalog: number): Promise<number> {
    let clockMs = Date.now();
    const stack = await monthStack(0, () => clockMs);
    try {
        return (await monthOfViews(stack, catalog, (ms) => (clockMs = ms), clockMs)).calls;
    } finally {
        await stack.close();
    }
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

type MonthEvent = { at: number } & (
    | { kind: 'view'; products: number[] }
    | { kind: 'move'; products: number[]; warehouse: number; allocated: boolean }
);

/**
 * The month's 5,000 stock views against the simulator on a clock that the simulator and the
 * middleware share, with the stock moving between them; answers the Unleashed calls they cost.
 * A sample of answers is compared with a read of every warehouse at the same moment.
 */
async function monthOfViews(
    stack: BenchStack,
    catalog: number,
    setClock: (ms: number) => void,
    start: number
): Promise<{ views: number; calls: number }> {
    const { state } = stack.sim;
    const random = mulberry32(20261205);
    const pick = (n: number) => Math.floor(random() * n);
    const working: number[] = [];
    for (let i = 0; working.length < catalog; i++) {
        const index = (i * 7919 + 3) % state.products.size;
        if (!state.products.obsolete(index) && !working.includes(index)) working.push(index);
    }
    const products = (n: number) => {
        const out = new Set<number>();
        while (out.size < n) out.add(working[pick(working.length)]!);
        return [...out];
    };
    const warehouses = state.warehouses.map((w, i) => (w.Obsolete ? -1 : i)).filter((i) => i >= 0);
    // Working hours 08:00-18:00 of 22 days, one a day apart.
    const businessTime = (day = pick(WORKDAYS)) => start + day * DAY + 8 * HOUR + pick(10 * HOUR);
    const events: MonthEvent[] = [];
    for (let o = 0; o < 500; o++) {
        const lines = products(10);
        const session = businessTime();
        for (const m of [0, 5, 15]) events.push({ at: session + m * MINUTE, kind: 'view', products: lines });
        const warehouse = warehouses[pick(warehouses.length)]!;
        events.push({ at: session + 20 * MINUTE, kind: 'move', products: lines, warehouse, allocated: true });
        for (let k = 0; k < 2; k++) events.push({ at: businessTime(), kind: 'view', products: lines });
    }
    for (let v = 0; v < 2500; v++) events.push({ at: businessTime(), kind: 'view', products: products(1) });
    for (let d = 0; d < WORKDAYS; d++) {
        for (let r = 0; r < 10; r++) {
            const warehouse = warehouses[pick(warehouses.length)]!;
            events.push({
                at: businessTime(d),
                kind: 'move',
                products: products(20),
                warehouse,
                allocated: false
            });
        }
    }
    events.sort((a, b) => a.at - b.at);

    const url = (ps: number[]) =>
        `/v1/stock?productCodes=${ps.map((p) => state.products.code(p)).join(',')}` +
        `&productGuids=${ps.map((p) => state.products.guid(p)).join(',')}`;
    const before = stack.sim.callCount();
    let views = 0;
    let compared = 0;
    for (const e of events) {
        setClock(e.at);
        if (e.kind === 'move') {
            const change = e.allocated ? { allocated: new Decimal(2) } : { onHand: new Decimal(24) };
            for (const p of e.products) state.stock.adjust(p, e.warehouse, change, e.at);
            continue;
        }
        const r = await stack.call('GET', url(e.products));
        check(r.status === 200, `stock view answered ${r.status}`);
        views++;
        // Every 50th answer is compared with what the simulator holds at that moment.
        if (views % 50 === 0) {
            check(
                matchesSimulator(stack, e.products, r.body),
                `view ${views} differs from Unleashed's stock`
            );
            compared++;
        }
    }
    say(`month of views: ${views} views, ${compared} compared with the simulator's figures`);
    return { views, calls: stack.sim.callCount() - before };
}

/** Each product's figures in every active warehouse are those the simulator holds. */
function matchesSimulator(stack: BenchStack, products: number[], body: unknown): boolean {
    const { state } = stack.sim;
    const answer = body as {
        products: {
            productCode: string;
            warehouses: { warehouseCode: string; onHand: string; allocated: string; available: string }[];
        }[];
    };
    return products.every((p) => {
        const got = answer.products.find((x) => x.productCode === state.products.code(p));
        return state.warehouses.every((w, i) => {
            if (w.Obsolete) return true;
            const row = got?.warehouses.find((x) => x.warehouseCode === w.WarehouseCode);
            const cell = state.stock.cell(p, i);
            const onHand = cell?.onHand ?? new Decimal(0);
            const allocated = cell?.allocated ?? new Decimal(0);
            return (
                !!row &&
                new Decimal(row.onHand).eq(onHand) &&
                new Decimal(row.allocated).eq(allocated) &&
                new Decimal(row.available).eq(onHand.minus(allocated))
            );
        });
    });
}
