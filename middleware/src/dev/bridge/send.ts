import type { SendResult as SendAnswer } from '../../sync/sends/answers';
import type { SendRecordsInput } from '../../sync/sends/records';
import { AuraError } from './aura';
import { isConnected, type ApexContext } from './context';
import { isBlank, isObject, type Json } from './json';
import { MiddlewareError, NOT_CONNECTED } from './middleware-client';
import { DmlError } from './org';
import { gatherSendRecords } from './send-data';
import { OP_SEND, OP_UPDATE, STATUS_ERROR, STATUS_SUCCESS, recordLog } from './sync-log';

/**
 * UnleashedSendController with UnleashedSendService: gathers the records of the Opportunity or the
 * Order (send-data.ts; the parameter keeps its name opportunityId, an Order's id is dispatched by its
 * prefix), asks the middleware's /v1/sends routes, and shows or stores what they answer on the record
 * sent from (UnleashedSendOutcome). The defaults, checks, messages and the order itself are the
 * middleware's (middleware/src/sync/sends).
 */

const CONTEXT_PATH = '/v1/sends/context';
const PREVIEW_PATH = '/v1/sends/preview';
const SEND_PATH = '/v1/sends';
const ERROR_MAX = 32768;

const CHOICE_KEYS = [
    'warehouseCode',
    'customerCode',
    'newCustomerCode',
    'taxCode',
    'salesPersonEmail',
    'deliveryMethod',
    'orderStatus',
    'requiredDate',
    'comments'
] as const;
const ADDRESS_KEYS = ['name', 'street', 'suburb', 'city', 'region', 'postalCode', 'country'] as const;

function textValue(v: unknown, field: string): string | null {
    if (v === null || v === undefined) return null;
    if (typeof v === 'object')
        throw new AuraError(
            `The order choices are not valid JSON: Expected String but found an object for ${field}`
        );
    return String(v);
}

/**
 * The dialog's choices (JSON text) as JSON.deserialize reads them into UnleashedSendChoicesDto and
 * JSON.serialize writes them again: every field, null when not given; blank means "use the defaults".
 */
function parseChoices(choicesJson: string | null): Json | null {
    if (isBlank(choicesJson)) return null;
    let parsed: unknown;
    try {
        parsed = JSON.parse(choicesJson as string);
    } catch (err) {
        throw new AuraError(`The order choices are not valid JSON: ${(err as Error).message}`);
    }
    if (parsed === null) return null;
    if (!isObject(parsed)) throw new AuraError('The order choices are not valid JSON: Expected an object');
    const choices: Json = {};
    for (const key of CHOICE_KEYS) choices[key] = textValue(parsed[key], key);
    const address = parsed.deliveryAddress;
    if (address !== null && address !== undefined && !isObject(address))
        throw new AuraError('The order choices are not valid JSON: Expected an object for deliveryAddress');
    choices.deliveryAddress = address
        ? Object.fromEntries(ADDRESS_KEYS.map((k) => [k, textValue(address[k], k)]))
        : null;
    choices.salesOrderGroup = textValue(parsed.salesOrderGroup, 'salesOrderGroup');
    const useUnleashedPrices = parsed.useUnleashedPrices;
    if (
        useUnleashedPrices !== null &&
        useUnleashedPrices !== undefined &&
        typeof useUnleashedPrices !== 'boolean'
    )
        throw new AuraError(
            'The order choices are not valid JSON: Expected a Boolean for useUnleashedPrices'
        );
    choices.useUnleashedPrices = useUnleashedPrices ?? null;
    const confirmed = parsed.confirmed;
    if (confirmed !== null && confirmed !== undefined && !Array.isArray(confirmed))
        throw new AuraError('The order choices are not valid JSON: Expected a list for confirmed');
    choices.confirmed = (confirmed ?? []).map((k, i) => textValue(k, `confirmed[${i}]`));
    return choices;
}

/** A refusal that says the order cannot be sent yet: nothing was sent, nothing is written. */
function isBlocking(err: MiddlewareError): boolean {
    return err.status === 422 && Array.isArray(err.problem?.blocking);
}

