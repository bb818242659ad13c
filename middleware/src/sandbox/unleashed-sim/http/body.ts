/** Readers for request body fields: each names the field in the 400 it raises. */
import { badRequest } from '../errors';

export type JsonObject = Record<string, unknown>;

export function asObject(value: unknown, what: string): JsonObject {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw badRequest(`${what} must be a JSON object.`);
    }
    return value as JsonObject;
}

export function optionalObject(value: unknown, what: string): JsonObject | undefined {
    return value === null || value === undefined ? undefined : asObject(value, what);
}

/** Text or null; undefined when the field is absent (so updates leave it alone). */
export function optionalText(obj: JsonObject, field: string, maxLength = 500): string | null | undefined {
    const v = obj[field];
    if (v === undefined) return undefined;
    if (v === null) return null;
    if (typeof v !== 'string') throw badRequest(`${field} must be text.`);
    if (v.length > maxLength) throw badRequest(`${field} must be at most ${maxLength} characters.`);
    return v;
}

export function optionalBool(obj: JsonObject, field: string): boolean | undefined {
    const v = obj[field];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'boolean') throw badRequest(`${field} must be true or false.`);
    return v;
}

export const filled = (s: string | null | undefined): s is string => typeof s === 'string' && s.trim() !== '';
