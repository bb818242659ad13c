import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { HttpProblem } from '../http/problem';
import type { Services } from '../services';
import { MAX_STOCK_CODES, stockAnswerSchema } from '../sync/stock';
import { unleashedProblem } from '../sync/unleashed-problem';

const codeList = (what: string, max: number) =>
    z
        .string()
        .transform((v) => [
            ...new Set(
                v
                    .split(',')
                    .map((s) => s.trim())
                    .filter(Boolean)
            )
        ])
        .pipe(
            z
                .array(z.string().max(100, `each ${what} is at most 100 characters`))
                .min(1, `give at least one ${what}`)
                .max(max, `at most ${max} ${what}s per request`)
        );

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Product GUIDs Salesforce holds (Product2.Unleashed_Guid__c), in any order; optional. */
const guidList = z
    .string()
    .transform((v) => [
        ...new Set(
            v
                .split(',')
                .map((s) => s.trim())
                .filter(Boolean)
        )
    ])
    .pipe(
        z
            .array(
                z.string().regex(GUID, 'each product GUID is 36 characters: 8-4-4-4-12 hexadecimal digits')
            )
            .max(MAX_STOCK_CODES, `at most ${MAX_STOCK_CODES} product GUIDs per request`)
    );

/**
 * GET /v1/stock: on hand, allocated, available and on purchase per product and warehouse. The
 * product GUIDs Salesforce holds may travel along (`productGuids`) to save the lookups by code;
 * requests without them are answered as before. An Opportunity whose order is in Unleashed sends its
 * GUID (`orderGuid`): what that order holds allocated is counted as available to it (own-order.ts).
 */
export async function stockRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
    const { services } = opts;
    app.withTypeProvider<ZodTypeProvider>().get(
        '/v1/stock',
        {
            schema: {
                tags: ['stock'],
                summary: 'Live stock per warehouse for up to 200 product codes',
                querystring: z.object({
                    productCodes: codeList('product code', MAX_STOCK_CODES),
                    productGuids: guidList.optional(),
                    warehouseCodes: codeList('warehouse code', 100).optional(),
                    includeObsolete: z.enum(['true', 'false']).optional(),
                    orderGuid: z
                        .string()
                        .regex(GUID, 'orderGuid is 36 characters: 8-4-4-4-12 hexadecimal digits')
                        .optional()
                }),
                response: { 200: stockAnswerSchema }
            }
        },
        async (request) => {
            const client = await services.unleashedFor(request.tenant);
            const q = request.query;
            let answer;
            try {
                answer = await services.stock.getStock(request.tenant.orgId, client, {
                    productCodes: q.productCodes,
                    productGuids: q.productGuids,
                    warehouseCodes: q.warehouseCodes,
                    includeObsolete: q.includeObsolete === 'true',
                    orderGuid: q.orderGuid
                });
            } catch (err) {
                throw unleashedProblem(err, 'Reading stock');
            }
            if (answer.unknownWarehouseCodes.length > 0) {
                throw new HttpProblem(
                    400,
                    'Unknown warehouse',
                    `Unleashed has no warehouse ${answer.unknownWarehouseCodes.join(', ')}`
                );
            }
            return { asOf: answer.asOf, ageSeconds: answer.ageSeconds, products: answer.products };
        }
    );
}
