import { createHash, randomBytes } from 'node:crypto';
import type { AppConfig } from '../../config';
import { connectSalesforce } from '../../salesforce/connection';
import { SalesforceError } from '../../salesforce/errors';
import { buildAuthorizeUrl, createPkcePair, exchangeCode, type OrgGrant } from '../../salesforce/oauth';
import { createSalesforceWriter } from '../../salesforce/writer';
import type { OAuthState, Store, Tenant } from '../../store';
import { checkInstanceUrl, checkReturnUrl, chooseLoginUrl, returnBelongsToOrg } from './addresses';
import { deliverSecret } from './deliver-secret';
import { disconnectTenant, isEnvironmentToken, revocationUrl } from './disconnect';
import { ConnectError, START_AGAIN } from './errors';
import { revokeToken } from './revoke';
import { hostedConnectSettings, type HostedConnectSettings } from './settings';

/**
 * Hosted connect: an admin's browser comes from the org's Setup page, is sent to the org's own
 * login host (its My Domain) with PKCE, and comes back with a code. The code becomes a refresh token,
 * a NEW tenant secret is made and delivered to the org through the package's Apex REST resource
 * with the new access token, and only then is the tenant stored. So the middleware never holds a
 * secret the org was not given: a failed delivery changes nothing stored.
 *
 * The flow's state lives in the store (oauth_states), so the callback may reach any instance, and is
 * bound to the browser that started it by a cookie whose hash the state keeps.
 */

/** How long an admin has between leaving the Setup page and coming back from Salesforce. */
export const STATE_TTL_MS = 10 * 60_000;
/** Used and expired states are kept this long, so a late or repeated callback gets a precise message. */
const STATE_KEEP_MS = 60 * 60_000;
/** Unfinished connects one address may have at once. */
export const PENDING_PER_ADDRESS = 20;
const ORG_ID = /^00D[A-Za-z0-9]{15}$/;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export interface ConnectServiceOptions {
    store: Store;
    config: AppConfig;
    /** Current time in ms; tests move it. */
    now?: () => number;
    fetch?: typeof fetch;
    /** How long Salesforce has to answer the code exchange. */
    exchangeTimeoutMs?: number;
}

export interface ConnectStartRequest {
    orgId?: string;
    returnUrl?: string;
    /** The org's login host (its My Domain, or test.salesforce.com); SALESFORCE_LOGIN_URL when absent. */
    loginUrl?: string;
    /** The browser's connect cookie; the callback must bring the same one. */
    browserKey: string;
    /** The address the start came from (for the per-address cap). */
    client: string;
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
    /** On a reconnect, why the earlier refresh token could not be revoked (null when it was, or there was none). */
    previousTokenRevokeError: string | null;
}

export class ConnectService {
    readonly settings: HostedConnectSettings | null;
    private readonly store: Store;
    private readonly config: AppConfig;
    private readonly now: () => number;
    private readonly fetch: typeof fetch;
    private readonly exchangeTimeoutMs: number | undefined;

    constructor(opts: ConnectServiceOptions) {
        this.store = opts.store;
        this.config = opts.config;
        this.settings = hostedConnectSettings(opts.config);
        this.now = opts.now ?? Date.now;
        this.fetch = opts.fetch ?? ((...args) => fetch(...args));
        this.exchangeTimeoutMs = opts.exchangeTimeoutMs;
    }

    private hosted(): HostedConnectSettings {
        if (!this.settings) {
            throw new ConnectError(
                503,
                'Hosted connect is not configured on this middleware',
                'Set SALESFORCE_CLIENT_ID, SALESFORCE_CLIENT_SECRET, PUBLIC_URL (see the README), or run it self-hosted for one org.'
            );
        }
        return this.settings;
    }

