import Decimal from 'decimal.js';

/**
 * Typed reads from parsed JSON, as the package's UnleashedJson does them: numbers or decimal text
 * become exact decimals, anything else becomes text, and missing keys read as null.
 */

export type Json = Record<string, unknown>;

export function isObject(v: unknown): v is Json {
    return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function str(source: Json | null | undefined, key: string): string | null {
    const v = source?.[key];
    if (v === null || v === undefined) return null;
    if (typeof v === 'number') return new Decimal(v).toFixed();
    if (typeof v === 'object') return JSON.stringify(v);
    return String(v);
}

export function dec(source: Json | null | undefined, key: string): Decimal | null {
    const text = str(source, key);
    if (text === null || text.trim() === '') return null;
    try {
        return new Decimal(text.trim());
    } catch {
        return null;
    }
}

/** Integer value: fractions cut toward zero (Decimal.intValue). */
export function integerValue(source: Json | null | undefined, key: string): number | null {
    const d = dec(source, key);
    return d === null ? null : d.trunc().toNumber();
}

export function bool(source: Json | null | undefined, key: string): boolean | null {
    const v = source?.[key];
    if (v === null || v === undefined) return null;
    return v === true || String(v).toLowerCase() === 'true';
}

export function obj(source: Json | null | undefined, key: string): Json | null {
    const v = source?.[key];
    return isObject(v) ? v : null;
}

export function arr(source: Json | null | undefined, key: string): unknown[] {
    const v = source?.[key];
    return Array.isArray(v) ? v : [];
}

export function objects(source: Json | null | undefined, key: string): Json[] {
    return arr(source, key).filter(isObject);
}

export function strings(source: Json | null | undefined, key: string): string[] {
    return arr(source, key)
        .filter((x) => x !== null && x !== undefined)
        .map((x) => String(x));
}

/** An ISO 8601 time, or null when absent or not one. */
export function isoDatetime(source: Json | null | undefined, key: string): Date | null {
    const text = str(source, key);
    if (text === null || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(text.trim())) return null;
    const d = new Date(text.trim());
    return Number.isNaN(d.getTime()) ? null : d;
}

/** A decimal as Aura sends a Decimal: a JSON number. */
export function num(d: Decimal | null | undefined): number | null {
    return d === null || d === undefined ? null : Number(d.toString());
}

/** A number read from a record (SObject numbers arrive as JSON numbers) as an exact decimal. */
export function decimalOf(v: unknown): Decimal | null {
    if (v === null || v === undefined || v === '') return null;
    try {
        return new Decimal(typeof v === 'number' ? String(v) : String(v));
    } catch {
        return null;
    }
}

export function isBlank(v: string | null | undefined): boolean {
    return v === null || v === undefined || v.trim() === '';
}

/** Text the way Apex concatenation writes it (null reads "null"). */
export function apexText(v: unknown): string {
    return v === null || v === undefined ? 'null' : String(v);
}

/** Java's URLEncoder (EncodingUtil.urlEncode): space as '+', only `.-*_` left unescaped. */
export function urlEncode(value: string): string {
    return encodeURIComponent(value)
        .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
        .replace(/%20/g, '+');
}
