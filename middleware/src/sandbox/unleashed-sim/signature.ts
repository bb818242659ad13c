import { createHmac, timingSafeEqual } from 'node:crypto';

/** base64(HMAC-SHA256(key as UTF-8 text, query)) — the key is never base64-decoded. */
export function signQuery(apiKey: string, query: string): string {
    return createHmac('sha256', Buffer.from(apiKey, 'utf8')).update(query, 'utf8').digest('base64');
}

export function signatureMatches(apiKey: string, query: string, presented: string): boolean {
    const expected = Buffer.from(signQuery(apiKey, query), 'utf8');
    const given = Buffer.from(presented, 'utf8');
    return expected.length === given.length && timingSafeEqual(expected, given);
}

/** The query as a server that decodes before verifying would see it ('+' is a space, %XX decoded). */
export function decodeQuery(raw: string): string {
    const spaced = raw.replace(/\+/g, ' ');
    try {
        return decodeURIComponent(spaced);
    } catch {
        return spaced;
    }
}
