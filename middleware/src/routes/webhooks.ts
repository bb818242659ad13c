import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Services } from '../services';

const receipt = z.object({
    outcome: z.enum(['accepted', 'duplicate', 'ignored']),
    eventNotificationId: z.string()
});

function header(v: string | string[] | undefined): string | undefined {
    return Array.isArray(v) ? undefined : v;
}

/**
 * Unleashed's webhook deliveries (not under /v1: Unleashed signs them with the subscription's key,
 * not the org's secret). Answered as soon as the delivery is verified and recorded; the work
 * happens afterwards, so Unleashed never waits on Unleashed or Salesforce calls.
 */
export async function webhookRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
    const { services } = opts;
    const r = app.withTypeProvider<ZodTypeProvider>();

    // Any other content type is kept as raw bytes too (the signature covers the bytes, not a parse).
    app.addContentTypeParser('*', { parseAs: 'buffer' }, (request, body, done) => {
        request.rawBody = body as Buffer;
        done(null, undefined);
    });
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
                response: { 200: receipt }
            }
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
