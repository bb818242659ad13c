import type { Decimal } from 'decimal.js';
import type { RoundingMode } from '../../money/decimal';
import { computeOrderTotals } from '../../money/order-totals';
import { decimalField, type UnleashedSalesOrder } from '../../unleashed/schemas';
import type { OrderPlan } from './plan';

/**
 * Checks on what Unleashed kept, for writes whose effect is unconfirmed (docs/unleashed-api.md):
 * whether PUT /SalesOrders/{guid} replaces lines, and which midpoint rule Unleashed's totals use.
 */

const SHOWN = 8;

function figure(d: Decimal | null): string {
    return d === null ? 'nothing' : d.toString();
}

/**
 * The differences between the order as Unleashed holds it and the plan just sent: line count, each
 * product line's product, quantity, unit price, line total and tax, and the three totals. Empty
 * when Unleashed kept what was sent.
 */
export function differencesFromPlan(stored: UnleashedSalesOrder, plan: OrderPlan): string[] {
    const out: string[] = [];
    // Comment lines carry no product or money; only product lines are compared.
    const lines = [...(stored.SalesOrderLines ?? [])]
        .filter((l) => !l.LineType)
        .sort((a, b) => (a.LineNumber ?? 0) - (b.LineNumber ?? 0));
    if (lines.length !== plan.lines.length) {
        out.push(`Unleashed has ${lines.length} product lines, Salesforce sent ${plan.lines.length}`);
    }
    plan.lines.forEach((p, i) => {
        const s = lines[i];
        const where = `line ${p.lineNumber} (${p.productCode})`;
        if (!s) return;
        const code = s.Product?.ProductCode ?? null;
        if (code !== p.productCode) out.push(`${where}: product ${code ?? 'none'} in Unleashed`);
        const pairs: [string, Decimal | null, Decimal][] = [
            ['quantity', decimalField(s.OrderQuantity, 'OrderQuantity'), p.quantity],
            ['unit price', decimalField(s.UnitPrice, 'UnitPrice'), p.unitPrice],
            ['line total', decimalField(s.LineTotal, 'LineTotal'), p.lineTotal],
            ['line tax', decimalField(s.LineTax, 'LineTax'), p.lineTax]
        ];
        for (const [what, got, want] of pairs) {
            if (got === null || !got.eq(want)) {
                out.push(`${where}: ${what} ${figure(got)} in Unleashed, ${want.toString()} sent`);
            }
        }
    });
    const totals: [string, unknown, Decimal][] = [
        ['SubTotal', stored.SubTotal, plan.subTotal],
        ['TaxTotal', stored.TaxTotal, plan.taxTotal],
        ['Total', stored.Total, plan.total]
    ];
    for (const [field, raw, want] of totals) {
        const got = decimalField(raw as number | string | null | undefined, field);
        if (got === null || !got.eq(want)) {
            out.push(`${field} ${figure(got)} in Unleashed, ${want.toFixed(2)} sent`);
        }
    }
    return out.length > SHOWN ? [...out.slice(0, SHOWN), `and ${out.length - SHOWN} more`] : out;
}

/** Whether Unleashed's words on a refused order are about its money. */
export function isTotalsRefusal(message: string): boolean {
    return /LineTotal|LineTax|SubTotal|TaxTotal|\bTotal\b|round/i.test(message);
}

/**
 * What to tell the user when Unleashed refuses an order's totals: the lines whose figures change
 * with the midpoint rule (with their figures), or that none does, and the MONEY_ROUNDING setting.
 */
export function totalsRefusalHint(plan: OrderPlan, rounding: RoundingMode): string {
    const other: RoundingMode = rounding === 'half-even' ? 'half-away-from-zero' : 'half-even';
    const alt = computeOrderTotals(plan.lines, other);
    const lines: string[] = [];
    plan.lines.forEach((l, i) => {
        const a = alt.lines[i]!;
        const exact = l.quantity.times(l.unitPrice);
        if (!a.lineTotal.eq(l.lineTotal)) {
            lines.push(
                `line ${l.lineNumber} (${l.productCode}): ${l.quantity.toString()} x ${l.unitPrice.toString()} = ${exact.toString()}, sent LineTotal ${l.lineTotal.toFixed(2)}; ${other} gives ${a.lineTotal.toFixed(2)}`
            );
        } else if (!a.lineTax.eq(l.lineTax)) {
            lines.push(
                `line ${l.lineNumber} (${l.productCode}): tax ${l.lineTotal.toFixed(2)} x ${l.taxRate.toString()} = ${l.lineTotal.times(l.taxRate).toString()}, sent LineTax ${l.lineTax.toFixed(2)}; ${other} gives ${a.lineTax.toFixed(2)}`
            );
        }
    });
    const sent = `Sent SubTotal ${plan.subTotal.toFixed(2)}, TaxTotal ${plan.taxTotal.toFixed(2)}, Total ${plan.total.toFixed(2)} with MONEY_ROUNDING=${rounding}.`;
    if (lines.length === 0) {
        return `${sent} No line lands on a half cent, so the midpoint rule is not the cause.`;
    }
    return (
        `${sent} These figures sit on a half cent and round differently under the other rule: ` +
        `${lines.join('; ')}. If Unleashed rounds halves the other way, set MONEY_ROUNDING=${other}.`
    );
}
