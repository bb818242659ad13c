import { badRequest } from './errors';

const FILTER_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?)?Z?$/;
const WIRE_RE = /^\/Date\((-?\d+)(?:[+-]\d{4})?\)\/$/;

function fromParts(m: RegExpExecArray): number | null {
    const [y, mo, d, h, mi, s, frac] = m.slice(1).map((x) => (x === undefined ? 0 : Number(x)));
    const ms = Date.UTC(y!, mo! - 1, d!, h, mi, s, frac ? Number(`0.${m[7]}`) * 1000 : 0);
    const check = new Date(ms);
    // Reject calendar overflow such as 2026-02-31.
    if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo! - 1 || check.getUTCDate() !== d)
        return null;
    if (h! > 23 || mi! > 59 || s! > 59) return null;
    return ms;
}

/** A filter date (`YYYY-MM-DD` or `YYYY-MM-DDTHH:mm:ss`, UTC) in ms; 400 when unreadable. */
export function parseFilterDate(value: string, name: string): number {
    const m = FILTER_RE.exec(value.trim());
    const ms = m ? fromParts(m) : null;
    if (ms === null)
        throw badRequest(
            `The ${name} filter '${value}' is not a valid date (use YYYY-MM-DD or YYYY-MM-DDTHH:mm:ss).`
        );
    return ms;
}

/** A date in a request body: `/Date(ms)/` or ISO; null/empty stays null; 400 when unreadable. */
export function parseBodyDate(value: unknown, field: string): Date | null {
    if (value === null || value === undefined || value === '') return null;
    if (typeof value === 'string') {
        const wire = WIRE_RE.exec(value);
        if (wire) return new Date(Number(wire[1]));
        const m = FILTER_RE.exec(value.trim());
        const ms = m ? fromParts(m) : null;
        if (ms !== null) return new Date(ms);
        const iso = Date.parse(value);
        if (!Number.isNaN(iso) && /^\d{4}-\d{2}-\d{2}T/.test(value)) return new Date(iso);
    }
    throw badRequest(`${field} could not be read as a date.`);
}

export function wireDate(d: Date): string {
    return `/Date(${d.getTime()})/`;
}
