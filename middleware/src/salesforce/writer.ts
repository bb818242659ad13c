import type { Connection } from 'jsforce';
import type { SalesforceWriter, SObjectRecord, UpsertResult, WriteCallOptions } from './types';
import { applyNamespace, namespaceRecord, namespaceSoql, stripRecord } from './namespace';
import { SalesforceError, toSalesforceError } from './errors';
import { bulkColumns, parseBulkError, toBulkCsv } from './bulk-csv';

/**
 * Writes and reads through jsforce: upsert by external id with sObject Collections (200 records a
 * call) up to `bulkThreshold` records and with one Bulk API 2.0 job above it; SOQL with every page;
 * POSTs to the package's Apex REST resource. Names come in without the namespace and are prefixed
 * here; query results go back without it.
 */

export interface SalesforceWriterOptions {
    /** The package's namespace in this org ('' when it has none). */
    namespace: string;
    /** Above this many records an upsert goes through Bulk API 2.0. */
    bulkThreshold?: number;
    bulkPollIntervalMs?: number;
    /** How long to wait for a bulk job; it keeps running in the org after that, and a rerun is safe. */
    bulkPollTimeoutMs?: number;
}

/** sObject Collections take at most 200 records per request. */
const COLLECTION_SIZE = 200;

type ErrorItem = UpsertResult['errors'][number];

interface Pending {
    index: number;
    key: string;
    record: SObjectRecord;
}

interface RawSaveResult {
    id?: string;
    success?: boolean;
    created?: boolean;
    errors?: { statusCode?: string; errorCode?: string; message?: string; fields?: string[] }[];
}

interface QueryPage {
    totalSize: number;
    done: boolean;
    nextRecordsUrl?: string;
    records: SObjectRecord[];
}

const failure = (index: number, errors: ErrorItem[]): UpsertResult => ({
    index,
    success: false,
    created: false,
    id: null,
    errors
});

/** One Collections save result as ours; `inserted` when every success is a creation. */
function saveResult(index: number, r: RawSaveResult, inserted: boolean): UpsertResult {
    return r.success
        ? { index, success: true, created: inserted || !!r.created, id: r.id ?? null, errors: [] }
        : failure(
              index,
              (r.errors ?? []).map((e) => ({
                  statusCode: e.statusCode ?? e.errorCode ?? 'UNKNOWN_EXCEPTION',
                  message: e.message ?? '',
                  fields: e.fields ?? []
              }))
          );
}

