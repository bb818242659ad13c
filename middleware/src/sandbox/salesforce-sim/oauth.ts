import { createHash, createHmac, createVerify, timingSafeEqual } from 'node:crypto';
import { randomToken } from './ids';

/**
 * The org's OAuth 2.0 endpoints for one connected app: the web-server flow (authorize + code
 * exchange, with PKCE), the refresh-token grant and the JWT bearer grant. Answers use Salesforce's
 * field names and error codes (`invalid_grant`, `invalid_client_id`, ...). Tokens are opaque and
 * live in memory; `expireAll` makes every access token fail the next API call with
 * INVALID_SESSION_ID, as an org does when a session times out.
 */

export interface ConnectedApp {
    clientId: string;
    clientSecret: string;
    /** Callback URLs the app accepts; the authorize and token requests must name one exactly. */
    redirectUris: string[];
    /** PEM public key (or certificate) that verifies JWT bearer assertions. */
    jwtPublicKey?: string;
    /** "Require Secret for Refresh Token Flow" (on by default for new apps). */
    requireSecretForRefresh?: boolean;
}

export interface SimUser {
    id: string;
    username: string;
    email: string;
    name: string;
}

interface AccessToken {
    userId: string;
    expiresAt: number;
}

interface AuthCode {
    userId: string;
    redirectUri: string;
    challenge: string | null;
    expiresAt: number;
}

export interface OAuthAnswer {
    status: number;
    headers?: Record<string, string>;
    body?: unknown;
}

export interface OAuthOptions {
    app: ConnectedApp;
    orgId: string;
    /** The server's own URL: login URL, instance URL and the id URL's host. */
    baseUrl: () => string;
    users: () => SimUser[];
    /** User the authorize endpoint signs in without a login page. */
    demoUsername: string;
    tokenTtlMs: number;
    now?: () => number;
}

/** The signature Salesforce puts in token answers: base64 HMAC-SHA256(client secret, id + issued_at). */
export function tokenSignature(clientSecret: string, id: string, issuedAt: string): string {
    return createHmac('sha256', clientSecret)
        .update(id + issuedAt)
        .digest('base64');
}

const oauthError = (error: string, description: string, status = 400): OAuthAnswer => ({
    status,
    body: { error, error_description: description }
});

function safeEqual(a: string, b: string): boolean {
    const x = Buffer.from(a);
    const y = Buffer.from(b);
    return x.length === y.length && timingSafeEqual(x, y);
}

export class OAuthServer {
    /** When set, the authorize endpoint answers access_denied as if the user clicked Deny. */
    denyAuthorization = false;
    /** When set, token answers name this instance_url (a test of what the client trusts), not the server's own. */
    answerInstanceUrl: string | null = null;
    private readonly access = new Map<string, AccessToken>();
    private readonly refresh = new Map<string, string>();
    private readonly codes = new Map<string, AuthCode>();
    private readonly now: () => number;

    constructor(private readonly opts: OAuthOptions) {
        this.now = opts.now ?? Date.now;
    }

    get app(): ConnectedApp {
        return this.opts.app;
    }

    /** The user behind a bearer token, or null when it is unknown or expired. */
    authenticate(authorization: string | undefined): SimUser | null {
        const m = /^(?:Bearer|OAuth)\s+(.+)$/i.exec(authorization ?? '');
        const token = m ? this.access.get(m[1]!.trim()) : undefined;
        if (!token || token.expiresAt <= this.now()) return null;
        return this.opts.users().find((u) => u.id === token.userId) ?? null;
    }

    expireAll(): void {
        for (const t of this.access.values()) t.expiresAt = 0;
    }

    /** A refresh token for a user, as if they had approved the app before (tests and the demo). */
    issueRefreshToken(username = this.opts.demoUsername): string {
        const user = this.user(username);
        if (!user) throw new Error(`no user ${username}`);
        const token = `5Aep${randomToken(40)}`;
        this.refresh.set(token, user.id);
        return token;
    }

