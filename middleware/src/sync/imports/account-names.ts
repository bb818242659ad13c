import type { SalesforceWriter, SObjectRecord } from '../../salesforce/types';
import { QUERY_URL_BUDGET } from './salesforce-io';

/**
 * Finding Accounts by name for customers that have none linked (docs/datamodel.md, "Linking
 * customers by name"). Two names are the same when they are equal after trimming, collapsing every
 * run of whitespace (including no-break spaces, tabs and line breaks) into one space and ignoring
 * case. Punctuation counts: "Beta Builders Ltd." and "Beta Builders Ltd" are different names, as
 * are "A.B. Smith" and "AB Smith", because a wrong link sends orders to the wrong customer while a
 * missed one only leaves an Account to link by hand.
 */

/** The form two names are compared in. */
export function nameKey(name: string | null | undefined): string {
    return (name ?? '').normalize('NFC').trim().replace(/\s+/g, ' ').toLowerCase();
}

/**
 * A SOQL LIKE literal matching every Account name whose key equals `key` (and a few more, which the
 * caller drops by comparing keys): its words in order with `%` between them, so a name with two
 * spaces or a tab between its words is found too. The first word stays a literal prefix, so the
 * org can answer from its index on Name. SOQL compares LIKE patterns ignoring case; `%`, `_`,
 * quotes and backslashes in the name are escaped. Salesforce stores text trimmed, so there is no
 * wildcard at either end.
 */
export function namePattern(key: string): string {
    const escaped = key
        .split(' ')
        .map((word) => word.replace(/[\\'%_]/g, (c) => `\\${c}`))
        .join('%');
    return `'${escaped}'`;
}

export interface NameQuery {
    /** `SELECT ... FROM Account` */
    select: string;
    /** ANDed to the names, e.g. that the Account is not linked yet. */
    also?: string;
    /** Name keys (see nameKey). */
    keys: readonly string[];
}

/**
 * The Accounts named like any of the keys: `WHERE also AND (Name LIKE 'a' OR Name LIKE 'b' ...)`, in
 * as few statements as the URL length allows (about 250 names each), up to `concurrency` at a time.
 * Rows whose key is none of the keys (LIKE's `%` matches more than whitespace) are dropped, and an
 * Account two statements return is kept once.
 */
export async function accountsNamed<T extends SObjectRecord & { Name?: unknown }>(
    writer: SalesforceWriter,
    q: NameQuery,
    concurrency = 4
): Promise<T[]> {
    const keys = [...new Set(q.keys.filter((k) => k !== ''))];
    if (keys.length === 0) return [];
    const head = `${q.select} WHERE ${q.also ? `${q.also} AND ` : ''}(`;
    const base = encodeURIComponent(head).length + 400;
    const statements: string[] = [];
    let part: string[] = [];
    let size = 0;
    const flush = () => {
        if (part.length) statements.push(`${head}${part.join(' OR ')})`);
        part = [];
        size = 0;
    };
    for (const key of keys) {
        const cond = `Name LIKE ${namePattern(key)}`;
        const cost = encodeURIComponent(cond).length + 12;
        if (size + cost + base > QUERY_URL_BUDGET) flush();
        part.push(cond);
        size += cost;
    }
    flush();
    const wanted = new Set(keys);
    // One Account can answer patterns of two statements ("a%1%b" also matches "A 12 B").
    const seen = new Set<string>();
    const out: T[] = [];
    for (let i = 0; i < statements.length; i += concurrency) {
        const pages = await Promise.all(statements.slice(i, i + concurrency).map((s) => writer.query<T>(s)));
        for (const rows of pages)
            for (const row of rows) {
                const id = String(row.Id).toLowerCase();
                if (seen.has(id) || !wanted.has(nameKey(row.Name as string | null))) continue;
                seen.add(id);
                out.push(row);
            }
    }
    return out;
}
