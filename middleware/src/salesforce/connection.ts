import { Connection } from 'jsforce';
import type { SessionRefreshFunc } from 'jsforce/lib/session-refresh-delegate';
import type { Schema } from 'jsforce/lib/types';

/**
 * A jsforce Connection for one org, authorised by the OAuth 2.0 refresh-token flow. The API version
 * is always explicit (jsforce would otherwise use 50.0). When a call answers INVALID_SESSION_ID
 * (HTTP 401) jsforce asks our refresh function for a new access token and repeats the call; the
 * function refuses a second refresh while the token from the first has not been accepted once, so
 * an org that keeps rejecting sessions fails with a clear error instead of refreshing forever.
 */

export interface ConnectSalesforceOptions {
    instanceUrl: string;
    loginUrl: string;
    /** e.g. '62.0' */
    apiVersion: string;
    clientId: string;
    clientSecret?: string;
    refreshToken: string;
    /** A still-valid access token, when one is at hand; otherwise the first call refreshes. */
    accessToken?: string;
    /** Called with each new access token (e.g. to cache it); never log it. */
    onRefresh?: (accessToken: string, instanceUrl: string) => void;
}

interface TransportLike {
    httpRequest: (
        req: { headers?: Record<string, string> },
        options?: unknown
    ) => PromiseLike<{ statusCode: number }>;
}

export function connectSalesforce(opts: ConnectSalesforceOptions): Connection {
    if (!/^\d+\.0$/.test(opts.apiVersion))
        throw new Error(`apiVersion must look like 62.0, not ${opts.apiVersion}`);
    // The token the last refresh produced, until some answer shows the org accepts it.
    let unproven: string | null = null;

    const refreshFn: SessionRefreshFunc<Schema> = async (conn, callback) => {
        try {
            if (unproven !== null && conn.accessToken === unproven) {
                throw new Error(
                    'Salesforce refused the access token it had just issued (INVALID_SESSION_ID)'
                );
            }
            if (!conn.refreshToken) throw new Error('No refresh token is stored for this org');
            const res = await conn.oauth2.refreshToken(conn.refreshToken);
            conn.instanceUrl = res.instance_url;
            unproven = res.access_token;
            opts.onRefresh?.(res.access_token, res.instance_url);
            callback(null, res.access_token, res);
        } catch (err) {
            callback(err as Error);
        }
    };

    const conn = new Connection({
        version: opts.apiVersion,
        loginUrl: opts.loginUrl,
        instanceUrl: opts.instanceUrl,
        oauth2: {
            loginUrl: opts.loginUrl,
            clientId: opts.clientId,
            ...(opts.clientSecret ? { clientSecret: opts.clientSecret } : {})
        },
        refreshToken: opts.refreshToken,
        ...(opts.accessToken ? { accessToken: opts.accessToken } : {}),
        refreshFn
    });

    // Any answer other than 401 to a request that carried the new token proves it.
    const transport = (conn as unknown as { _transport: TransportLike })._transport;
    const send = transport.httpRequest.bind(transport);
    transport.httpRequest = (req, options) => {
        const pending = send(req, options);
        const auth = req.headers?.Authorization ?? req.headers?.authorization;
        if (unproven !== null && auth === `Bearer ${unproven}`) {
            const token = unproven;
            pending.then(
                (res) => {
                    if (res.statusCode !== 401 && unproven === token) unproven = null;
                },
                () => undefined
            );
        }
        return pending;
    };
    return conn;
}
