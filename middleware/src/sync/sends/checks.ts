import { Decimal } from 'decimal.js';
import { type Choices, STATUS_PARKED, STATUS_PLACED, blank, trimmed } from './choices';
import { type SendRecords, sourceWord } from './records';

/**
 * What stops an Opportunity from being sent, in words a sales rep can act on, and what the rep must
 * confirm first. The dialog shows the problems as soon as it opens; preview and send refuse with
 * them and change nothing.
 */

const ORDER_NUMBER_MAX = 40;
const DEFAULT_LARGE_QUANTITY = new Decimal(1000);
const DEFAULT_LARGE_TOTAL = new Decimal(100000);

/** A number as Salesforce stored it, or null when blank or not a number. */
export function decimalOrNull(v: number | string | null | undefined): Decimal | null {
    if (v === null || v === undefined || (typeof v === 'string' && v.trim() === '')) return null;
    try {
        const d = new Decimal(typeof v === 'string' ? v.trim() : v);
        return d.isFinite() ? d : null;
    } catch {
        return null;
    }
}

export function freightOf(records: SendRecords): Decimal {
    return decimalOrNull(records.opportunity.freight) ?? new Decimal(0);
}

export function hasOrder(records: SendRecords): boolean {
    return !blank(records.opportunity.order.guid);
}

/**
 * Only a Parked order (or one whose status is not known yet) may be changed; after Unleashed deleted
 * the order, a send makes a new one.
 */
export function orderEditable(records: SendRecords): boolean {
    const status = records.opportunity.order.status;
    return !hasOrder(records) || blank(status) || status === STATUS_PARKED || status === STATUS_DELETED;
}

export const STATUS_DELETED = 'Deleted';

/** A yyyy-MM-dd date that exists, or null. */
export function parseDate(text: string | null | undefined): string | null {
    const t = text?.trim() ?? '';
    if (!/^\d{4}-\d{2}-\d{2}$/.test(t)) return null;
    const d = new Date(`${t}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === t ? t : null;
}

/** The order number taken from the Opportunity, or null when Unleashed numbers the order. */
export function orderNumberOf(records: SendRecords): string | null {
    const n = records.numbering;
    if (!n || blank(n.fieldName) || n.settingIssue) return null;
    const value = trimmed(n.value);
    return value === null ? null : `${n.prefix ?? ''}${value}`;
}

function orderNumberProblem(records: SendRecords): string | null {
    const n = records.numbering;
    if (!n) return null;
    const issue = n.settingIssue;
    if (issue?.kind === 'not-a-field')
        return `The Unleashed setting Order Number Field is "${issue.configured ?? ''}", which is not a field on ${sourceWord(records)}. An administrator can correct it (the API name of an ${sourceWord(records)} field, e.g. an auto-number field) in Setup > Custom Settings > Unleashed Settings, or uncheck Use Opportunity Number.`;
    if (issue?.kind === 'unreadable')
        return `You cannot read the ${sourceWord(records)} field ${issue.label ?? ''} (${issue.configured ?? ''}) that Unleashed order numbers are taken from. Ask an administrator for access.`;
    if (issue?.kind === 'wrong-type')
        return `The Unleashed setting Order Number Field names the ${sourceWord(records)} field ${issue.configured ?? ''}, which is a ${(issue.type ?? '').toLowerCase()} field. An administrator can choose a text, auto-number or number field instead.`;
    if (blank(n.fieldName)) return null;
    const orderNumber = orderNumberOf(records);
    if (orderNumber === null)
        return `The ${sourceWord(records)} has no ${n.fieldLabel ?? n.fieldName ?? ''}, which its Unleashed order number is taken from. Fill it in before sending.`;
    if (orderNumber.length > ORDER_NUMBER_MAX)
        return `The order number ${orderNumber} is longer than the ${ORDER_NUMBER_MAX} characters allowed. An administrator can shorten the Order Number Prefix or choose another Order Number Field.`;
    return null;
}

/** A line's name for a rep: "Line 2 (Blue widget)". */
export function lineName(records: SendRecords, index: number): string {
    const line = records.lines[index];
    const product = trimmed(line?.productName) ?? trimmed(line?.productCode) ?? 'a product';
    return `Line ${index + 1} (${product})`;
}

/** Problems with the lines themselves, one plain sentence per line. */
export function lineProblems(records: SendRecords): string[] {
    const result: string[] = [];
    const noCode: string[] = [];
    records.lines.forEach((line, i) => {
        const where = lineName(records, i);
        if (blank(line.productCode)) noCode.push(trimmed(line.productName) ?? `line ${i + 1}`);
        const quantity = decimalOrNull(line.quantity);
        if (quantity === null)
            result.push(`${where} has no quantity. Enter one on the ${sourceWord(records)}'s product line.`);
        else if (quantity.lte(0))
            result.push(
                `${where} has a quantity of ${quantity.toString()}. Enter a quantity greater than 0 on the ${sourceWord(records)}'s product line, or remove the line.`
            );
        else if (quantity.gt(1e9))
            result.push(`${where} has a quantity of ${quantity.toString()}, more than Unleashed accepts.`);
        const price = decimalOrNull(line.unitPrice);
        if (price === null)
            result.push(
                `${where} has no sales price. Enter one on the ${sourceWord(records)}'s product line.`
            );
        else if (price.lt(0))
            result.push(
                `${where} has a negative sales price (${price.toString()}). Unleashed takes credits as credit notes, not as order lines.`
            );
        const discount = decimalOrNull(line.discountPercent);
        if (discount !== null && (discount.lt(0) || discount.gt(100)))
            result.push(
                `${where} has a discount of ${discount.toString()}%. A discount is between 0 and 100%.`
            );
    });
    if (noCode.length > 0)
        result.unshift(
            `These products have no Unleashed product code: ${noCode.join(', ')}. Import products from Unleashed, or enter the code on the Product.`
        );
    return result;
}

