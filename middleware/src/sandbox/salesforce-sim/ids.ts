import { randomBytes } from 'node:crypto';

/**
 * Salesforce record ids: a 3-character key prefix, 12 more base-62 characters, and a 3-character
 * suffix that encodes the case of the first 15 (so the 18-character form survives case-insensitive
 * systems). The simulator only hands out 18-character ids, as the REST API does.
 */

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const SUFFIX = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';

export function checksumSuffix(id15: string): string {
    let out = '';
    for (let block = 0; block < 3; block++) {
        let bits = 0;
        for (let i = 0; i < 5; i++) {
            const c = id15.charAt(block * 5 + i);
            if (c >= 'A' && c <= 'Z') bits |= 1 << i;
        }
        out += SUFFIX.charAt(bits);
    }
    return out;
}

export function to18(id: string): string {
    if (id.length === 18) return id;
    if (id.length !== 15) throw new Error(`not a Salesforce id: ${id}`);
    return id + checksumSuffix(id);
}

/** Accepts a 15- or 18-character id and answers the 18-character form, or null for garbage. */
export function normaliseId(id: string): string | null {
    if (!/^[a-zA-Z0-9]{15}(?:[A-Z0-5]{3})?$/.test(id)) return null;
    const id18 = to18(id.slice(0, 15));
    return id.length === 18 && id18 !== id ? null : id18;
}

/**
 * The one id an 18-character text can equal when case is ignored (as SOQL compares), or null: the
 * suffix says which of the first 15 characters are capitals, so lowercase ids stay distinct.
 */
export function idIgnoringCase(text: string): string | null {
    if (text.length !== 18) return null;
    const suffix = text.slice(15).toUpperCase();
    let body = '';
    for (let block = 0; block < 3; block++) {
        const bits = SUFFIX.indexOf(suffix.charAt(block));
        if (bits < 0) return null;
        for (let i = 0; i < 5; i++) {
            const c = text.charAt(block * 5 + i);
            body += bits & (1 << i) ? c.toUpperCase() : c.toLowerCase();
        }
    }
    return body + suffix;
}

/** Sequential ids per prefix: readable in test output and unique within a process. */
export class IdFactory {
    private readonly counters = new Map<string, number>();
    private readonly pod: string;

    constructor(pod = '5g') {
        this.pod = pod;
    }

    next(prefix: string): string {
        const n = (this.counters.get(prefix) ?? 0) + 1;
        this.counters.set(prefix, n);
        let tail = '';
        let v = n;
        while (v > 0) {
            tail = BASE62.charAt(v % 62) + tail;
            v = Math.floor(v / 62);
        }
        const body = (prefix + this.pod + '0'.repeat(15)).slice(0, 15 - tail.length) + tail;
        return to18(body);
    }
}

export function randomToken(bytes = 24): string {
    return randomBytes(bytes).toString('base64url');
}
