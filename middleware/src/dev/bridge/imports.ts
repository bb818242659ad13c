import Decimal from 'decimal.js';
import { AuraError, auraDatetime } from './aura';
import type { ApexContext } from './context';
import { arr, dec, isBlank, isObject, isoDatetime, num, obj, str, strings, type Json } from './json';
import { MiddlewareError } from './middleware-client';
import { requireManageConnection, quotaOrNull } from './setup';
import { soqlString } from '../../salesforce/soql';

/**
 * UnleashedImportController with UnleashedImportService and UnleashedImportJobViews: what can be
 * imported and when it last came in, starting a job in the middleware, and its progress, kept in
 * the org's Unleashed_Import_Job__c rows.
 */

const IMPORTS_PATH = '/v1/imports';
const LABELS: Record<string, string> = {
    warehouses: 'Warehouses',
    taxes: 'Taxes',
    salesPersons: 'Sales persons',
    deliveryMethods: 'Delivery methods',
    salesOrderGroups: 'Sales order groups',
    products: 'Products',
    priceTiers: 'Price tiers',
    customers: 'Customers'
};
const ENTITY_NAMES = Object.keys(LABELS);
const FINISHED = new Set(['Succeeded', 'Completed With Errors', 'Failed']);
const STATUS_BY_KEY: Record<string, string> = {
    queued: 'Queued',
    pending: 'Queued',
    running: 'Running',
    succeeded: 'Succeeded',
    completed: 'Succeeded',
    completedwitherrors: 'Completed With Errors',
    failed: 'Failed'
};

interface JobRow {
    Job_Id__c: string;
    Status__c: string | null;
    Entities__c?: string | null;
    Done__c?: number | null;
    Total__c?: number | null;
    Created_Count__c?: number | null;
    Updated_Count__c?: number | null;
    Unchanged_Count__c?: number | null;
    Failed_Count__c?: number | null;
    Started_At__c?: string | null;
    Finished_At__c?: string | null;
    Error_Summary__c?: string | null;
    Full_Reimport__c?: boolean | null;
    [k: string]: unknown;
}

const JOB_FIELDS =
    'Id, Name, Job_Id__c, Entities__c, Status__c, Done__c, Total__c, Created_Count__c, Updated_Count__c, Unchanged_Count__c, Failed_Count__c, Started_At__c, Finished_At__c, Error_Summary__c, Full_Reimport__c';

function normalizeStatus(status: string | null): string | null {
    if (isBlank(status)) return null;
    return STATUS_BY_KEY[(status as string).toLowerCase().replace(/[^a-z]/g, '')] ?? null;
}

const toInt = (v: number | null | undefined) => (v === null || v === undefined ? 0 : Math.trunc(v));

function percent(done: number, total: number, finished: boolean): number {
    if (finished) return 100;
    if (total <= 0) return 0;
    // As Apex: 100 only once the job has finished.
    return Math.min(99, new Decimal(done).times(100).div(total).trunc().toNumber());
}

type ImportError = { entity: string | null; key: string | null; reason: string | null };

function toError(item: unknown): ImportError {
    if (isObject(item)) {
        return {
            entity: str(item, 'entity'),
            key: str(item, 'key'),
            reason: str(item, 'reason') ?? str(item, 'message')
        };
    }
    return { entity: null, key: null, reason: String(item) };
}

function parseErrors(summary: string | null | undefined): ImportError[] {
    if (isBlank(summary)) return [];
    let parsed: unknown = null;
    try {
        parsed = JSON.parse(summary as string);
    } catch {
        parsed = null;
    }
    if (!Array.isArray(parsed)) return [{ entity: null, key: null, reason: summary as string }];
    return parsed.map(toError);
}

function fromRecord(job: JobRow): Record<string, unknown> {
    const done = toInt(job.Done__c);
    const total = toInt(job.Total__c);
    return {
        jobId: job.Job_Id__c,
        status: job.Status__c,
        done,
        total,
        percent: percent(done, total, FINISHED.has(job.Status__c ?? '')),
        created: toInt(job.Created_Count__c),
        updated: toInt(job.Updated_Count__c),
        unchanged: toInt(job.Unchanged_Count__c),
        failed: toInt(job.Failed_Count__c),
        errors: parseErrors(job.Error_Summary__c),
        startedAt: auraDatetime(job.Started_At__c),
        finishedAt: auraDatetime(job.Finished_At__c)
    };
}

