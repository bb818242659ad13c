import { Decimal } from 'decimal.js';
import { nameKey } from '../imports/account-names';
import { HttpProblem } from '../../problem';
import { CustomerSchema, ProductSchema, type UnleashedCustomer } from '../../unleashed/schemas';
import type { UnleashedClient } from '../../unleashed/types';
import type { UnleashedCatalog } from '../catalog';
import type { SalesOrderService, TenantRef } from '../orders/service';
import type { OpportunitySnapshot } from '../orders/snapshot';
import type { ContextAnswer, SendPreview, SendResult } from './answers';
import {
    accountAddress,
    blank,
    type Choices,
    customerContact,
    defaultChoices,
    proposedCustomerCode,
    ReferenceOptions,
    trimmed,
    withDefaults
} from './choices';
import {
    blockingProblems,
    confirmationsFor,
    decimalOrNull,
    freightOf,
    lineName,
    orderEditable,
    parseDate,
    STATUS_DELETED,
    unconfirmed
} from './checks';
import { buildSnapshot, summaryOf } from './order-snapshot';
import { type ChoicesInput, type SendRecords, sourceWord } from './records';

/**
 * Send to Unleashed from the records Salesforce gathered: the dialog's context (defaults, options,
 * what blocks the send, existing customers that look like the Account), the exact preview, and the
 * send itself with what Salesforce should store afterwards. The order rules themselves live in
 * sync/orders; this module turns records into their snapshot and their answers into the DTOs.
 */

const MATCH_LIMIT = 5;
/** GUIDs per Products call when asking for a customer's prices. */
const PRICE_BATCH = 100;
const MONEY_SCALE = 2;

export class SendFlow {
    constructor(private readonly deps: { orders: SalesOrderService; catalog: UnleashedCatalog }) {}

    async context(tenant: TenantRef, client: UnleashedClient, records: SendRecords): Promise<ContextAnswer> {
        const refs = new ReferenceOptions(records);
        const defaults = defaultChoices(records, refs);
        const blocking = blockingProblems(records, defaults);
        const notices: string[] = [];
        const account = records.account;
        // Unleashed is asked about the products and the customer as soon as the dialog opens, so a
        // rep learns of an unknown code at the first step, not the third. Unleashed being slow or
        // down leaves those checks to the preview, with a notice.
        const [productProblems, matches] = await Promise.all([
            this.unknownProducts(tenant, client, records).catch(() => {
                notices.push(
                    'Unleashed could not be asked about the products yet; the review step checks them.'
                );
                return [];
            }),
            account && blank(account.customerCode)
                ? this.customerMatches(client, records).catch(() => [])
                : Promise.resolve([])
        ]);
        blocking.push(...productProblems);
        if (records.omittedFields.length > 0)
            notices.push(`Left out because you cannot read them: ${records.omittedFields.join(', ')}.`);
        if (records.opportunity.order.status === STATUS_DELETED)
            notices.push(
                `Sales order ${records.opportunity.order.number ?? ''} was deleted in Unleashed: sending creates a new sales order.`.replace(
                    '  ',
                    ' '
                )
            );
        const contact = customerContact(records);
        return {
            opportunityId: records.opportunity.id,
            opportunityName: records.opportunity.name ?? null,
            currencyIsoCode: trimmed(records.opportunity.currencyIsoCode),
            amount: records.opportunity.amountReadable
                ? toNumber(decimalOrNull(records.opportunity.amount))
                : null,
            doNotSend: account?.doNotSend ?? false,
            doNotSendReason: trimmed(account?.doNotSendReason),
            account: account
                ? {
                      id: account.id,
                      name: account.name ?? null,
                      isPersonAccount: account.isPersonAccount,
                      customerCode: trimmed(account.customerCode),
                      proposedCustomerCode: proposedCustomerCode(records),
                      email: contact.email,
                      phone: contact.phone,
                      contactName: contactWords(contact),
                      customerMatches: matches
                  }
                : null,
            warehouses: refs.warehouses(),
            taxes: refs.taxes(),
            salesPersons: refs.salesPersons(),
            deliveryMethods: refs.deliveryMethods(),
            salesOrderGroups: refs.salesOrderGroups(),
            defaults,
            shippingAddress: accountAddress(records, 'shipping'),
            billingAddress: accountAddress(records, 'billing'),
            order: {
                orderGuid: trimmed(records.opportunity.order.guid),
                orderNumber: trimmed(records.opportunity.order.number),
                status: trimmed(records.opportunity.order.status),
                lastSent: trimmed(records.opportunity.order.lastSent),
                editable: orderEditable(records)
            },
            blocking,
            notices
        };
    }

