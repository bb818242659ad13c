import { SalesforceError } from '../../salesforce/errors';

/** How long a token revocation may take before it counts as failed. */
const REVOKE_TIMEOUT_MS = 10_000;

/**
 * POST {base}/services/oauth2/revoke. An unknown or already revoked token counts as revoked. The
 * caller has checked `baseUrl` against the Salesforce host rules: the token is sent to it.
 */
export async function revokeToken(doFetch: typeof fetch, baseUrl: string, token: string): Promise<void> {
    const res = await doFetch(new URL('/services/oauth2/revoke', baseUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token }).toString(),
        signal: AbortSignal.timeout(REVOKE_TIMEOUT_MS)
    });
    const text = await res.text();
    if (res.ok) return;
    if (res.status === 400 && /invalid_token|unsupported_token_type/.test(text)) return;
    throw new SalesforceError(
        'REVOKE_FAILED',
        `Salesforce answered HTTP ${res.status} to the token revocation`
    );
}
