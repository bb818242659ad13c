import { parseFilterDate } from '../dates';
import { badRequest } from '../errors';
import { isGuid } from '../ids';

function decodePart(s: string): string {
    const spaced = s.replace(/\+/g, ' ');
    try {
        return decodeURIComponent(spaced);
    } catch {
        return spaced;
    }
}

/** Query parameters by case-insensitive name (Unleashed's server ignores the case of names). */
export class QueryParams {
    private readonly values = new Map<string, string>();

    constructor(raw: string) {
        for (const part of raw.split('&')) {
            if (!part) continue;
            const eq = part.indexOf('=');
            const name = decodePart(eq < 0 ? part : part.slice(0, eq)).toLowerCase();
            const value = eq < 0 ? '' : decodePart(part.slice(eq + 1));
            if (!this.values.has(name)) this.values.set(name, value);
        }
    }

    /** The value, or undefined when absent or blank. */
    get(name: string): string | undefined {
        const v = this.values.get(name.toLowerCase());
        return v === undefined || v.trim() === '' ? undefined : v;
    }

    bool(name: string, fallback: boolean): boolean {
        const v = this.get(name);
        if (v === undefined) return fallback;
        if (/^true$/i.test(v)) return true;
        if (/^false$/i.test(v)) return false;
        throw badRequest(`The ${name} parameter must be true or false.`);
    }

    /** pageSize: default 200, 1..1000, 400 outside. */
    pageSize(): number {
        const v = this.get('pageSize');
        if (v === undefined) return 200;
        if (!/^\d+$/.test(v.trim())) throw badRequest('pageSize must be a whole number between 1 and 1000.');
        const n = Number(v);
        if (n < 1 || n > 1000) throw badRequest('pageSize must be between 1 and 1000.');
        return n;
    }

    /** A comma-separated list (blank entries dropped). */
    list(name: string): string[] | undefined {
        const v = this.get(name);
        if (v === undefined) return undefined;
        return v
            .split(',')
            .map((s) => s.trim())
            .filter((s) => s !== '');
    }

    guidList(name: string): string[] | undefined {
        const list = this.list(name);
        for (const g of list ?? []) {
            if (!isGuid(g))
                throw badRequest(`${name} must be a comma-separated list of GUIDs; '${g}' is not one.`);
        }
        return list?.map((g) => g.toLowerCase());
    }

    /** A date filter in ms since epoch. */
    date(name: string): number | undefined {
        const v = this.get(name);
        return v === undefined ? undefined : parseFilterDate(v, name);
    }
}

/** Case-insensitive "starts with", the way Unleashed's code and name filters match. */
export function startsWith(value: string | null | undefined, prefix: string | undefined): boolean {
    if (prefix === undefined) return true;
    return typeof value === 'string' && value.toLowerCase().startsWith(prefix.toLowerCase());
}

export function sameText(value: string | null | undefined, other: string | undefined): boolean {
    if (other === undefined) return true;
    return typeof value === 'string' && value.toLowerCase() === other.toLowerCase();
}