    async preview(
        tenant: TenantRef,
        client: UnleashedClient,
        records: SendRecords,
        given: ChoicesInput | null | undefined
    ): Promise<SendPreview> {
        const { choices, snapshot: asGiven } = prepare(records, given);
        const prices = await this.customerPrices(tenant, client, asGiven);
        const snapshot = choices.useUnleashedPrices ? withPrices(asGiven, prices) : asGiven;
        const answer = await this.deps.orders.preview(tenant, client, snapshot);
        const subTotal = new Decimal(answer.subTotal);
        const amount = decimalOrNull(records.opportunity.amount);
        const expected = (amount ?? new Decimal(0)).plus(freightOf(records));
        // Without read access to Amount there is nothing to compare with.
        const comparable = records.opportunity.amountReadable && amount !== null;
        const amountDiffers =
            comparable && !subTotal.toDecimalPlaces(MONEY_SCALE).eq(expected.toDecimalPlaces(MONEY_SCALE));
        const warnings = [...answer.warnings];
        if (choices.useUnleashedPrices && prices.size > 0)
            warnings.push(
                `The lines carry the prices Unleashed charges ${snapshot.account.customerCode ?? 'this customer'}, not the ${sourceWord(records)}'s.`
            );
        if (records.omittedFields.length > 0)
            warnings.push(`Left out because you cannot read them: ${records.omittedFields.join(', ')}.`);
        const priceOf = (lineId: string) => prices.get(lineId) ?? null;
        // Compared with what the Opportunity would send: its net price, as Unleashed rounds it.
        const netAsGiven = new Map<string, string>();
        if (!choices.useUnleashedPrices) for (const l of answer.lines) netAsGiven.set(l.lineId, l.unitPrice);
        const differs = (lineId: string, net: string) => {
            const price = priceOf(lineId);
            return price !== null && !price.eq(new Decimal(netAsGiven.get(lineId) ?? net));
        };
        return {
            lines: answer.lines.map((l, i) => ({
                customerPrice: priceOf(l.lineId)?.toFixed(MONEY_SCALE) ?? null,
                customerPriceDiffers: !choices.useUnleashedPrices && differs(l.lineId, l.unitPrice),
                lineNumber: String(l.lineNumber),
                productCode: l.productCode,
                description: l.description,
                quantity: l.quantity,
                listPrice: asGiven.lines[i]?.unitPrice.toString() ?? l.unitPrice,
                discountPercent: new Decimal(l.discountPercent).isZero() ? null : l.discountPercent,
                unitPrice: l.unitPrice,
                taxCode: l.taxCode,
                taxRate: l.taxRate,
                lineTotal: l.lineTotal,
                lineTax: l.lineTax
            })),
            subTotal: answer.subTotal,
            taxTotal: answer.taxTotal,
            total: answer.total,
            currencyCode: answer.currencyCode,
            opportunityAmount: records.opportunity.amountReadable ? toNumber(amount) : null,
            amountDiffers,
            amountNote: !amountDiffers
                ? null
                : choices.useUnleashedPrices && prices.size > 0
                  ? `Unleashed's subtotal ${subTotal.toFixed(MONEY_SCALE)} differs from the ${sourceWord(records)}'s ${expected.toFixed(MONEY_SCALE)}: the lines carry Unleashed's prices for this customer.`
                  : amountNote(subTotal, expected, snapshot, answer.currencyCode, sourceWord(records)),
            warnings,
            errors: answer.errors,
            confirmations: unconfirmed(
                confirmationsFor(records, new Decimal(answer.total), answer.currencyCode),
                choices
            ),
            customerPricesDiffer:
                !choices.useUnleashedPrices && answer.lines.some((l) => differs(l.lineId, l.unitPrice)),
            usingUnleashedPrices: choices.useUnleashedPrices && prices.size > 0
        };
    }

