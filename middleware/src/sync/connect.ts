import { createHash, randomBytes } from 'node:crypto';
import type { AppConfig } from '../config';
import { connectSalesforce } from '../salesforce/connection';
import { SalesforceError } from '../salesforce/errors';
import { buildAuthorizeUrl, createPkcePair, exchangeCode, type OrgGrant } from '../salesforce/oauth';
import { createSalesforceWriter } from '../salesforce/writer';
import type { Store, Tenant } from '../store';
import { decryptSecret, encryptSecret } from '../store/crypto';

/**
 * Hosted connect (issue #4): an admin's browser comes from the org's Setup page, is sent to the
 * org's OAuth authorize page with PKCE, and comes back with a code. The code becomes a refresh
 * token, a NEW tenant secret is made and delivered to the org through the package's Apex REST
 * resource with the new access token, and only then is the tenant stored. So the middleware never
 * holds a secret the org was not given: a failed delivery changes nothing stored.
 *
 * The flow's state lives in the store (table oauth_states), so the callback may reach any instance.
 */

/** How long an admin has between leaving the Setup page and coming back from Salesforce. */
export const STATE_TTL_MS = 10 * 60_000;
/** Used and expired states are kept this long, so a late or repeated callback gets a precise message. */
const STATE_KEEP_MS = 60 * 60_000;
const ORG_ID = /^00D[A-Za-z0-9]{15}$/;
/** Hosts of Salesforce pages an admin can come from (My Domain, Lightning, Setup). */
const SALESFORCE_HOSTS = ['.salesforce.com', '.force.com', '.salesforce-setup.com'];
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);
const HOSTED_VARIABLES = ['SALESFORCE_CLIENT_ID', 'SALESFORCE_CLIENT_SECRET', 'PUBLIC_URL'] as const;

/** A refusal of the flow: status, a title and a sentence for the admin, and where to go back to. */
export class ConnectError extends Error {
    constructor(
        public readonly status: number,
        public readonly title: string,
        public readonly detail: string,
        /** The Setup page the flow started from, when known. */
        public readonly returnUrl: string | null = null
    ) {
        super(`${title}: ${detail}`);
        this.name = 'ConnectError';
    }
}

export interface HostedConnectSettings {
    loginUrl: string;
    clientId: string;
    clientSecret: string;
    /** PUBLIC_URL + /oauth/salesforce/callback; must be a callback URL of the connected app. */
    redirectUri: string;
    apiVersion: string;
    namespace: string;
    /** Outside production, a loopback return URL is accepted (local demo). */
    allowLoopback: boolean;
}

/** The configuration variables hosted connect still needs (empty when it is available). */
export function missingHostedVariables(config: AppConfig): string[] {
    return HOSTED_VARIABLES.filter((name) => !config[name]);
}

export function hostedConnectSettings(config: AppConfig): HostedConnectSettings | null {
    if (!config.SALESFORCE_CLIENT_ID || !config.SALESFORCE_CLIENT_SECRET || !config.PUBLIC_URL) return null;
    return {
        loginUrl: config.SALESFORCE_LOGIN_URL,
        clientId: config.SALESFORCE_CLIENT_ID,
        clientSecret: config.SALESFORCE_CLIENT_SECRET,
        redirectUri: `${config.PUBLIC_URL.replace(/\/+$/, '')}/oauth/salesforce/callback`,
        apiVersion: config.SALESFORCE_API_VERSION,
        namespace: config.SALESFORCE_NAMESPACE,
        allowLoopback: config.NODE_ENV !== 'production'
    };
}

/**
 * The start-up notes about what this configuration cannot do. Self-hosted mode without the
 * Salesforce part still serves stock, preview and send (the org calls us); import and status
 * back-sync write into the org and need a way in.
 */
export function modeNotices(config: AppConfig): { level: 'info' | 'warn'; message: string }[] {
    const notes: { level: 'info' | 'warn'; message: string }[] = [];
    const missing = missingHostedVariables(config);
    if (missing.length > 0) {
        notes.push({
            level: 'info',
            message: `Hosted connect is off (GET /oauth/salesforce/start answers 503): set ${missing.join(', ')}`
        });
    }
    if (config.CONNECTOR_ORG_ID) {
        const gaps: string[] = [];
        if (!config.SALESFORCE_INSTANCE_URL) gaps.push('SALESFORCE_INSTANCE_URL');
        if (!config.SALESFORCE_CLIENT_ID) gaps.push('SALESFORCE_CLIENT_ID');
        if (
            !config.SALESFORCE_REFRESH_TOKEN &&
            !(config.SALESFORCE_JWT_PRIVATE_KEY && config.SALESFORCE_USERNAME)
        ) {
            gaps.push('SALESFORCE_REFRESH_TOKEN (or SALESFORCE_JWT_PRIVATE_KEY with SALESFORCE_USERNAME)');
        }
        if (gaps.length > 0) {
            notes.push({
                level: 'warn',
                message:
                    `Self-hosted org ${config.CONNECTOR_ORG_ID} has no Salesforce access: import and status ` +
                    `back-sync are disabled (stock, preview and send work). Set ${gaps.join(', ')}`
            });
        }
    }
    return notes;
}

