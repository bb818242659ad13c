import Decimal from 'decimal.js';
import type { ApexContext } from './context';
import { isBlank } from './json';

/**
 * UnleashedOrderNumber: the order number taken from the Opportunity when the settings ask for it
 * (prefix + the value of the Opportunity field named in Order Number Field), with the field checked
 * against the Opportunity describe before it goes into a query.
 */

const MAX_LENGTH = 40;
// Describe types Apex accepts: STRING, INTEGER, LONG, DOUBLE.
const ALLOWED_TYPES = new Set(['string', 'int', 'long', 'double']);

export interface DescribedField {
    name: string;
    label: string;
    type: string;
}

export class OrderNumbering {
    fieldName: string | null = null;
    fieldLabel: string | null = null;
    problem: string | null = null;

    private constructor(readonly prefix: string) {}

    static async resolve(
        ctx: ApexContext,
        settings: {
            useOpportunityNumber: boolean;
            orderNumberField: string | null;
            orderNumberPrefix: string | null;
        }
    ): Promise<OrderNumbering> {
        const numbering = new OrderNumbering(settings.orderNumberPrefix ?? '');
        if (!settings.useOpportunityNumber || settings.orderNumberField === null) return numbering;
        const configured = settings.orderNumberField;
        const fields = await ctx.org.data.describeFields('Opportunity');
        const field = fields.find((f) => f.name.toLowerCase() === configured.toLowerCase());
        if (!field) {
            numbering.problem = `The Unleashed setting Order Number Field is "${configured}", which is not a field on Opportunity. An administrator can correct it (the API name of an Opportunity field, e.g. an auto-number field) in Setup > Custom Settings > Unleashed Settings, or uncheck Use Opportunity Number.`;
            return numbering;
        }
        if (!ALLOWED_TYPES.has(field.type)) {
            const apexType = field.type === 'int' ? 'integer' : field.type;
            numbering.problem = `The Unleashed setting Order Number Field names the Opportunity field ${field.name}, which is a ${apexType} field. An administrator can choose a text, auto-number or number field instead.`;
            return numbering;
        }
        numbering.fieldName = field.name;
        numbering.fieldLabel = field.label;
        return numbering;
    }

    inUse(): boolean {
        return this.fieldName !== null;
    }

    numberFor(value: unknown): string | null {
        const text = this.inUse() ? asText(value) : null;
        return isBlank(text) ? null : this.prefix + (text as string);
    }

    problemFor(value: unknown): string | null {
        if (this.problem !== null || !this.inUse()) return this.problem;
        const orderNumber = this.numberFor(value);
        if (orderNumber === null) {
            return `The Opportunity has no ${this.fieldLabel ?? ''}, which its Unleashed order number is taken from. Fill it in before sending.`;
        }
        if (orderNumber.length > MAX_LENGTH) {
            return `The order number ${orderNumber} is longer than the ${MAX_LENGTH} characters allowed. An administrator can shorten the Order Number Prefix or choose another Order Number Field.`;
        }
        return null;
    }
}

/** A field value as order number text: numbers without a trailing ".0" or exponent. */
function asText(value: unknown): string | null {
    if (value === null || value === undefined) return null;
    if (typeof value === 'number') return new Decimal(String(value)).toFixed();
    return String(value).trim();
}