    /**
     * Sends the order. A problem found before Unleashed is asked is a 422 with `blocking` (nothing was
     * sent); a refusal by Unleashed keeps its status and carries `summary` and `choices`, so
     * Salesforce can log it and offer a retry of the same choices.
     */
    async send(
        tenant: TenantRef,
        client: UnleashedClient,
        records: SendRecords,
        given: ChoicesInput | null | undefined
    ): Promise<SendResult> {
        const { choices, snapshot: asGiven } = prepare(records, given);
        const snapshot = choices.useUnleashedPrices
            ? withPrices(asGiven, await this.customerPrices(tenant, client, asGiven))
            : asGiven;
        const summary = summaryOf(snapshot);
        let answer;
        try {
            const missing = unconfirmed(confirmationsFor(records, null, null), choices);
            // The total's confirmation needs the total: only the preview can ask for it, so a send
            // that did not confirm it is checked against the total Unleashed would compute.
            const total =
                missing.length === 0 &&
                (await this.needsTotalConfirmation(tenant, client, records, snapshot, choices));
            if (missing.length > 0 || total) {
                const all = [...missing, ...(total ? [total] : [])];
                throw new HttpProblem(422, 'Please confirm first', all.map((c) => c.message).join(' '), {
                    blocking: all.map((c) => c.message),
                    confirmations: all
                });
            }
            answer = await this.deps.orders.send(tenant, client, snapshot);
        } catch (err) {
            if (err instanceof HttpProblem && !('blocking' in err.extras))
                throw new HttpProblem(err.status, err.title, err.detail, {
                    ...err.extras,
                    summary,
                    choices
                });
            throw err;
        }
        const refs = new ReferenceOptions(records);
        const address = choices.deliveryAddress;
        const account = records.account;
        return {
            success: true,
            orderGuid: answer.orderGuid,
            orderNumber: answer.orderNumber,
            status: answer.status,
            subTotal: answer.subTotal,
            taxTotal: answer.taxTotal,
            total: answer.total,
            customerCode: answer.customerCode,
            created: answer.created,
            warnings: answer.warnings,
            remember: {
                ...refs.lookups(choices),
                orderStatus: choices.orderStatus,
                requiredDate: parseDate(choices.requiredDate),
                comments: choices.comments,
                deliveryAddress: {
                    name: cut(address?.name, 255),
                    street: cut(address?.street, 255),
                    suburb: cut(address?.suburb, 255),
                    city: cut(address?.city, 255),
                    region: cut(address?.region, 255),
                    country: cut(address?.country, 255),
                    postalCode: cut(address?.postalCode, 20)
                }
            },
            accountCustomerCode:
                account && blank(account.customerCode) && !blank(answer.customerCode)
                    ? answer.customerCode.slice(0, 50)
                    : null,
            summary: `${summary} -> ${answer.orderNumber ?? ''} ${answer.status}`,
            choices
        };
    }

    private async needsTotalConfirmation(
        tenant: TenantRef,
        client: UnleashedClient,
        records: SendRecords,
        snapshot: OpportunitySnapshot,
        choices: Choices
    ) {
        if (choices.confirmed.includes('large-total')) return null;
        // A cheap upper bound first: the lines before tax and discount. Only an order that may be
        // large costs a preview.
        const gross = snapshot.lines.reduce(
            (sum, l) => sum.plus(l.quantity.times(l.unitPrice)),
            new Decimal(0)
        );
        const probe = confirmationsFor(records, gross.times(2), null).find((c) => c.key === 'large-total');
        if (!probe) return null;
        const preview = await this.deps.orders.preview(tenant, client, snapshot);
        return (
            confirmationsFor(records, new Decimal(preview.total), preview.currencyCode).find(
                (c) => c.key === 'large-total'
            ) ?? null
        );
    }

