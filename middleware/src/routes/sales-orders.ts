import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { HttpProblem } from '../http/problem';
import type { Services } from '../services';
import { orderViewSchema, previewAnswerSchema, sendAnswerSchema } from '../sync/orders/answers';
import { opportunitySnapshotSchema } from '../sync/orders/snapshot';
import { unleashedProblem } from '../sync/unleashed-problem';

/** Preview, send and read an Opportunity's Unleashed sales order. */
export async function salesOrderRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
    const { services } = opts;
    const r = app.withTypeProvider<ZodTypeProvider>();

    r.post(
        '/v1/sales-orders/preview',
        {
            schema: {
                tags: ['sales orders'],
                summary:
                    'The exact order Unleashed would store for this Opportunity, with every blocking problem',
                body: opportunitySnapshotSchema,
                response: { 200: previewAnswerSchema }
            }
        },
        async (request) => {
            const client = await services.unleashedFor(request.tenant);
            return services.orders.preview(request.tenant, client, request.body);
        }
    );

    r.post(
        '/v1/sales-orders',
        {
            schema: {
                tags: ['sales orders'],
                summary:
                    'Create the order (or update it while Parked); repeating the call never makes a second order',
                body: opportunitySnapshotSchema,
                response: { 200: sendAnswerSchema, 201: sendAnswerSchema }
            }
        },
        async (request, reply) => {
            const client = await services.unleashedFor(request.tenant);
            const answer = await services.orders.send(request.tenant, client, request.body);
            return reply.code(answer.created ? 201 : 200).send(answer);
        }
    );

    r.get(
        '/v1/sales-orders/:orderGuid',
        {
            schema: {
                tags: ['sales orders'],
                summary: 'The order as Unleashed has it now',
                params: z.object({ orderGuid: z.uuid('must be a GUID') }),
                response: { 200: orderViewSchema }
            }
        },
        async (request) => {
            const client = await services.unleashedFor(request.tenant);
            let view;
            try {
                view = await services.orders.getOrder(request.tenant, client, request.params.orderGuid);
            } catch (err) {
                throw unleashedProblem(err, 'Reading the sales order');
            }
            if (!view)
                throw new HttpProblem(
                    404,
                    'No such sales order',
                    `This org sent no sales order ${request.params.orderGuid} that Unleashed still has`
                );
            return view;
        }
    );
}