    /** An access token without a flow, for tests that need a session directly. */
    issueAccessToken(username = this.opts.demoUsername): string {
        const user = this.user(username);
        if (!user) throw new Error(`no user ${username}`);
        return this.mintAccess(user.id);
    }

    revokeRefreshTokens(): void {
        this.refresh.clear();
    }

    /** POST /services/oauth2/revoke: the token given (refresh or access) stops working; others stay. */
    revoke(token: string): OAuthAnswer {
        if (this.refresh.delete(token) || this.access.delete(token)) return { status: 200 };
        return oauthError('invalid_token', 'invalid token');
    }

    private user(username: string): SimUser | undefined {
        return this.opts.users().find((u) => u.username.toLowerCase() === username.toLowerCase());
    }

    private mintAccess(userId: string): string {
        const token = `${this.opts.orgId.slice(0, 15)}!${randomToken(48)}`;
        this.access.set(token, { userId, expiresAt: this.now() + this.opts.tokenTtlMs });
        return token;
    }

    private tokenAnswer(userId: string, withRefresh: boolean): OAuthAnswer {
        const base = this.opts.baseUrl();
        const id = `${base}/id/${this.opts.orgId}/${userId}`;
        const issuedAt = String(this.now());
        const body: Record<string, string> = {
            access_token: this.mintAccess(userId),
            signature: tokenSignature(this.opts.app.clientSecret, id, issuedAt),
            scope: withRefresh ? 'refresh_token api' : 'api',
            instance_url: this.answerInstanceUrl ?? base,
            id,
            token_type: 'Bearer',
            issued_at: issuedAt
        };
        if (withRefresh) {
            const refresh = `5Aep${randomToken(40)}`;
            this.refresh.set(refresh, userId);
            body.refresh_token = refresh;
        }
        return { status: 200, body };
    }

    /** POST /services/oauth2/token (application/x-www-form-urlencoded). */
    token(form: URLSearchParams): OAuthAnswer {
        const grant = form.get('grant_type');
        if (grant === 'urn:ietf:params:oauth:grant-type:jwt-bearer')
            return this.jwtBearer(form.get('assertion') ?? '');
        const clientId = form.get('client_id');
        if (grant !== 'refresh_token' && grant !== 'authorization_code') {
            return oauthError('unsupported_grant_type', 'grant type not supported');
        }
        if (clientId !== this.opts.app.clientId)
            return oauthError('invalid_client_id', 'client identifier invalid');
        const secret = form.get('client_secret');
        const secretRequired =
            grant === 'authorization_code' || this.opts.app.requireSecretForRefresh !== false;
        if ((secret !== null || secretRequired) && !safeEqual(secret ?? '', this.opts.app.clientSecret)) {
            return oauthError('invalid_client', 'invalid client credentials');
        }
        if (grant === 'refresh_token') {
            const userId = this.refresh.get(form.get('refresh_token') ?? '');
            if (!userId) return oauthError('invalid_grant', 'expired access/refresh token');
            return this.tokenAnswer(userId, false);
        }
        const code = form.get('code') ?? '';
        const entry = this.codes.get(code);
        // A code works once, whatever the outcome.
        this.codes.delete(code);
        if (!entry || entry.expiresAt <= this.now())
            return oauthError('invalid_grant', 'invalid authorization code');
        if (form.get('redirect_uri') !== entry.redirectUri) {
            return oauthError('redirect_uri_mismatch', 'redirect_uri must match configuration');
        }
        if (entry.challenge !== null) {
            const verifier = form.get('code_verifier') ?? '';
            const computed = createHash('sha256').update(verifier).digest('base64url');
            if (!verifier || !safeEqual(computed, entry.challenge)) {
                return oauthError('invalid_grant', 'invalid code verifier');
            }
        }
        return this.tokenAnswer(entry.userId, true);
    }