function answerOf(answer: unknown): Json {
    if (!isObject(answer))
        throw new MiddlewareError(0, 'Bad answer', 'The Unleashed connector service sent an empty answer.');
    return answer;
}

export async function getSendContext(ctx: ApexContext, opportunityId: string | null): Promise<unknown> {
    // As the package: the records first (a refused or missing record says so even when not connected).
    const records = await gatherSendRecords(ctx, opportunityId);
    if (!isConnected(ctx)) {
        return {
            opportunityId: records.opportunity.id,
            opportunityName: records.opportunity.name,
            warehouses: [],
            taxes: [],
            salesPersons: [],
            deliveryMethods: [],
            blocking: [NOT_CONNECTED],
            notices: []
        };
    }
    try {
        return answerOf(await ctx.middleware.post(CONTEXT_PATH, records));
    } catch (err) {
        if (err instanceof MiddlewareError) throw new AuraError(err.message);
        throw err;
    }
}

export async function previewOrder(
    ctx: ApexContext,
    opportunityId: string | null,
    choicesJson: string | null
): Promise<unknown> {
    const choices = parseChoices(choicesJson);
    if (!isConnected(ctx)) throw new AuraError(NOT_CONNECTED);
    const records = await gatherSendRecords(ctx, opportunityId);
    try {
        return answerOf(await ctx.middleware.post(PREVIEW_PATH, { records, choices }));
    } catch (err) {
        if (err instanceof MiddlewareError) {
            if (isBlocking(err)) throw new AuraError(err.message);
            throw new AuraError(`Unleashed could not preview this order: ${err.message}`);
        }
        throw err;
    }
}

/** UnleashedSendResultDto. */
interface SendResult {
    success: boolean;
    errorMessage: string | null;
    syncLogId: string | null;
    orderGuid: string | null;
    orderNumber: string | null;
    status: string | null;
    subTotal: string | null;
    taxTotal: string | null;
    total: string | null;
    customerCode: string | null;
    created: boolean;
    warnings: string[];
}

/** The record sent from: the same Unleashed_* fields on an Opportunity and an Order. */
async function save(
    ctx: ApexContext,
    records: SendRecordsInput,
    change: Record<string, unknown>,
    failurePrefix: string
) {
    const sobject = records.source ?? 'Opportunity';
    try {
        await ctx.org.data.update(sobject, { ...change, Id: records.opportunity.id });
    } catch (err) {
        if (err instanceof DmlError)
            throw new AuraError(`${failurePrefix}the ${sobject} could not be updated: ${err.dmlMessage}`);
        throw err;
    }
}

/** UnleashedSyncLogService.LogEntry.forSource: the Opportunity__c or the Order__c lookup, and the record id. */
function logSource(records: SendRecordsInput) {
    const id = records.opportunity.id;
    return records.source === 'Order' ? { orderId: id, recordId: id } : { opportunityId: id, recordId: id };
}

const amountOf = (v: string) => Number(v);

