import type { FastifyInstance, FastifyReply } from 'fastify';
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

/**
 * A cached answer hands out the same product objects on every read, so each is checked against the
 * response schema and written as JSON once rather than on every read (that check and write were a
 * fifth of a cached read's CPU). The entries go when the cache lets go of the answer.
 */
const productSchema = stockAnswerSchema.shape.products.element;
const headSchema = stockAnswerSchema.pick({ asOf: true, ageSeconds: true });
const productJson = new WeakMap<object, string>();
function jsonOfProduct(product: object): string {
    let json = productJson.get(product);
    if (json === undefined) {
        json = JSON.stringify(productSchema.parse(product));
        productJson.set(product, json);
    }
    return json;
}

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
        async (request, reply) => {
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
            // The same bytes the response schema's serializer writes (keys in schema order).
            const head = headSchema.parse({ asOf: answer.asOf, ageSeconds: answer.ageSeconds });
            const json = `{"asOf":${JSON.stringify(head.asOf)},"ageSeconds":${head.ageSeconds},"products":[${answer.products.map(jsonOfProduct).join(',')}]}`;
            // A string with a JSON content type goes out as it is, past the schema serializer.
            return (reply as FastifyReply).type('application/json; charset=utf-8').send(json);
        }
    );
}
