import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { HttpProblem } from '../http/problem';
import { createTenantRateLimit } from '../http/rate-limit';
import type { Services } from '../services';
import { ConnectError } from '../sync/connect';

/**
 * The browser side of hosted connect (sync/connect.ts). Not signed: the admin's browser arrives
 * from the org's Setup page. The start answers problem+json on refusal; the callback is what the
 * admin sees after Salesforce, so it answers a short HTML page that says what went wrong.
 */

const escapeHtml = (s: string) =>
    s.replace(
        /[&<>"']/g,
        (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string
    );

export function connectPage(title: string, detail: string, returnUrl: string | null): string {
    const back = returnUrl
        ? `<p><a href="${escapeHtml(returnUrl)}">Back to Salesforce</a></p>`
        : '<p>Go back to the Unleashed Admin tab in Salesforce to try again.</p>';
    return [
        '<!doctype html>',
        '<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">',
        `<title>${escapeHtml(title)} - Unleashed connector</title></head>`,
        '<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem">',
        `<h1>${escapeHtml(title)}</h1>`,
        `<p>${escapeHtml(detail)}</p>`,
        back,
        '</body></html>'
    ].join('\n');
}

const optionalText = z.string().max(4096).optional();

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

    const noStore = (reply: FastifyReply) => reply.header('cache-control', 'no-store');
    const startBudget = await createTenantRateLimit(app, STARTS_PER_MINUTE, (request) => request.ip);

    r.get(
        '/oauth/salesforce/start',
        {
            logSerializers,
            schema: {
                tags: ['connect'],
                summary:
                    'Start connecting an org: redirects the admin to the org’s Salesforce authorize page',
                querystring: z.object({ orgId: optionalText, returnUrl: optionalText })
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
                const { authorizeUrl } = await connect.start(request.query.orgId, request.query.returnUrl);
                request.log.info({ orgId: request.query.orgId }, 'connect started');
                return noStore(reply).redirect(authorizeUrl, 302);
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
                const done = await connect.finish(request.query);
                opts.services.forget(done.orgId);
                request.log.info(
                    { orgId: done.orgId, userId: done.userId, reconnected: done.reconnected },
                    'org connected'
                );
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
