import { randomUUID } from 'node:crypto';
import { Decimal } from 'decimal.js';
import { CustomerSchema, ProductSchema, SalesOrderSchema, type UnleashedProduct } from '../unleashed/schemas';
import type { UnleashedClient } from '../unleashed/types';
import type { UnleashedSim } from '../sandbox/unleashed-sim';
import {
    check,
    emit,
    inChains,
    numberOptions,
    round1,
    say,
    startBaseline,
    startBenchStack,
    timed
} from './support';

/**
 * "Send to Unleashed" for one Opportunity of `--lines` lines (POST /v1/sales-orders through the
 * listening middleware, signed), each Unleashed call taking `--latency` ms: the first send (cold:
 * nothing cached) and a re-send (warm: the Parked order is updated in place), with lines carrying
 * the product GUID Salesforce has from the import and without. Baseline, measured in the same run on
 * its own simulator: a connector that looks every product up by code, one call per line in sequence,
 * then posts (or, on a re-send, fetches and puts) the order.
 */

const CUSTOMER = 'ACME';
const WAREHOUSE = 'W01';
const TAX = 'G.S.T.';

interface Line {
    lineId: string;
    productCode: string;
    productGuid?: string;
    quantity: string;
    unitPrice: string;
}

/** Distinct, active products of the large seed, spread over the catalog, with quantities and prices. */
export function opportunityLines(sim: UnleashedSim, n: number): Line[] {
    const out: Line[] = [];
    const seen = new Set<number>();
    for (let i = 0; out.length < n; i++) {
        const index = (i * 4999 + 11) % sim.state.products.size;
        if (sim.state.products.obsolete(index) || seen.has(index)) continue;
        seen.add(index);
        out.push({
            lineId: `00k5g00000B${String(out.length).padStart(4, '0')}`,
            productCode: sim.state.products.code(index),
            productGuid: sim.state.products.guid(index),
            quantity: String(1 + (i % 5)),
            unitPrice: new Decimal(100 + ((i * 373) % 9900)).dividedBy(100).toFixed(2)
        });
    }
    return out;
}

export function snapshot(opportunityId: string, lines: Line[], withGuids: boolean, comments: string | null) {
    return {
        opportunityId,
        currencyIsoCode: 'NZD',
        account: { id: '0015g00000ACME1AAA', name: 'Acme Ltd', customerCode: CUSTOMER },
        warehouseCode: WAREHOUSE,
        taxCode: TAX,
        salesPersonEmail: 'sam.seller@example.com',
        deliveryMethod: 'Courier',
        requiredDate: '2026-12-01',
        comments,
        deliveryAddress: { name: 'Acme Ltd', street: '1 Queen St', city: 'Auckland', country: 'New Zealand' },
        lines: lines.map(({ productGuid, ...l }) => (withGuids ? { ...l, productGuid } : l))
    };
}

/** The baseline's order body: money worked out line by line with the products it looked up. */
function naiveOrder(guid: string, lines: Line[], products: Map<string, UnleashedProduct>, comments: string) {
    let sub = new Decimal(0);
    let tax = new Decimal(0);
    const orderLines = lines.map((l, i) => {
        const p = products.get(l.productCode);
        if (!p) throw new Error(`baseline: no product ${l.productCode}`);
        const rate = new Decimal(String(p.XeroSalesTaxRate ?? 0));
        const lineTotal = new Decimal(l.quantity)
            .times(l.unitPrice)
            .toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
        const lineTax = lineTotal.times(rate).toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
        sub = sub.plus(lineTotal);
        tax = tax.plus(lineTax);
        return {
            LineNumber: i + 1,
            Product: { ProductCode: l.productCode },
            OrderQuantity: new Decimal(l.quantity),
            UnitPrice: new Decimal(l.unitPrice),
            DiscountRate: 0,
            LineTotal: lineTotal,
            LineTax: lineTax,
            TaxRate: rate
        };
    });
    return {
        Guid: guid,
        OrderStatus: 'Parked',
        Customer: { CustomerCode: CUSTOMER },
        Warehouse: { WarehouseCode: WAREHOUSE },
        Tax: { TaxCode: TAX },
        Comments: comments,
        SubTotal: sub,
        TaxTotal: tax,
        Total: sub.plus(tax),
        SalesOrderLines: orderLines
    };
}

/** One send by the baseline: customer and every product looked up by code, in sequence. */
async function naiveSend(
    client: UnleashedClient,
    guid: string,
    lines: Line[],
    resend: boolean,
    chains: number
): Promise<{ sequentialMs: number; total: string }> {
    const lookedUp = new Map<string, UnleashedProduct>();
    const head = await timed(() =>
        client.findByCode('Customers', 'customerCode', CUSTOMER, (c) => c.CustomerCode, CustomerSchema)
    );
    check(head.value !== null, 'baseline: customer found');
    const lookups = await inChains(
        lines.map((l) => async () => {
            const p = await client.findByCode(
                'Products',
                'productCode',
                l.productCode,
                (x) => x.ProductCode,
                ProductSchema
            );
            if (p) lookedUp.set(l.productCode, p);
        }),
        chains
    );
    const body = naiveOrder(guid, lines, lookedUp, resend ? 'Re-sent' : 'First send');
    const write = await timed(async () => {
        if (!resend) return client.post(`/SalesOrders/${guid}`, body, SalesOrderSchema);
        await client.get(`/SalesOrders/${guid}`, undefined, SalesOrderSchema);
        return client.put(`/SalesOrders/${guid}`, body, SalesOrderSchema);
    });
    return {
        sequentialMs: head.ms + lookups.sequentialMs + write.ms,
        total: new Decimal(String(write.value.Total)).toFixed(2)
    };
}

