import { AuraError, auraDatetime } from './aura';
import type { ApexContext } from './context';
import { isBlank } from './json';
import { soqlString } from '../../salesforce/soql';

/** UnleashedSyncLogService and UnleashedSyncLogController: write, list and retry Sync Log rows. */

export const OP_SEND = 'Send Order';
export const OP_UPDATE = 'Update Order';
export const OP_CONNECT = 'Connect';
export const STATUS_SUCCESS = 'Success';
export const STATUS_ERROR = 'Error';

const SUMMARY_MAX = 32768;
const RETRY_MAX = 131072;
const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 200;
const RETRYABLE = new Set([OP_SEND, OP_UPDATE]);

export interface LogEntry {
    operation: string;
    status: string;
    recordId?: string | null;
    opportunityId?: string | null;
    /** A Salesforce Order an order was sent from (Order__c). */
    orderId?: string | null;
    importJobId?: string | null;
    requestSummary?: string | null;
    errorText?: string | null;
    attempts?: number;
    retryPayload?: string | null;
}

const cut = (v: string | null | undefined, max: number) =>
    v === null || v === undefined ? null : v.slice(0, max);

/** Inserts one Sync Log row as the running user; returns its id. */
export async function recordLog(ctx: ApexContext, entry: LogEntry): Promise<string> {
    return ctx.org.data.create('Unleashed_Sync_Log__c', {
        Operation__c: entry.operation,
        Status__c: entry.status,
        Record_Id__c: entry.recordId ?? null,
        Opportunity__c: entry.opportunityId ?? null,
        Order__c: entry.orderId ?? null,
        Import_Job__c: entry.importJobId ?? null,
        Request_Summary__c: cut(entry.requestSummary, SUMMARY_MAX),
        Error_Text__c: cut(entry.errorText, SUMMARY_MAX),
        Attempts__c: entry.attempts ?? 1,
        Occurred_At__c: ctx.now().toISOString(),
        Retry_Payload__c: cut(entry.retryPayload, RETRY_MAX)
    });
}

const FIELDS =
    'Id, Name, Operation__c, Status__c, Record_Id__c, Opportunity__c, Order__c, Error_Text__c, Request_Summary__c, Attempts__c, Occurred_At__c, Retry_Payload__c';

export interface LogRow {
    Id: string;
    Name: string | null;
    Operation__c: string | null;
    Status__c: string | null;
    Record_Id__c: string | null;
    Opportunity__c: string | null;
    Order__c?: string | null;
    Error_Text__c: string | null;
    Request_Summary__c: string | null;
    Attempts__c: number | null;
    Occurred_At__c: string | null;
    Retry_Payload__c: string | null;
    [k: string]: unknown;
}

/** The Opportunity or the Salesforce Order the failed order was sent from. */
function sentFrom(log: LogRow): string | null {
    return log.Opportunity__c ?? log.Order__c ?? null;
}

function canRetry(log: LogRow): boolean {
    return (
        log.Status__c === STATUS_ERROR &&
        RETRYABLE.has(log.Operation__c ?? '') &&
        sentFrom(log) !== null &&
        !isBlank(log.Retry_Payload__c)
    );
}

function rowDto(log: LogRow): unknown {
    return {
        id: log.Id,
        name: log.Name,
        operation: log.Operation__c,
        recordId: log.Record_Id__c,
        status: log.Status__c,
        errorText: log.Error_Text__c,
        requestSummary: log.Request_Summary__c,
        attempts: log.Attempts__c === null || log.Attempts__c === undefined ? 1 : Math.trunc(log.Attempts__c),
        occurredAt: auraDatetime(log.Occurred_At__c),
        canRetry: canRetry(log)
    };
}

export async function getSyncLogs(
    ctx: ApexContext,
    limitSize: number | null,
    status: string | null
): Promise<unknown> {
    const size = limitSize === null || limitSize < 1 ? DEFAULT_LIMIT : Math.min(limitSize, MAX_LIMIT);
    let filter: string | null = null;
    if (!isBlank(status) && status !== 'All') {
        if (status !== STATUS_SUCCESS && status !== STATUS_ERROR) {
            throw new AuraError('The status filter must be Success, Error or All.');
        }
        filter = status;
    }
    const where = filter ? ` WHERE Status__c = ${soqlString(filter)}` : '';
    const rows = await ctx.org.data.query<LogRow>(
        `SELECT ${FIELDS} FROM Unleashed_Sync_Log__c${where} WITH USER_MODE ORDER BY Occurred_At__c DESC NULLS LAST, Name DESC LIMIT ${size}`
    );
    return rows.map(rowDto);
}

async function byId(ctx: ApexContext, id: string): Promise<LogRow | null> {
    const rows = await ctx.org.data.query<LogRow>(
        `SELECT ${FIELDS} FROM Unleashed_Sync_Log__c WHERE Id = ${soqlString(id)} WITH USER_MODE LIMIT 1`
    );
    return rows[0] ?? null;
}

/** The send a retry repeats: sendOrder's service with the kept choices and the next attempt number. */
export type SendForRetry = (
    ctx: ApexContext,
    recordId: string,
    choicesJson: string | null,
    attempt: number
) => Promise<{ syncLogId: string | null }>;

export async function retrySync(
    ctx: ApexContext,
    logId: string | null,
    send: SendForRetry
): Promise<unknown> {
    const log = logId ? await byId(ctx, logId) : null;
    if (!log) throw new AuraError('The sync log entry was not found, or you do not have access to it.');
    if (!canRetry(log)) throw new AuraError('Only a failed order send can be retried.');
    const attempts =
        log.Attempts__c === null || log.Attempts__c === undefined ? 1 : Math.trunc(log.Attempts__c);
    const result = await send(ctx, sentFrom(log) as string, log.Retry_Payload__c, attempts + 1);
    const fresh = result.syncLogId ? await byId(ctx, result.syncLogId) : null;
    if (!fresh) throw new AuraError('The retry ran, but its sync log entry is not visible to you.');
    return rowDto(fresh);
}
