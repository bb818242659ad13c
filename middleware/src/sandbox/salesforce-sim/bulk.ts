import { RecordError, RequestError, notFound, type SfError } from './errors';
import type { Row, SimOrg, Table, FieldInfo } from './org';
import { formatDateTime } from './values';
import { parseCsv, quoteAll } from './csv';

/**
 * Bulk API 2.0 ingest jobs: create (Open) -> one PUT of CSV -> PATCH UploadComplete -> processed in
 * the background (InProgress) -> JobComplete (or Failed when the CSV header is unusable), then the
 * successfulResults / failedResults / unprocessedrecords CSV files. Rows go through the same org
 * rules as the REST API.
 */

type Operation = 'insert' | 'update' | 'upsert' | 'delete';
type State = 'Open' | 'UploadComplete' | 'InProgress' | 'JobComplete' | 'Failed' | 'Aborted';

const DELIMITERS: Record<string, string> = {
    COMMA: ',',
    TAB: '\t',
    PIPE: '|',
    SEMICOLON: ';',
    CARET: '^',
    BACKQUOTE: '`'
};

interface IngestJob {
    id: string;
    operation: Operation;
    table: Table;
    externalIdFieldName?: string;
    lineEnding: 'LF' | 'CRLF';
    columnDelimiter: string;
    state: State;
    apiVersion: number;
    createdById: string;
    createdDate: string;
    systemModstamp: string;
    csv: string | null;
    header: string[];
    successful: string[];
    failed: string[];
    unprocessed: string[][];
    processed: number;
    failedCount: number;
    errorMessage?: string;
    startedAt?: number;
    finishedAt?: number;
}

export interface BulkSettings {
    /** Rows processed per turn of the event loop, so other requests are answered meanwhile. */
    rowsPerTick: number;
    /** Result rows come back in a shuffled order, as a parallel org may return them. */
    shuffleResults: boolean;
}

export class BulkIngest {
    private readonly jobs = new Map<string, IngestJob>();

    constructor(
        private readonly org: SimOrg,
        private readonly settings: BulkSettings
    ) {}

    create(body: Record<string, unknown>, apiVersion: string): unknown {
        const operation = body.operation;
        if (!['insert', 'update', 'upsert', 'delete'].includes(String(operation))) {
            throw new RequestError(400, 'INVALIDJOB', `InvalidJob : Invalid operation: ${String(operation)}`);
        }
        const table = this.org.table(String(body.object ?? ''));
        if (!table)
            throw new RequestError(
                400,
                'INVALIDJOB',
                `InvalidJob : Unable to find object: ${String(body.object)}`
            );
        let externalIdFieldName: string | undefined;
        if (operation === 'upsert') {
            const ext = this.org.field(table, String(body.externalIdFieldName ?? ''));
            if (!ext || !(ext.def.externalId || ext.name === 'Id')) {
                throw new RequestError(
                    400,
                    'INVALIDJOB',
                    `InvalidJob : Field name provided, ${String(body.externalIdFieldName)} does not match an External ID, Salesforce Id, or indexed field for ${table.apiName}`
                );
            }
            externalIdFieldName = ext.apiName;
        }
        if (body.contentType !== undefined && body.contentType !== 'CSV') {
            throw new RequestError(
                400,
                'INVALIDJOB',
                `InvalidJob : Invalid content type: ${String(body.contentType)}`
            );
        }
        const delimiterName = String(body.columnDelimiter ?? 'COMMA');
        const delimiter = DELIMITERS[delimiterName];
        if (!delimiter)
            throw new RequestError(
                400,
                'INVALIDJOB',
                `InvalidJob : Invalid column delimiter: ${delimiterName}`
            );
        const stamp = formatDateTime(new Date());
        const job: IngestJob = {
            id: this.org.ids.next('750'),
            operation: operation as Operation,
            table,
            ...(externalIdFieldName ? { externalIdFieldName } : {}),
            lineEnding: body.lineEnding === 'CRLF' ? 'CRLF' : 'LF',
            columnDelimiter: delimiterName,
            state: 'Open',
            apiVersion: Number(apiVersion),
            createdById: this.org.currentUserId,
            createdDate: stamp,
            systemModstamp: stamp,
            csv: null,
            header: [],
            successful: [],
            failed: [],
            unprocessed: [],
            processed: 0,
            failedCount: 0
        };
        this.jobs.set(job.id, job);
        return this.info(job, false);
    }

    private job(id: string): IngestJob {
        const job = this.jobs.get(id);
        if (!job) throw notFound(`Job with id ${id} not found`);
        return job;
    }

