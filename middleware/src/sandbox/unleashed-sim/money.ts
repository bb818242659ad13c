/**
 * Order money as Unleashed checks it. Written independently of middleware/src/money on purpose: the
 * simulator is the second implementation the client's totals are checked against.
 */
import Decimal from 'decimal.js';
import { badRequest } from './errors';
import type { RoundingMode } from './types';

const HALF = new Decimal('0.5');

/** Rounds to cents by inspecting the remainder below a cent, not through a library rounding mode. */
export function roundCents(value: Decimal, mode: RoundingMode): Decimal {
    const cents = value.times(100);
    const whole = cents.trunc();
    const rest = cents.minus(whole).abs();
    const away = whole.plus(cents.isNegative() ? -1 : 1);
    const cmp = rest.comparedTo(HALF);
    let result: Decimal;
    if (cmp < 0) result = whole;
    else if (cmp > 0) result = away;
    else if (mode === 'half-away-from-zero') result = away;
    else result = whole.mod(2).isZero() ? whole : away;
    return result.dividedBy(100);
}

/** A money or quantity field from a request body: a JSON number or a numeric string. */
export function readAmount(value: unknown, field: string): Decimal {
    if (typeof value === 'number' && Number.isFinite(value)) return new Decimal(String(value));
    if (typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value)) return new Decimal(value.trim());
    throw badRequest(`${field} must be a number.`);
}

export function readOptionalAmount(value: unknown, field: string, fallback: Decimal): Decimal {
    return value === null || value === undefined ? fallback : readAmount(value, field);
}

export interface LineMoney {
    quantity: Decimal;
    unitPrice: Decimal;
    discountRate: Decimal;
    taxRate: Decimal;
}

export interface ExpectedTotals {
    lines: { lineTotal: Decimal; lineTax: Decimal }[];
    subTotal: Decimal;
    taxTotal: Decimal;
    total: Decimal;
}

/** LineTotal = round2(qty x price x (1 - discount)); LineTax = round2(LineTotal x rate); sums of rounded lines. */
export function expectedTotals(lines: LineMoney[], mode: RoundingMode): ExpectedTotals {
    let subTotal = new Decimal(0);
    let taxTotal = new Decimal(0);
    const out = lines.map((l) => {
        const gross = l.quantity.times(l.unitPrice).times(new Decimal(1).minus(l.discountRate));
        const lineTotal = roundCents(gross, mode);
        const lineTax = roundCents(lineTotal.times(l.taxRate), mode);
        subTotal = subTotal.plus(lineTotal);
        taxTotal = taxTotal.plus(lineTax);
        return { lineTotal, lineTax };
    });
    return { lines: out, subTotal, taxTotal, total: subTotal.plus(taxTotal) };
}
