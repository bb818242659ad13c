import type { Query, QueryValue } from './types';

/**
 * Builds the query string once. Unleashed signs the query bytes, so the string made here is both
 * what is signed and what goes on the wire; nothing downstream may re-encode it (URLSearchParams
 * would turn ':' into %3A and space into '+').
 *
 * - `minimal`: unreserved characters and `: , @ /` stay raw (dates like 2024-01-01T00:00:00 and
 *   comma lists go as most public clients send them); everything else is UTF-8 percent-encoded,
 *   space as %20.
 * - `rfc3986`: everything but the unreserved characters is percent-encoded.
 */
export type QueryEncoding = 'minimal' | 'rfc3986';

const UNRESERVED = /^[A-Za-z0-9\-._~]$/;
const MINIMAL_RAW = /^[A-Za-z0-9\-._~:,@/]$/;
const LONE_SURROGATE = /\p{Cs}/u;

export function encodeQueryComponent(text: string, encoding: QueryEncoding): string {
    const raw = encoding === 'minimal' ? MINIMAL_RAW : UNRESERVED;
    let out = '';
    for (const ch of text) {
        if (raw.test(ch)) {
            out += ch;
        } else {
            for (const byte of Buffer.from(ch, 'utf8'))
                out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
        }
    }
    return out;
}

function valueText(key: string, value: Exclude<QueryValue, null | undefined>): string {
    if (typeof value === 'string') return value;
    if (typeof value === 'boolean') return value ? 'true' : 'false';
    if (typeof value === 'number') {
        if (!Number.isFinite(value)) throw new TypeError(`query parameter ${key} is not a finite number`);
        return String(value);
    }
    return value.map((v) => valueText(key, v)).join(',');
}

/** `a=1&b=x%20y`, without a leading '?'; null and undefined values are left out, key order kept. */
export function buildQueryString(query: Query | undefined, encoding: QueryEncoding): string {
    if (!query) return '';
    const parts: string[] = [];
    for (const [key, value] of Object.entries(query)) {
        if (value === null || value === undefined) continue;
        const text = valueText(key, value);
        if (LONE_SURROGATE.test(key) || LONE_SURROGATE.test(text)) {
            throw new TypeError(`query parameter ${key} is not well-formed Unicode text`);
        }
        parts.push(`${encodeQueryComponent(key, encoding)}=${encodeQueryComponent(text, encoding)}`);
    }
    return parts.join('&');
}
