import { z } from 'zod';
import { addressSchema } from '../orders/snapshot';

/**
 * What Salesforce gathers for a send, and nothing it decided (docs/architecture.md, "One home for
 * every rule"): the Opportunity, its Account and lines as stored, the package settings, the imported
 * reference records, and facts only Salesforce knows (which fields the user may not read, what the
 * describe says about the order number field). Defaults, checks, messages and the order snapshot
 * are made from these by the rules in this folder; Apex and the preview's bridge only gather them.
 *
 * Values are taken as stored: a zero quantity or a malformed date arrives as it is and the rules
 * name it in plain words, instead of a schema path the rep cannot act on.
 */

const id = (prefix: string) =>
    z
        .string()
        .regex(
            new RegExp(`^${prefix}[A-Za-z0-9]{12}([A-Za-z0-9]{3})?$`),
            `must be a 15 or 18 character Salesforce id starting with ${prefix}`
        );
const anyId = z.string().regex(/^[A-Za-z0-9]{15}([A-Za-z0-9]{3})?$/, 'must be a Salesforce id');
const text = (max: number) => z.string().max(max).nullish();
/** A number as Salesforce stores it: JSON number or decimal string; checked by the rules. */
const amount = z.union([z.number(), z.string().max(40)]).nullish();
const currency = z
    .string()
    .regex(/^[A-Z]{3}$/, 'must be a three-letter ISO currency code such as NZD')
    .nullish();

export const recordAddressSchema = addressSchema.partial();
export type RecordAddress = z.infer<typeof recordAddressSchema>;

const contactSchema = z.object({
    firstName: text(80),
    lastName: text(80),
    email: text(255),
    phone: text(40),
    /** The contact is the Account's primary contact (an Account Contact Relation role or flag). */
    isPrimary: z.boolean().default(false),
    /** The contact's role on the Account (e.g. "Billing Contact"), when the org records one. */
    role: text(80)
});
export type RecordContact = z.infer<typeof contactSchema>;

export const SOURCE_OBJECTS = ['Opportunity', 'Order'] as const;
export type SourceObject = (typeof SOURCE_OBJECTS)[number];

