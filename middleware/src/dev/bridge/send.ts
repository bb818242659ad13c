import Decimal from 'decimal.js';
import { AuraError, auraDatetime } from './aura';
import { isConnected, type ApexContext } from './context';
import {
    apexText,
    arr,
    bool,
    dec,
    decimalOf,
    isBlank,
    isObject,
    num,
    objects,
    str,
    integerValue,
    type Json
} from './json';
import { MiddlewareError, NOT_CONNECTED } from './middleware-client';
import { DmlError } from './org';
import {
    ReferenceOptions,
    STATUS_PARKED,
    STATUS_PLACED,
    billingAddress,
    customerCurrency,
    defaultChoices,
    freight,
    hasOrder,
    loadOpportunity,
    orderEditable,
    parseChoices,
    proposedCustomerCode,
    shippingAddress,
    withDefaults,
    type Address,
    type Choices,
    type OpportunityData
} from './send-data';
import { OP_SEND, OP_UPDATE, STATUS_ERROR, STATUS_SUCCESS, recordLog, type LogEntry } from './sync-log';

/**
 * UnleashedSendController with UnleashedSendValidator, UnleashedOrderSnapshot, UnleashedOrderMapper
 * and UnleashedSendService: the send dialog's context, the exact preview, and the send that records
 * its outcome on the Opportunity and in the Sync Log either way.
 */

const PREVIEW_PATH = '/v1/sales-orders/preview';
const ORDERS_PATH = '/v1/sales-orders';
const ERROR_MAX = 32768;

// ---- validator ----

