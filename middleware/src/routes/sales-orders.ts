import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { HttpProblem } from '../http/problem';
import type { Services } from '../services';
import { opportunitySnapshotSchema } from '../sync/orders/snapshot';
import { unleashedProblem } from '../sync/unleashed-problem';

const previewLine = z.object({
    lineNumber: z.number().int(),
    lineId: z.string(),
    productCode: z.string(),
    description: z.string().nullable(),
    quantity: z.string(),
    unitPrice: z.string(),
    discountPercent: z.string(),
    taxCode: z.string().nullable(),
    taxRate: z.string(),
    lineTotal: z.string(),
    lineTax: z.string()
});

const previewAnswer = z.object({
    orderGuid: z.string(),
    lines: z.array(previewLine),
    subTotal: z.string(),
    taxTotal: z.string(),
    total: z.string(),
    currencyCode: z.string(),
    customer: z
        .object({ mode: z.enum(['existing', 'create']), code: z.string(), name: z.string() })
        .nullable(),
    existingOrder: z.object({ orderNumber: z.string().nullable(), status: z.string() }).nullable(),
    warnings: z.array(z.string()),
    errors: z.array(z.string())
});

const sendAnswer = z.object({
    orderGuid: z.string(),
    orderNumber: z.string().nullable(),
    status: z.string(),
    subTotal: z.string(),
    taxTotal: z.string(),
    total: z.string(),
    customerCode: z.string(),
    customerCreated: z.boolean(),
    created: z.boolean(),
    warnings: z.array(z.string())
});

const orderView = z.object({
    orderGuid: z.string(),
    orderNumber: z.string().nullable(),
    status: z.string(),
    orderDate: z.string().nullable(),
    requiredDate: z.string().nullable(),
    currencyCode: z.string().nullable(),
    warehouseCode: z.string().nullable(),
    customerCode: z.string().nullable(),
    subTotal: z.string(),
    taxTotal: z.string(),
    total: z.string(),
    lines: z.array(
        z.object({
            lineNumber: z.number().int(),
            productCode: z.string().nullable(),
            description: z.string().nullable(),
            quantity: z.string(),
            unitPrice: z.string(),
            lineTotal: z.string(),
            lineTax: z.string()
        })
    )
});

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
                response: { 200: previewAnswer }
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
                response: { 200: sendAnswer, 201: sendAnswer }
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
                response: { 200: orderView }
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