    upload(id: string, csv: string): void {
        const job = this.job(id);
        if (job.csv !== null) {
            throw new RequestError(
                400,
                'BULK_API_ERROR',
                `Found multiple contents for job: <${id}>, please 'Close' / 'Abort' / 'Delete' the current Job then create a new Job and make sure you only do 'PUT' once on a given job.`
            );
        }
        if (job.state !== 'Open') {
            throw new RequestError(
                409,
                'INVALIDJOBSTATE',
                `Job ${id} is not open for data upload: ${job.state}`
            );
        }
        job.csv = csv;
    }

    setState(id: string, state: unknown): unknown {
        const job = this.job(id);
        if (state === 'UploadComplete') {
            if (job.state !== 'Open') {
                throw new RequestError(
                    409,
                    'INVALIDJOBSTATE',
                    `Cannot change state of job ${id} from ${job.state} to UploadComplete`
                );
            }
            job.state = 'UploadComplete';
            job.systemModstamp = formatDateTime(new Date());
            setImmediate(() => {
                this.process(job).catch((err: unknown) =>
                    this.fail(job, `InternalServerError : ${(err as Error).message}`, [])
                );
            });
        } else if (state === 'Aborted') {
            if (['JobComplete', 'Failed'].includes(job.state)) {
                throw new RequestError(
                    409,
                    'INVALIDJOBSTATE',
                    `Cannot abort job ${id} in state ${job.state}`
                );
            }
            job.state = 'Aborted';
        } else {
            throw new RequestError(400, 'INVALIDJOBSTATE', `Invalid state: ${String(state)}`);
        }
        return this.info(job, false);
    }

    get(id: string): unknown {
        return this.info(this.job(id), true);
    }

    delete(id: string): void {
        const job = this.job(id);
        if (['Open', 'UploadComplete', 'InProgress'].includes(job.state)) {
            throw new RequestError(400, 'INVALIDJOBSTATE', `Job ${id} can only be deleted once it is closed`);
        }
        this.jobs.delete(id);
    }

    list(): unknown {
        return {
            done: true,
            records: [...this.jobs.values()].map((j) => this.info(j, false)),
            nextRecordsUrl: null
        };
    }

    results(id: string, kind: string): string {
        const job = this.job(id);
        const eol = job.lineEnding === 'CRLF' ? '\r\n' : '\n';
        if (kind === 'successfulResults') {
            return [quoteAll(['sf__Id', 'sf__Created', ...job.header]), ...job.successful].join(eol) + eol;
        }
        if (kind === 'failedResults') {
            return [quoteAll(['sf__Id', 'sf__Error', ...job.header]), ...job.failed].join(eol) + eol;
        }
        if (kind === 'unprocessedrecords') {
            return [job.header, ...job.unprocessed].map((r) => quoteAll(r)).join(eol) + eol;
        }
        throw notFound();
    }

    private info(job: IngestJob, full: boolean): Record<string, unknown> {
        const base: Record<string, unknown> = {
            id: job.id,
            operation: job.operation,
            object: job.table.apiName,
            createdById: job.createdById,
            createdDate: job.createdDate,
            systemModstamp: job.systemModstamp,
            state: job.state,
            ...(job.externalIdFieldName ? { externalIdFieldName: job.externalIdFieldName } : {}),
            concurrencyMode: 'Parallel',
            contentType: 'CSV',
            apiVersion: job.apiVersion,
            contentUrl: `services/data/v${job.apiVersion.toFixed(1)}/jobs/ingest/${job.id}/batches`,
            lineEnding: job.lineEnding,
            columnDelimiter: job.columnDelimiter
        };
        if (!full) return base;
        return {
            ...base,
            jobType: 'V2Ingest',
            retries: 0,
            numberRecordsProcessed: job.processed,
            numberRecordsFailed: job.failedCount,
            totalProcessingTime: (job.finishedAt ?? Date.now()) - (job.startedAt ?? Date.now()),
            apiActiveProcessingTime: 0,
            apexProcessingTime: 0,
            ...(job.errorMessage ? { errorMessage: job.errorMessage } : {})
        };
    }

    private fail(job: IngestJob, message: string, rows: string[][]): void {
        job.state = 'Failed';
        job.errorMessage = message;
        job.unprocessed = rows;
        job.finishedAt = Date.now();
    }

