import { z } from 'zod';
import { type Decimal, MoneyInputError, parseDecimal } from '../../money/decimal';

/**
 * The Opportunity snapshot Apex sends to preview and send (docs/architecture.md). Money and
 * quantities arrive as JSON numbers or decimal strings and are parsed exactly; anything malformed
 * is a 400 that names the field, before any rule runs.
 */

const decimalInput = z.union([z.number(), z.string()]);

/** A decimal field: exact, with optional bounds, errors naming the field. */
function decimal(opts: { min?: number; minExclusive?: boolean; max?: number } = {}) {
    return decimalInput.transform((v, ctx): Decimal => {
        let d: Decimal;
        try {
            d = parseDecimal(v, 'value');
        } catch (err) {
            const reason = err instanceof MoneyInputError ? err.message.replace(/^value /, '') : 'is invalid';
            ctx.issues.push({ code: 'custom', message: reason, input: v });
            return z.NEVER;
        }
        if (opts.min !== undefined && (opts.minExclusive ? d.lte(opts.min) : d.lt(opts.min))) {
            const rule = opts.minExclusive ? 'greater than' : 'at least';
            ctx.issues.push({ code: 'custom', message: `must be ${rule} ${opts.min}`, input: v });
            return z.NEVER;
        }
        if (opts.max !== undefined && d.gt(opts.max)) {
            ctx.issues.push({ code: 'custom', message: `must be at most ${opts.max}`, input: v });
            return z.NEVER;
        }
        return d;
    });
}

const salesforceId = (prefix: string) =>
    z
        .string()
        .regex(
            new RegExp(`^${prefix}[A-Za-z0-9]{12}([A-Za-z0-9]{3})?$`),
            `must be a 15 or 18 character Salesforce id starting with ${prefix}`
        );

const text = (max: number) => z.string().trim().max(max);
const optionalText = (max: number) => text(max).nullish();

export const addressSchema = z.object({
    name: optionalText(255),
    street: optionalText(500),
    suburb: optionalText(255),
    city: optionalText(255),
    region: optionalText(255),
    postalCode: optionalText(20),
    country: optionalText(255)
});
export type SnapshotAddress = z.infer<typeof addressSchema>;

export const snapshotLineSchema = z.object({
    lineId: z.string().min(1).max(18),
    productCode: z.string().trim().min(1, 'is required (the product has no Unleashed code)').max(100),
    /** Optional: the product's Unleashed GUID as imported, saves a lookup. */
    productGuid: z.uuid().nullish(),
    description: optionalText(4000),
    quantity: decimal({ min: 0, minExclusive: true, max: 1e9 }),
    unitPrice: decimal({ min: 0, max: 1e12 }),
    discountPercent: decimal({ min: 0, max: 100 }).nullish(),
    taxCode: optionalText(50),
    /** The line's comment in Unleashed; the description when absent. */
    comments: optionalText(4000)
});
export type SnapshotLine = z.infer<typeof snapshotLineSchema>;

const currency = z.string().regex(/^[A-Z]{3}$/, 'must be a three-letter ISO currency code such as NZD');

export const opportunitySnapshotSchema = z.object({
    /** The Opportunity's id, or the Salesforce Order's (801) when the order is sent from an Order. */
    opportunityId: z
        .string()
        .regex(
            /^(006|801)[A-Za-z0-9]{12}([A-Za-z0-9]{3})?$/,
            'must be a 15 or 18 character Opportunity (006) or Order (801) id'
        ),
    opportunityNumber: optionalText(40),
    currencyIsoCode: currency.nullish(),
    account: z.object({
        id: salesforceId('001'),
        name: text(255).min(1, 'is required'),
        isPersonAccount: z.boolean().default(false),
        firstName: optionalText(80),
        lastName: optionalText(80),
        customerCode: optionalText(50),
        email: z.email().nullish(),
        phone: optionalText(40),
        currencyIsoCode: currency.nullish(),
        billingAddress: addressSchema.nullish(),
        shippingAddress: addressSchema.nullish()
    }),
    newCustomerCode: optionalText(50),
    warehouseCode: text(15).min(1, 'is required'),
    taxCode: optionalText(50),
    salesPersonEmail: z.email().nullish(),
    deliveryMethod: optionalText(255),
    orderStatus: z.enum(['Parked', 'Placed']).default('Parked'),
    orderDate: z.iso.date().nullish(),
    requiredDate: z.iso.date().nullish(),
    comments: optionalText(4000),
    /** The order's CustomerRef; the order number (else the Opportunity id) when absent. */
    customerRef: optionalText(100),
    deliveryInstruction: optionalText(1000),
    /** The order's SourceId; "Salesforce" when absent. */
    sourceId: optionalText(50),
    salesOrderGroup: optionalText(100),
    deliveryAddress: addressSchema.nullish(),
    lines: z.array(snapshotLineSchema).min(1, 'must hold at least one line').max(1000)
});

export type OpportunitySnapshot = z.infer<typeof opportunitySnapshotSchema>;
/** What a caller sends (numbers or strings for decimals), for tests and the OpenAPI document. */
export type OpportunitySnapshotInput = z.input<typeof opportunitySnapshotSchema>;