    /** Records a new flow and answers the org's authorize URL. */
    async start(req: ConnectStartRequest): Promise<ConnectStart> {
        const settings = this.hosted();
        if (!req.orgId || !ORG_ID.test(req.orgId)) {
            throw new ConnectError(
                400,
                'Invalid org id',
                `orgId must be the 18-character id of the org (starting with 00D). ${START_AGAIN}`
            );
        }
        if (!req.returnUrl) throw new ConnectError(400, 'Missing return address', 'returnUrl is required.');
        const login = chooseLoginUrl(req.loginUrl, settings);
        const back = checkReturnUrl(req.returnUrl, settings, login);
        const state = randomBytes(32).toString('base64url');
        const stateHash = sha256(state);
        const pkce = createPkcePair();
        const now = this.now();
        await this.store.oauthStates.purgeExpired(new Date(now - STATE_KEEP_MS));
        const outcome = await this.store.oauthStates.create(
            {
                stateHash,
                orgId: req.orgId,
                returnUrl: back.toString(),
                loginUrl: login.origin,
                codeVerifier: pkce.codeVerifier,
                browserHash: sha256(req.browserKey),
                clientHash: sha256(req.client),
                expiresAt: new Date(now + STATE_TTL_MS)
            },
            { total: settings.pendingLimit, perClient: PENDING_PER_ADDRESS },
            new Date(now)
        );
        if (outcome === 'client-cap') {
            throw new ConnectError(
                429,
                'Too many connects in progress',
                `This address has ${PENDING_PER_ADDRESS} connects started and not finished. Finish one, or wait ${STATE_TTL_MS / 60_000} minutes.`
            );
        }
        if (outcome === 'total-cap') {
            throw new ConnectError(
                503,
                'Too many connects in progress',
                `The connector service has ${settings.pendingLimit} connects started and not finished. Try again in a few minutes.`
            );
        }
        return {
            authorizeUrl: buildAuthorizeUrl({
                loginUrl: login.origin,
                clientId: settings.clientId,
                redirectUri: settings.redirectUri,
                state,
                codeChallenge: pkce.codeChallenge
            })
        };
    }

    /**
     * Marks a state used (once, across instances) and answers what the start recorded. A callback
     * from another browser than the one that started is refused without spending the state.
     */
    private async claim(state: string | undefined, browserKey: string | undefined): Promise<OAuthState> {
        if (!state) {
            throw new ConnectError(
                400,
                'Unknown connect request',
                `The answer from Salesforce carries no state. ${START_AGAIN}`
            );
        }
        const stateHash = sha256(state);
        const row = await this.store.oauthStates.find(stateHash);
        if (!row) {
            throw new ConnectError(
                400,
                'Unknown connect request',
                `This connect link is not known here. ${START_AGAIN}`
            );
        }
        if (!browserKey || sha256(browserKey) !== row.browserHash) {
            throw new ConnectError(
                403,
                'Connect started in another browser',
                'This connect was not started in this browser (or the browser blocked the connector’s cookie). ' +
                    `Nothing was changed. ${START_AGAIN}`
            );
        }
        const used = () =>
            new ConnectError(
                400,
                'Connect request already used',
                `This connect link was already used; a link works once. ${START_AGAIN}`,
                row.returnUrl
            );
        if (row.usedAt !== null) throw used();
        if (row.expiresAt.getTime() <= this.now()) {
            throw new ConnectError(
                400,
                'Connect request expired',
                `More than ${STATE_TTL_MS / 60_000} minutes passed since the connect started. ${START_AGAIN}`,
                row.returnUrl
            );
        }
        if (!(await this.store.oauthStates.markUsed(stateHash, new Date(this.now())))) throw used();
        return row;
    }

