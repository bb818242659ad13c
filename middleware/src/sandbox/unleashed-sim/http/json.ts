import Decimal from 'decimal.js';
import { wireDate } from '../dates';

/** Unleashed's JSON: Decimals as numbers, Dates as "/Date(ms)/". */
export function toJson(value: unknown): string {
    return JSON.stringify(value, function (this: Record<string, unknown>, key: string, v: unknown) {
        // Decimal and Date both arrive here already turned into strings by their toJSON.
        if (typeof v !== 'string') return v;
        const raw = this[key];
        if (Decimal.isDecimal(raw)) return (raw as Decimal).toNumber();
        if (raw instanceof Date) return wireDate(raw);
        return v;
    });
}

/** A record as a client would read it back (used to merge an update onto the stored order). */
export function toWire<T>(value: T): unknown {
    return JSON.parse(toJson(value));
}