export const sendRecordsSchema = z.object({
    /** What the order is sent from: an Opportunity with its products, or a Salesforce Order with its items. */
    source: z.enum(SOURCE_OBJECTS).default('Opportunity'),
    /** The Opportunity, or the Order when `source` is Order (the same fields). */
    opportunity: z.object({
        id: z
            .string()
            .regex(
                /^(006|801)[A-Za-z0-9]{12}([A-Za-z0-9]{3})?$/,
                'must be a 15 or 18 character Opportunity (006) or Order (801) id'
            ),
        name: text(255),
        /** Null when blank or when the user may not read Amount (`amountReadable`). */
        amount,
        amountReadable: z.boolean().default(true),
        closeDate: text(10),
        /** The Opportunity's currency; the user's default currency in a single-currency org. */
        currencyIsoCode: currency,
        freight: amount,
        /** The choices the last send stored on the Opportunity. */
        stored: z
            .object({
                warehouseCode: text(15),
                taxCode: text(50),
                salesPersonEmail: text(255),
                deliveryMethod: text(255),
                orderStatus: text(40),
                requiredDate: text(10),
                comments: text(32768),
                deliveryAddress: recordAddressSchema.nullish()
            })
            .default({}),
        /** The Unleashed order the Opportunity already has. */
        order: z
            .object({
                guid: text(36),
                number: text(40),
                status: text(40),
                lastSent: text(40)
            })
            .default({})
    }),
    account: z
        .object({
            id: id('001'),
            name: text(255),
            isPersonAccount: z.boolean().default(false),
            /** Person Account fields (PersonEmail, FirstName, LastName). */
            firstName: text(80),
            lastName: text(80),
            email: text(255),
            phone: text(40),
            customerCode: text(50),
            /** Unleashed_Currency__c: the currency the Unleashed customer trades in, when set. */
            unleashedCurrency: text(3),
            /** The Account's own CurrencyIsoCode in a multi-currency org. */
            currencyIsoCode: currency,
            doNotSend: z.boolean().default(false),
            doNotSendReason: text(255),
            billingAddress: recordAddressSchema.nullish(),
            shippingAddress: recordAddressSchema.nullish(),
            /** A business Account's contacts (up to 50), for a new customer's email and contact name. */
            contacts: z.array(contactSchema).max(50).default([]),
            /** The Account's own defaults, used before the org-wide ones. */
            defaults: z
                .object({
                    warehouseCode: text(15),
                    salesPersonEmail: text(255),
                    deliveryMethod: text(255),
                    salesOrderGroup: text(100),
                    /** Which of the Account's addresses orders go to. */
                    deliverTo: z.enum(['shipping', 'billing']).nullish()
                })
                .nullish()
        })
        .nullable(),
    /**
     * Values of the Salesforce fields an admin mapped to the order (custom metadata); a mapping
     * Salesforce could not read is left out here and reported in the admin tab.
     */
    mapped: z
        .object({
            comments: text(4000),
            customerRef: text(100),
            deliveryInstruction: text(1000),
            sourceId: text(50),
            lines: z
                .array(z.object({ lineId: anyId, comments: text(4000) }))
                .max(1000)
                .default([])
        })
        .nullish(),
    lines: z
        .array(
            z.object({
                lineId: anyId,
                productName: text(255),
                productCode: text(100),
                productGuid: text(36),
                description: text(4000),
                quantity: amount,
                /** The line's sales price before its discount (OpportunityLineItem.UnitPrice). */
                unitPrice: amount,
                discountPercent: amount,
                taxCode: text(50)
            })
        )
        .max(1000, 'at most 1000 lines per order'),
    settings: z
        .object({
            defaultWarehouseCode: text(15),
            defaultOrderStatus: text(40),
            freightProductCode: text(100),
            orderDateSource: text(20),
            /** A line quantity at or above this asks the rep to confirm (blank: 1,000). */
            largeQuantity: amount,
            /** An order total at or above this asks the rep to confirm (blank: 100,000). */
            largeTotal: amount
        })
        .default({}),
    /** The order number when the settings take it from an Opportunity field. */
    numbering: z
        .object({
            prefix: text(40),
            fieldName: text(80),
            fieldLabel: text(255),
            /** The field's value as text (numbers without trailing zeros). */
            value: text(255),
            /** What the describe says is wrong with the Order Number Field setting. */
            settingIssue: z
                .object({
                    kind: z.enum(['not-a-field', 'unreadable', 'wrong-type']),
                    configured: text(255),
                    label: text(255),
                    type: text(40)
                })
                .nullish()
        })
        .nullish(),
    /** The imported reference records the org holds (active ones). */
    reference: z
        .object({
            warehouses: z
                .array(
                    z.object({
                        id: anyId,
                        code: z.string().max(15),
                        name: text(255),
                        place: text(255),
                        isDefault: z.boolean().default(false)
                    })
                )
                .max(2000)
                .default([]),
            taxes: z
                .array(
                    z.object({
                        id: anyId,
                        code: z.string().max(50),
                        name: text(255),
                        rate: amount,
                        isDefault: z.boolean().default(false)
                    })
                )
                .max(2000)
                .default([]),
            salesPersons: z
                .array(z.object({ id: anyId, email: z.string().max(255), name: text(255) }))
                .max(2000)
                .default([]),
            deliveryMethods: z
                .array(z.object({ id: anyId, name: z.string().max(255) }))
                .max(2000)
                .default([]),
            salesOrderGroups: z
                .array(z.object({ id: anyId, name: z.string().max(100) }))
                .max(2000)
                .default([])
        })
        .default({ warehouses: [], taxes: [], salesPersons: [], deliveryMethods: [], salesOrderGroups: [] }),
    user: z.object({ email: text(255) }).default({}),
    /** Labels of fields left out because the user may not read them ("Account Phone"). */
    omittedFields: z.array(z.string().max(255)).max(100).default([])
});
export type SendRecords = z.infer<typeof sendRecordsSchema>;

/** How a rep names the record the order is sent from. */
export function sourceWord(records: Pick<SendRecords, 'source'>): string {
    return records.source === 'Order' ? 'Order' : 'Opportunity';
}
export type SendRecordsInput = z.input<typeof sendRecordsSchema>;

/** The rep's choices in the dialog; blank means "use the default". */
export const choicesSchema = z.object({
    warehouseCode: text(15),
    customerCode: text(50),
    newCustomerCode: text(50),
    taxCode: text(50),
    salesPersonEmail: text(255),
    deliveryMethod: text(255),
    orderStatus: text(40),
    requiredDate: text(40),
    comments: text(4000),
    deliveryAddress: recordAddressSchema.nullish(),
    salesOrderGroup: text(100),
    /** Use the prices Unleashed charges this customer instead of the Opportunity's. */
    useUnleashedPrices: z.boolean().nullish(),
    /** The confirmations the rep gave (keys from the preview's `confirmations`). */
    confirmed: z.array(z.string().max(120)).max(1100).nullish()
});
export type ChoicesInput = z.infer<typeof choicesSchema>;

export const sendRequestSchema = z.object({
    records: sendRecordsSchema,
    choices: choicesSchema.nullish()
});
export type SendRequest = z.infer<typeof sendRequestSchema>;