async function recordSuccess(
    ctx: ApexContext,
    records: SendRecordsInput,
    answer: SendAnswer,
    operation: string,
    attempt: number
): Promise<SendResult> {
    const remember = answer.remember;
    const address = remember.deliveryAddress;
    await save(
        ctx,
        records,
        {
            Unleashed_Order_Guid__c: answer.orderGuid,
            Unleashed_Order_Number__c: answer.orderNumber,
            Unleashed_Order_Status__c: answer.status,
            Unleashed_Sub_Total__c: amountOf(answer.subTotal),
            Unleashed_Tax_Total__c: amountOf(answer.taxTotal),
            Unleashed_Total__c: amountOf(answer.total),
            Unleashed_Last_Sent__c: ctx.now().toISOString(),
            Unleashed_Last_Error__c: null,
            // The choices stay on the record so the next send starts from them.
            Unleashed_Warehouse__c: remember.warehouseId,
            Unleashed_Tax__c: remember.taxId,
            Unleashed_Sales_Person__c: remember.salesPersonId,
            Unleashed_Delivery_Method__c: remember.deliveryMethodId,
            Unleashed_Order_Status_To_Create__c: remember.orderStatus,
            Unleashed_Required_Date__c: remember.requiredDate,
            Unleashed_Comments__c: remember.comments,
            Unleashed_Delivery_Name__c: address.name,
            Unleashed_Delivery_Street__c: address.street,
            Unleashed_Delivery_Suburb__c: address.suburb,
            Unleashed_Delivery_City__c: address.city,
            Unleashed_Delivery_Region__c: address.region,
            Unleashed_Delivery_Country__c: address.country,
            Unleashed_Delivery_Postal_Code__c: address.postalCode
        },
        `Sales order ${answer.orderNumber ?? ''} was saved in Unleashed, but `
    );
    // The customer code goes onto an Account that had none; one the user may not edit stays as it
    // is (Database.update with allOrNone false).
    if (answer.accountCustomerCode !== null && records.account) {
        await ctx.org.data
            .update('Account', {
                Id: records.account.id,
                Unleashed_Customer_Code__c: answer.accountCustomerCode
            })
            .catch((err: unknown) => {
                if (!(err instanceof DmlError)) throw err;
            });
    }
    const syncLogId = await recordLog(ctx, {
        operation,
        status: STATUS_SUCCESS,
        ...logSource(records),
        attempts: attempt,
        requestSummary: answer.summary,
        errorText: null
    });
    return {
        success: true,
        errorMessage: null,
        syncLogId,
        orderGuid: answer.orderGuid,
        orderNumber: answer.orderNumber,
        status: answer.status,
        subTotal: answer.subTotal,
        taxTotal: answer.taxTotal,
        total: answer.total,
        customerCode: answer.customerCode,
        created: answer.created,
        warnings: answer.warnings
    };
}

async function recordFailure(
    ctx: ApexContext,
    records: SendRecordsInput,
    err: MiddlewareError,
    given: Json | null,
    operation: string,
    attempt: number
): Promise<SendResult> {
    const message = err.message;
    const id = records.opportunity.id;
    await save(
        ctx,
        records,
        { Unleashed_Last_Error__c: message.slice(0, ERROR_MAX) },
        `Unleashed refused the order (${message}), and `
    );
    // The middleware says what it tried to send; without its answer, what the rep asked for.
    const summary = err.problem?.summary;
    const choices = err.problem?.choices;
    const syncLogId = await recordLog(ctx, {
        operation,
        status: STATUS_ERROR,
        ...logSource(records),
        attempts: attempt,
        requestSummary:
            typeof summary === 'string'
                ? summary
                : `${records.source ?? 'Opportunity'} ${id} with the choices ${JSON.stringify(given ?? {})}`,
        errorText: message,
        retryPayload: JSON.stringify(isObject(choices) ? choices : (given ?? {}))
    });
    return {
        success: false,
        errorMessage: message,
        syncLogId,
        orderGuid: null,
        orderNumber: null,
        status: null,
        subTotal: null,
        taxTotal: null,
        total: null,
        customerCode: null,
        created: false,
        warnings: []
    };
}

/** UnleashedSendService.send: the callout first, then the writes, whatever the answer. */
export async function sendWithChoices(
    ctx: ApexContext,
    opportunityId: string | null,
    choicesJson: string | null,
    attempt: number
): Promise<SendResult> {
    const choices = parseChoices(choicesJson);
    if (!isConnected(ctx)) throw new AuraError(NOT_CONNECTED);
    const records = await gatherSendRecords(ctx, opportunityId);
    const operation = isBlank(records.opportunity.order?.guid) ? OP_SEND : OP_UPDATE;
    const attempts = attempt < 1 ? 1 : attempt;
    let answer: SendAnswer;
    try {
        answer = answerOf(await ctx.middleware.post(SEND_PATH, { records, choices })) as SendAnswer;
    } catch (err) {
        if (!(err instanceof MiddlewareError)) throw err;
        if (isBlocking(err)) throw new AuraError(err.message);
        return recordFailure(ctx, records, err, choices, operation, attempts);
    }
    return recordSuccess(ctx, records, answer, operation, attempts);
}

export function sendOrder(ctx: ApexContext, opportunityId: string | null, choicesJson: string | null) {
    return sendWithChoices(ctx, opportunityId, choicesJson, 1);
}