/** Checks where the browser goes back to: a Salesforce page (or the configured login host, or loopback in dev). */
export function checkReturnUrl(
    raw: string,
    settings: Pick<HostedConnectSettings, 'loginUrl' | 'allowLoopback'>
): URL {
    const refuse = (why: string) =>
        new ConnectError(
            400,
            'Refused return address',
            `returnUrl ${why}. Start again from the org's Unleashed Admin tab.`
        );
    if (raw.length > 2000) throw refuse('is too long');
    let url: URL;
    try {
        url = new URL(raw);
    } catch {
        throw refuse('is not an absolute URL');
    }
    if (url.username || url.password) throw refuse('must not carry a user name or password');
    const host = url.hostname.toLowerCase();
    const login = new URL(settings.loginUrl);
    if (url.protocol === 'https:' && SALESFORCE_HOSTS.some((suffix) => host.endsWith(suffix))) return url;
    if (url.protocol === login.protocol && url.host.toLowerCase() === login.host.toLowerCase()) return url;
    if (
        settings.allowLoopback &&
        LOOPBACK.has(host) &&
        (url.protocol === 'http:' || url.protocol === 'https:')
    ) {
        return url;
    }
    throw refuse(
        `must be an https address on a Salesforce domain (*.salesforce.com, *.force.com, *.salesforce-setup.com), not ${url.protocol}//${url.host}`
    );
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

interface StateRow {
    org_id: string;
    return_url: string;
    verifier_enc: string;
    expires_at: Date | string;
    used_at: Date | string | null;
}

interface ClaimedState {
    orgId: string;
    returnUrl: string;
    codeVerifier: string;
}

export interface ConnectServiceOptions {
    store: Store;
    config: AppConfig;
    /** Current time in ms; tests move it. */
    now?: () => number;
    fetch?: typeof fetch;
}

export interface ConnectStart {
    authorizeUrl: string;
}

export interface ConnectCallback {
    code?: string;
    state?: string;
    error?: string;
    error_description?: string;
}

export interface Connected {
    orgId: string;
    userId: string;
    /** The Setup page with `unleashedConnected=1`. */
    returnUrl: string;
    /** Whether the org was connected before (a reconnect keeps its Unleashed credentials). */
    reconnected: boolean;
}

interface EventsAnswer {
    results?: { index?: number; ok?: boolean; error?: string | null }[];
}

export class ConnectService {
    readonly settings: HostedConnectSettings | null;
    private readonly store: Store;
    private readonly keys: Buffer[];
    private readonly now: () => number;
    private readonly fetch: typeof fetch;

    constructor(opts: ConnectServiceOptions) {
        this.store = opts.store;
        this.settings = hostedConnectSettings(opts.config);
        this.keys = [opts.config.MASTER_KEY, ...opts.config.MASTER_KEYS_PREVIOUS].map((k) =>
            Buffer.from(k, 'base64')
        );
        this.now = opts.now ?? Date.now;
        this.fetch = opts.fetch ?? ((...args) => fetch(...args));
    }

    private hosted(): HostedConnectSettings {
        if (!this.settings) {
            throw new ConnectError(
                503,
                'Hosted connect is not configured on this middleware',
                `Set ${HOSTED_VARIABLES.join(', ')} (see the README), or run it self-hosted for one org.`
            );
        }
        return this.settings;
    }

    /** Records a new flow and answers the org's authorize URL. */
    async start(orgId: string | undefined, returnUrl: string | undefined): Promise<ConnectStart> {
        const settings = this.hosted();
        if (!orgId || !ORG_ID.test(orgId)) {
            throw new ConnectError(
                400,
                'Invalid org id',
                'orgId must be the 18-character id of the org (starting with 00D). Start again from the Unleashed Admin tab.'
            );
        }
        if (!returnUrl) throw new ConnectError(400, 'Missing return address', 'returnUrl is required.');
        const back = checkReturnUrl(returnUrl, settings);
        const state = randomBytes(32).toString('base64url');
        const stateHash = sha256(state);
        const pkce = createPkcePair();
        const now = this.now();
        await this.store.db.query('DELETE FROM oauth_states WHERE expires_at < $1', [
            new Date(now - STATE_KEEP_MS).toISOString()
        ]);
        await this.store.db.query(
            `INSERT INTO oauth_states (state_hash, org_id, return_url, verifier_enc, expires_at)
             VALUES ($1, $2, $3, $4, $5)`,
            [
                stateHash,
                orgId,
                back.toString(),
                encryptSecret(pkce.codeVerifier, this.keys[0]!, `oauth_states:${stateHash}`),
                new Date(now + STATE_TTL_MS).toISOString()
            ]
        );
        return {
            authorizeUrl: buildAuthorizeUrl({
                loginUrl: settings.loginUrl,
                clientId: settings.clientId,
                redirectUri: settings.redirectUri,
                state,
                codeChallenge: pkce.codeChallenge
            })
        };
    }

    /** Marks a state used (once, across instances) and answers what the start recorded. */
    private async claim(state: string | undefined): Promise<ClaimedState> {
        const startAgain = "Start again from the org's Unleashed Admin tab.";
        if (!state) {
            throw new ConnectError(
                400,
                'Unknown connect request',
                `The answer from Salesforce carries no state. ${startAgain}`
            );
        }
        const stateHash = sha256(state);
        const rows = await this.store.db.query<StateRow>(
            'SELECT org_id, return_url, verifier_enc, expires_at, used_at FROM oauth_states WHERE state_hash = $1',
            [stateHash]
        );
        const row = rows[0];
        if (!row) {
            throw new ConnectError(
                400,
                'Unknown connect request',
                `This connect link is not known here. ${startAgain}`
            );
        }
        if (row.used_at !== null) {
            throw new ConnectError(
                400,
                'Connect request already used',
                `This connect link was already used; a link works once. ${startAgain}`,
                row.return_url
            );
        }
        if (new Date(row.expires_at).getTime() <= this.now()) {
            throw new ConnectError(
                400,
                'Connect request expired',
                `More than ${STATE_TTL_MS / 60_000} minutes passed since the connect started. ${startAgain}`,
                row.return_url
            );
        }
        const claimed = await this.store.db.query<{ org_id: string }>(
            'UPDATE oauth_states SET used_at = $2 WHERE state_hash = $1 AND used_at IS NULL RETURNING org_id',
            [stateHash, new Date(this.now()).toISOString()]
        );
        if (claimed.length === 0) {
            throw new ConnectError(
                400,
                'Connect request already used',
                `This connect link was already used; a link works once. ${startAgain}`,
                row.return_url
            );
        }
        return {
            orgId: row.org_id,
            returnUrl: row.return_url,
            codeVerifier: decryptSecret(row.verifier_enc, this.keys, `oauth_states:${stateHash}`).toString(
                'utf8'
            )
        };
    }

    /** The callback: state, code exchange, org check, secret delivery, then the tenant is stored. */
    async finish(query: ConnectCallback): Promise<Connected> {
        const settings = this.hosted();
        const started = await this.claim(query.state);
        const back = started.returnUrl;
        if (query.error) {
            if (query.error === 'access_denied') {
                throw new ConnectError(
                    403,
                    'Connection not allowed',
                    'Salesforce says the access was denied (the Deny button, or the connected app is not ' +
                        'available to this user). Nothing was changed. Connect again and choose Allow.',
                    back
                );
            }
            throw new ConnectError(
                400,
                'Salesforce refused the connection',
                `Salesforce answered ${query.error}${query.error_description ? `: ${query.error_description}` : ''}. Nothing was changed.`,
                back
            );
        }
        if (!query.code) {
            throw new ConnectError(
                400,
                'No authorization code',
                'Salesforce came back without a code. Connect again.',
                back
            );
        }
        let grant: OrgGrant;
        try {
            grant = await exchangeCode({
                loginUrl: settings.loginUrl,
                clientId: settings.clientId,
                clientSecret: settings.clientSecret,
                redirectUri: settings.redirectUri,
                code: query.code,
                codeVerifier: started.codeVerifier,
                fetch: this.fetch
            });
        } catch (err) {
            const why =
                err instanceof SalesforceError
                    ? err.message
                    : `Salesforce could not be reached (${(err as Error).message})`;
            throw new ConnectError(
                502,
                'Salesforce did not complete the connection',
                `${why}. Nothing was changed.`,
                back
            );
        }
        // 18-character ids are unique without regard to case.
        if (grant.orgId.toLowerCase() !== started.orgId.toLowerCase()) {
            await this.revoke(grant.instanceUrl, grant.refreshToken).catch(() => undefined);
            throw new ConnectError(
                403,
                'Logged in to another org',
                `The connect started in org ${started.orgId}, but Salesforce signed in a user of org ${grant.orgId}. ` +
                    'Nothing was changed. Log out of the other org (or use a private window) and connect again.',
                back
            );
        }
        // One connect at a time per org, on every instance: the secret delivered last is the one stored.
        return this.store.db.withLock(`connect:${grant.orgId}`, async () => {
            const existing = await this.store.tenants.get(grant.orgId);
            const secret = randomBytes(32);
            try {
                await this.deliverSecret(grant, secret, existing, settings);
            } catch (err) {
                // The new grant is not kept, so it must not stay valid either.
                await this.revoke(grant.instanceUrl, grant.refreshToken).catch(() => undefined);
                throw new ConnectError(
                    502,
                    'The org did not accept the connection',
                    `${(err as Error).message}. Nothing was changed${existing ? '; the earlier connection still works' : ''}.`,
                    back
                );
            }
            await this.store.tenants.upsert({
                orgId: grant.orgId,
                instanceUrl: grant.instanceUrl,
                tenantSecret: secret,
                salesforce: { refreshToken: grant.refreshToken },
                settings: { namespace: settings.namespace }
            });
            const done = new URL(back);
            done.searchParams.set('unleashedConnected', '1');
            return {
                orgId: grant.orgId,
                userId: grant.userId,
                returnUrl: done.toString(),
                reconnected: !!existing
            };
        });
    }

    /** POST /services/apexrest/<ns>/events {"events":[{"type":"connection.secret",...}]} as the admin. */
    private async deliverSecret(
        grant: OrgGrant,
        secret: Buffer,
        existing: Tenant | null,
        settings: HostedConnectSettings
    ): Promise<void> {
        const conn = connectSalesforce({
            instanceUrl: grant.instanceUrl,
            loginUrl: settings.loginUrl,
            apiVersion: settings.apiVersion,
            clientId: settings.clientId,
            clientSecret: settings.clientSecret,
            refreshToken: grant.refreshToken,
            accessToken: grant.accessToken
        });
        const writer = createSalesforceWriter(conn, { namespace: settings.namespace });
        const company = existing?.settings.companyName;
        const currency = existing?.settings.baseCurrency;
        const event = {
            type: 'connection.secret',
            secret: secret.toString('base64'),
            ...(typeof company === 'string' ? { companyName: company } : {}),
            ...(typeof currency === 'string' ? { baseCurrency: currency } : {})
        };
        let answer: EventsAnswer | null;
        try {
            answer = await writer.apexRest<EventsAnswer | null>('events', { events: [event] });
        } catch (err) {
            const route = `/services/apexrest/${settings.namespace ? `${settings.namespace}/` : ''}events`;
            if (err instanceof SalesforceError && err.code === 'NOT_FOUND') {
                throw new Error(
                    `The org has no Unleashed events resource at ${route}: is the package installed` +
                        (settings.namespace ? ` (namespace ${settings.namespace})` : ' (unmanaged)') +
                        '?'
                );
            }
            throw new Error(`Delivering the connection secret to ${route} failed: ${(err as Error).message}`);
        }
        const result = answer?.results?.[0];
        if (result?.ok !== true) {
            throw new Error(
                `The org refused the connection secret: ${result?.error ?? 'it answered without a result for the event'}`
            );
        }
    }

    /** POST {instance}/services/oauth2/revoke; an unknown or already revoked token counts as revoked. */
    async revoke(baseUrl: string, token: string): Promise<void> {
        const res = await this.fetch(new URL('/services/oauth2/revoke', baseUrl), {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams({ token }).toString(),
            signal: AbortSignal.timeout(10_000)
        });
        const text = await res.text();
        if (res.ok) return;
        if (res.status === 400 && /invalid_token|unsupported_token_type/.test(text)) return;
        throw new SalesforceError(
            'REVOKE_FAILED',
            `Salesforce answered HTTP ${res.status} to the token revocation`
        );
    }

    /**
     * Disconnect: revokes the org's refresh token, then deletes the tenant. The token the environment
     * configures for a self-hosted org is left alone (the tenant comes back with it at every start).
     * A revocation that fails does not keep the tenant: the org asked to be forgotten.
     */
    async disconnect(
        tenant: Tenant,
        config: AppConfig
    ): Promise<{ revoked: boolean; revokeError: string | null }> {
        let revoked = false;
        let revokeError: string | null = null;
        const token = tenant.salesforce?.refreshToken;
        const fromEnvironment =
            tenant.orgId === config.CONNECTOR_ORG_ID && token === config.SALESFORCE_REFRESH_TOKEN;
        if (token && !fromEnvironment) {
            try {
                await this.revoke(tenant.instanceUrl ?? config.SALESFORCE_LOGIN_URL, token);
                revoked = true;
            } catch (err) {
                revokeError = (err as Error).message;
            }
        }
        await this.store.tenants.delete(tenant.orgId);
        return { revoked, revokeError };
    }
}
