import { createHmac } from 'node:crypto';

/**
 * Unleashed's request signature: base64(HMAC-SHA256(key = the API key as UTF-8 text, message = the
 * query string exactly as sent, without '?'; "" when there is none)). Path, method and body are
 * not signed. The result authorises calls: treat it as a secret.
 */
export function signQuery(apiKey: string, query: string): string {
    return createHmac('sha256', Buffer.from(apiKey, 'utf8')).update(query, 'utf8').digest('base64');
}