export async function run(args: string[]): Promise<void> {
    // The baseline's lookups each make the simulator scan the large catalog: run in parallel chains
    // they compete for the CPU and read slower than in true sequence, so one chain unless asked.
    const opt = numberOptions(args, { lines: 200, latency: 150, chains: 1 });
    say(`push: ${opt.lines} lines, ${opt.latency} ms per Unleashed call, seed large`);
    const stack = await startBenchStack({ seed: 'large', latencyMs: opt.latency, stockCacheSeconds: 5 });
    const baseline = await startBaseline({ seed: 'large', latencyMs: opt.latency });
    try {
        const lines = opportunityLines(stack.sim, opt.lines);
        const send = async (opportunityId: string, withGuids: boolean, comments: string | null) => {
            const before = stack.sim.callCount();
            const r = await stack.call(
                'POST',
                '/v1/sales-orders',
                snapshot(opportunityId, lines, withGuids, comments)
            );
            check(r.status === 201 || r.status === 200, `send answered ${r.status}: ${r.text.slice(0, 300)}`);
            const body = r.body as { created: boolean; total: string; orderGuid: string };
            return { wallMs: round1(r.ms), calls: stack.sim.callCount() - before, ...body };
        };
        const ours: Record<string, { wallMs: number; calls: number }> = {};
        let total = '';
        for (const [name, opportunityId, withGuids] of [
            ['withoutGuids', '0065g00000BNCH1AAA', false],
            ['withGuids', '0065g00000BNCH2AAA', true]
        ] as const) {
            // Cold: no reference data, products or answers cached for the tenant.
            stack.services.forget(stack.orgId);
            const cold = await send(opportunityId, withGuids, null);
            check(cold.created, `${name}: the first send creates the order`);
            const warm = await send(opportunityId, withGuids, 'Re-sent');
            check(
                !warm.created && warm.orderGuid === cold.orderGuid,
                `${name}: the re-send updates in place`
            );
            const stored = stack.sim.state.orders.find(
                (o) => o.Guid.toLowerCase() === cold.orderGuid.toLowerCase()
            );
            check(
                stored?.SalesOrderLines.length === opt.lines && stored.Comments === 'Re-sent',
                `${name}: order stored`
            );
            ours[`${name}Cold`] = { wallMs: cold.wallMs, calls: cold.calls };
            ours[`${name}Warm`] = { wallMs: warm.wallMs, calls: warm.calls };
            total = cold.total;
            say(
                `ours ${name}: cold ${cold.wallMs} ms / ${cold.calls} calls, warm ${warm.wallMs} ms / ${warm.calls} calls`
            );
        }

        const chains = Math.max(1, opt.chains);
        say(
            `naive: ${opt.lines} product lookups per send in sequence${chains > 1 ? `, run as ${chains} parallel chains to save time` : ''}...`
        );
        const guid = randomUUID();
        let mark = baseline.sim.callCount();
        const naiveCold = await naiveSend(baseline.client, guid, lines, false, chains);
        const coldCalls = baseline.sim.callCount() - mark;
        mark = baseline.sim.callCount();
        const naiveWarm = await naiveSend(baseline.client, guid, lines, true, chains);
        const warmCalls = baseline.sim.callCount() - mark;
        check(naiveCold.total === total, `same order total both ways (${naiveCold.total} vs ${total})`);
        say(
            `naive: cold ${round1(naiveCold.sequentialMs)} ms / ${coldCalls} calls, warm ${round1(naiveWarm.sequentialMs)} ms / ${warmCalls} calls`
        );

        const naive = {
            cold: { wallMs: round1(naiveCold.sequentialMs), calls: coldCalls },
            warm: { wallMs: round1(naiveWarm.sequentialMs), calls: warmCalls },
            chains
        };
        const ratio = (a: number, b: number) => round1(a / b);
        emit({
            bench: 'push',
            lines: opt.lines,
            latencyMs: opt.latency,
            orderTotal: total,
            ours,
            naive,
            ratios: {
                coldSpeedupWithoutGuids: ratio(naive.cold.wallMs, ours.withoutGuidsCold!.wallMs),
                coldSpeedupWithGuids: ratio(naive.cold.wallMs, ours.withGuidsCold!.wallMs),
                warmSpeedupWithoutGuids: ratio(naive.warm.wallMs, ours.withoutGuidsWarm!.wallMs),
                warmSpeedupWithGuids: ratio(naive.warm.wallMs, ours.withGuidsWarm!.wallMs),
                coldCallReductionWithoutGuids: ratio(naive.cold.calls, ours.withoutGuidsCold!.calls),
                coldCallReductionWithGuids: ratio(naive.cold.calls, ours.withGuidsCold!.calls),
                warmCallReductionWithoutGuids: ratio(naive.warm.calls, ours.withoutGuidsWarm!.calls),
                warmCallReductionWithGuids: ratio(naive.warm.calls, ours.withGuidsWarm!.calls)
            }
        });
    } finally {
        await stack.close();
        await baseline.sim.close();
    }
}
