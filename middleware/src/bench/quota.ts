import { testConfig } from '../config';
import { check, emit, numberOptions, round1, say, startBenchStack } from './support';
import { opportunityLines, snapshot } from './push';

/**
 * `npm run bench -- quota [--importCalls 6] [--webhooks 1]`
 *
 * The monthly Unleashed calls of a modelled 20-rep org against the smallest plan (125,000 calls).
 * Each activity's calls are measured here against the simulator's large account (10 warehouses):
 *   - 500 sends of a 10-line Opportunity (lines carry the GUIDs Salesforce holds), each as the
 *     month's first (nothing cached) or not (reference data cached), half and half;
 *   - 5,000 stock views, half on Product pages (one product), half on 10-line Opportunities, each a
 *     new answer (the 5 s answer cache rarely helps) with the warehouses and GUIDs cached, plus the
 *     refresh of those caches once an hour over 10 business hours a day;
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
        pollSeconds: defaults.ORDER_STATUS_POLL_SECONDS,
        webhookPollSeconds: defaults.ORDER_STATUS_POLL_SECONDS_WITH_WEBHOOKS
    });
    const pollEvery =
        opt.webhooks === 1 ? Math.max(opt.pollSeconds, opt.webhookPollSeconds) : opt.pollSeconds;
    const stack = await startBenchStack({ seed: 'large', latencyMs: 0, stockCacheSeconds: 0 });
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
        const views = 2500 * productWarm + 2500 * oppWarm;
        // Warehouses (5 min) and GUIDs (1 h) expire: count a cold view once an hour, 10 hours a day.
        const refreshes = WORKDAYS * 10 * (oppCold - oppWarm);
        const imports = DAYS * opt.importCalls;
        const polling = pollEvery > 0 ? Math.round((DAYS * 86_400) / pollEvery) : 0;
        const total = sends + views + refreshes + imports + polling;
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
                count: 5000,
                productPage: { cold: productCold, warm: productWarm },
                opportunity10Lines: { cold: oppCold, warm: oppWarm },
                calls: views + refreshes
            },
            nightlyImport: { runs: DAYS, callsEach: opt.importCalls, calls: imports },
            statusPolling: { webhooks: opt.webhooks === 1, everySeconds: pollEvery, calls: polling }
        };
        say(`quota model: ${JSON.stringify(model)}`);
        emit({
            bench: 'quota',
            plan: PLAN,
            warehouses,
            model,
            monthlyCalls: total,
            percentOfPlan: round1((100 * total) / PLAN),
            goalPercent: 10,
            naive: { monthlyCalls: naive, percentOfPlan: round1((100 * naive) / PLAN) },
            ratios: { callReduction: round1(naive / total) }
        });
    } finally {
        await stack.close();
    }
}
