import type { Query, QueryValue } from './types';

/**
 * Builds the query string once, in two forms: the text that goes on the wire and the text that is
 * signed. Nothing downstream may re-encode the wire form (URLSearchParams would turn ':' into %3A
 * and space into '+').
 *
 * - `sign-decoded` (default): values go percent-encoded (RFC 3986) and the signature covers the
 *   decoded `key=value&...` text, in the order sent. The evidence says Unleashed verifies the
 *   decoded query (docs/unleashed-api.md, "Which query text is signed").
 * - `minimal`: unreserved characters and `: , @ /` go raw, the rest percent-encoded (space as %20);
 *   the signature covers exactly those bytes.
 * - `rfc3986`: everything but the unreserved characters is percent-encoded; the signature covers
 *   exactly those bytes.
 * For plain codes and dates the three sign the same text; they differ only when a value holds a
 * space, `#`, `&`, `+`, `/`, `%`, a non-ASCII letter and the like.
 */
export type QueryEncoding = 'sign-decoded' | 'minimal' | 'rfc3986';
export const QUERY_ENCODINGS: readonly QueryEncoding[] = ['sign-decoded', 'minimal', 'rfc3986'];

export interface BuiltQuery {
    /** After '?' on the wire; '' when there is no query. */
    sent: string;
    /** The text the signature covers. */
    signed: string;
}

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

/** The parameters as text, null and undefined left out, key order kept. */
function pairs(query: Query | undefined): [string, string][] {
    if (!query) return [];
    const out: [string, string][] = [];
    for (const [key, value] of Object.entries(query)) {
        if (value === null || value === undefined) continue;
        const text = valueText(key, value);
        if (LONE_SURROGATE.test(key) || LONE_SURROGATE.test(text)) {
            throw new TypeError(`query parameter ${key} is not well-formed Unicode text`);
        }
        out.push([key, text]);
    }
    return out;
}

/** The wire form and the signed form of a query, per encoding. */
export function buildQuery(query: Query | undefined, encoding: QueryEncoding): BuiltQuery {
    const ps = pairs(query);
    const sent = ps
        .map(([k, v]) => `${encodeQueryComponent(k, encoding)}=${encodeQueryComponent(v, encoding)}`)
        .join('&');
    const signed = encoding === 'sign-decoded' ? ps.map(([k, v]) => `${k}=${v}`).join('&') : sent;
    return { sent, signed };
}

/** `a=1&b=x%20y` as sent, without a leading '?'. */
export function buildQueryString(query: Query | undefined, encoding: QueryEncoding): string {
    return buildQuery(query, encoding).sent;
}

/**
 * Whether the settings would sign this query differently: only then can a 403 be the encoding's
 * fault rather than the credentials'.
 */
export function signingDependsOnEncoding(query: Query | undefined): boolean {
    const signed = new Set(QUERY_ENCODINGS.map((e) => buildQuery(query, e).signed));
    return signed.size > 1;
}
