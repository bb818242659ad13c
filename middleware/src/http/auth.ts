import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Tenant } from '../store/types';
import type { Store } from '../store';
import { sendProblem } from './problem';
import { createTenantRateLimit } from './rate-limit';

/**
 * Inbound security for the Salesforce-facing API (design.md, CONTRACT: how Apex calls the
 * middleware). Every request under the prefix must carry the tenant's HMAC signature over the
 * method, path with query, timestamp, nonce and SHA-256 of the exact body bytes; anything else is
 * answered 401 problem+json before any handler runs.
 */

declare module 'fastify' {
    interface FastifyRequest {
        /** The verified tenant; set on every request under the signed prefix (/v1). */
        tenant: Tenant;
        /** The exact bytes of a JSON body, as signed. */
        rawBody?: Buffer;
    }
}

export const HEADER_ORG = 'x-connector-org';
export const HEADER_TIMESTAMP = 'x-connector-timestamp';
export const HEADER_NONCE = 'x-connector-nonce';
export const HEADER_SIGNATURE = 'x-connector-signature';

export interface SignedRequestsOptions {
    /** With rateLimits, the tenant budget is counted in the store, across instances. */
    store: Pick<Store, 'tenants' | 'nonces'> & Partial<Pick<Store, 'rateLimits'>>;
    /** Largest accepted difference between the caller's clock and ours. */
    clockSkewSeconds?: number;
    /** Routes under this path are signed; others (health, docs, webhooks) are not. */
    prefix?: string;
    /** Signed requests one tenant may make per minute (RATE_LIMIT_PER_MINUTE); 0 turns it off. */
    rateLimitPerMinute?: number;
    /** Current time in ms; tests move it. */
    now?: () => number;
}

const ORG_ID = /^00D[A-Za-z0-9]{15}$/;
const TIMESTAMP = /^[0-9]{1,12}$/;
const NONCE = /^[0-9a-fA-F]{16,128}$/;
const SIGNATURE = /^[A-Za-z0-9+/]{43}=$/; // base64 of the 32 bytes of an HMAC-SHA256

/** The exact text that is signed. */
export function canonicalRequest(
    method: string,
    pathWithQuery: string,
    timestamp: string,
    nonce: string,
    body: Buffer | string | undefined
): string {
    const bodyHash = createHash('sha256')
        .update(body ?? '')
        .digest('hex');
    return [method.toUpperCase(), pathWithQuery, timestamp, nonce, bodyHash].join('\n');
}

function hmac(secret: Buffer, canonical: string): Buffer {
    return createHmac('sha256', secret).update(canonical, 'utf8').digest();
}

export interface SignRequestInput {
    orgId: string;
    /** The tenant secret: its 32 raw bytes, or their base64 text as configured in the org. */
    secret: Buffer | string;
    method: string;
    /** Exactly as it will be sent, e.g. `/v1/stock?productCodes=A,B`. */
    pathWithQuery: string;
    /** The exact body bytes that will be sent; absent or '' for none. */
    body?: Buffer | string;
    /** Unix seconds; default now. */
    timestamp?: number;
    /** Default: 32 random hex characters. */
    nonce?: string;
}

/** The four headers that sign a request, as Apex computes them (tests, preview bridge, demo). */
export function signRequest(input: SignRequestInput): Record<string, string> {
    const secret = typeof input.secret === 'string' ? Buffer.from(input.secret, 'base64') : input.secret;
    const timestamp = String(input.timestamp ?? Math.floor(Date.now() / 1000));
    const nonce = input.nonce ?? randomBytes(16).toString('hex');
    const signature = hmac(
        secret,
        canonicalRequest(input.method, input.pathWithQuery, timestamp, nonce, input.body)
    );
    return {
        'X-Connector-Org': input.orgId,
        'X-Connector-Timestamp': timestamp,
        'X-Connector-Nonce': nonce,
        'X-Connector-Signature': signature.toString('base64')
    };
}

/** What onRequest learned, finished by preValidation once the body bytes are in. */
interface Pending {
    tenant: Tenant;
    timestamp: string;
    nonce: string;
    signature: Buffer;
}
const PENDING = Symbol('signedRequest.pending');
type WithPending = FastifyRequest & { [PENDING]?: Pending };

function header(request: FastifyRequest, name: string): string | undefined {
    const v = request.headers[name];
    return Array.isArray(v) ? undefined : v;
}

