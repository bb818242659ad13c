import { z } from 'zod';

/**
 * The send flow's answers, shaped as the package's DTOs so that Apex deserialises them as they are
 * (UnleashedSendContextDto, UnleashedOrderPreviewDto, UnleashedSendResultDto) and the dialog reads
 * the same fields from Apex and from the preview's bridge.
 */

const addressSchema = z.object({
    name: z.string().nullable(),
    street: z.string().nullable(),
    suburb: z.string().nullable(),
    city: z.string().nullable(),
    region: z.string().nullable(),
    postalCode: z.string().nullable(),
    country: z.string().nullable()
});

const optionSchema = z.object({
    value: z.string(),
    label: z.string(),
    detail: z.string().nullable(),
    isDefault: z.boolean()
});

export const choicesAnswerSchema = z.object({
    warehouseCode: z.string().nullable(),
    customerCode: z.string().nullable(),
    newCustomerCode: z.string().nullable(),
    taxCode: z.string().nullable(),
    salesPersonEmail: z.string().nullable(),
    deliveryMethod: z.string().nullable(),
    orderStatus: z.string().nullable(),
    requiredDate: z.string().nullable(),
    comments: z.string().nullable(),
    deliveryAddress: addressSchema.nullable(),
    salesOrderGroup: z.string().nullable(),
    useUnleashedPrices: z.boolean(),
    confirmed: z.array(z.string())
});

const customerMatchSchema = z.object({
    code: z.string(),
    name: z.string(),
    email: z.string().nullable(),
    currencyCode: z.string().nullable(),
    /** Why it matched: the same name, or the same contact email. */
    matchedBy: z.enum(['name', 'email'])
});

export const contextAnswerSchema = z.object({
    opportunityId: z.string(),
    opportunityName: z.string().nullable(),
    currencyIsoCode: z.string().nullable(),
    amount: z.number().nullable(),
    doNotSend: z.boolean(),
    doNotSendReason: z.string().nullable(),
    account: z
        .object({
            id: z.string(),
            name: z.string().nullable(),
            isPersonAccount: z.boolean(),
            customerCode: z.string().nullable(),
            proposedCustomerCode: z.string().nullable(),
            email: z.string().nullable(),
            phone: z.string().nullable(),
            /** Who a new Unleashed customer would have as its contact, in words ("Jane Doe, jane@…"). */
            contactName: z.string().nullable(),
            /** Existing Unleashed customers that look like this Account (no customer code yet). */
            customerMatches: z.array(customerMatchSchema)
        })
        .nullable(),
    warehouses: z.array(optionSchema),
    taxes: z.array(optionSchema),
    salesPersons: z.array(optionSchema),
    deliveryMethods: z.array(optionSchema),
    salesOrderGroups: z.array(optionSchema),
    defaults: choicesAnswerSchema,
    shippingAddress: addressSchema.nullable(),
    billingAddress: addressSchema.nullable(),
    order: z.object({
        orderGuid: z.string().nullable(),
        orderNumber: z.string().nullable(),
        status: z.string().nullable(),
        lastSent: z.string().nullable(),
        editable: z.boolean()
    }),
    /** What stops the send, in plain words; the dialog shows them before the first step. */
    blocking: z.array(z.string()),
    /** What the rep should know but may send anyway (e.g. Unleashed could not be asked yet). */
    notices: z.array(z.string())
});
export type ContextAnswer = z.infer<typeof contextAnswerSchema>;

const previewLineSchema = z.object({
    lineNumber: z.string(),
    productCode: z.string(),
    description: z.string().nullable(),
    quantity: z.string(),
    /** The sales price before the discount, as Salesforce holds it. */
    listPrice: z.string(),
    discountPercent: z.string().nullable(),
    /** The net unit price Unleashed stores (list price less the discount, rounded as Unleashed does). */
    unitPrice: z.string(),
    taxCode: z.string().nullable(),
    taxRate: z.string(),
    lineTotal: z.string(),
    lineTax: z.string(),
    /** The unit price Unleashed charges this customer (its tier, discount or own price); null for a new customer. */
    customerPrice: z.string().nullable(),
    /** The Opportunity's net price differs from the customer's Unleashed price. */
    customerPriceDiffers: z.boolean()
});

const confirmationSchema = z.object({ key: z.string(), message: z.string() });

export const sendPreviewSchema = z.object({
    lines: z.array(previewLineSchema),
    subTotal: z.string(),
    taxTotal: z.string(),
    total: z.string(),
    currencyCode: z.string(),
    opportunityAmount: z.number().nullable(),
    amountDiffers: z.boolean(),
    /** Why Unleashed's subtotal differs from the Opportunity's Amount, in words. */
    amountNote: z.string().nullable(),
    warnings: z.array(z.string()),
    errors: z.array(z.string()),
    /** What the rep must confirm before sending (keys go back in the choices' `confirmed`). */
    confirmations: z.array(confirmationSchema),
    /** Some line's price differs from what Unleashed charges this customer. */
    customerPricesDiffer: z.boolean(),
    /** The lines carry Unleashed's prices for this customer (the rep chose so). */
    usingUnleashedPrices: z.boolean()
});
export type SendPreview = z.infer<typeof sendPreviewSchema>;

export const sendResultSchema = z.object({
    success: z.boolean(),
    orderGuid: z.string(),
    orderNumber: z.string().nullable(),
    status: z.string(),
    subTotal: z.string(),
    taxTotal: z.string(),
    total: z.string(),
    customerCode: z.string(),
    created: z.boolean(),
    warnings: z.array(z.string()),
    /** What the Opportunity keeps, so the next send starts from these choices. */
    remember: z.object({
        warehouseId: z.string().nullable(),
        taxId: z.string().nullable(),
        salesPersonId: z.string().nullable(),
        deliveryMethodId: z.string().nullable(),
        orderStatus: z.string().nullable(),
        requiredDate: z.string().nullable(),
        comments: z.string().nullable(),
        deliveryAddress: addressSchema
    }),
    /** The customer code to store on an Account that had none; null when there is nothing to store. */
    accountCustomerCode: z.string().nullable(),
    /** The Sync Log's summary of what was sent. */
    summary: z.string(),
    /** The effective choices, kept with a failed send so a retry sends the same. */
    choices: choicesAnswerSchema
});
export type SendResult = z.infer<typeof sendResultSchema>;