    /**
     * What Unleashed charges the order's existing customer per line (its own price, tier and
     * discount: Products asked with `customerCode` fill CustomerSellPrice), by line id. Empty for a
     * new customer, and when Unleashed cannot say: the Opportunity's prices then stand.
     */
    private async customerPrices(
        tenant: TenantRef,
        client: UnleashedClient,
        s: OpportunitySnapshot
    ): Promise<Map<string, Decimal>> {
        const out = new Map<string, Decimal>();
        const customerCode = s.account.customerCode;
        if (!customerCode) return out;
        const products = await this.deps.catalog.productsByCode(tenant.orgId, client, s.lines);
        const guids = [...new Set([...products.values()].map((p) => p.guid))];
        const priceByGuid = new Map<string, Decimal>();
        for (let i = 0; i < guids.length; i += PRICE_BATCH) {
            const batch = guids.slice(i, i + PRICE_BATCH);
            const page = await client.getPage(
                'Products',
                1,
                { productId: batch.join(','), customerCode, pageSize: PRICE_BATCH },
                ProductSchema
            );
            for (const p of page.items)
                if (p.CustomerSellPrice !== null && p.CustomerSellPrice !== undefined)
                    priceByGuid.set(p.Guid.toLowerCase(), new Decimal(p.CustomerSellPrice.toString()));
        }
        for (const l of s.lines) {
            const guid = products.get(l.productCode)?.guid.toLowerCase();
            const price = guid ? priceByGuid.get(guid) : undefined;
            if (price) out.set(l.lineId, price);
        }
        return out;
    }

    /** Lines whose product Unleashed does not have, or will not sell, named for the rep. */
    private async unknownProducts(tenant: TenantRef, client: UnleashedClient, records: SendRecords) {
        const lines = records.lines
            .map((l, i) => ({
                index: i,
                productCode: trimmed(l.productCode),
                productGuid: trimmed(l.productGuid)
            }))
            .filter(
                (l): l is { index: number; productCode: string; productGuid: string | null } =>
                    l.productCode !== null
            );
        if (lines.length === 0) return [];
        const products = await this.deps.catalog.productsByCode(tenant.orgId, client, lines);
        const problems: string[] = [];
        for (const l of lines) {
            const where = lineName(records, l.index);
            const product = products.get(l.productCode);
            if (!product)
                problems.push(
                    `${where}: Unleashed has no product with code ${l.productCode}. Correct the code on the Product, or remove the line.`
                );
            else if (product.obsolete)
                problems.push(
                    `${where}: product ${l.productCode} is obsolete in Unleashed. Remove the line or choose another product.`
                );
            else if (!product.sellable)
                problems.push(
                    `${where}: product ${l.productCode} is not sold in Unleashed. Remove the line or choose another product.`
                );
        }
        return problems;
    }

    /**
     * Existing Unleashed customers that look like an Account without a customer code: the same name
     * (Unleashed's name filter matches prefixes; kept only when the whole name is the same as the
     * import compares names: trimmed, runs of spaces as one, ignoring case) or the same contact email.
     */
    private async customerMatches(client: UnleashedClient, records: SendRecords) {
        const account = records.account!;
        // Unleashed's name filter matches prefixes without case (as far as known): the name with its
        // spaces collapsed finds "Beta Builders" for "beta  builders".
        const name = trimmed(account.name)?.replace(/\s+/g, ' ') ?? null;
        const email = customerContact(records).email;
        const [byName, byEmail] = await Promise.all([
            name ? this.customersWhere(client, { customerName: name }) : Promise.resolve([]),
            email ? this.customersWhere(client, { contactEmail: email }) : Promise.resolve([])
        ]);
        const seen = new Set<string>();
        const out: NonNullable<ContextAnswer['account']>['customerMatches'] = [];
        const add = (c: UnleashedCustomer, matchedBy: 'name' | 'email') => {
            if (seen.has(c.CustomerCode) || c.Obsolete === true || out.length >= MATCH_LIMIT) return;
            seen.add(c.CustomerCode);
            out.push({
                code: c.CustomerCode,
                name: c.CustomerName ?? c.CustomerCode,
                email: c.Email ?? null,
                currencyCode: c.Currency?.CurrencyCode ?? null,
                matchedBy
            });
        };
        for (const c of byName) if (sameName(c.CustomerName, name)) add(c, 'name');
        for (const c of byEmail) if (sameEmail(c.Email, email)) add(c, 'email');
        return out;
    }