export const signedRequestsPlugin = fp<SignedRequestsOptions>(
    async (app: FastifyInstance, opts) => {
        const { store } = opts;
        const skew = opts.clockSkewSeconds ?? 300;
        const prefix = (opts.prefix ?? '/v1').replace(/\/+$/, '');
        const now = opts.now ?? Date.now;
        const perMinute = opts.rateLimitPerMinute ?? 600;

        // JSON bodies are parsed from their exact bytes, which are kept for the signature check
        // (and for webhook signatures). Fastify's own JSON parser does the parsing and its
        // prototype-poisoning checks; an empty body is allowed and parses as undefined.
        const parseJson = app.getDefaultJsonParser('error', 'error');
        app.removeContentTypeParser('application/json');
        app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
            const raw = body as Buffer;
            request.rawBody = raw;
            if (raw.length === 0) return done(null, undefined);
            parseJson(request, raw.toString('utf8'), done);
        });

        app.decorateRequest('tenant', null as unknown as Tenant);

        const underPrefix = (request: FastifyRequest): boolean => {
            const path = request.url.split('?')[0] ?? '';
            const route = request.routeOptions.url ?? '';
            const covers = (p: string) => p === prefix || p.startsWith(`${prefix}/`);
            return covers(path) || covers(route);
        };

        const reject = (
            request: FastifyRequest,
            reply: FastifyReply,
            title: string,
            detail: string,
            orgId?: string
        ) => {
            // Never the signature, the secret or the headers: who, what and why is enough to investigate.
            request.log.warn(
                {
                    orgId: orgId && ORG_ID.test(orgId) ? orgId : undefined,
                    method: request.method,
                    path: request.url.split('?')[0],
                    reason: title
                },
                'signed request rejected'
            );
            return sendProblem(reply, { type: 'about:blank', title, status: 401, detail });
        };

        const rateCheck =
            perMinute > 0
                ? await createTenantRateLimit(
                      app,
                      perMinute,
                      (request) => (request as WithPending)[PENDING]?.tenant.orgId ?? request.tenant.orgId,
                      store.rateLimits
                  )
                : null;

        // Cheap checks first, before the body is read: headers, clock, tenant.
        app.addHook('onRequest', async (request, reply) => {
            if (!underPrefix(request)) return;
            const orgId = header(request, HEADER_ORG);
            const timestamp = header(request, HEADER_TIMESTAMP);
            const nonce = header(request, HEADER_NONCE);
            const signature = header(request, HEADER_SIGNATURE);
            const given: [string, string | undefined][] = [
                ['X-Connector-Org', orgId],
                ['X-Connector-Timestamp', timestamp],
                ['X-Connector-Nonce', nonce],
                ['X-Connector-Signature', signature]
            ];
            const missing = given.filter(([, v]) => !v).map(([name]) => name);
            if (missing.length > 0 || !orgId || !timestamp || !nonce || !signature) {
                return reject(
                    request,
                    reply,
                    'Unsigned request',
                    `Missing header(s): ${missing.join(', ')}`,
                    orgId
                );
            }
            if (!ORG_ID.test(orgId)) {
                return reject(
                    request,
                    reply,
                    'Malformed org id',
                    'X-Connector-Org must be an 18-character org id',
                    orgId
                );
            }
            if (!TIMESTAMP.test(timestamp)) {
                return reject(
                    request,
                    reply,
                    'Malformed timestamp',
                    'X-Connector-Timestamp must be unix seconds',
                    orgId
                );
            }
            if (!NONCE.test(nonce)) {
                return reject(
                    request,
                    reply,
                    'Malformed nonce',
                    'X-Connector-Nonce must be 16 to 128 hex characters',
                    orgId
                );
            }
            if (!SIGNATURE.test(signature)) {
                return reject(
                    request,
                    reply,
                    'Bad signature',
                    'X-Connector-Signature is not a base64 HMAC-SHA256',
                    orgId
                );
            }
            const age = Math.floor(now() / 1000) - Number(timestamp);
            if (Math.abs(age) > skew) {
                return reject(
                    request,
                    reply,
                    'Stale timestamp',
                    `X-Connector-Timestamp is ${Math.abs(age)} s ${age > 0 ? 'old' : 'in the future'}; at most ${skew} s is accepted (check the org's clock)`,
                    orgId
                );
            }
            const tenant = await store.tenants.get(orgId);
            if (!tenant) {
                return reject(
                    request,
                    reply,
                    'Unknown org',
                    'This org is not connected to the middleware',
                    orgId
                );
            }
            (request as WithPending)[PENDING] = {
                tenant,
                timestamp,
                nonce,
                signature: Buffer.from(signature, 'base64')
            };
        });

        // After the body bytes are in, before validation or any handler: signature, then nonce, then budget.
        app.addHook('preValidation', async (request, reply) => {
            const pending = (request as WithPending)[PENDING];
            if (!pending) return;
            const { tenant, timestamp, nonce, signature } = pending;
            // Only JSON bodies keep their bytes; a body parsed any other way (text/plain) was not
            // covered by the check below, so it never reaches a handler.
            if (request.rawBody === undefined && request.body !== undefined && request.body !== null) {
                request.log.warn(
                    { orgId: tenant.orgId, path: request.url.split('?')[0] },
                    'signed request with a non-JSON body'
                );
                return sendProblem(reply, {
                    type: 'about:blank',
                    title: 'Unsupported media type',
                    status: 415,
                    detail: 'Signed requests carry JSON bodies (application/json)'
                });
            }
            const expected = hmac(
                tenant.tenantSecret,
                canonicalRequest(request.method, request.url, timestamp, nonce, request.rawBody)
            );
            if (!timingSafeEqual(expected, signature)) {
                return reject(
                    request,
                    reply,
                    'Bad signature',
                    'X-Connector-Signature does not match this request',
                    tenant.orgId
                );
            }
            // Kept until the timestamp itself is too old to be accepted; after that the clock check refuses it.
            const expiresAt = new Date((Number(timestamp) + skew + 1) * 1000);
            if (!(await store.nonces.claim(tenant.orgId, nonce.toLowerCase(), expiresAt))) {
                return reject(
                    request,
                    reply,
                    'Replayed nonce',
                    'This X-Connector-Nonce was already used',
                    tenant.orgId
                );
            }
            if (rateCheck) {
                const verdict = await rateCheck(request);
                if (!verdict.allowed) {
                    request.log.warn(
                        { orgId: tenant.orgId, path: request.url.split('?')[0] },
                        'tenant rate limit exceeded'
                    );
                    reply.header('retry-after', String(verdict.retryAfterSeconds));
                    return sendProblem(reply, {
                        type: 'about:blank',
                        title: 'Too many requests',
                        status: 429,
                        detail: `More than ${perMinute} requests per minute for this org; retry in ${verdict.retryAfterSeconds} s`
                    });
                }
                reply.header('x-ratelimit-limit', String(perMinute));
                reply.header('x-ratelimit-remaining', String(verdict.remaining));
            }
            request.tenant = tenant;
        });
    },
    { name: 'signed-requests', fastify: '5.x' }
);
