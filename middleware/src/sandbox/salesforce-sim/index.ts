import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RequestError } from './errors';
import { IdFactory, to18 } from './ids';
import { SimOrg, type Row } from './org';
import { OAuthServer, type ConnectedApp, type SimUser } from './oauth';
import { BulkIngest } from './bulk';
import { RestApi } from './rest';
import { ApexRest, type ApexHandler, type ApexRestCall } from './apex';
import { DEMO_USERNAME, seedOrg, type SeedName } from './seed';

/**
 * A Salesforce org on loopback for tests, benchmarks and the local demo (never production): OAuth
 * endpoints, the REST API, sObject Collections, SOQL, Bulk API 2.0 ingest and Apex REST, with the
 * API's error bodies, the daily request limit and the `Sforce-Limit-Info` header. Both the login
 * URL and the instance URL are `sim.url`.
 *
 * Taken from Salesforce's documentation: the OAuth answers and error codes, the token signature,
 * INVALID_SESSION_ID / REQUEST_LIMIT_EXCEEDED bodies, 201/200/204 of upsert by external id (200
 * from API 46.0), 200 records per collection, Bulk API 2.0 job states and result file columns,
 * nextRecordsUrl paging (2000 a page), Apex REST under the namespace. Not confirmed against a live
 * org (wording and small shapes that may differ): the EXCEEDED_ID_LIMIT text for more than 200
 * records; failed collection entries carrying no id/created; duplicate external ids within one
 * call failing as DUPLICATE_VALUE "Duplicate external id specified"; the `sf__Error` layout
 * (`CODE:message:fields --`); the "only one PUT per job" and INVALIDJOB texts; custom picklists
 * being restricted; an unprefixed name being unknown in a namespaced org (true for API callers
 * outside the package).
 */

export { DEMO_USERNAME } from './seed';
export type { ApexHandler, ApexRestCall } from './apex';
export type { ConnectedApp } from './oauth';

export const DEMO_CLIENT_ID = '3MVG9SimUnleashedConnectorDemoClientId';
// The simulator's own connected app. Its secret is drawn once per process, so none is written in the
// code; a process that starts a simulator hands it to the middleware (config or child task) it runs.
export const DEMO_CLIENT_SECRET = randomBytes(24).toString('base64url');
export const DEMO_REDIRECT_URI = 'http://127.0.0.1:8787/oauth/salesforce/callback';

export interface SalesforceSimSettings {
    /** Added before every answer. */
    latencyMs: number;
    /** API requests allowed per 24 h; past it, 403 REQUEST_LIMIT_EXCEEDED. */
    dailyApiLimit: number;
    /** Lifetime of access tokens. */
    tokenTtlMs: number;
    /** API versions the org serves (vNN.0). */
    minApiVersion: number;
    maxApiVersion: number;
    /** Records per SOQL page. */
    queryBatchSize: number;
    /** Bulk rows written per turn of the event loop. */
    bulkRowsPerTick: number;
    /** Bulk result files in shuffled order, as a parallel job may give them. */
    bulkShuffleResults: boolean;
}

export const DEFAULT_SETTINGS: SalesforceSimSettings = {
    latencyMs: 0,
    dailyApiLimit: 100_000,
    tokenTtlMs: 2 * 3600_000,
    minApiVersion: 31,
    maxApiVersion: 62,
    queryBatchSize: 2000,
    bulkRowsPerTick: 500,
    bulkShuffleResults: false
};

export interface StartSalesforceSimOptions {
    port?: number;
    host?: string;
    /** Namespace prefix of the package's names ('' for an org without one). Default 'unleashed'. */
    namespace?: string;
    latencyMs?: number;
    seed?: SeedName;
    settings?: Partial<SalesforceSimSettings>;
    connectedApp?: Partial<ConnectedApp>;
    /** The org's id (15 or 18 characters); a second org (a sandbox beside production) needs its own. */
    orgId?: string;
}

export interface SimRequestLogEntry {
    method: string;
    path: string;
    status: number;
    /** The SOQL of a query request (`q`), for tests that count statements. */
    soql?: string;
}

