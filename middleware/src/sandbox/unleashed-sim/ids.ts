import { createHash } from 'node:crypto';

const GUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isGuid(s: string): boolean {
    return GUID_RE.test(s);
}

/** A stable GUID for a seed record, so ids survive restarts and resets. */
export function guidFor(name: string): string {
    const h = createHash('sha1').update(`unleashed-sim:${name}`).digest('hex');
    const variant = ((parseInt(h.charAt(16), 16) & 0x3) | 0x8).toString(16);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function sameGuid(a: string | null | undefined, b: string | null | undefined): boolean {
    return typeof a === 'string' && typeof b === 'string' && a.toLowerCase() === b.toLowerCase();
}
