import { Decimal, ExactDecimal, round2, type RoundingMode } from './decimal';

/**
 * Sales-order money exactly as Unleashed computes and validates it (docs/unleashed-api.md): each line is
 * rounded to cents before anything is summed, and tax is taken from the rounded line total.
 */

export interface OrderLineInput {
    quantity: Decimal;
    unitPrice: Decimal;
    /** A fraction: 0.15 is 15 %. */
    taxRate: Decimal;
}

export interface OrderLineTotals {
    lineTotal: Decimal;
    lineTax: Decimal;
}

export interface OrderTotals {
    lines: OrderLineTotals[];
    subTotal: Decimal;
    taxTotal: Decimal;
    total: Decimal;
}

export function computeLineTotals(line: OrderLineInput, mode: RoundingMode): OrderLineTotals {
    const lineTotal = round2(new ExactDecimal(line.quantity).times(line.unitPrice), mode);
    const lineTax = round2(lineTotal.times(new ExactDecimal(line.taxRate)), mode);
    return { lineTotal, lineTax };
}

export function computeOrderTotals(lines: readonly OrderLineInput[], mode: RoundingMode): OrderTotals {
    const out = lines.map((l) => computeLineTotals(l, mode));
    let subTotal: Decimal = new ExactDecimal(0);
    let taxTotal: Decimal = new ExactDecimal(0);
    for (const l of out) {
        subTotal = subTotal.plus(l.lineTotal);
        taxTotal = taxTotal.plus(l.lineTax);
    }
    return { lines: out, subTotal, taxTotal, total: subTotal.plus(taxTotal) };
}
