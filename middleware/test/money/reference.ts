/**
 * An independent reference for the money rules: scaled BigInt integers only, no decimal library.
 * A value is (n, scale) meaning n / 10^scale.
 */

export type Mode = 'half-away-from-zero' | 'half-even';

/** Reference: round n / 10^scale to cents with BigInt only, for any sign. */
export function refRound2(n: bigint, scale: number, mode: Mode): bigint {
    if (scale <= 2) return n * 10n ** BigInt(2 - scale);
    const d = 10n ** BigInt(scale - 2);
    const neg = n < 0n;
    const a = neg ? -n : n;
    let q = a / d;
    const twice = (a % d) * 2n;
    if (twice > d || (twice === d && (mode === 'half-away-from-zero' || q % 2n === 1n))) q += 1n;
    return neg ? -q : q;
}

export function centsText(c: bigint): string {
    const neg = c < 0n;
    const a = (neg ? -c : c).toString().padStart(3, '0');
    return `${neg ? '-' : ''}${a.slice(0, -2)}.${a.slice(-2)}`;
}

export function scaledText(n: bigint, scale: number): string {
    if (scale === 0) return n.toString();
    const neg = n < 0n;
    const a = (neg ? -n : n).toString().padStart(scale + 1, '0');
    return `${neg ? '-' : ''}${a.slice(0, -scale)}.${a.slice(-scale)}`;
}

/** True when n / 10^scale lies exactly halfway between two cents. */
export function isCentMidpoint(n: bigint, scale: number): boolean {
    if (scale <= 2) return false;
    const d = 10n ** BigInt(scale - 2);
    const r = (n < 0n ? -n : n) % d;
    return r * 2n === d;
}

export interface RefLine {
    qty: bigint;
    qtyScale: number;
    price: bigint;
    priceScale: number;
    rate: bigint;
    rateScale: number;
}

export interface RefTotals {
    lines: { lineTotal: bigint; lineTax: bigint; midpoint: boolean }[];
    subTotal: bigint;
    taxTotal: bigint;
    total: bigint;
}

/** Unleashed's order money, in cents: round each line, tax from the rounded line, then sum. */
export function refOrderTotals(lines: readonly RefLine[], mode: Mode): RefTotals {
    const out = lines.map((l) => {
        const product = l.qty * l.price;
        const productScale = l.qtyScale + l.priceScale;
        const lineTotal = refRound2(product, productScale, mode);
        const tax = lineTotal * l.rate;
        const taxScale = 2 + l.rateScale;
        const lineTax = refRound2(tax, taxScale, mode);
        return {
            lineTotal,
            lineTax,
            midpoint: isCentMidpoint(product, productScale) || isCentMidpoint(tax, taxScale)
        };
    });
    const subTotal = out.reduce((s, l) => s + l.lineTotal, 0n);
    const taxTotal = out.reduce((s, l) => s + l.lineTax, 0n);
    return { lines: out, subTotal, taxTotal, total: subTotal + taxTotal };
}
