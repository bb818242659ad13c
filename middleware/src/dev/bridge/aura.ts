import { to18 } from '../../salesforce/ids';
/**
 * How @AuraEnabled methods fail and answer, as Lightning components see it: an AuraHandledException
 * reaches the component as `{ body: { message } }`; a return value is serialised without its null
 * properties (Aura leaves them out); Ids and Datetimes travel as 18-character ids and ISO text.
 */

/** AuraHandledException: a message the component shows as is (HTTP 400 from the bridge). */
export class AuraError extends Error {
    constructor(message: string) {
        super(message);
        this.name = 'AuraError';
    }
}

/** An unhandled Apex exception (DmlException, ...): HTTP 500 from the bridge. */
export class ApexFault extends Error {
    constructor(message: string) {
        super(message);
        this.name = 'ApexFault';
    }
}

const ID = /^[A-Za-z0-9]{15}([A-Za-z0-9]{3})?$/;

/** An `Id` parameter: null stays null, anything that is not an id fails as Aura's conversion does. */
export function idParam(params: Record<string, unknown>, name: string): string | null {
    const v = params[name];
    if (v === undefined || v === null || v === '') return null;
    if (typeof v !== 'string' || !ID.test(v)) throw new AuraError(`Invalid id: ${String(v)}`);
    return to18(v);
}

export function stringParam(params: Record<string, unknown>, name: string): string | null {
    const v = params[name];
    if (v === undefined || v === null) return null;
    if (typeof v === 'object')
        throw new AuraError(`Value provided is invalid for action parameter '${name}'`);
    return String(v);
}

export function integerParam(params: Record<string, unknown>, name: string): number | null {
    const v = params[name];
    if (v === undefined || v === null || v === '') return null;
    const n = Number(v);
    if (!Number.isInteger(n)) throw new AuraError(`Value provided is invalid for action parameter '${name}'`);
    return n;
}

export function booleanParam(params: Record<string, unknown>, name: string): boolean | null {
    const v = params[name];
    if (v === undefined || v === null) return null;
    if (typeof v !== 'boolean')
        throw new AuraError(`Value provided is invalid for action parameter '${name}'`);
    return v;
}

export function stringListParam(params: Record<string, unknown>, name: string): string[] | null {
    const v = params[name];
    if (v === undefined || v === null) return null;
    if (!Array.isArray(v)) throw new AuraError(`Value provided is invalid for action parameter '${name}'`);
    return v.map((x) => (x === null || x === undefined ? null : String(x))) as string[];
}

/** A DTO as Aura serialises it: null and undefined properties left out, all the way down. */
export function toAura(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((v) => toAura(v));
    if (value === null || typeof value !== 'object') return value;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
        if (v !== null && v !== undefined) out[k] = toAura(v);
    }
    return out;
}

/** A Datetime as Aura sends it (ISO with milliseconds, UTC), from the REST API's `+0000` form. */
export function auraDatetime(value: unknown): string | null {
    if (typeof value !== 'string' || value === '') return null;
    const d = new Date(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
    return Number.isNaN(d.getTime()) ? null : d.toISOString();
}
