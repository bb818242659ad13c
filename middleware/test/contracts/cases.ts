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
        request: { method: string; path: string };
        answer: { status: number; body: unknown };
    }[];
    expect: { dto?: unknown; clockFields?: string[]; error?: string };
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

/** The case's value with every "@ref" text replaced by the id of the record the ref names. */
export function resolveRefs(value: unknown, ids: Map<string, string>): unknown {
    if (typeof value === 'string' && value.startsWith('@')) {
        const id = ids.get(value.slice(1));
        if (!id) throw new Error(`no record ${value} in the case`);
        return id;
    }
    if (Array.isArray(value)) return value.map((v) => resolveRefs(v, ids));
    if (value !== null && typeof value === 'object') {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveRefs(v, ids)]));
    }
    return value;
}