export interface SalesforceSim {
    url: string;
    orgId: string;
    namespace: string;
    org: SimOrg;
    settings: SalesforceSimSettings;
    oauth: OAuthServer;
    users: SimUser[];
    /** Records of an object (API name, or the unprefixed name) as the API shows them. */
    records(sobject: string): Row[];
    /** Every Apex REST call, in order. */
    apexRestCalls: ApexRestCall[];
    apex: ApexRest;
    setApexHandler(urlMapping: string, handler: ApexHandler): void;
    /** Every HTTP request answered, in order (method, path without query, status). */
    requests: SimRequestLogEntry[];
    /**
     * Called with each request before its session is checked, e.g. to expire tokens exactly when a
     * given call arrives.
     */
    onRequest: ((method: string, path: string) => void) | null;
    apiUsage(): number;
    setApiUsage(n: number): void;
    expireAllTokens(): void;
    issueRefreshToken(username?: string): string;
    issueAccessToken(username?: string): string;
    close(): Promise<void>;
}

export async function startSalesforceSim(opts: StartSalesforceSimOptions = {}): Promise<SalesforceSim> {
    const settings: SalesforceSimSettings = {
        ...DEFAULT_SETTINGS,
        ...(opts.latencyMs !== undefined ? { latencyMs: opts.latencyMs } : {}),
        ...opts.settings
    };
    const namespace = opts.namespace ?? 'unleashed';
    const orgId = to18(opts.orgId ?? '00D5g00000UNLSH');
    const org = new SimOrg({ namespace, orgId, ids: new IdFactory() });
    const users = seedOrg(org, opts.seed ?? 'demo');
    let url = '';
    let apiUsage = 0;
    const app: ConnectedApp = {
        clientId: DEMO_CLIENT_ID,
        clientSecret: DEMO_CLIENT_SECRET,
        redirectUris: [DEMO_REDIRECT_URI],
        ...opts.connectedApp
    };
    const oauth = new OAuthServer({
        app,
        orgId,
        baseUrl: () => url,
        users: () => users,
        demoUsername: DEMO_USERNAME,
        get tokenTtlMs() {
            return settings.tokenTtlMs;
        }
    });
    const bulk = new BulkIngest(org, {
        get rowsPerTick() {
            return settings.bulkRowsPerTick;
        },
        get shuffleResults() {
            return settings.bulkShuffleResults;
        }
    });
    const rest = new RestApi(org, bulk, settings);
    const apex = new ApexRest(org);
    const requests: SimRequestLogEntry[] = [];

    const send = (res: ServerResponse, status: number, body: unknown, contentType?: string) => {
        res.setHeader('Sforce-Limit-Info', `api-usage=${apiUsage}/${settings.dailyApiLimit}`);
        if (body === undefined || status === 204) {
            res.writeHead(status);
            res.end();
            return;
        }
        const text = typeof body === 'string' ? body : JSON.stringify(body);
        res.writeHead(status, { 'content-type': contentType ?? 'application/json;charset=UTF-8' });
        res.end(text);
    };

    const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
        const parsed = new URL(req.url ?? '/', 'http://sim');
        const path = parsed.pathname;
        const method = (req.method ?? 'GET').toUpperCase();
        const raw = await readBody(req);
        if (settings.latencyMs > 0) await new Promise((r) => setTimeout(r, settings.latencyMs));
        sim.onRequest?.(method, path);

        // OAuth endpoints: not API calls, no session needed.
        if (path === '/services/oauth2/token' && method === 'POST') {
            const answer = oauth.token(new URLSearchParams(raw));
            return send(res, answer.status, answer.body);
        }
        if (path === '/services/oauth2/authorize' && method === 'GET') {
            const answer = oauth.authorize(parsed.searchParams);
            for (const [k, v] of Object.entries(answer.headers ?? {})) res.setHeader(k, v);
            return send(res, answer.status, answer.body, answer.headers?.['content-type']);
        }
        if (path === '/services/oauth2/revoke' && method === 'POST') {
            const answer = oauth.revoke(new URLSearchParams(raw).get('token') ?? '');
            return send(res, answer.status, answer.body);
        }
        if (path === '/services/data' || path === '/services/data/') {
            const versions = [];
            for (let v = settings.minApiVersion; v <= settings.maxApiVersion; v++) {
                versions.push({ label: `v${v}`, url: `/services/data/v${v}.0`, version: `${v}.0` });
            }
            return send(res, 200, versions);
        }

        const user = oauth.authenticate(req.headers.authorization);
        if (!user)
            return send(res, 401, [
                { message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }
            ]);
        if (apiUsage >= settings.dailyApiLimit) {
            return send(res, 403, [
                { message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }
            ]);
        }
        apiUsage++;
        org.currentUserId = user.id;

        const idMatch = /^\/id\/(00D\w+)\/(005\w+)$/.exec(path);
        if (idMatch && method === 'GET') {
            if (idMatch[2] !== user.id) return send(res, 403, 'Bad_Id', 'text/plain');
            return send(res, 200, {
                id: `${url}${path}`,
                user_id: user.id,
                organization_id: orgId,
                username: user.username,
                display_name: user.name,
                email: user.email,
                active: true,
                urls: {
                    rest: `${url}/services/data/v{version}/`,
                    query: `${url}/services/data/v{version}/query/`
                }
            });
        }
        const apexMatch = /^\/services\/apexrest(\/.*)$/.exec(path);
        if (apexMatch) {
            let body: unknown = null;
            if (raw) {
                try {
                    body = JSON.parse(raw);
                } catch {
                    return send(res, 400, [
                        { message: 'Unexpected character in the body', errorCode: 'JSON_PARSER_ERROR' }
                    ]);
                }
            }
            const answer = await apex.handle(method, apexMatch[1]!, body, Buffer.byteLength(raw ?? ''));
            return send(res, answer.status ?? 200, answer.body === null ? 'null' : answer.body);
        }
        const dataMatch = /^\/services\/data\/v(\d+)\.0(\/.*)?$/.exec(path);
        if (!dataMatch) throw new RequestError(404, 'NOT_FOUND', 'The requested resource does not exist');
        const version = Number(dataMatch[1]);
        if (version < settings.minApiVersion || version > settings.maxApiVersion) {
            throw new RequestError(404, 'NOT_FOUND', 'The requested resource does not exist');
        }
        const sub = dataMatch[2] ?? '/';
        if (sub === '/limits' && method === 'GET') {
            return send(res, 200, {
                DailyApiRequests: {
                    Max: settings.dailyApiLimit,
                    Remaining: settings.dailyApiLimit - apiUsage
                }
            });
        }
        const isCsv = /^text\/csv/i.test(String(req.headers['content-type'] ?? ''));
        let body: unknown = undefined;
        if (raw && !isCsv) {
            try {
                body = JSON.parse(raw);
            } catch {
                throw new RequestError(400, 'JSON_PARSER_ERROR', 'Unexpected character in the request body');
            }
        }
        const answer = rest.handle({
            method,
            path: sub,
            query: parsed.searchParams,
            headers: req.headers,
            body: isCsv ? raw : body,
            apiVersion: `${version}.0`
        });
        return send(res, answer.status, answer.body, answer.contentType);
    };

    const server = createServer((req, res) => {
        const path = (req.url ?? '/').split('?')[0]!;
        const soql = path.endsWith('/query')
            ? (new URL(req.url ?? '/', 'http://sim').searchParams.get('q') ?? undefined)
            : undefined;
        res.on('finish', () =>
            requests.push({
                method: req.method ?? 'GET',
                path,
                status: res.statusCode,
                ...(soql ? { soql } : {})
            })
        );
        handle(req, res).catch((err: unknown) => {
            if (res.headersSent) return;
            if (err instanceof RequestError) send(res, err.status, err.body());
            else send(res, 500, [{ message: (err as Error).message, errorCode: 'UNKNOWN_EXCEPTION' }]);
        });
    });
    await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
    });
    const address = server.address() as AddressInfo;
    url = `http://${opts.host ?? '127.0.0.1'}:${address.port}`;

    const sim: SalesforceSim = {
        url,
        orgId,
        namespace,
        org,
        settings,
        oauth,
        users,
        records(sobject) {
            const table = org.table(sobject) ?? org.tableByName(sobject);
            return [...table.rows.values()].map((row) => {
                const { attributes: _a, ...rest } = org.toApi(table, row, `${settings.maxApiVersion}.0`);
                return rest;
            });
        },
        apexRestCalls: apex.calls,
        apex,
        setApexHandler: (mapping, handler) => apex.setHandler(mapping, handler),
        requests,
        onRequest: null,
        apiUsage: () => apiUsage,
        setApiUsage: (n) => {
            apiUsage = n;
        },
        expireAllTokens: () => oauth.expireAll(),
        issueRefreshToken: (username) => oauth.issueRefreshToken(username),
        issueAccessToken: (username) => oauth.issueAccessToken(username),
        close: () =>
            new Promise<void>((resolve, reject) => {
                server.closeAllConnections();
                server.close((err) => (err ? reject(err) : resolve()));
            })
    };
    return sim;
}

async function readBody(req: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
}
