import Decimal from 'decimal.js';
import type { FieldDef } from './schema';
import type { SfError } from './errors';

/**
 * Turns a value as it arrives (JSON value, or CSV text from Bulk API 2.0) into the value the org
 * stores for a field, or a record error worded the way the API words it.
 */

export type Coerced = { ok: true; value: unknown } | { ok: false; error: SfError };

const fail = (statusCode: string, message: string, field: string): Coerced => ({
    ok: false,
    error: { statusCode, message, fields: [field] }
});

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Salesforce's own datetime text: millisecond precision and a +0000 offset. */
export function formatDateTime(d: Date): string {
    return d.toISOString().replace('Z', '+0000');
}

export function coerceValue(def: FieldDef, apiName: string, raw: unknown): Coerced {
    if (raw === null || raw === undefined) {
        // A checkbox cannot be null: clearing it makes it false.
        return { ok: true, value: def.type === 'boolean' ? false : null };
    }
    switch (def.type) {
        case 'boolean': {
            if (typeof raw === 'boolean') return { ok: true, value: raw };
            if (typeof raw === 'string' && /^(true|false|1|0)$/i.test(raw)) {
                return { ok: true, value: /^(true|1)$/i.test(raw) };
            }
            return fail(
                'INVALID_TYPE_ON_FIELD_IN_RECORD',
                `${apiName}: value not of required type: ${String(raw)}`,
                apiName
            );
        }
        case 'double':
        case 'int':
        case 'currency':
        case 'percent': {
            const text = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : '';
            if (!/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(text)) {
                return fail(
                    'INVALID_TYPE_ON_FIELD_IN_RECORD',
                    `${apiName}: value not of required type: ${String(raw)}`,
                    apiName
                );
            }
            const scale = def.scale ?? (def.type === 'int' ? 0 : 2);
            const d = new Decimal(text).toDecimalPlaces(scale, Decimal.ROUND_HALF_UP);
            const intDigits = (def.precision ?? 18) - scale;
            if (d.abs().gte(new Decimal(10).pow(intDigits))) {
                return fail(
                    'NUMBER_OUTSIDE_VALID_RANGE',
                    `${apiName}: value outside of valid range on numeric field: ${text}`,
                    apiName
                );
            }
            return { ok: true, value: d.toNumber() };
        }
        case 'date': {
            const text = String(raw);
            if (!DATE.test(text) || Number.isNaN(Date.parse(`${text}T00:00:00Z`))) {
                return fail(
                    'INVALID_TYPE_ON_FIELD_IN_RECORD',
                    `${apiName}: value not of required type: ${text}`,
                    apiName
                );
            }
            return { ok: true, value: text };
        }
        case 'datetime': {
            const text = String(raw);
            const ms = Date.parse(text.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
            if (!/^\d{4}-\d{2}-\d{2}T/.test(text) || Number.isNaN(ms)) {
                return fail(
                    'INVALID_TYPE_ON_FIELD_IN_RECORD',
                    `${apiName}: value not of required type: ${text}`,
                    apiName
                );
            }
            return { ok: true, value: formatDateTime(new Date(ms)) };
        }
        default: {
            if (typeof raw === 'object') {
                return fail(
                    'INVALID_TYPE_ON_FIELD_IN_RECORD',
                    `${apiName}: value not of required type: ${JSON.stringify(raw)}`,
                    apiName
                );
            }
            const text = String(raw);
            if (def.length !== undefined && text.length > def.length) {
                return fail(
                    'STRING_TOO_LONG',
                    `${apiName}: data value too large: ${text.slice(0, 40)} (max length=${def.length})`,
                    apiName
                );
            }
            if (def.type === 'email' && text !== '' && !EMAIL.test(text)) {
                return fail('INVALID_EMAIL_ADDRESS', `${apiName}: invalid email address: ${text}`, apiName);
            }
            if (def.type === 'picklist' && def.restricted && def.picklist && !def.picklist.includes(text)) {
                return fail(
                    'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
                    `${apiName}: bad value for restricted picklist field: ${text}`,
                    apiName
                );
            }
            // The org stores an empty text as null.
            return { ok: true, value: text === '' ? null : text };
        }
    }
}

/** How unique and external id values are compared. */
export function matchKey(def: FieldDef, value: unknown): string {
    const text = String(value);
    return def.caseSensitive ? text : text.toLowerCase();
}