/** A yyyy-MM-dd date that exists, or null. */
export function parseDate(text: string | null): string | null {
    if (text === null || !/^\d{4}-\d{2}-\d{2}$/.test(text.trim())) return null;
    const t = text.trim();
    const d = new Date(`${t}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === t ? t : null;
}

function problems(ctx: ApexContext, data: OpportunityData, choices: Choices): string[] {
    const result: string[] = [];
    if (!isConnected(ctx)) result.push(NOT_CONNECTED);
    if (!data.account) {
        result.push('The Opportunity has no Account. Add one before sending it to Unleashed.');
    } else if (data.account.Unleashed_Do_Not_Send__c === true) {
        const reason = data.account.Unleashed_Do_Not_Send_Reason__c;
        result.push(
            `The account is marked "Do not send to Unleashed"${isBlank(reason) ? '.' : `: ${reason}`}`
        );
    }
    if (data.orderNumberProblem !== null) result.push(data.orderNumberProblem);
    if (data.lines.length === 0) result.push('The Opportunity has no products.');
    const missing = data.lines
        .filter((l) => isBlank(l.Product2?.Unleashed_Product_Code__c))
        .map((l) => apexText(l.Product2?.Name));
    if (missing.length > 0)
        result.push(`These products have no Unleashed product code: ${missing.join(', ')}.`);
    if (freight(data).gt(0) && data.settings.freightProductCode === null) {
        result.push(
            'The Opportunity has freight, but no freight product code is set in the Unleashed settings.'
        );
    }
    if (!orderEditable(data)) {
        result.push(
            `Sales order ${apexText(data.opp.Unleashed_Order_Number__c)} is ${apexText(data.opp.Unleashed_Order_Status__c)} in Unleashed; only a Parked order can be changed.`
        );
    }
    if (isBlank(choices.warehouseCode)) result.push('Choose the warehouse the order ships from.');
    if (data.account && isBlank(choices.customerCode) && isBlank(choices.newCustomerCode)) {
        result.push('Choose the Unleashed customer, or enter a code for a new one.');
    }
    if (choices.orderStatus !== STATUS_PARKED && choices.orderStatus !== STATUS_PLACED) {
        result.push('The order status must be Parked or Placed.');
    }
    if (!isBlank(choices.requiredDate) && parseDate(choices.requiredDate) === null) {
        result.push('The required date must be a date written as yyyy-MM-dd.');
    }
    return result;
}

// ---- snapshot ----

interface SnapshotLine {
    lineId: string | null;
    productCode: string | null;
    productGuid: string | null;
    description: string | null;
    quantity: Decimal | null;
    unitPrice: Decimal | null;
    discountPercent: Decimal | null;
    taxCode: string | null;
}

interface Snapshot {
    opportunityId: string;
    opportunityNumber: string | null;
    currencyIsoCode: string;
    account: {
        id: string | null;
        name: string | null;
        isPersonAccount: boolean;
        firstName: string | null;
        lastName: string | null;
        customerCode: string | null;
        email: string | null;
        phone: string | null;
        currencyIsoCode: string;
        billingAddress: Address | null;
        shippingAddress: Address | null;
    };
    newCustomerCode: string | null;
    warehouseCode: string | null;
    taxCode: string | null;
    salesPersonEmail: string | null;
    deliveryMethod: string | null;
    orderStatus: string | null;
    orderDate: string | null;
    requiredDate: string | null;
    comments: string | null;
    deliveryAddress: Address | null;
    lines: SnapshotLine[];
}

const blankToNull = (v: string | null | undefined) => (isBlank(v) ? null : (v as string).trim());

function buildSnapshot(data: OpportunityData, choices: Choices): Snapshot {
    const lines: SnapshotLine[] = data.lines.map((item) => ({
        lineId: item.Id,
        productCode: item.Product2?.Unleashed_Product_Code__c ?? null,
        productGuid: blankToNull(item.Product2?.Unleashed_Guid__c),
        description: !isBlank(item.Description) ? item.Description : (item.Product2?.Name ?? null),
        quantity: decimalOf(item.Quantity),
        unitPrice: decimalOf(item.UnitPrice),
        discountPercent: decimalOf(item.Discount) ?? new Decimal(0),
        taxCode: blankToNull(item.Unleashed_Tax_Code__c)
    }));
    if (freight(data).gt(0)) {
        lines.push({
            lineId: 'freight',
            productCode: data.settings.freightProductCode,
            productGuid: null,
            description: 'Freight',
            quantity: new Decimal(1),
            unitPrice: freight(data),
            discountPercent: new Decimal(0),
            taxCode: null
        });
    }
    const account = data.account;
    return {
        opportunityId: data.opp.Id,
        opportunityNumber: data.orderNumber,
        currencyIsoCode: data.currencyIsoCode,
        account: {
            id: account?.Id ?? null,
            name: account?.Name ?? null,
            isPersonAccount: data.isPersonAccount,
            firstName: blankToNull(data.accountFirstName),
            lastName: blankToNull(data.accountLastName),
            customerCode: blankToNull(choices.customerCode),
            email: data.accountEmail,
            phone: account?.Phone ?? null,
            currencyIsoCode: customerCurrency(data),
            billingAddress: billingAddress(account),
            shippingAddress: shippingAddress(account)
        },
        newCustomerCode: isBlank(choices.customerCode) ? blankToNull(choices.newCustomerCode) : null,
        warehouseCode: blankToNull(choices.warehouseCode),
        taxCode: blankToNull(choices.taxCode),
        salesPersonEmail: blankToNull(choices.salesPersonEmail),
        deliveryMethod: blankToNull(choices.deliveryMethod),
        orderStatus: choices.orderStatus,
        // The Close Date when the settings say so; null lets the middleware use today.
        orderDate:
            data.settings.orderDateSource === 'CloseDate' && typeof data.opp.CloseDate === 'string'
                ? data.opp.CloseDate
                : null,
        requiredDate: blankToNull(choices.requiredDate),
        comments: blankToNull(choices.comments),
        deliveryAddress: choices.deliveryAddress,
        lines
    };
}

/** The JSON body Apex sends: Decimals as JSON numbers, nulls included. */
function snapshotJson(s: Snapshot): string {
    return JSON.stringify(s, (_key, value: unknown) =>
        value instanceof Decimal ? Number(value.toString()) : value
    );
}

function summary(s: Snapshot): string {
    const customer =
        s.account.customerCode !== null
            ? `customer ${s.account.customerCode}`
            : `new customer ${apexText(s.newCustomerCode)}`;
    return `Opportunity ${s.opportunityId}: ${s.lines.length} line(s), warehouse ${apexText(s.warehouseCode)}, ${customer}, status ${apexText(s.orderStatus)}, currency ${apexText(s.currencyIsoCode)}`;
}

// ---- prepared send ----

interface Prepared {
    data: OpportunityData;
    refs: ReferenceOptions;
    choices: Choices;
    snapshot: Snapshot;
}

async function prepare(ctx: ApexContext, opportunityId: string | null, given: Choices): Promise<Prepared> {
    const data = await loadOpportunity(ctx, opportunityId);
    const refs = await ReferenceOptions.load(ctx, data.settings);
    const choices = withDefaults(given, defaultChoices(data, refs));
    const found = problems(ctx, data, choices);
    if (found.length > 0) throw new AuraError(found.join(' '));
    return { data, refs, choices, snapshot: buildSnapshot(data, choices) };
}

function logEntry(p: Prepared, status: string, attempt: number | null): LogEntry {
    return {
        operation: hasOrder(p.data) ? OP_UPDATE : OP_SEND,
        status,
        opportunityId: p.data.opp.Id,
        recordId: p.data.opp.Id,
        attempts: attempt === null || attempt < 1 ? 1 : attempt
    };
}

function asMap(answer: unknown): Json {
    if (!isObject(answer)) {
        throw new MiddlewareError(0, 'Bad answer', 'The Unleashed connector service sent an empty answer.');
    }
    return answer;
}

// ---- controller methods ----

export async function getSendContext(ctx: ApexContext, opportunityId: string | null): Promise<unknown> {
    const data = await loadOpportunity(ctx, opportunityId);
    const refs = await ReferenceOptions.load(ctx, data.settings);
    const defaults = defaultChoices(data, refs);
    const account = data.account;
    return {
        opportunityId: data.opp.Id,
        opportunityName: data.opp.Name,
        currencyIsoCode: data.currencyIsoCode,
        amount: data.opp.Amount,
        doNotSend: account !== null && account.Unleashed_Do_Not_Send__c === true,
        doNotSendReason: account?.Unleashed_Do_Not_Send_Reason__c ?? null,
        account: account
            ? {
                  id: account.Id,
                  name: account.Name,
                  isPersonAccount: data.isPersonAccount,
                  customerCode: account.Unleashed_Customer_Code__c,
                  proposedCustomerCode: proposedCustomerCode(account),
                  email: data.accountEmail,
                  phone: account.Phone
              }
            : null,
        warehouses: refs.warehouseOptions(),
        taxes: refs.taxOptions(),
        salesPersons: refs.salesPersonOptions(),
        deliveryMethods: refs.deliveryMethodOptions(),
        defaults,
        shippingAddress: shippingAddress(account),
        billingAddress: billingAddress(account),
        order: {
            orderGuid: data.opp.Unleashed_Order_Guid__c,
            orderNumber: data.opp.Unleashed_Order_Number__c,
            status: data.opp.Unleashed_Order_Status__c,
            lastSent: auraDatetime(data.opp.Unleashed_Last_Sent__c),
            editable: orderEditable(data)
        },
        blocking: problems(ctx, data, defaults)
    };
}

function messages(items: unknown[]): string[] {
    const result: string[] = [];
    for (const item of items) {
        if (isObject(item)) result.push(str(item, 'message') ?? JSON.stringify(item));
        else if (item !== null && item !== undefined) result.push(String(item));
    }
    return result;
}

export async function previewOrder(
    ctx: ApexContext,
    opportunityId: string | null,
    choicesJson: string | null
): Promise<unknown> {
    const p = await prepare(ctx, opportunityId, parseChoices(choicesJson));
    let answer: Json;
    try {
        answer = asMap(await ctx.middleware.post(PREVIEW_PATH, snapshotJson(p.snapshot)));
    } catch (err) {
        if (err instanceof MiddlewareError)
            throw new AuraError(`Unleashed could not preview this order: ${err.message}`);
        throw err;
    }
    const rows = objects(answer, 'lines');
    const lines = rows.map((row, i) => {
        const lineNumber = integerValue(row, 'lineNumber');
        const index = lineNumber === null ? i : lineNumber - 1;
        const source = index >= 0 && index < p.snapshot.lines.length ? p.snapshot.lines[index] : undefined;
        return {
            lineNumber: str(row, 'lineNumber'),
            productCode: str(row, 'productCode'),
            description: source?.description ?? null,
            quantity: str(row, 'quantity'),
            unitPrice: str(row, 'unitPrice'),
            discountPercent: source?.discountPercent ? source.discountPercent.toFixed() : null,
            taxCode: str(row, 'taxCode'),
            taxRate: str(row, 'taxRate'),
            lineTotal: str(row, 'lineTotal'),
            lineTax: str(row, 'lineTax')
        };
    });
    const subTotal = dec(answer, 'subTotal');
    const amount = decimalOf(p.data.opp.Amount);
    const expected = (amount ?? new Decimal(0)).plus(freight(p.data));
    const warnings = messages(arr(answer, 'warnings'));
    if (p.data.omittedFields.length > 0)
        warnings.push(`Left out because you cannot read them: ${p.data.omittedFields.join(', ')}.`);
    // Without read access to Amount there is nothing to compare with.
    const amountReadable = !(ctx.org.unreadableFields ?? []).some(
        (f) => f.toLowerCase() === 'opportunity.amount'
    );
    return {
        lines,
        subTotal: str(answer, 'subTotal'),
        taxTotal: str(answer, 'taxTotal'),
        total: str(answer, 'total'),
        currencyCode: str(answer, 'currencyCode'),
        opportunityAmount: num(amount),
        amountDiffers:
            subTotal !== null &&
            amountReadable &&
            !subTotal.toDecimalPlaces(2).eq(expected.toDecimalPlaces(2)),
        warnings,
        errors: messages(arr(answer, 'errors'))
    };
}

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

async function save(
    ctx: ApexContext,
    change: Record<string, unknown> & { Id: string },
    failurePrefix: string
) {
    try {
        await ctx.org.data.update('Opportunity', change);
    } catch (err) {
        if (err instanceof DmlError) {
            throw new AuraError(`${failurePrefix}the Opportunity could not be updated: ${err.dmlMessage}`);
        }
        throw err;
    }
}

const left = (v: string | null | undefined, max: number) =>
    v === null || v === undefined ? null : v.slice(0, max);

async function recordSuccess(
    ctx: ApexContext,
    p: Prepared,
    answer: Json,
    attempt: number
): Promise<SendResult> {
    const result: SendResult = {
        success: true,
        errorMessage: null,
        syncLogId: null,
        orderGuid: str(answer, 'orderGuid'),
        orderNumber: str(answer, 'orderNumber'),
        status: str(answer, 'status'),
        subTotal: str(answer, 'subTotal'),
        taxTotal: str(answer, 'taxTotal'),
        total: str(answer, 'total'),
        customerCode: str(answer, 'customerCode'),
        created: bool(answer, 'created') === true,
        warnings: messages(arr(answer, 'warnings'))
    };
    const address: Partial<Address> = p.choices.deliveryAddress ?? {};
    await save(
        ctx,
        {
            Id: p.data.opp.Id,
            Unleashed_Order_Guid__c: result.orderGuid,
            Unleashed_Order_Number__c: result.orderNumber,
            Unleashed_Order_Status__c: result.status,
            Unleashed_Sub_Total__c: num(dec(answer, 'subTotal')),
            Unleashed_Tax_Total__c: num(dec(answer, 'taxTotal')),
            Unleashed_Total__c: num(dec(answer, 'total')),
            Unleashed_Last_Sent__c: ctx.now().toISOString(),
            Unleashed_Last_Error__c: null,
            // The choices stay on the Opportunity so the next send starts from them.
            ...p.refs.lookups(p.choices),
            Unleashed_Order_Status_To_Create__c: p.choices.orderStatus,
            Unleashed_Required_Date__c: parseDate(p.choices.requiredDate),
            Unleashed_Comments__c: p.choices.comments,
            Unleashed_Delivery_Name__c: left(address.name, 255),
            Unleashed_Delivery_Street__c: left(address.street, 255),
            Unleashed_Delivery_Suburb__c: left(address.suburb, 255),
            Unleashed_Delivery_City__c: left(address.city, 255),
            Unleashed_Delivery_Region__c: left(address.region, 255),
            Unleashed_Delivery_Country__c: left(address.country, 255),
            Unleashed_Delivery_Postal_Code__c: left(address.postalCode, 20)
        },
        `Sales order ${apexText(result.orderNumber)} was saved in Unleashed, but `
    );
    // The Unleashed customer code goes onto an account that had none; an account the user may not
    // edit is left as it is (Database.update with allOrNone false).
    const account = p.data.account;
    if (account && !isBlank(result.customerCode) && isBlank(account.Unleashed_Customer_Code__c)) {
        await ctx.org.data
            .update('Account', {
                Id: account.Id,
                Unleashed_Customer_Code__c: (result.customerCode as string).slice(0, 50)
            })
            .catch(() => undefined);
    }
    result.syncLogId = await recordLog(ctx, {
        ...logEntry(p, STATUS_SUCCESS, attempt),
        requestSummary: `${summary(p.snapshot)} -> ${apexText(result.orderNumber)} ${apexText(result.status)}`,
        errorText: null
    });
    return result;
}

async function recordFailure(
    ctx: ApexContext,
    p: Prepared,
    message: string,
    attempt: number
): Promise<SendResult> {
    await save(
        ctx,
        { Id: p.data.opp.Id, Unleashed_Last_Error__c: message.slice(0, ERROR_MAX) },
        `Unleashed refused the order (${message}), and `
    );
    const syncLogId = await recordLog(ctx, {
        ...logEntry(p, STATUS_ERROR, attempt),
        requestSummary: summary(p.snapshot),
        errorText: message,
        retryPayload: JSON.stringify(p.choices)
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
    const p = await prepare(ctx, opportunityId, parseChoices(choicesJson));
    let answer: Json;
    try {
        answer = asMap(await ctx.middleware.post(ORDERS_PATH, snapshotJson(p.snapshot)));
    } catch (err) {
        if (err instanceof MiddlewareError) return recordFailure(ctx, p, err.message, attempt);
        throw err;
    }
    return recordSuccess(ctx, p, answer, attempt);
}

export function sendOrder(ctx: ApexContext, opportunityId: string | null, choicesJson: string | null) {
    return sendWithChoices(ctx, opportunityId, choicesJson, 1);
}
