import type { Connection } from 'jsforce';
import { bulkColumns, parseBulkError, toBulkCsv } from '../../salesforce/bulk-csv';
import { SalesforceError, toSalesforceError } from '../../salesforce/errors';
import { applyNamespace, namespaceRecord } from '../../salesforce/namespace';
import type { SalesforceWriter, SObjectRecord, UpsertResult } from '../../salesforce/types';
import { chunk } from '../limit';

/**
 * How the import reads and writes Salesforce in bulk: IN-list queries cut to the length a REST
 * query URL may have, upserts through the writer (sObject Collections in parallel chunks up to the
 * writer's bulk threshold, one Bulk API 2.0 job above it), and inserts for the two objects that have
 * no external id field (Pricebook2, PricebookEntry), which the writer cannot upsert.
 */

/** The org compares external ids and Ids case-insensitively; so do our maps. */
export const keyOf = (v: unknown): string => String(v ?? '').toLowerCase();

export function soqlString(v: string): string {
    return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** A REST query travels in the URL (GET /query?q=...); Salesforce refuses URLs past 16 KB. */
const QUERY_URL_BUDGET = 12_000;

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
 * A page of 1,000 products makes up to ~5,000 price book entries: those go as parallel
 * Collections calls (fast under latency); only larger sets become a Bulk API 2.0 job.
 */
export const DEFAULT_WRITE_OPTIONS: WriteOptions = {
    bulkThreshold: 5000,
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
 * Upsert through the writer: a set the writer would send by Collections goes as parallel calls
 * of 200; a larger set goes to the writer whole, which sends it as one Bulk API 2.0 job.
 */
export async function upsertAll(
    writer: SalesforceWriter,
    sobject: string,
    externalIdField: string,
    records: SObjectRecord[],
    opts: WriteOptions
): Promise<UpsertResult[]> {
    if (records.length === 0) return [];
    if (records.length > opts.bulkThreshold) return writer.upsert(sobject, externalIdField, records);
    const parts = chunk(records, COLLECTION_SIZE);
    const answers = await inParallel(
        parts.map((p) => () => writer.upsert(sobject, externalIdField, p)),
        opts.concurrency
    );
    const out: UpsertResult[] = [];
    answers.forEach((results, partIndex) => {
        for (const r of results) out.push({ ...r, index: r.index + partIndex * COLLECTION_SIZE });
    });
    return out;
}

interface RawSaveResult {
    id?: string;
    success?: boolean;
    errors?: { statusCode?: string; errorCode?: string; message?: string; fields?: string[] }[];
}

const failed = (index: number, statusCode: string, message: string): UpsertResult => ({
    index,
    success: false,
    created: false,
    id: null,
    errors: [{ statusCode, message, fields: [] }]
});

/**
 * Inserts records (no external id to upsert by): Collections in parallel calls of 200 up to the
 * bulk threshold, one Bulk API 2.0 insert job above it. One result per record, in input order.
 * An insert is not safe to repeat blindly: callers re-read what exists before they retry.
 */
export async function insertAll(
    conn: Connection,
    namespace: string,
    sobject: string,
    records: SObjectRecord[],
    opts: WriteOptions,
    /** Fields that tell the records apart (bulk results come back in any order). */
    identity: string[]
): Promise<UpsertResult[]> {
    if (records.length === 0) return [];
    const object = applyNamespace(sobject, namespace);
    const sent = records.map((r) => namespaceRecord(r, namespace));
    if (records.length > opts.bulkThreshold) {
        const keys = identity.map((f) => applyNamespace(f, namespace));
        return bulkInsert(conn, object, sent, opts, keys);
    }
    const parts = chunk(sent, COLLECTION_SIZE);
    const answers = await inParallel(
        parts.map((part, p) => async () => {
            const from = p * COLLECTION_SIZE;
            let answer: RawSaveResult[];
            try {
                answer = await conn.request<RawSaveResult[]>({
                    method: 'POST',
                    url: `/services/data/v${conn.version}/composite/sobjects`,
                    body: JSON.stringify({
                        allOrNone: false,
                        records: part.map((r) => ({ attributes: { type: object }, ...r }))
                    }),
                    headers: { 'Content-Type': 'application/json' }
                });
            } catch (err) {
                throw toSalesforceError(err, `Insert of ${object} records ${from + 1}-${from + part.length}`);
            }
            if (!Array.isArray(answer) || answer.length !== part.length) {
                throw new SalesforceError(
                    'UNEXPECTED_RESPONSE',
                    `Insert of ${object}: Salesforce answered ${answer?.length} results for ${part.length} records`
                );
            }
            return answer.map((r, i): UpsertResult =>
                r.success
                    ? { index: from + i, success: true, created: true, id: r.id ?? null, errors: [] }
                    : {
                          index: from + i,
                          success: false,
                          created: false,
                          id: null,
                          errors: (r.errors ?? []).map((e) => ({
                              statusCode: e.statusCode ?? e.errorCode ?? 'UNKNOWN_EXCEPTION',
                              message: e.message ?? '',
                              fields: e.fields ?? []
                          }))
                      }
            );
        }),
        opts.concurrency
    );
    return answers.flat();
}

async function bulkInsert(
    conn: Connection,
    object: string,
    records: SObjectRecord[],
    opts: WriteOptions,
    keys: string[]
): Promise<UpsertResult[]> {
    // Result rows echo the input cells but not the row number: the identity fields map them back.
    const columns = bulkColumns(records, keys[0] ?? 'Id');
    const identity = (row: Record<string, unknown>) =>
        keys.map((c) => String(row[c] ?? '').toLowerCase()).join('\u0001');
    const byIdentity = new Map<string, number>();
    records.forEach((r, i) => byIdentity.set(identity(r), i));
    const results: UpsertResult[] = new Array(records.length);
    const action = `Bulk insert of ${records.length} ${object} records`;
    const job = conn.bulk2.createJob({
        object,
        operation: 'insert',
        lineEnding: 'LF',
        columnDelimiter: 'COMMA'
    } as Parameters<typeof conn.bulk2.createJob>[0]);
    let state = '';
    let errorMessage: string | undefined;
    try {
        await job.open();
        // One PUT of the whole CSV as a string: a session refresh can repeat it (see the writer).
        await conn.request({
            method: 'PUT',
            url: `/services/data/v${conn.version}/jobs/ingest/${job.id}/batches`,
            body: toBulkCsv(records, columns),
            headers: { 'Content-Type': 'text/csv' }
        });
        await job.close();
        const deadline = Date.now() + opts.bulkPollTimeoutMs;
        let wait = Math.min(250, opts.bulkPollIntervalMs);
        for (;;) {
            const info = (await job.check()) as { state: string; errorMessage?: string };
            state = info.state;
            errorMessage = info.errorMessage;
            if (['JobComplete', 'Failed', 'Aborted'].includes(state)) break;
            if (Date.now() > deadline) {
                throw new SalesforceError(
                    'BULK_TIMEOUT',
                    `${action}: job ${job.id} was still ${state} after ${opts.bulkPollTimeoutMs} ms`,
                    { retryable: true }
                );
            }
            await new Promise((r) => setTimeout(r, wait));
            wait = Math.min(wait * 2, opts.bulkPollIntervalMs);
        }
        const [ok, bad, unprocessed] = await Promise.all([
            job.getSuccessfulResults(),
            job.getFailedResults(),
            job.getUnprocessedRecords()
        ]);
        for (const row of ok as Record<string, unknown>[]) {
            const i = byIdentity.get(identity(row));
            if (i !== undefined)
                results[i] = {
                    index: i,
                    success: true,
                    created: true,
                    id: String(row.sf__Id ?? ''),
                    errors: []
                };
        }
        for (const row of bad as Record<string, unknown>[]) {
            const i = byIdentity.get(identity(row));
            if (i !== undefined) {
                results[i] = {
                    index: i,
                    success: false,
                    created: false,
                    id: null,
                    errors: parseBulkError(String(row.sf__Error ?? ''))
                };
            }
        }
        for (const row of unprocessed as Record<string, unknown>[]) {
            const i = byIdentity.get(identity(row));
            if (i !== undefined)
                results[i] = failed(i, 'NOT_PROCESSED', errorMessage ?? `The bulk job ended ${state}`);
        }
    } catch (err) {
        throw toSalesforceError(err, action);
    }
    for (let i = 0; i < records.length; i++) {
        results[i] ??= failed(
            i,
            state === 'Failed' ? 'BULK_JOB_FAILED' : 'NO_RESULT',
            errorMessage ?? `Bulk job ${job.id} returned no result for this record`
        );
    }
    return results;
}

/** One line for a failed record: `CODE: message (Field1, Field2)`. */
export function failureReason(errors: UpsertResult['errors']): string {
    if (errors.length === 0) return 'Salesforce refused the record without a reason';
    return errors
        .map((e) => `${e.statusCode}: ${e.message}${e.fields.length ? ` (${e.fields.join(', ')})` : ''}`)
        .join('; ');
}
