import { Decimal } from 'decimal.js';

/**
 * Request bodies for Unleashed. Money fields are JSON numbers there; a Decimal would otherwise be
 * serialised as a string ("68.64"). JSON.rawJSON (Node 22) writes the exact decimal text as the
 * number literal, so no value passes through a binary float on the way out.
 */

const rawJSON = (JSON as unknown as { rawJSON?: (text: string) => unknown }).rawJSON;

export function toUnleashedJson(body: unknown): string {
    return JSON.stringify(body, function (this: Record<string, unknown>, key: string, value: unknown) {
        const original = this[key];
        if (Decimal.isDecimal(original)) {
            const d = original as Decimal;
            if (!d.isFinite()) throw new TypeError(`${key || 'body'} is not a finite number`);
            return rawJSON ? rawJSON(d.toFixed()) : Number(d.toFixed());
        }
        return value;
    });
}
