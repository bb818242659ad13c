import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Tenant } from '../store/types';
import type { Store } from '../store';
import { clientKey, FailureLimit } from './failure-limit';
import { parseJsonBody } from './json-body';
import { sendProblem } from './problem';
import { createTenantRateLimit, rateVerdict, tenantRateKey, type RateLimitVerdict } from './rate-limit';

/**
 * Inbound security for the Salesforce-facing API (docs/architecture.md: how Apex calls the
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
    /**
     * Failed checks one client address may cause per minute before its requests are refused unread
     * (AUTH_FAILURES_PER_IP_PER_MINUTE); 0 turns it off.
     */
    failuresPerIpPerMinute?: number;
    /** Current time in ms; tests move it. */
    now?: () => number;
}

const ORG_ID = /^00D[A-Za-z0-9]{15}$/;
const TIMESTAMP = /^[0-9]{1,12}$/;
const NONCE = /^[0-9a-fA-F]{16,128}$/;
const SIGNATURE = /^[A-Za-z0-9+/]{43}=$/; // base64 of the 32 bytes of an HMAC-SHA256

/** One text per byte string: the two spare bits of the last character must be zero. */
function isCanonicalBase64(text: string): boolean {
    return Buffer.from(text, 'base64').toString('base64') === text;
}

