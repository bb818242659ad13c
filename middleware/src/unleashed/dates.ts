/**
 * Unleashed dates. JSON carries "/Date(1413424319073)/" (ms since the epoch, UTC); some records add
 * an offset ("/Date(1413424319073+1300)/") that only says which zone the value was entered in: the
 * number is still UTC. Filters take YYYY-MM-DD or YYYY-MM-DDTHH:mm:ss, read as UTC.
 */

const MS_DATE = /^\/Date\((-?\d{1,15})([+-]\d{4})?\)\/$/;
const ISO_DATE =
    /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

export class UnleashedDateError extends TypeError {
    constructor(text: string) {
        super(
            `not an Unleashed date: ${JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}...` : text)}`
        );
        this.name = 'UnleashedDateError';
    }
}

/** "/Date(ms)/" (offset ignored), or ISO 8601 (no zone = UTC); null, undefined and "" are null. */
export function parseUnleashedDate(v: string | null | undefined): Date | null {
    if (v === null || v === undefined) return null;
    const text = v.trim();
    if (text === '') return null;
    const ms = MS_DATE.exec(text);
    if (ms) return checked(new Date(Number(ms[1])), v);
    const iso = ISO_DATE.exec(text);
    if (!iso) throw new UnleashedDateError(v);
    const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone] = iso;
    const fields = [Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)] as const;
    const utc = Date.UTC(...fields, Number(frac.padEnd(3, '0').slice(0, 3)));
    const date = new Date(utc - zoneOffsetMinutes(zone) * 60_000);
    // Date.UTC rolls 2024-02-30 over to March: reject instead of guessing.
    const back = new Date(utc);
    const same =
        back.getUTCFullYear() === fields[0] &&
        back.getUTCMonth() === fields[1] &&
        back.getUTCDate() === fields[2] &&
        back.getUTCHours() === fields[3] &&
        back.getUTCMinutes() === fields[4] &&
        back.getUTCSeconds() === fields[5];
    if (!same) throw new UnleashedDateError(v);
    return checked(date, v);
}

function zoneOffsetMinutes(zone: string | undefined): number {
    if (!zone || zone.toUpperCase() === 'Z') return 0;
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4)));
}

function checked(d: Date, text: string): Date {
    if (Number.isNaN(d.getTime())) throw new UnleashedDateError(text);
    return d;
}

function valid(d: Date): Date {
    if (!(d instanceof Date) || Number.isNaN(d.getTime())) throw new TypeError('not a valid date');
    return d;
}

/** A filter value such as modifiedSince: YYYY-MM-DDTHH:mm:ss in UTC (milliseconds dropped). */
export function formatFilterDate(d: Date): string {
    return valid(d).toISOString().slice(0, 19);
}

/** A date-only filter value: YYYY-MM-DD in UTC. */
export function formatFilterDay(d: Date): string {
    return valid(d).toISOString().slice(0, 10);
}

/** The JSON form Unleashed returns: "/Date(ms)/". */
export function formatJsonDate(d: Date): string {
    return `/Date(${valid(d).getTime()})/`;
}