    private async customersWhere(client: UnleashedClient, query: Record<string, string>) {
        const page = await client.getPage('Customers', 1, { ...query, pageSize: 20 }, CustomerSchema);
        return page.items;
    }
}

function prepare(records: SendRecords, given: ChoicesInput | null | undefined) {
    const choices = withDefaults(given, defaultChoices(records, new ReferenceOptions(records)));
    const problems = blockingProblems(records, choices);
    if (problems.length > 0)
        throw new HttpProblem(422, 'The order cannot be sent yet', problems.join(' '), {
            blocking: problems
        });
    return { choices, snapshot: buildSnapshot(records, choices) };
}

/** The snapshot with Unleashed's customer prices on the lines that have one (no discount on top). */
function withPrices(s: OpportunitySnapshot, prices: Map<string, Decimal>): OpportunitySnapshot {
    return {
        ...s,
        lines: s.lines.map((l) => {
            const price = prices.get(l.lineId);
            return price ? { ...l, unitPrice: price, discountPercent: new Decimal(0) } : l;
        })
    };
}

// The same rule the import links Accounts by (sync/imports/account-names.ts).
const sameName = (a: string | null | undefined, b: string | null) => !!b && nameKey(a) === nameKey(b);
const sameEmail = (a: string | null | undefined, b: string | null) =>
    !!a && !!b && a.trim().toLowerCase() === b.trim().toLowerCase();

function toNumber(d: Decimal | null): number | null {
    return d === null ? null : d.toNumber();
}

function cut(v: string | null | undefined, max: number): string | null {
    return v === null || v === undefined ? null : v.slice(0, max);
}

function contactWords(c: ReturnType<typeof customerContact>): string | null {
    const name = [c.firstName, c.lastName].filter(Boolean).join(' ');
    const words = [name, c.email].filter(Boolean).join(', ');
    return words === '' ? null : words;
}

/** Why the totals differ, in words: line rounding, or a real difference the rep should look at. */
function amountNote(
    subTotal: Decimal,
    expected: Decimal,
    s: OpportunitySnapshot,
    currency: string,
    word: string
): string {
    const difference = subTotal.minus(expected).abs().toFixed(MONEY_SCALE);
    // Each line total rounded to cents (by both) moves the sum by at most a cent per line; a
    // discounted price rounded to cents before it is multiplied moves it by up to half a cent a unit.
    const isDiscounted = (l: OpportunitySnapshot['lines'][number]) =>
        !!l.discountPercent && !l.discountPercent.isZero();
    const roundingBound = s.lines.reduce(
        (sum, l) => sum.plus('0.01').plus(isDiscounted(l) ? l.quantity.abs().times('0.005') : 0),
        new Decimal(0)
    );
    const discounted = s.lines.some(isDiscounted);
    if (subTotal.minus(expected).abs().lte(roundingBound))
        return `Unleashed's subtotal ${subTotal.toFixed(MONEY_SCALE)} differs from the ${word}'s ${expected.toFixed(MONEY_SCALE)} by ${difference} ${currency}: ${discounted ? "Unleashed rounds each line's discounted unit price to cents before multiplying by the quantity, Salesforce multiplies first." : 'Unleashed and Salesforce round the line totals to cents at different points.'}`;
    return `Unleashed's subtotal ${subTotal.toFixed(MONEY_SCALE)} differs from the ${word}'s ${expected.toFixed(MONEY_SCALE)} by ${difference} ${currency}, more than rounding explains: check the lines' prices and discounts in Salesforce.`;
}
