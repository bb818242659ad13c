import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

/**
 * The contract cases of contracts/ (docs: contracts/README.md), read through the script that bundles
 * them for the Apex tests, so jest and Apex see the same cases with every `$series` written out.
 */

export interface ContractCase {
    description: string;
    call: { class: string; method: string; params: Record<string, unknown> };
    records: Record<string, Record<string, unknown>[]>;
    middleware: {
        /** The request; `body` (parsed JSON) for a request that carries one. */
        request: { method: string; path: string; body?: unknown };
        answer: { status: number; body: unknown };
    }[];
    expect: {
        dto?: unknown;
        clockFields?: string[];
        /** Fields of the DTO that hold the id of a record the call created: an id, not compared. */
        newIds?: string[];
        error?: string;
        /** What the records look like afterwards: listed fields of `ref` records, and the rows created. */
        records?: Record<string, Record<string, unknown>[]>;
    };
}

export const REPO_ROOT = resolve(__dirname, '../../..');

export function loadContractCases(): Record<string, ContractCase> {
    const text = execFileSync(
        process.execPath,
        [resolve(REPO_ROOT, 'scripts/contracts/build-static-resource.mjs'), '--print'],
        { encoding: 'utf8' }
    );
    return (JSON.parse(text) as { cases: Record<string, ContractCase> }).cases;
}

/**
 * The case's value with every "@ref" text replaced by the id of the record the ref names, and every
 * "{@ref}" inside a text by that id ("Opportunity {@opp}: 1 line(s)").
 */
export function resolveRefs(value: unknown, ids: Map<string, string>): unknown {
    const idOf = (ref: string) => {
        const id = ids.get(ref);
        if (!id) throw new Error(`no record @${ref} in the case`);
        return id;
    };
    if (typeof value === 'string' && value.startsWith('@')) return idOf(value.slice(1));
    if (typeof value === 'string') return value.replace(/\{@([\w.-]+)\}/g, (_m, ref: string) => idOf(ref));
    if (Array.isArray(value)) return value.map((v) => resolveRefs(v, ids));
    if (value !== null && typeof value === 'object') {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveRefs(v, ids)]));
    }
    return value;
}
