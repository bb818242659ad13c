import { Decimal } from 'decimal.js';

/**
 * Exact decimal money. Unleashed validates order totals to the cent, so binary floats never touch
 * money: every value goes through parseDecimal and is rounded only where the money rules say so.
 */

export { Decimal };

/** Midpoint rule for round2; Unleashed does not document its own (see docs/unleashed-api.md). */
export type RoundingMode = 'half-away-from-zero' | 'half-even';

/**
 * Decimal constructor used for arithmetic. The library default keeps 20 significant digits per
 * operation; 200 keeps every product of realistic quantities, prices and rates exact.
 */
export const ExactDecimal = Decimal.clone({ precision: 200, rounding: Decimal.ROUND_HALF_UP });

/** Largest magnitude accepted; beyond it a value is a data error, not money. */
const LIMIT = new ExactDecimal('1e18');
const DECIMAL_TEXT = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d{1,4})?$/;

export class MoneyInputError extends Error {
    constructor(
        public readonly field: string,
        reason: string
    ) {
        super(`${field} ${reason}`);
        this.name = 'MoneyInputError';
    }
}

/**
 * Parses a JSON number or a decimal string exactly. A number is read through its shortest text
 * (String(0.1) is "0.1"), which is the decimal the sender wrote.
 */
export function parseDecimal(v: string | number, field: string): Decimal {
    let text: string;
    if (typeof v === 'number') {
        if (!Number.isFinite(v)) throw new MoneyInputError(field, `must be a finite number, got ${v}`);
        text = String(v);
    } else if (typeof v === 'string') {
        text = v.trim();
        if (text === '') throw new MoneyInputError(field, 'must be a decimal number, got an empty string');
    } else {
        throw new MoneyInputError(field, `must be a number or a decimal string, got ${describe(v)}`);
    }
    if (!DECIMAL_TEXT.test(text)) {
        throw new MoneyInputError(field, `must be a decimal number, got ${JSON.stringify(clip(text))}`);
    }
    const d = new ExactDecimal(text);
    if (d.abs().gte(LIMIT)) throw new MoneyInputError(field, `is out of range: ${clip(text)}`);
    // Normalise -0 so formatting never shows "-0.00".
    return d.isZero() ? new ExactDecimal(0) : d;
}

/** Rounds to cents with the given midpoint rule; values already on a cent are unchanged. */
export function round2(d: Decimal, mode: RoundingMode): Decimal {
    const r = new ExactDecimal(d).toDecimalPlaces(
        2,
        mode === 'half-even' ? Decimal.ROUND_HALF_EVEN : Decimal.ROUND_HALF_UP
    );
    return r.isZero() ? new ExactDecimal(0) : r;
}

/**
 * Money as text with exactly two places ("68.64"), never exponent notation. A value with more
 * places is rounded with `mode` first.
 */
export function formatMoney(d: Decimal, mode: RoundingMode = 'half-away-from-zero'): string {
    return round2(d, mode).toFixed(2);
}

function clip(s: string): string {
    return s.length > 40 ? `${s.slice(0, 40)}...` : s;
}

function describe(v: unknown): string {
    if (v === null) return 'null';
    if (Array.isArray(v)) return 'an array';
    return typeof v;
}