    private async process(job: IngestJob): Promise<void> {
        job.startedAt = Date.now();
        if (job.state !== 'UploadComplete') return;
        job.state = 'InProgress';
        let rows: string[][];
        try {
            rows = parseCsv(job.csv ?? '', DELIMITERS[job.columnDelimiter]);
        } catch (err) {
            this.fail(job, `ClientInputError : ${(err as Error).message}`, []);
            return;
        }
        const header = rows.shift() ?? [];
        job.header = header;
        if (header.length === 0) {
            this.fail(job, 'InvalidBatch : Wrong content for the batch: no data', []);
            return;
        }
        // The header is checked before any row is written.
        const columns: { name: string; field?: FieldInfo; rel?: FieldInfo; relField?: string }[] = [];
        for (const name of header) {
            const [first, second] = name.split('.');
            const field = second === undefined ? this.org.field(job.table, first!) : undefined;
            const rel = second !== undefined ? job.table.byRelationship.get(first!.toLowerCase()) : undefined;
            if (!field && !rel) {
                this.fail(job, `InvalidBatch : Field name not found : ${name}`, rows);
                return;
            }
            columns.push({ name, ...(field ? { field } : {}), ...(rel ? { rel, relField: second! } : {}) });
        }
        const extColumn =
            job.operation === 'upsert'
                ? header.findIndex((h) => h.toLowerCase() === job.externalIdFieldName!.toLowerCase())
                : header.findIndex((h) => h.toLowerCase() === 'id');
        if (job.operation !== 'insert' && extColumn < 0) {
            this.fail(
                job,
                `InvalidBatch : The ${job.externalIdFieldName ?? 'Id'} field is missing from the header`,
                rows
            );
            return;
        }
        const extField = extColumn >= 0 ? columns[extColumn]!.field! : undefined;
        // Rows naming the same external id in one job all fail, as they do in one Salesforce batch.
        const counts = new Map<string, number>();
        const keyOf = (row: string[]) =>
            extField && row[extColumn] ? String(row[extColumn]).toLowerCase() : '';
        if (job.operation === 'upsert') {
            for (const row of rows) {
                const k = keyOf(row);
                if (k) counts.set(k, (counts.get(k) ?? 0) + 1);
            }
        }
        const successful: string[] = [];
        const failed: string[] = [];
        for (let i = 0; i < rows.length; i++) {
            if ((job.state as State) === 'Aborted') {
                job.unprocessed = rows.slice(i);
                return;
            }
            if (i > 0 && i % this.settings.rowsPerTick === 0) await new Promise((r) => setImmediate(r));
            const row = rows[i]!;
            try {
                if ((counts.get(keyOf(row)) ?? 0) > 1) {
                    throw new RecordError([
                        {
                            statusCode: 'DUPLICATE_VALUE',
                            message: `Duplicate external id specified: ${row[extColumn]}`,
                            fields: []
                        }
                    ]);
                }
                const input: Row = {};
                columns.forEach((c, j) => {
                    const raw = row[j] ?? '';
                    // An empty cell leaves the field as it is; #N/A clears it.
                    if (raw === '' || j === extColumn) return;
                    const value = raw === '#N/A' ? null : raw;
                    if (c.rel) input[c.rel.relationshipApiName!] = { [c.relField!]: value };
                    else input[c.field!.apiName] = value;
                });
                const ext = extColumn >= 0 ? (row[extColumn] ?? '') : '';
                let result: { id: string; created: boolean };
                if (job.operation === 'insert') result = this.org.create(job.table, input);
                else if (job.operation === 'update') result = this.org.update(job.table, ext, input);
                else if (job.operation === 'delete') {
                    this.org.delete(job.table, ext);
                    result = { id: ext, created: false };
                } else result = this.org.upsert(job.table, extField!, ext, input);
                successful.push(quoteAll([result.id, String(result.created), ...row]));
            } catch (err) {
                const errors: SfError[] =
                    err instanceof RecordError
                        ? err.errors
                        : err instanceof RequestError
                          ? [{ statusCode: err.errorCode, message: err.message, fields: [] }]
                          : [
                                {
                                    statusCode: 'UNKNOWN_EXCEPTION',
                                    message: (err as Error).message,
                                    fields: []
                                }
                            ];
                const text = errors
                    .map((e) => `${e.statusCode}:${e.message}:${e.fields.join(',')} --`)
                    .join(' ');
                failed.push(quoteAll(['', text, ...row]));
                job.failedCount++;
            }
            job.processed++;
        }
        if (this.settings.shuffleResults) {
            shuffle(successful);
            shuffle(failed);
        }
        job.successful = successful;
        job.failed = failed;
        job.state = 'JobComplete';
        job.finishedAt = Date.now();
        job.systemModstamp = formatDateTime(new Date());
    }
}

function shuffle<T>(items: T[]): void {
    for (let i = items.length - 1; i > 0; i--) {
        const j = Math.floor(Math.random() * (i + 1));
        [items[i], items[j]] = [items[j]!, items[i]!];
    }
}