    /** GET /services/oauth2/authorize: signs the demo user in and approves at once. */
    authorize(query: URLSearchParams): OAuthAnswer {
        const clientId = query.get('client_id');
        const redirectUri = query.get('redirect_uri') ?? '';
        // Errors about the app or the callback cannot be sent to the callback: they are a page.
        if (clientId !== this.opts.app.clientId)
            return errorPage('OAUTH_EC_APP_NOT_FOUND', 'client identifier invalid');
        if (!this.opts.app.redirectUris.includes(redirectUri)) {
            return errorPage('redirect_uri_mismatch', 'redirect_uri must match configuration');
        }
        const back = new URL(redirectUri);
        const state = query.get('state');
        const redirect = (params: Record<string, string>): OAuthAnswer => {
            for (const [k, v] of Object.entries(params)) back.searchParams.set(k, v);
            if (state !== null) back.searchParams.set('state', state);
            return { status: 302, headers: { location: back.toString() } };
        };
        if (query.get('response_type') !== 'code') {
            return redirect({
                error: 'unsupported_response_type',
                error_description: 'response type not supported'
            });
        }
        const challenge = query.get('code_challenge');
        const method = query.get('code_challenge_method') ?? 'S256';
        if (challenge !== null && (method !== 'S256' || !/^[A-Za-z0-9_-]{43}$/.test(challenge))) {
            return redirect({ error: 'invalid_request', error_description: 'invalid code challenge' });
        }
        if (this.denyAuthorization) {
            return redirect({ error: 'access_denied', error_description: 'end-user denied authorization' });
        }
        const user = this.user(this.opts.demoUsername)!;
        const code = `aPrx${randomToken(36)}==`;
        this.codes.set(code, {
            userId: user.id,
            redirectUri,
            challenge,
            expiresAt: this.now() + 15 * 60_000
        });
        return redirect({ code });
    }

    private jwtBearer(assertion: string): OAuthAnswer {
        const parts = assertion.split('.');
        if (parts.length !== 3) return oauthError('invalid_grant', 'invalid assertion');
        const [head, payload, sig] = parts as [string, string, string];
        let header: { alg?: string };
        let claims: { iss?: string; sub?: string; aud?: string; exp?: number };
        try {
            header = JSON.parse(Buffer.from(head, 'base64url').toString('utf8'));
            claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
        } catch {
            return oauthError('invalid_grant', 'invalid assertion');
        }
        if (claims.iss !== this.opts.app.clientId)
            return oauthError('invalid_client_id', 'client identifier invalid');
        const key = this.opts.app.jwtPublicKey;
        const verified =
            header.alg === 'RS256' &&
            !!key &&
            createVerify('RSA-SHA256')
                .update(`${head}.${payload}`)
                .verify(key, Buffer.from(sig, 'base64url'));
        if (!verified) return oauthError('invalid_grant', 'invalid assertion');
        const audiences = [
            'https://login.salesforce.com',
            'https://test.salesforce.com',
            this.opts.baseUrl()
        ];
        if (!claims.aud || !audiences.includes(claims.aud.replace(/\/$/, ''))) {
            return oauthError('invalid_grant', 'audience is invalid');
        }
        if (typeof claims.exp !== 'number' || claims.exp * 1000 <= this.now()) {
            return oauthError('invalid_grant', 'expired authorization code');
        }
        const user = claims.sub ? this.user(claims.sub) : undefined;
        if (!user) return oauthError('invalid_grant', "user hasn't approved this consumer");
        return this.tokenAnswer(user.id, false);
    }
}

function errorPage(error: string, description: string): OAuthAnswer {
    return {
        status: 400,
        headers: { 'content-type': 'text/html; charset=utf-8' },
        body: `<html><body><h1>Remote Access Authorization Error</h1><p>error=${error}</p><p>error_description=${description}</p></body></html>`
    };
}