export function createSalesforceWriter(conn: Connection, opts: SalesforceWriterOptions): SalesforceWriter {
    // sObject Collections upsert exists from API 46.0; below it jsforce would fall back to one
    // request per record.
    if (!(Number(conn.version) >= 46)) {
        throw new Error(`The Salesforce writer needs API version 46.0 or later, not ${conn.version}`);
    }
    const ns = opts.namespace;
    const bulkThreshold = opts.bulkThreshold ?? 2000;
    const defaultPollInterval = opts.bulkPollIntervalMs ?? 2000;
    const defaultPollTimeout = opts.bulkPollTimeoutMs ?? 10 * 60_000;
    const usage = () =>
        (conn.limitInfo as { apiUsage?: { used: number; limit: number } } | undefined)?.apiUsage;
    const fail = (err: unknown, action: string) => toSalesforceError(err, action, usage());

    async function upsertCollections(
        object: string,
        extField: string,
        pending: Pending[],
        results: UpsertResult[]
    ): Promise<void> {
        for (let start = 0; start < pending.length; start += COLLECTION_SIZE) {
            const chunk = pending.slice(start, start + COLLECTION_SIZE);
            let answer: RawSaveResult[];
            try {
                answer = (await conn.upsert(
                    object,
                    chunk.map((p) => ({ ...p.record, attributes: { type: object } })),
                    extField,
                    { allOrNone: false }
                )) as unknown as RawSaveResult[];
            } catch (err) {
                throw fail(err, `Upsert of ${object} records ${start + 1}-${start + chunk.length}`);
            }
            if (!Array.isArray(answer) || answer.length !== chunk.length) {
                throw new SalesforceError(
                    'UNEXPECTED_RESPONSE',
                    `Upsert of ${object}: Salesforce answered ${answer?.length} results for ${chunk.length} records`
                );
            }
            chunk.forEach((p, i) => {
                results[p.index] = saveResult(p.index, answer[i]!, false);
            });
        }
    }

    /**
     * One Bulk API 2.0 ingest job, start to finish, for upsert and insert alike. Result rows come back
     * in any order: `indexOf` maps a row to its position in `records`. Every position gets a result.
     */
    async function bulkJob(
        object: string,
        operation: { kind: 'upsert'; extField: string } | { kind: 'insert' },
        records: SObjectRecord[],
        columns: string[],
        indexOf: (row: Record<string, unknown>) => number | undefined,
        call: WriteCallOptions
    ): Promise<UpsertResult[]> {
        const pollInterval = call.bulkPollIntervalMs ?? defaultPollInterval;
        const pollTimeout = call.bulkPollTimeoutMs ?? defaultPollTimeout;
        const results: UpsertResult[] = new Array(records.length);
        const job = conn.bulk2.createJob({
            object,
            operation: operation.kind,
            ...(operation.kind === 'upsert' ? { externalIdFieldName: operation.extField } : {}),
            lineEnding: 'LF',
            columnDelimiter: 'COMMA'
        } as Parameters<typeof conn.bulk2.createJob>[0]);
        const action = `Bulk ${operation.kind} of ${records.length} ${object} records`;
        // An upsert repeats safely; an insert's caller re-reads what exists before it tries again.
        const rerun = operation.kind === 'upsert' ? '; it goes on in Salesforce and a rerun is safe' : '';
        let state = '';
        let errorMessage: string | undefined;
        try {
            await job.open();
            // One PUT with the CSV as a string, not jsforce's streamed upload: when the session has
            // expired jsforce refreshes and repeats the request, and a repeated stream never ends.
            await conn.request({
                method: 'PUT',
                url: `/services/data/v${conn.version}/jobs/ingest/${job.id}/batches`,
                body: toBulkCsv(records, columns),
                headers: { 'Content-Type': 'text/csv' }
            });
            await job.close();
            const deadline = Date.now() + pollTimeout;
            let wait = Math.min(250, pollInterval);
            for (;;) {
                const info = (await job.check()) as { state: string; errorMessage?: string };
                state = info.state;
                errorMessage = info.errorMessage;
                if (['JobComplete', 'Failed', 'Aborted'].includes(state)) break;
                if (Date.now() > deadline) {
                    throw new SalesforceError(
                        'BULK_TIMEOUT',
                        `${action}: job ${job.id} was still ${state} after ${pollTimeout} ms${rerun}`,
                        { retryable: true }
                    );
                }
                await new Promise((r) => setTimeout(r, wait));
                wait = Math.min(wait * 2, pollInterval);
            }
            const [ok, failed, unprocessed] = await Promise.all([
                job.getSuccessfulResults(),
                job.getFailedResults(),
                job.getUnprocessedRecords()
            ]);
            for (const row of ok as Record<string, unknown>[]) {
                const index = indexOf(row);
                if (index === undefined) continue;
                const id = String(row.sf__Id ?? '');
                results[index] = {
                    index,
                    success: true,
                    created: operation.kind === 'insert' || row.sf__Created === 'true',
                    id: id || null,
                    errors: []
                };
            }
            for (const row of failed as Record<string, unknown>[]) {
                const index = indexOf(row);
                if (index !== undefined)
                    results[index] = failure(index, parseBulkError(String(row.sf__Error ?? '')));
            }
            for (const row of unprocessed as Record<string, unknown>[]) {
                const index = indexOf(row);
                if (index === undefined) continue;
                results[index] = failure(index, [
                    {
                        statusCode: state === 'Failed' ? 'BULK_JOB_FAILED' : 'NOT_PROCESSED',
                        message:
                            errorMessage ?? `The bulk job ended ${state} before this record was processed`,
                        fields: []
                    }
                ]);
            }
        } catch (err) {
            throw fail(err, action);
        }
        for (let i = 0; i < records.length; i++) {
            results[i] ??= failure(i, [
                {
                    statusCode: state === 'Failed' ? 'BULK_JOB_FAILED' : 'NO_RESULT',
                    message: errorMessage ?? `Job ${job.id} returned no result for this record`,
                    fields: []
                }
            ]);
        }
        return results;
    }

    async function upsertBulk(
        object: string,
        extField: string,
        pending: Pending[],
        results: UpsertResult[],
        call: WriteCallOptions
    ): Promise<void> {
        const records = pending.map((p) => p.record);
        const position = new Map(pending.map((p, i) => [p.key, i]));
        const answer = await bulkJob(
            object,
            { kind: 'upsert', extField },
            records,
            bulkColumns(records, extField),
            (row) => position.get(String(row[extField] ?? '').toLowerCase()),
            call
        );
        answer.forEach((r, i) => {
            const index = pending[i]!.index;
            results[index] = { ...r, index };
        });
    }

    /** sObject Collections create, 200 a call, one result per record in input order. */
    async function insertCollections(object: string, records: SObjectRecord[]): Promise<UpsertResult[]> {
        const results: UpsertResult[] = [];
        for (let start = 0; start < records.length; start += COLLECTION_SIZE) {
            const part = records.slice(start, start + COLLECTION_SIZE);
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
                throw fail(err, `Insert of ${object} records ${start + 1}-${start + part.length}`);
            }
            if (!Array.isArray(answer) || answer.length !== part.length) {
                throw new SalesforceError(
                    'UNEXPECTED_RESPONSE',
                    `Insert of ${object}: Salesforce answered ${answer?.length} results for ${part.length} records`
                );
            }
            answer.forEach((r, i) => results.push(saveResult(start + i, r, true)));
        }
        return results;
    }

    return {
        async upsert(sobject, externalIdField, records, call = {}) {
            const object = applyNamespace(sobject, ns);
            const extField = applyNamespace(externalIdField, ns);
            const results: UpsertResult[] = new Array(records.length);
            // External ids are matched case-insensitively by the org, so 'a' and 'A' would collide.
            const keyOf = (r: SObjectRecord) => {
                const v = r[externalIdField] ?? r[extField];
                return v === null || v === undefined || String(v).trim() === ''
                    ? ''
                    : String(v).toLowerCase();
            };
            const counts = new Map<string, number>();
            for (const r of records) counts.set(keyOf(r), (counts.get(keyOf(r)) ?? 0) + 1);
            const pending: Pending[] = [];
            records.forEach((record, index) => {
                const key = keyOf(record);
                if (!key) {
                    results[index] = failure(index, [
                        {
                            statusCode: 'MISSING_ARGUMENT',
                            message: `${externalIdField} is empty: it is the upsert key`,
                            fields: [externalIdField]
                        }
                    ]);
                } else if (counts.get(key)! > 1) {
                    results[index] = failure(index, [
                        {
                            statusCode: 'DUPLICATE_VALUE',
                            message: `Duplicate external id specified: ${String(record[externalIdField])}`,
                            fields: [externalIdField]
                        }
                    ]);
                } else {
                    // Sent as text: the org compares external ids as text, and jsforce drops falsy ones (0).
                    const sent = { ...namespaceRecord(record, ns) };
                    for (const k of [externalIdField, extField]) if (k in sent) delete sent[k];
                    sent[extField] = String(record[externalIdField] ?? record[extField]);
                    pending.push({ index, key, record: sent });
                }
            });
            if (pending.length > (call.bulkThreshold ?? bulkThreshold))
                await upsertBulk(object, extField, pending, results, call);
            else await upsertCollections(object, extField, pending, results);
            return results;
        },

        async insert(sobject, records, identityFields, call = {}) {
            if (records.length === 0) return [];
            const object = applyNamespace(sobject, ns);
            const sent = records.map((r) => namespaceRecord(r, ns));
            if (sent.length <= (call.bulkThreshold ?? bulkThreshold)) return insertCollections(object, sent);
            // Bulk result rows echo the input cells but not the row number: the identity fields
            // (which tell the records apart) map them back.
            const keys = identityFields.map((f) => applyNamespace(f, ns));
            const identity = (row: Record<string, unknown>) =>
                keys.map((c) => String(row[c] ?? '').toLowerCase()).join('\u0001');
            const position = new Map<string, number>();
            sent.forEach((r, i) => position.set(identity(r), i));
            return bulkJob(
                object,
                { kind: 'insert' },
                sent,
                bulkColumns(sent, keys[0] ?? 'Id'),
                (row) => position.get(identity(row)),
                call
            );
        },

        async query<T extends SObjectRecord = SObjectRecord>(soql: string): Promise<T[]> {
            const statement = namespaceSoql(soql, ns);
            const out: T[] = [];
            try {
                let page = await conn.request<QueryPage>(`/query?q=${encodeURIComponent(statement)}`);
                for (;;) {
                    for (const r of page.records) out.push(stripRecord(r, ns) as T);
                    if (page.done || !page.nextRecordsUrl) break;
                    page = await conn.request<QueryPage>(page.nextRecordsUrl);
                }
            } catch (err) {
                throw fail(err, 'SOQL query');
            }
            return out;
        },

        async apexRest<T = unknown>(path: string, body: unknown): Promise<T> {
            const route = `/${ns ? `${ns}/` : ''}${path.replace(/^\/+/, '')}`;
            try {
                return await conn.apex.post<T>(route, body as object);
            } catch (err) {
                throw fail(err, `Apex REST call ${route}`);
            }
        }
    };
}
