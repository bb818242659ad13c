/**
 * The package's namespace on API names. The rules write names without a prefix
 * ('Unleashed_Warehouse__c'); in an org where the package is installed from its managed version
 * every custom name needs it ('unleashed__Unleashed_Warehouse__c'). Standard names never get one.
 */

const CUSTOM_SUFFIX = /__(c|r|mdt|e|x|b)$/i;

function isCustom(segment: string): boolean {
    return CUSTOM_SUFFIX.test(segment);
}

/** 'X__c' has no namespace; 'ns__X__c' has one (custom names cannot contain '__' themselves). */
function hasNamespace(segment: string): boolean {
    return segment.slice(0, -3).includes('__');
}

/**
 * Prefixes custom names (`X__c`, `X__r`, ...) with `ns__`; leaves standard names, names that
 * already carry a namespace, and everything when ns is empty. Dotted paths are done per segment:
 * 'Unleashed_Sales_Tax__r.Name' -> 'ns__Unleashed_Sales_Tax__r.Name'.
 */
export function applyNamespace(name: string, ns: string): string {
    if (!ns) return name;
    return name
        .split('.')
        .map((s) => (isCustom(s) && !hasNamespace(s) ? `${ns}__${s}` : s))
        .join('.');
}

/** The reverse of applyNamespace, for names that come back from the org. */
export function removeNamespace(name: string, ns: string): string {
    if (!ns) return name;
    const prefix = `${ns.toLowerCase()}__`;
    return name
        .split('.')
        .map((s) => (isCustom(s) && s.toLowerCase().startsWith(prefix) ? s.slice(prefix.length) : s))
        .join('.');
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
    return (
        v !== null &&
        typeof v === 'object' &&
        !Array.isArray(v) &&
        Object.getPrototypeOf(v) === Object.prototype
    );
}

/**
 * A record's field names prefixed, including external-id references
 * (`{Unleashed_Sales_Tax__r: {Unleashed_Guid__c: 'g'}}`) and `attributes.type`.
 */
export function namespaceRecord(record: Record<string, unknown>, ns: string): Record<string, unknown> {
    if (!ns) return record;
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(record)) {
        if (key === 'attributes' && isPlainObject(value)) {
            out[key] =
                typeof value.type === 'string' ? { ...value, type: applyNamespace(value.type, ns) } : value;
        } else {
            out[applyNamespace(key, ns)] = isPlainObject(value) ? namespaceRecord(value, ns) : value;
        }
    }
    return out;
}

/**
 * A record from a query as the rules expect it: no `attributes` blocks and names without the
 * prefix, all the way down (parent relationships and child subquery results).
 */
export function stripRecord(value: unknown, ns: string): unknown {
    if (Array.isArray(value)) return value.map((v) => stripRecord(v, ns));
    if (!isPlainObject(value)) return value;
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
        if (key === 'attributes') continue;
        out[removeNamespace(key, ns)] = stripRecord(v, ns);
    }
    return out;
}

/**
 * Prefixes the custom names in a SOQL statement (object, fields, relationship paths), leaving
 * string literals untouched.
 */
export function namespaceSoql(soql: string, ns: string): string {
    if (!ns) return soql;
    let out = '';
    let i = 0;
    while (i < soql.length) {
        if (soql.charAt(i) === "'") {
            let j = i + 1;
            while (j < soql.length && soql.charAt(j) !== "'") j += soql.charAt(j) === '\\' ? 2 : 1;
            out += soql.slice(i, j + 1);
            i = j + 1;
            continue;
        }
        const next = soql.indexOf("'", i);
        const end = next < 0 ? soql.length : next;
        out += soql
            .slice(i, end)
            .replace(/\b[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*/g, (m) => applyNamespace(m, ns));
        i = end;
    }
    return out;
}
