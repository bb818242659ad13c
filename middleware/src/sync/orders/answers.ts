import { z } from 'zod';

/**
 * The answers of the sales-order flows, defined once: the routes answer with these schemas (and the
 * OpenAPI document shows them), the service's types are inferred from them. Money is a decimal
 * string, exact as Unleashed rounds it.
 */

const previewLineSchema = z.object({
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

/** The order Unleashed would store, with every problem that blocks a send (`errors`). */
export const previewAnswerSchema = z.object({
    orderGuid: z.string(),
    lines: z.array(previewLineSchema),
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
export type PreviewAnswer = z.infer<typeof previewAnswerSchema>;

/**
 * The order as sent. `warnings`: what Unleashed did differently from what was asked (e.g. stored
 * Parked when Placed was asked).
 */
export const sendAnswerSchema = z.object({
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
export type SendAnswer = z.infer<typeof sendAnswerSchema>;

/** The order as Unleashed has it now. */
export const orderViewSchema = z.object({
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
export type OrderView = z.infer<typeof orderViewSchema>;
