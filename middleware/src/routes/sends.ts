import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Services } from '../services';
import { contextAnswerSchema, sendPreviewSchema, sendResultSchema } from '../sync/sends/answers';
import { sendRecordsSchema, sendRequestSchema } from '../sync/sends/records';

/**
 * Send to Unleashed, from the records Salesforce gathered (sync/sends): the dialog's context, the
 * preview and the send. Apex and the preview's bridge call these; the lower-level
 * `/v1/sales-orders` routes take a finished order snapshot.
 */
export async function sendRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
    const { services } = opts;
    const r = app.withTypeProvider<ZodTypeProvider>();

    r.post(
        '/v1/sends/context',
        {
            schema: {
                tags: ['send to Unleashed'],
                summary:
                    "The send dialog's defaults, options, blocking problems and matching customers for an Opportunity's records",
                body: sendRecordsSchema,
                response: { 200: contextAnswerSchema }
            }
        },
        async (request) => {
            const client = await services.unleashedFor(request.tenant);
            return services.sends.context(request.tenant, client, request.body);
        }
    );

    r.post(
        '/v1/sends/preview',
        {
            schema: {
                tags: ['send to Unleashed'],
                summary:
                    'The exact order Unleashed would store for these records and choices, and what to confirm (422 with `blocking` when it cannot be sent)',
                body: sendRequestSchema,
                response: { 200: sendPreviewSchema }
            }
        },
        async (request) => {
            const client = await services.unleashedFor(request.tenant);
            return services.sends.preview(request.tenant, client, request.body.records, request.body.choices);
        }
    );

    r.post(
        '/v1/sends',
        {
            schema: {
                tags: ['send to Unleashed'],
                summary:
                    'Create the order (or update it while Parked) and say what Salesforce should store; never a second order',
                body: sendRequestSchema,
                response: { 200: sendResultSchema, 201: sendResultSchema }
            }
        },
        async (request, reply) => {
            const client = await services.unleashedFor(request.tenant);
            const answer = await services.sends.send(
                request.tenant,
                client,
                request.body.records,
                request.body.choices
            );
            return reply.code(answer.created ? 201 : 200).send(answer);
        }
    );
}