/** UnleashedImportService.toRecord: fields absent from the JSON stay unset so an upsert keeps them. */
function toRecord(ctx: ApexContext, job: Json): JobRow {
    const jobId = str(job, 'jobId');
    if (isBlank(jobId) || (jobId as string).length > 36) {
        throw new AuraError(
            'The connector service sent an import job this org cannot read: jobId is required and has at most 36 characters.'
        );
    }
    const status = normalizeStatus(str(job, 'status'));
    if (status === null) {
        throw new AuraError(
            'The connector service sent an import job this org cannot read: status must be one of Queued, Running, Succeeded, Completed With Errors, Failed.'
        );
    }
    const row: JobRow = { Job_Id__c: jobId as string, Status__c: status };
    const entities = strings(job, 'entities');
    if (entities.length > 0) row.Entities__c = entities.join(';').slice(0, 255);
    if ('done' in job) row.Done__c = num(dec(job, 'done'));
    if ('total' in job) row.Total__c = num(dec(job, 'total'));
    const counts = obj(job, 'counts');
    if (counts) {
        row.Created_Count__c = num(dec(counts, 'created'));
        row.Updated_Count__c = num(dec(counts, 'updated'));
        row.Unchanged_Count__c = num(dec(counts, 'unchanged'));
        row.Failed_Count__c = num(dec(counts, 'failed'));
    }
    const startedAt = isoDatetime(job, 'startedAt');
    const finishedAt = isoDatetime(job, 'finishedAt');
    if (startedAt) row.Started_At__c = startedAt.toISOString();
    if (finishedAt) row.Finished_At__c = finishedAt.toISOString();
    else if (FINISHED.has(status)) row.Finished_At__c = ctx.now().toISOString();
    const text = errorSummary(job);
    if (text !== null) row.Error_Summary__c = text;
    return row;
}

const ERROR_SUMMARY_MAX = 131_072;
const TOO_LONG = {
    reason: 'The import reported an error too long to keep; the middleware log has it in full.'
};

/**
 * UnleashedImportErrorSummary.of: errorSummary, else the errors array, as at most 131,072
 * characters; a JSON array too long is shortened by whole errors so it stays valid JSON.
 */
export function errorSummary(job: Json): string | null {
    let summary: unknown = job.errorSummary;
    if ((summary === null || summary === undefined) && arr(job, 'errors').length > 0) summary = job.errors;
    if (typeof summary === 'string') {
        let parsed: unknown = null;
        if (summary.length > ERROR_SUMMARY_MAX) {
            try {
                parsed = JSON.parse(summary);
            } catch {
                parsed = null;
            }
        }
        // Short enough, or plain text (cutting it keeps it what it was).
        if (parsed === null) return summary.slice(0, ERROR_SUMMARY_MAX);
        summary = parsed;
    }
    if (summary === null || summary === undefined) return null;
    if (Array.isArray(summary)) return fittingArray(summary);
    const text = JSON.stringify(summary);
    return text.length <= ERROR_SUMMARY_MAX ? text : fittingArray([TOO_LONG]);
}

function fittingArray(errors: unknown[]): string {
    const items: string[] = [];
    let size = 2;
    for (const error of errors) {
        const item = JSON.stringify(error);
        const grown = size + item.length + (items.length === 0 ? 0 : 1);
        if (grown > ERROR_SUMMARY_MAX) break;
        items.push(item);
        size = grown;
    }
    return `[${items.join(',')}]`;
}

export async function getImportState(ctx: ApexContext): Promise<unknown> {
    const q = ctx.org.data.query.bind(ctx.org.data);
    const finished = await q<JobRow>(
        "SELECT Id, Entities__c, Status__c, Finished_At__c FROM Unleashed_Import_Job__c WHERE Status__c IN ('Succeeded', 'Completed With Errors') AND Finished_At__c != NULL WITH USER_MODE ORDER BY Finished_At__c DESC LIMIT 200"
    );
    const lastRun = new Map<string, string | null>();
    for (const job of finished) {
        for (const name of (job.Entities__c ?? '').split(';')) {
            if (!lastRun.has(name)) lastRun.set(name, auraDatetime(job.Finished_At__c));
        }
    }
    const latest = await q<JobRow>(
        `SELECT ${JOB_FIELDS} FROM Unleashed_Import_Job__c WITH USER_MODE ORDER BY CreatedDate DESC, Name DESC LIMIT 1`
    );
    return {
        canImport: ctx.org.user.canManageConnection,
        entities: ENTITY_NAMES.map((name) => ({
            name,
            label: LABELS[name],
            lastRun: lastRun.get(name) ?? null
        })),
        job: latest[0] ? fromRecord(latest[0]) : null,
        quota: await quotaOrNull(ctx)
    };
}

