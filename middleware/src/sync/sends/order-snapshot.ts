import { HttpProblem } from '../../problem';
import { type OpportunitySnapshot, opportunitySnapshotSchema } from '../orders/snapshot';
import { accountAddress, type Choices, customerContact, trimmed } from './choices';
import { decimalOrNull, freightOf, orderNumberOf, parseDate } from './checks';
import type { SendRecords } from './records';

/**
 * The order snapshot (sync/orders/snapshot.ts) made from the gathered records and the effective
 * choices: the one mapping from Salesforce's records to what the order rules plan from.
 */

export const FREIGHT_LINE_ID = 'freight';

/** The currency the customer trades in: the Account's Unleashed currency, its own, the Opportunity's. */
export function customerCurrency(records: SendRecords): string | null {
    const account = records.account;
    return (
        trimmed(account?.unleashedCurrency) ??
        trimmed(account?.currencyIsoCode) ??
        trimmed(records.opportunity.currencyIsoCode)
    );
}

export function buildSnapshot(records: SendRecords, choices: Choices): OpportunitySnapshot {
    const account = records.account;
    const contact = customerContact(records);
    const mapped = records.mapped;
    const mappedLines = new Map((mapped?.lines ?? []).map((l) => [l.lineId, l.comments ?? null]));
    const lines: Record<string, unknown>[] = records.lines.map((l) => ({
        lineId: l.lineId,
        productCode: trimmed(l.productCode) ?? '',
        productGuid: trimmed(l.productGuid),
        description: trimmed(l.description) ?? trimmed(l.productName),
        quantity: decimalOrNull(l.quantity)?.toString() ?? '0',
        unitPrice: decimalOrNull(l.unitPrice)?.toString() ?? '0',
        discountPercent: decimalOrNull(l.discountPercent)?.toString() ?? '0',
        taxCode: trimmed(l.taxCode),
        comments: trimmed(mappedLines.get(l.lineId))
    }));
    const freight = freightOf(records);
    if (freight.gt(0))
        lines.push({
            lineId: FREIGHT_LINE_ID,
            productCode: trimmed(records.settings.freightProductCode) ?? '',
            productGuid: null,
            description: 'Freight',
            quantity: '1',
            unitPrice: freight.toString(),
            discountPercent: '0',
            taxCode: null
        });
    const draft = {
        opportunityId: records.opportunity.id,
        opportunityNumber: orderNumberOf(records),
        currencyIsoCode: trimmed(records.opportunity.currencyIsoCode),
        account: {
            id: account?.id,
            name: account?.name ?? '',
            isPersonAccount: account?.isPersonAccount ?? false,
            firstName: contact.firstName,
            lastName: contact.lastName,
            customerCode: trimmed(choices.customerCode),
            email: contact.email,
            phone: contact.phone,
            currencyIsoCode: customerCurrency(records),
            billingAddress: accountAddress(records, 'billing'),
            shippingAddress: accountAddress(records, 'shipping')
        },
        newCustomerCode: trimmed(choices.customerCode) ? null : trimmed(choices.newCustomerCode),
        warehouseCode: trimmed(choices.warehouseCode) ?? '',
        taxCode: trimmed(choices.taxCode),
        salesPersonEmail: trimmed(choices.salesPersonEmail),
        deliveryMethod: trimmed(choices.deliveryMethod),
        orderStatus: choices.orderStatus ?? undefined,
        // The Close Date when the settings say so; null lets the order rules use today.
        orderDate:
            records.settings.orderDateSource === 'CloseDate'
                ? parseDate(records.opportunity.closeDate)
                : null,
        requiredDate: parseDate(choices.requiredDate),
        comments: trimmed(choices.comments),
        customerRef: trimmed(mapped?.customerRef),
        deliveryInstruction: trimmed(mapped?.deliveryInstruction),
        sourceId: trimmed(mapped?.sourceId),
        salesOrderGroup: trimmed(choices.salesOrderGroup),
        deliveryAddress: choices.deliveryAddress,
        lines
    };
    const parsed = opportunitySnapshotSchema.safeParse(draft);
    if (!parsed.success) {
        // The checks run first, so what is left is a value Salesforce holds that Unleashed cannot take
        // (e.g. an email in the wrong form): named by where it sits, never by a schema path.
        const reasons = parsed.error.issues.map((i) => `${describePath(records, i.path)} ${i.message}`);
        throw new HttpProblem(422, 'The order cannot be sent', reasons.join('. ') + '.', {
            blocking: reasons
        });
    }
    return parsed.data;
}

const FIELD_WORDS: Record<string, string> = {
    email: "The customer's email",
    phone: "The customer's phone number",
    name: 'The Account name',
    firstName: "The contact's first name",
    lastName: "The contact's last name",
    comments: 'The comments',
    deliveryAddress: 'The delivery address',
    salesPersonEmail: "The salesperson's email",
    currencyIsoCode: 'The currency',
    warehouseCode: 'The warehouse code',
    newCustomerCode: 'The new customer code',
    customerCode: 'The customer code'
};

function describePath(records: SendRecords, path: PropertyKey[]): string {
    if (path[0] === 'lines' && typeof path[1] === 'number') {
        const line = records.lines[path[1]];
        const product = trimmed(line?.productName) ?? trimmed(line?.productCode) ?? 'freight';
        return `Line ${path[1] + 1} (${product}): ${String(path[2] ?? '')}`;
    }
    const last = [...path].reverse().find((p) => typeof p === 'string' && FIELD_WORDS[p]);
    return last ? FIELD_WORDS[last as string]! : path.map(String).join(' ');
}

/** One line for the Sync Log: what was sent, without personal data beyond the customer code. */
export function summaryOf(s: OpportunitySnapshot): string {
    const customer = s.account.customerCode
        ? `customer ${s.account.customerCode}`
        : `new customer ${s.newCustomerCode ?? ''}`;
    const word = s.opportunityId.startsWith('801') ? 'Order' : 'Opportunity';
    return `${word} ${s.opportunityId}: ${s.lines.length} line(s), warehouse ${s.warehouseCode}, ${customer}, status ${s.orderStatus}, currency ${s.currencyIsoCode ?? ''}`;
}
