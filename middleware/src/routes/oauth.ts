import { createHash, randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { HttpProblem } from '../http/problem';
import { createTenantRateLimit } from '../http/rate-limit';
import type { Services } from '../services';
import { ConnectError, STATE_TTL_MS } from '../sync/connect';

/**
 * The browser side of hosted connect (sync/connect/). Not signed: the admin's browser arrives
 * from the org's Setup page. The start gives the browser a connect cookie that the callback must
 * bring back (SameSite=Lax: it rides along on Salesforce's redirect, a top-level GET, and on nothing
 * cross-site else). The start answers problem+json on refusal; the callback is what the admin sees
 * after Salesforce, so it answers a short HTML page that says what went wrong.
 */

const escapeHtml = (s: string) =>
    s.replace(
        /[&<>"']/g,
        (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string
    );

/** The page's only style, allowed by its hash: the pages run no script and load nothing. */
const PAGE_STYLE = 'body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}';
export const PAGE_CSP = [
    "default-src 'none'",
    `style-src 'sha256-${createHash('sha256').update(PAGE_STYLE).digest('base64')}'`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'"
].join('; ');

export function connectPage(title: string, detail: string, returnUrl: string | null): string {
    const back = returnUrl
        ? `<p><a href="${escapeHtml(returnUrl)}">Back to Salesforce</a></p>`
        : '<p>Go back to the Unleashed Admin tab in Salesforce to try again.</p>';
    return [
        '<!doctype html>',
        '<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">',
        `<title>${escapeHtml(title)} - Unleashed connector</title><style>${PAGE_STYLE}</style></head>`,
        '<body>',
        `<h1>${escapeHtml(title)}</h1>`,
        `<p>${escapeHtml(detail)}</p>`,
        back,
        '</body></html>'
    ].join('\n');
}

const optionalText = z.string().max(4096).optional();

/** The browser's connect cookie: `__Host-` (https only, this host only, path /) when PUBLIC_URL is https. */
export function connectCookieName(secure: boolean): string {
    return secure ? '__Host-unleashed-connect' : 'unleashed-connect';
}
const BROWSER_KEY = /^[A-Za-z0-9_-]{43}$/;

function readCookie(request: FastifyRequest, name: string): string | undefined {
    for (const part of (request.headers.cookie ?? '').split(';')) {
        const eq = part.indexOf('=');
        if (eq > 0 && part.slice(0, eq).trim() === name) {
            const value = part.slice(eq + 1).trim();
            return BROWSER_KEY.test(value) ? value : undefined;
        }
    }
    return undefined;
}

/** Starts one address may make per minute: each writes a row, and nobody signs these requests. */
export const STARTS_PER_MINUTE = 60;

/** The authorization code and the state work once, but still stay out of the request log lines. */
function redactedUrl(url: string): string {
    const q = url.indexOf('?');
    if (q < 0) return url;
    const params = new URLSearchParams(url.slice(q + 1));
    for (const name of ['code', 'state']) if (params.has(name)) params.set(name, '[redacted]');
    return `${url.slice(0, q)}?${params.toString()}`;
}

const logSerializers = {
    req: (req: FastifyRequest) => ({
        method: req.method,
        url: redactedUrl(req.url),
        host: req.host,
        remoteAddress: req.ip
    })
};

export async function oauthRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
    const { connect } = opts.services;
    const r = app.withTypeProvider<ZodTypeProvider>();

    const secure = (opts.services.config.PUBLIC_URL ?? '').startsWith('https:');
    const cookieName = connectCookieName(secure);
    // Every answer of these routes: never cached, never framed, and no Referer carrying code or state.
    const noStore = (reply: FastifyReply) =>
        reply
            .header('cache-control', 'no-store')
            .header('content-security-policy', PAGE_CSP)
            .header('x-frame-options', 'DENY')
            .header('referrer-policy', 'no-referrer');
    const startBudget = await createTenantRateLimit(app, STARTS_PER_MINUTE, (request) => request.ip);

    r.get(
        '/oauth/salesforce/start',
        {
            logSerializers,
            schema: {
                tags: ['connect'],
                summary:
                    'Start connecting an org: redirects the admin to the org’s Salesforce authorize page',
                querystring: z.object({
                    orgId: optionalText,
                    returnUrl: optionalText,
                    loginUrl: optionalText.describe(
                        'The org’s login host: its My Domain (https://acme.my.salesforce.com), or https://test.salesforce.com for a sandbox. SALESFORCE_LOGIN_URL when absent.'
                    )
                })
            }
        },
        async (request, reply) => {
            const verdict = await startBudget(request);
            if (!verdict.allowed) {
                reply.header('retry-after', String(verdict.retryAfterSeconds));
                throw new HttpProblem(
                    429,
                    'Too many requests',
                    `More than ${STARTS_PER_MINUTE} connect starts per minute from this address; retry in ${verdict.retryAfterSeconds} s`
                );
            }
            try {
                const browserKey = readCookie(request, cookieName) ?? randomBytes(32).toString('base64url');
                const { authorizeUrl } = await connect.start({
                    ...request.query,
                    browserKey,
                    client: request.ip
                });
                request.log.info({ orgId: request.query.orgId }, 'connect started');
                const cookie = [
                    `${cookieName}=${browserKey}`,
                    'Path=/',
                    `Max-Age=${STATE_TTL_MS / 1000}`,
                    'HttpOnly',
                    'SameSite=Lax',
                    ...(secure ? ['Secure'] : [])
                ].join('; ');
                return noStore(reply).header('set-cookie', cookie).redirect(authorizeUrl, 302);
            } catch (err) {
                if (err instanceof ConnectError) throw new HttpProblem(err.status, err.title, err.detail);
                throw err;
            }
        }
    );

    r.get(
        '/oauth/salesforce/callback',
        {
            logSerializers,
            schema: {
                tags: ['connect'],
                summary:
                    'Salesforce sends the admin back here; connects the org, then back to its Setup page',
                querystring: z.object({
                    code: optionalText,
                    state: optionalText,
                    error: optionalText,
                    error_description: optionalText
                })
            }
        },
        async (request, reply) => {
            try {
                const done = await connect.finish(request.query, readCookie(request, cookieName));
                opts.services.forget(done.orgId);
                request.log.info(
                    { orgId: done.orgId, userId: done.userId, reconnected: done.reconnected },
                    'org connected'
                );
                if (done.previousTokenRevokeError) {
                    request.log.warn(
                        { orgId: done.orgId, reason: done.previousTokenRevokeError },
                        'earlier Salesforce refresh token not revoked; revoke it in the org (Connected Apps OAuth Usage)'
                    );
                }
                return noStore(reply).redirect(done.returnUrl, 302);
            } catch (err) {
                if (!(err instanceof ConnectError)) throw err;
                request.log.warn({ status: err.status, reason: err.title }, 'connect refused');
                return noStore(reply)
                    .code(err.status)
                    .type('text/html; charset=utf-8')
                    .send(connectPage(err.title, err.detail, err.returnUrl));
            }
        }
    );
}