    /** The callback: state, code exchange, org and address checks, secret delivery, then the tenant is stored. */
    async finish(query: ConnectCallback, browserKey: string | undefined): Promise<Connected> {
        const settings = this.hosted();
        const started = await this.claim(query.state, browserKey);
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
                loginUrl: started.loginUrl,
                clientId: settings.clientId,
                clientSecret: settings.clientSecret,
                redirectUri: settings.redirectUri,
                code: query.code,
                codeVerifier: started.codeVerifier,
                fetch: this.fetch,
                ...(this.exchangeTimeoutMs !== undefined ? { timeoutMs: this.exchangeTimeoutMs } : {})
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
        // The refresh token and the client secret go to the instance from here on: it must be Salesforce.
        const instance = checkInstanceUrl(grant.instanceUrl, settings);
        if (!instance) {
            await this.dropGrant(started.loginUrl, grant);
            throw new ConnectError(
                502,
                'Salesforce answered an unexpected address',
                'The org’s instance address in the answer is not https on a Salesforce domain, so nothing was sent to it. ' +
                    'Nothing was changed.',
                back
            );
        }
        // 18-character ids are unique without regard to case.
        if (grant.orgId.toLowerCase() !== started.orgId.toLowerCase()) {
            await this.dropGrant(instance.origin, grant);
            throw new ConnectError(
                403,
                'Logged in to another org',
                `The connect started in org ${started.orgId}, but Salesforce signed in a user of org ${grant.orgId}. ` +
                    'Nothing was changed. Log out of the other org (or use a private window) and connect again.',
                back
            );
        }
        // The browser goes back only to a page of the org that consented, never to a look-alike host.
        if (!returnBelongsToOrg(back, instance, settings)) {
            await this.dropGrant(instance.origin, grant);
            throw new ConnectError(
                403,
                'Refused return address',
                `The page to go back to (${new URL(back).host}) is not a page of the org that connected ` +
                    `(${instance.host}). Nothing was changed. ${START_AGAIN}`
            );
        }
        // One connect at a time per org, on every instance: the secret delivered last is the one stored.
        return this.store.db.withLock(`connect:${grant.orgId}`, async () => {
            const existing = await this.store.tenants.get(grant.orgId);
            const secret = randomBytes(32);
            try {
                const conn = connectSalesforce({
                    instanceUrl: instance.origin,
                    loginUrl: started.loginUrl,
                    apiVersion: settings.apiVersion,
                    clientId: settings.clientId,
                    clientSecret: settings.clientSecret,
                    refreshToken: grant.refreshToken,
                    accessToken: grant.accessToken
                });
                await deliverSecret(
                    createSalesforceWriter(conn, { namespace: settings.namespace }),
                    settings.namespace,
                    {
                        secret,
                        companyName: existing?.settings.companyName,
                        baseCurrency: existing?.settings.baseCurrency
                    }
                );
            } catch (err) {
                // The new grant is not kept, so it must not stay valid either.
                await this.dropGrant(instance.origin, grant);
                throw new ConnectError(
                    502,
                    'The org did not accept the connection',
                    `${(err as Error).message}. Nothing was changed${existing ? '; the earlier connection still works' : ''}.`,
                    back
                );
            }
            await this.store.tenants.upsert({
                orgId: grant.orgId,
                instanceUrl: instance.origin,
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
                reconnected: !!existing,
                previousTokenRevokeError: await this.revokePrevious(existing, grant.refreshToken)
            };
        });
    }

    /** A reconnect replaces the refresh token: the earlier one is revoked so no copy of it stays valid. */
    private async revokePrevious(existing: Tenant | null, current: string): Promise<string | null> {
        const previous = existing?.salesforce?.refreshToken;
        if (!existing || !previous || previous === current) return null;
        if (isEnvironmentToken(existing.orgId, previous, this.config)) return null;
        try {
            await revokeToken(this.fetch, revocationUrl(existing.instanceUrl, this.config), previous);
            return null;
        } catch (err) {
            return (err as Error).message;
        }
    }

    /** Revokes a grant that is not kept; a failure changes nothing for the admin. */
    private async dropGrant(baseUrl: string, grant: OrgGrant): Promise<void> {
        await revokeToken(this.fetch, baseUrl, grant.refreshToken).catch(() => undefined);
    }

    /** Disconnect: revoke the org's refresh token, then forget the tenant. */
    disconnect(
        tenant: Tenant,
        config: AppConfig = this.config
    ): Promise<{ revoked: boolean; revokeError: string | null }> {
        return disconnectTenant({ store: this.store, config, fetch: this.fetch }, tenant);
    }
}