/** The one answer for an unknown org and a wrong signature, so org ids cannot be probed. */
const NOT_ACCEPTED = 'X-Connector-Signature does not match this request for this org';

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
    /** Null for an org that is not connected: it is refused after the same work as a bad signature. */
    tenant: Tenant | null;
    /** The tenant came from this instance's cache (store/tenants.ts), not from the store just now. */
    cached: boolean;
    orgId: string;
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
        const failures = new FailureLimit(opts.failuresPerIpPerMinute ?? 60);
        // Stands in for the secret of an org that is not connected.
        const decoySecret = randomBytes(32);

        // JSON bodies are parsed from their exact bytes, which are kept for the signature check
        // (and for webhook signatures). parseJsonBody refuses prototype keys and says why; an empty
        // body is allowed and parses as undefined.
        app.removeContentTypeParser('application/json');
        app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
            const raw = body as Buffer;
            request.rawBody = raw;
            if (raw.length === 0) return done(null, undefined);
            try {
                done(null, parseJsonBody(raw));
            } catch (err) {
                done(err as Error, undefined);
            }
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
            orgId?: string,
            reason: string = title
        ) => {
            // Never the signature, the secret or the headers: who, what and why is enough to investigate.
            request.log.warn(
                {
                    orgId: orgId && ORG_ID.test(orgId) ? orgId : undefined,
                    method: request.method,
                    path: request.url.split('?')[0],
                    reason
                },
                'signed request rejected'
            );
            if (failures.record(clientKey(request.ip))) {
                request.log.warn(
                    { ip: request.ip, limit: opts.failuresPerIpPerMinute ?? 60 },
                    'client address reached its limit of failed signature checks'
                );
            }
            // A refused caller reconnects; a body not read yet is not waited for.
            reply.header('connection', 'close');
            return sendProblem(reply, { type: 'about:blank', title, status: 401, detail });
        };

        // With the store's shared counter (every real store has one), the nonce and the budget are
        // one statement (store/nonces.ts); without it the budget is counted in this instance's memory.
        const shared = perMinute > 0 && store.rateLimits !== undefined;
        const localRateCheck =
            perMinute > 0 && !shared
                ? await createTenantRateLimit(
                      app,
                      perMinute,
                      (request) => (request as WithPending)[PENDING]?.orgId ?? request.tenant.orgId
                  )
                : null;
        /** Claims the nonce, then takes one request from the tenant's budget; null for a replay. */
        const admit = async (
            request: FastifyRequest,
            orgId: string,
            nonce: string,
            expiresAt: Date
        ): Promise<RateLimitVerdict | null> => {
            if (shared) {
                const r = await store.nonces.claimAndCount(orgId, nonce, expiresAt, {
                    key: tenantRateKey(orgId),
                    windowSeconds: 60
                });
                return r.claimed ? rateVerdict(r.window, perMinute) : null;
            }
            if (!(await store.nonces.claim(orgId, nonce, expiresAt))) return null;
            return localRateCheck ? localRateCheck(request) : { allowed: true, remaining: perMinute };
        };

        // Cheap checks first, before the body is read: headers, clock, tenant.
        app.addHook('onRequest', async (request, reply) => {
            if (!underPrefix(request)) return;
            // An address that keeps failing is refused before it costs a database read.
            const blocked = failures.blockedFor(clientKey(request.ip));
            if (blocked > 0) {
                reply.header('retry-after', String(blocked));
                reply.header('connection', 'close');
                return sendProblem(reply, {
                    type: 'about:blank',
                    title: 'Too many failed attempts',
                    status: 429,
                    detail: `Too many requests from this address failed the signature check; retry in ${blocked} s`
                });
            }
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
            if (!SIGNATURE.test(signature) || !isCanonicalBase64(signature)) {
                return reject(
                    request,
                    reply,
                    'Bad signature',
                    'X-Connector-Signature is not the canonical base64 of an HMAC-SHA256 (44 characters ending in =)',
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
            // An unknown org goes on like a known one and is refused with the bad-signature answer.
            const cached = store.tenants.cached(orgId);
            const tenant = cached ?? (await store.tenants.get(orgId));
            (request as WithPending)[PENDING] = {
                tenant,
                cached: cached !== undefined,
                orgId,
                timestamp,
                nonce,
                signature: Buffer.from(signature, 'base64')
            };
        });

        // After the body bytes are in, before validation or any handler: signature, then nonce, then budget.
        app.addHook('preValidation', async (request, reply) => {
            const pending = (request as WithPending)[PENDING];
            if (!pending) return;
            const { orgId, timestamp, nonce, signature } = pending;
            let { tenant } = pending;
            // Only JSON bodies keep their bytes; a body parsed any other way (text/plain) was not
            // covered by the check below, so it never reaches a handler.
            if (request.rawBody === undefined && request.body !== undefined && request.body !== null) {
                request.log.warn(
                    { orgId, path: request.url.split('?')[0] },
                    'signed request with a non-JSON body'
                );
                return sendProblem(reply, {
                    type: 'about:blank',
                    title: 'Unsupported media type',
                    status: 415,
                    detail: 'Signed requests carry JSON bodies (application/json)'
                });
            }
            const canonical = canonicalRequest(
                request.method,
                request.url,
                timestamp,
                nonce,
                request.rawBody
            );
            const matches = (t: Tenant | null) =>
                timingSafeEqual(hmac(t?.tenantSecret ?? decoySecret, canonical), signature) && t !== null;
            let accepted = matches(tenant);
            if (!accepted && pending.cached) {
                // A secret rotated on another instance is good at once: a cached tenant that does not
                // match is read again. So every refused signature costs one store read, whether the
                // org is unknown or the signature wrong.
                tenant = await store.tenants.get(orgId);
                accepted = matches(tenant);
            }
            if (!accepted || !tenant) {
                return reject(
                    request,
                    reply,
                    'Bad signature',
                    NOT_ACCEPTED,
                    orgId,
                    tenant ? 'Bad signature' : 'Unknown org'
                );
            }
            // Kept until the timestamp itself is too old to be accepted; after that the clock check refuses it.
            const expiresAt = new Date((Number(timestamp) + skew + 1) * 1000);
            const verdict = await admit(request, tenant.orgId, nonce.toLowerCase(), expiresAt);
            if (!verdict) {
                return reject(
                    request,
                    reply,
                    'Replayed nonce',
                    'This X-Connector-Nonce was already used',
                    tenant.orgId
                );
            }
            if (perMinute > 0) {
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
