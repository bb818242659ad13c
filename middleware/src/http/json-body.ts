import { HttpProblem } from './problem';

/**
 * Parses a JSON request body from its exact bytes, refusing with a reason a caller can act on:
 * bytes that are not UTF-8, text that is not JSON, keys that could reach an object's prototype
 * (`__proto__`, `constructor`), nesting deeper than any of our payloads. Values the rules never see
 * this way cannot surprise them (a replaced prototype, a stack overflow in a validator).
 */

/** Deeper than any request or webhook payload we accept, far below what overflows a validator. */
export const MAX_JSON_DEPTH = 32;

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor']);
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

function refuse(detail: string): never {
    throw new HttpProblem(400, 'Invalid JSON body', detail);
}

export function parseJsonBody(raw: Buffer): unknown {
    let text: string;
    try {
        text = utf8.decode(raw);
    } catch {
        return refuse('The body is not valid UTF-8');
    }
    let value: unknown;
    try {
        value = JSON.parse(text);
    } catch (err) {
        // V8's message quotes part of the body; only the position is kept.
        const at = /position (\d+)/.exec(err instanceof Error ? err.message : '');
        return refuse(`The body is not valid JSON${at ? ` (at character ${at[1]})` : ''}`);
    }
    checkShape(value);
    return value;
}

/** Walks the parsed value without recursion (a deep body must not overflow the stack here either). */
function checkShape(root: unknown): void {
    const stack: { value: unknown; depth: number; path: string }[] = [{ value: root, depth: 0, path: '' }];
    while (stack.length > 0) {
        const { value, depth, path } = stack.pop()!;
        if (value === null || typeof value !== 'object') continue;
        if (depth >= MAX_JSON_DEPTH) {
            refuse(`The body nests objects or arrays deeper than ${MAX_JSON_DEPTH} levels`);
        }
        if (Array.isArray(value)) {
            value.forEach((item: unknown, i) => {
                if (item !== null && typeof item === 'object') {
                    stack.push({ value: item, depth: depth + 1, path: `${path}[${i}]` });
                }
            });
            continue;
        }
        for (const key of Object.keys(value)) {
            const where = path ? `${path}.${key}` : key;
            if (FORBIDDEN_KEYS.has(key)) {
                refuse(
                    `The key "${where.slice(0, 200)}" is refused: __proto__ and constructor keys can alter object prototypes`
                );
            }
            const item = (value as Record<string, unknown>)[key];
            if (item !== null && typeof item === 'object')
                stack.push({ value: item, depth: depth + 1, path: where });
        }
    }
}