/** Everything that stops a send of these records with these choices, in the order a rep would fix it. */
export function blockingProblems(records: SendRecords, choices: Choices): string[] {
    const result: string[] = [];
    const account = records.account;
    const word = sourceWord(records);
    if (!account) result.push(`The ${word} has no Account. Add one before sending it to Unleashed.`);
    else if (account.doNotSend) {
        const reason = trimmed(account.doNotSendReason);
        result.push(`The account is marked "Do not send to Unleashed"${reason ? `: ${reason}` : '.'}`);
    }
    const numberProblem = orderNumberProblem(records);
    if (numberProblem) result.push(numberProblem);
    if (records.lines.length === 0) result.push(`The ${word} has no products.`);
    result.push(...lineProblems(records));
    if (freightOf(records).gt(0) && blank(records.settings.freightProductCode))
        result.push(`The ${word} has freight, but no freight product code is set in the Unleashed settings.`);
    if (!orderEditable(records))
        result.push(
            `Sales order ${records.opportunity.order.number ?? ''} is ${records.opportunity.order.status ?? ''} in Unleashed; only a Parked order can be changed.`
        );
    if (blank(choices.warehouseCode)) result.push('Choose the warehouse the order ships from.');
    if (account && blank(choices.customerCode) && blank(choices.newCustomerCode))
        result.push('Choose the Unleashed customer, or enter a code for a new one.');
    if (choices.orderStatus !== STATUS_PARKED && choices.orderStatus !== STATUS_PLACED)
        result.push('The order status must be Parked or Placed.');
    if (!blank(choices.requiredDate) && parseDate(choices.requiredDate) === null)
        result.push('The required date must be a date written as yyyy-MM-dd.');
    return result;
}

export interface Confirmation {
    key: string;
    message: string;
}

/**
 * What looks unusual enough to ask the rep first: a zero-price line, an unusually large quantity, an
 * unusually large total (thresholds in the package settings).
 */
export function confirmationsFor(
    records: SendRecords,
    total: Decimal | null,
    currencyCode: string | null
): Confirmation[] {
    const largeQuantity = decimalOrNull(records.settings.largeQuantity) ?? DEFAULT_LARGE_QUANTITY;
    const largeTotal = decimalOrNull(records.settings.largeTotal) ?? DEFAULT_LARGE_TOTAL;
    const result: Confirmation[] = [];
    records.lines.forEach((line, i) => {
        const where = lineName(records, i);
        const price = decimalOrNull(line.unitPrice);
        const discount = decimalOrNull(line.discountPercent);
        if (price !== null && (price.isZero() || discount?.eq(100)))
            result.push({
                key: `zero-price:${line.lineId}`,
                message: `${where} is free of charge (price 0). Confirm that it is meant to be.`
            });
        const quantity = decimalOrNull(line.quantity);
        if (quantity !== null && largeQuantity.gt(0) && quantity.gte(largeQuantity))
            result.push({
                key: `large-quantity:${line.lineId}`,
                message: `${where} orders ${quantity.toString()} units, at or above the ${largeQuantity.toString()} your administrator set as unusual. Confirm the quantity.`
            });
    });
    if (total !== null && largeTotal.gt(0) && total.gte(largeTotal))
        result.push({
            key: 'large-total',
            message:
                `The order totals ${total.toFixed(2)} ${currencyCode ?? ''}, at or above the ${largeTotal.toString()} your administrator set as unusual. Confirm the total.`.replace(
                    ' ,',
                    ','
                )
        });
    return result;
}

/** The confirmations still missing from the rep's choices, as refusals. */
export function unconfirmed(confirmations: Confirmation[], choices: Choices): Confirmation[] {
    const given = new Set(choices.confirmed);
    return confirmations.filter((c) => !given.has(c.key));
}
