import { soqlString } from '../../salesforce/soql';
import type { SalesforceWriter, SObjectRecord, UpsertResult, WriteCallOptions } from '../../salesforce/types';
import { chunk } from '../limit';

/**
 * How the import reads and writes Salesforce in bulk: IN-list queries cut to the length a REST
 * query URL may have, upserts through the writer (sObject Collections in parallel chunks up to the
 * writer's bulk threshold, one Bulk API 2.0 job above it), and inserts for the two objects that have
 * no external id field (Pricebook2, PricebookEntry), which the writer cannot upsert.
 */

/** The org compares external ids and Ids case-insensitively; so do our maps. */
export const keyOf = (v: unknown): string => String(v ?? '').toLowerCase();

/** A REST query travels in the URL (GET /query?q=...); Salesforce refuses URLs past 16 KB. */
export const QUERY_URL_BUDGET = 12_000;

export interface InQuery {
    /** `SELECT ... FROM X` */
    select: string;
    /** The field compared with the values. */
    field: string;
    values: readonly string[];
    /** ANDed to the IN condition, e.g. `Pricebook2.IsActive = true`. */
    also?: string;
    /**
     * Adds `field >= min AND field <= max` of each chunk's sorted values before the IN list. The
     * rows are the same (the IN list decides); it lets the org skip most rows cheaply. The org's
     * text collation may order some characters differently from ours, so a record can be missed:
     * callers must treat "not found" as "may exist" (upsert by external id does).
     */
    rangeHint?: boolean;
}

/** Runs `SELECT ... WHERE field IN (...)` in as many statements as the URL length needs. */
export async function queryIn<T extends SObjectRecord>(
    writer: SalesforceWriter,
    q: InQuery,
    concurrency = 4
): Promise<T[]> {
    const values = [...new Set(q.values.filter((v) => v !== ''))];
    if (values.length === 0) return [];
    if (q.rangeHint) values.sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : a > b ? 1 : 0));
    const statements: string[] = [];
    let part: string[] = [];
    let size = 0;
    const base = encodeURIComponent(`${q.select} WHERE ${q.also ? `${q.also} AND ` : ''}`).length + 400;
    const flush = () => {
        if (!part.length) return;
        const list = part.map(soqlString).join(',');
        const range = q.rangeHint
            ? `${q.field} >= ${soqlString(part[0]!)} AND ${q.field} <= ${soqlString(part[part.length - 1]!)} AND `
            : '';
        // The cheap range first (the simulator evaluates conditions left to right; the org plans its own).
        statements.push(`${q.select} WHERE ${range}${q.also ? `${q.also} AND ` : ''}${q.field} IN (${list})`);
        part = [];
        size = 0;
    };
    for (const v of values) {
        const cost = encodeURIComponent(soqlString(v)).length + 3;
        if (size + cost + base > QUERY_URL_BUDGET) flush();
        part.push(v);
        size += cost;
    }
    flush();
    const out: T[] = [];
    for (const group of chunk(statements, concurrency)) {
        const pages = await Promise.all(group.map((s) => writer.query<T>(s)));
        for (const rows of pages) out.push(...rows);
    }
    return out;
}

export interface WriteOptions {
    /** Above this many records one Bulk API 2.0 job; at or below, Collections (default 2000). */
    bulkThreshold: number;
    /** Collections calls in flight at once. */
    concurrency: number;
    bulkPollIntervalMs: number;
    bulkPollTimeoutMs: number;
}

/**
 * The writer's own threshold: a page's products (1,000) go as parallel Collections calls, its
 * price book entries (up to ~5,000) as one Bulk API 2.0 job, about as fast under latency and with
 * a third of the calls against the org's daily API limit.
 */
export const DEFAULT_WRITE_OPTIONS: WriteOptions = {
    bulkThreshold: 2000,
    concurrency: 8,
    bulkPollIntervalMs: 500,
    bulkPollTimeoutMs: 10 * 60_000
};

/** sObject Collections take at most 200 records a call. */
const COLLECTION_SIZE = 200;

async function inParallel<T>(tasks: (() => Promise<T>)[], concurrency: number): Promise<T[]> {
    const out: T[] = new Array(tasks.length);
    let next = 0;
    const lane = async () => {
        while (next < tasks.length) {
            const i = next++;
            out[i] = await tasks[i]!();
        }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, tasks.length) }, lane));
    return out;
}

/**
 * Writes through the writer: a set the writer would send by Collections goes as parallel calls of
 * 200; a larger set goes to the writer whole, which sends it as one Bulk API 2.0 job. One result
 * per record, in input order.
 */
async function writeAll(
    records: SObjectRecord[],
    opts: WriteOptions,
    write: (part: SObjectRecord[], call: WriteCallOptions) => Promise<UpsertResult[]>
): Promise<UpsertResult[]> {
    if (records.length === 0) return [];
    const call: WriteCallOptions = {
        bulkThreshold: opts.bulkThreshold,
        bulkPollIntervalMs: opts.bulkPollIntervalMs,
        bulkPollTimeoutMs: opts.bulkPollTimeoutMs
    };
    if (records.length > opts.bulkThreshold) return write(records, call);
    const parts = chunk(records, COLLECTION_SIZE);
    const answers = await inParallel(
        parts.map((p) => () => write(p, call)),
        opts.concurrency
    );
    const out: UpsertResult[] = [];
    answers.forEach((results, partIndex) => {
        for (const r of results) out.push({ ...r, index: r.index + partIndex * COLLECTION_SIZE });
    });
    return out;
}

/** Upsert by an external id (see writeAll). */
export function upsertAll(
    writer: SalesforceWriter,
    sobject: string,
    externalIdField: string,
    records: SObjectRecord[],
    opts: WriteOptions
): Promise<UpsertResult[]> {
    return writeAll(records, opts, (part, call) => writer.upsert(sobject, externalIdField, part, call));
}

/**
 * Insert records with no external id (see writeAll). `identity` names the fields that tell the
 * records apart. An insert is not safe to repeat blindly: callers re-read what exists before they retry.
 */
export function insertAll(
    writer: SalesforceWriter,
    sobject: string,
    records: SObjectRecord[],
    opts: WriteOptions,
    identity: string[]
): Promise<UpsertResult[]> {
    return writeAll(records, opts, (part, call) => writer.insert(sobject, part, identity, call));
}

/** One line for a failed record: `CODE: message (Field1, Field2)`. */
export function failureReason(errors: UpsertResult['errors']): string {
    if (errors.length === 0) return 'Salesforce refused the record without a reason';
    return errors
        .map((e) => `${e.statusCode}: ${e.message}${e.fields.length ? ` (${e.fields.join(', ')})` : ''}`)
        .join('; ');
}
