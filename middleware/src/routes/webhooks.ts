import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { sendProblem } from '../http/problem';
import type { Services } from '../services';
import { webhookReceiptSchema, webhookTimeMs } from '../sync/status/webhook';

function header(v: string | string[] | undefined): string | undefined {
    return Array.isArray(v) ? undefined : v;
}

const ORG_ID = /^00D[A-Za-z0-9]{15}$/;
/** base64 (or base64url) of an HMAC-SHA256, padded or not: all the processor can decode to 32 bytes. */
const SIGNATURE = /^\s*[A-Za-z0-9+/_-]{43}=?\s*$/;

/**
 * Unleashed's webhook deliveries (not under /v1: Unleashed signs them with the subscription's key,
 * not the org's secret). Answered as soon as the delivery is verified and recorded; the work
 * happens afterwards, so Unleashed never waits on Unleashed or Salesforce calls.
 */
export async function webhookRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
    const { services } = opts;
    const r = app.withTypeProvider<ZodTypeProvider>();

    // Every content type is kept as raw bytes (the signature covers the bytes, not a parse; the
    // payload is read by the processor). This plugin's own parsers replace the app's, here only.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer' }, (request, body, done) => {
        request.rawBody = body as Buffer;
        done(null, undefined);
    });

    /**
     * Before the body is read: a delivery for an org that is not connected, or without readable
     * signature headers, can never be accepted, so it is answered at once instead of being allowed
     * to trickle a body in. The answer is the processor's own refusal, whichever check failed.
     */
    const checkBeforeBody = async (
        request: FastifyRequest<{ Params: { orgId: string } }>,
        reply: FastifyReply
    ) => {
        const { orgId } = request.params;
        const timestamp = header(request.headers['x-unleashed-timestamp']);
        const signature = header(request.headers['x-unleashed-signature']);
        const reason = !ORG_ID.test(orgId ?? '')
            ? 'malformed org id'
            : !timestamp || !signature
              ? 'missing signature headers'
              : webhookTimeMs(timestamp) === null
                ? 'unreadable timestamp'
                : !SIGNATURE.test(signature)
                  ? 'malformed signature'
                  : (await services.store.tenants.get(orgId)) === null
                    ? 'unknown org'
                    : null;
        if (reason === null) return;
        request.log.warn({ orgId: ORG_ID.test(orgId ?? '') ? orgId : undefined, reason }, 'webhook refused');
        // The body is not read; closing the connection stops a sender from trickling it anyway.
        reply.header('connection', 'close');
        return sendProblem(reply, {
            type: 'about:blank',
            title: 'Webhook not accepted',
            status: 401,
            detail: 'The delivery is not signed for this org.'
        });
    };
    // Processing started here finishes before the app closes.
    app.addHook('onClose', () => services.statusSync.webhooks.idle());

    r.post(
        '/webhooks/unleashed/:orgId',
        {
            schema: {
                tags: ['webhooks'],
                summary:
                    "Unleashed's webhook deliveries for one org (signed by Unleashed, see docs/unleashed-api.md)",
                params: z.object({ orgId: z.string().max(40) }),
                response: { 200: webhookReceiptSchema }
            },
            onRequest: checkBeforeBody
        },
        async (request) => {
            return services.statusSync.webhooks.receive(
                request.params.orgId,
                {
                    timestamp: header(request.headers['x-unleashed-timestamp']),
                    signature: header(request.headers['x-unleashed-signature'])
                },
                request.rawBody ?? Buffer.alloc(0),
                request.log
            );
        }
    );
}