/** The names as the component gave them; which are known is the middleware's to say. */
function entityNames(entities: (string | null)[] | null): string[] {
    return [...new Set((entities ?? []).map((name) => String(name)))];
}

export async function startImport(
    ctx: ApexContext,
    entities: (string | null)[] | null,
    fullReimport: boolean | null,
    createMissingAccounts: boolean | null
): Promise<unknown> {
    requireManageConnection(ctx, 'start an import');
    const names = entityNames(entities);
    let answer: unknown;
    try {
        answer = await ctx.middleware.post(IMPORTS_PATH, {
            entities: names,
            fullReimport: fullReimport === true,
            createMissingAccounts: createMissingAccounts === true
        });
    } catch (err) {
        if (err instanceof MiddlewareError)
            throw new AuraError(`The import could not be started: ${err.message}`);
        throw err;
    }
    const jobId = isObject(answer) ? str(answer, 'jobId') : null;
    if (isBlank(jobId))
        throw new AuraError('The import could not be started: the connector service sent no job id.');
    const started: StartedJob = {
        Job_Id__c: jobId as string,
        Entities__c: names.join(';').slice(0, 255),
        Full_Reimport__c: fullReimport === true
    };
    return fromRecord(await recordStart(ctx, started));
}

/**
 * UnleashedImportJobStart.record: progress an import.progress event delivered before the start
 * answer is kept (only entities, full re-import and a missing start time are filled in); an insert
 * that collided on Job_Id__c with the event's insert is done once more as an update.
 */
type StartedJob = Pick<JobRow, 'Job_Id__c' | 'Entities__c' | 'Full_Reimport__c'>;

async function recordStart(ctx: ApexContext, started: StartedJob): Promise<JobRow> {
    const current = async () =>
        (
            await ctx.org.data.query<JobRow>(
                `SELECT ${JOB_FIELDS} FROM Unleashed_Import_Job__c WHERE Job_Id__c = ${soqlString(started.Job_Id__c as string)} WITH USER_MODE`
            )
        )[0] ?? null;
    const save = async (existing: JobRow | null) => {
        const row: Record<string, unknown> = { ...started };
        if (!existing) Object.assign(row, { Status__c: 'Queued', Done__c: 0, Total__c: 0 });
        if (!existing?.Started_At__c) row.Started_At__c = ctx.now().toISOString();
        const [result] = await ctx.org.data.upsert('Unleashed_Import_Job__c', 'Job_Id__c', [row]);
        return result;
    };
    let result = await save(await current());
    const transient = (code: string | undefined) =>
        code === 'DUPLICATE_VALUE' || code === 'UNABLE_TO_LOCK_ROW';
    if (!result?.success && transient(result?.errors[0]?.statusCode)) result = await save(await current());
    if (!result?.success) {
        throw new AuraError(
            `The import started, but its job could not be recorded in Salesforce: ${result?.errors[0]?.message ?? 'The record could not be saved.'}`
        );
    }
    return (await current()) ?? { ...started, Status__c: 'Queued' };
}

export async function getImportJob(ctx: ApexContext, jobId: string | null): Promise<unknown> {
    if (isBlank(jobId) || !/^[A-Za-z0-9-]{1,36}$/.test((jobId as string).trim())) {
        throw new AuraError('The import job id is not valid.');
    }
    const id = (jobId as string).trim();
    let answer: unknown;
    try {
        answer = await ctx.middleware.get(`${IMPORTS_PATH}/${id}`);
    } catch (err) {
        if (err instanceof MiddlewareError)
            throw new AuraError(`The import job could not be read: ${err.message}`);
        throw err;
    }
    const json: Json = isObject(answer) ? { ...answer } : {};
    json.jobId = id;
    const row = toRecord(ctx, json);
    // allOrNone false: the view comes back even when the user may not edit the job row.
    await ctx.org.data.upsert('Unleashed_Import_Job__c', 'Job_Id__c', [row]).catch(() => undefined);
    const view = fromRecord(row);
    const errors = arr(json, 'errors');
    if (errors.length > 0) view.errors = errors.map(toError);
    return view;
}
