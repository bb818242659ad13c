import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { SalesforceError } from './errors';

/**
 * The OAuth 2.0 web-server flow that connects an org: send the admin to Salesforce's authorize
 * page with a PKCE challenge, then trade the code that comes back (with the verifier) for a refresh
 * token. Salesforce signs the token answer: base64 HMAC-SHA256(client secret, id + issued_at);
 * the signature is checked so a forged answer cannot plant another org's id.
 */

export interface PkcePair {
    codeVerifier: string;
    codeChallenge: string;
}

/** RFC 7636 S256: a 43..128 character verifier and its SHA-256, both base64url. */
export function createPkcePair(): PkcePair {
    const codeVerifier = randomBytes(48).toString('base64url');
    return { codeVerifier, codeChallenge: createHash('sha256').update(codeVerifier).digest('base64url') };
}

export interface AuthorizeUrlOptions {
    loginUrl: string;
    clientId: string;
    redirectUri: string;
    state: string;
    codeChallenge: string;
    /** Default 'api refresh_token': REST access plus a refresh token. */
    scope?: string;
    /** e.g. 'login consent' to force the login page. */
    prompt?: string;
}

export function buildAuthorizeUrl(o: AuthorizeUrlOptions): string {
    const url = new URL('/services/oauth2/authorize', o.loginUrl);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('client_id', o.clientId);
    url.searchParams.set('redirect_uri', o.redirectUri);
    url.searchParams.set('state', o.state);
    url.searchParams.set('code_challenge', o.codeChallenge);
    url.searchParams.set('code_challenge_method', 'S256');
    url.searchParams.set('scope', o.scope ?? 'api refresh_token');
    if (o.prompt) url.searchParams.set('prompt', o.prompt);
    return url.toString();
}

export interface ExchangeCodeOptions {
    loginUrl: string;
    clientId: string;
    clientSecret: string;
    redirectUri: string;
    code: string;
    codeVerifier: string;
    /** For tests; defaults to the global fetch. */
    fetch?: typeof fetch;
    /** How long Salesforce has to answer (the whole answer, body included). Default 20 s. */
    timeoutMs?: number;
}

export const EXCHANGE_TIMEOUT_MS = 20_000;

export interface OrgGrant {
    accessToken: string;
    refreshToken: string;
    instanceUrl: string;
    /** 18-character org id, from the identity URL. */
    orgId: string;
    userId: string;
    /** Identity URL (`.../id/<orgId>/<userId>`). */
    idUrl: string;
    issuedAt: Date;
}

/** Parses `https://login.salesforce.com/id/00D.../005...` into the org and user ids. */
export function parseIdentityUrl(idUrl: string): { orgId: string; userId: string } {
    const m =
        /\/id\/(00D[A-Za-z0-9]{12}(?:[A-Za-z0-9]{3})?)\/(005[A-Za-z0-9]{12}(?:[A-Za-z0-9]{3})?)\/?$/.exec(
            new URL(idUrl).pathname
        );
    if (!m)
        throw new SalesforceError(
            'INVALID_IDENTITY_URL',
            `Salesforce answered an identity URL of an unexpected form: ${idUrl}`
        );
    return { orgId: toId18(m[1]!), userId: toId18(m[2]!) };
}

/** The 18-character form of a 15-character id: three characters encoding the case of the 15. */
export function toId18(id: string): string {
    if (id.length !== 15) return id;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
    let suffix = '';
    for (let block = 0; block < 3; block++) {
        let bits = 0;
        for (let i = 0; i < 5; i++) if (/[A-Z]/.test(id.charAt(block * 5 + i))) bits |= 1 << i;
        suffix += alphabet.charAt(bits);
    }
    return id + suffix;
}

export function verifyTokenSignature(
    clientSecret: string,
    idUrl: string,
    issuedAt: string,
    signature: string
): boolean {
    const expected = createHmac('sha256', clientSecret)
        .update(idUrl + issuedAt)
        .digest();
    const given = Buffer.from(signature, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
}

export async function exchangeCode(o: ExchangeCodeOptions): Promise<OrgGrant> {
    const doFetch = o.fetch ?? fetch;
    const timeoutMs = o.timeoutMs ?? EXCHANGE_TIMEOUT_MS;
    const signal = AbortSignal.timeout(timeoutMs);
    let res: Response;
    let text: string;
    try {
        res = await doFetch(new URL('/services/oauth2/token', o.loginUrl), {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
            body: new URLSearchParams({
                grant_type: 'authorization_code',
                code: o.code,
                client_id: o.clientId,
                client_secret: o.clientSecret,
                redirect_uri: o.redirectUri,
                code_verifier: o.codeVerifier
            }).toString(),
            signal
        });
        text = await res.text();
    } catch (err) {
        if (signal.aborted) {
            throw new SalesforceError(
                'TIMEOUT',
                `Salesforce did not answer the code exchange within ${timeoutMs / 1000} s`,
                { retryable: true }
            );
        }
        throw err;
    }
    let body: Record<string, unknown> = {};
    try {
        body = JSON.parse(text) as Record<string, unknown>;
    } catch {
        // handled below
    }
    if (!res.ok) {
        const error = typeof body.error === 'string' ? body.error : `HTTP_${res.status}`;
        const description =
            typeof body.error_description === 'string' ? body.error_description : text.slice(0, 200);
        throw new SalesforceError(
            error,
            `Salesforce refused the authorization code: ${error}: ${description}`
        );
    }
    const str = (k: string) => (typeof body[k] === 'string' ? (body[k] as string) : '');
    const [accessToken, refreshToken, instanceUrl, idUrl, issuedAt, signature] = [
        'access_token',
        'refresh_token',
        'instance_url',
        'id',
        'issued_at',
        'signature'
    ].map(str) as [string, string, string, string, string, string];
    if (!accessToken || !instanceUrl || !idUrl) {
        throw new SalesforceError(
            'INVALID_TOKEN_RESPONSE',
            'Salesforce answered the code exchange without a token, instance URL or id'
        );
    }
    if (!refreshToken) {
        throw new SalesforceError(
            'NO_REFRESH_TOKEN',
            'Salesforce issued no refresh token: the connected app must allow the "refresh_token, offline_access" scope'
        );
    }
    if (!signature || !verifyTokenSignature(o.clientSecret, idUrl, issuedAt, signature)) {
        throw new SalesforceError(
            'INVALID_SIGNATURE',
            "The token answer from Salesforce is not signed with this app's client secret"
        );
    }
    const { orgId, userId } = parseIdentityUrl(idUrl);
    return {
        accessToken,
        refreshToken,
        instanceUrl,
        orgId,
        userId,
        idUrl,
        issuedAt: new Date(Number(issuedAt))
    };
}
