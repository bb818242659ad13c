import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Services } from '../services';
import { customerHistorySchema } from '../sync/fulfilment';

/** The customer's Unleashed history for the Account page (sync/fulfilment/history.ts). */
export async function customerRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
    const { services } = opts;
    const r = app.withTypeProvider<ZodTypeProvider>();

    r.get(
        '/v1/customers/:customerCode/history',
        {
            schema: {
                tags: ['customers'],
                summary:
                    'The customer’s recent Unleashed sales orders and invoices from every channel, 20 a page, newest change first',
                params: z.object({
                    customerCode: z
                        .string()
                        .trim()
                        .min(1, 'is required')
                        .max(50, 'is longer than an Unleashed customer code can be')
                }),
                querystring: z.object({
                    page: z.coerce
                        .number()
                        .int('must be a whole number')
                        .min(1, 'starts at 1')
                        .max(1000, 'is past the last page we read')
                        .default(1)
                }),
                response: { 200: customerHistorySchema }
            }
        },
        async (request) => {
            const client = await services.unleashedFor(request.tenant);
            return services.history.history(
                request.tenant,
                client,
                request.params.customerCode,
                request.query.page
            );
        }
    );
}
