import { type Decimal, ExactDecimal, formatMoney, type RoundingMode } from '../../money/decimal';
import { computeOrderTotals } from '../../money/order-totals';
import { customerGuidFor, orderGuidFor } from '../ids';
import type { ReferenceList } from '../reference-data';
import type { OpportunitySnapshot, SnapshotAddress } from './snapshot';

/**
 * Turns an Opportunity snapshot plus what Unleashed holds (reference data, products, the customer)
 * into the exact sales order Unleashed will store, or the list of reasons it cannot. Pure: no I/O,
 * so preview and send share it and tests can reach every rule directly.
 */

export interface TaxInfo {
    code: string;
    /** A fraction: 0.15 is 15 %. */
    rate: Decimal;
    obsolete: boolean;
}
export interface ProductInfo {
    code: string;
    guid: string;
    description: string | null;
    obsolete: boolean;
    sellable: boolean;
    salesTaxCode: string | null;
    salesTaxRate: Decimal | null;
}
export interface WarehouseInfo {
    code: string;
    name: string;
    obsolete: boolean;
}
export interface CurrencyInfo {
    code: string;
    sellRate: Decimal | null;
}
export interface SalesPersonInfo {
    guid: string;
    fullName: string;
    email: string;
    obsolete: boolean;
}
export interface CustomerInfo {
    guid: string;
    code: string;
    name: string;
    currencyCode: string | null;
    obsolete: boolean;
}

export interface PlanSettings {
    rounding: RoundingMode;
    /** Places a discounted unit price is rounded to before it is sent (see README). */
    unitPriceDecimals: number;
}

export interface PlanContext {
    orgId: string;
    /** Keys are exact codes. */
    taxes: Map<string, TaxInfo>;
    products: Map<string, ProductInfo>;
    warehouses: Map<string, WarehouseInfo>;
    currencies: Map<string, CurrencyInfo>;
    /** Null when Unleashed's Companies list could not be read. */
    baseCurrency: string | null;
    /** Keys are lower-case emails. */
    salesPersons: Map<string, SalesPersonInfo>;
    /** Keys are lower-case names, values the name as Unleashed spells it. */
    deliveryMethods: Map<string, string>;
    /**
     * Live sales order groups: keys are lower-case names, values as Unleashed spells them. Absent:
     * the group is sent unchecked.
     */
    salesOrderGroups?: Map<string, string>;
    /** Reference lists that could not be read (name -> reason): the choices needing them degrade. */
    unavailable?: Partial<Record<ReferenceList, string>>;
    /** The customer the order is for, if Unleashed has it (by code, or by our derived GUID). */
    customer: CustomerInfo | null;
    /** Available quantity per product code in the chosen warehouse, when known. */
    available?: Map<string, Decimal>;
    /** The order as Unleashed has it now, if it exists. */
    existingOrder?: { status: string; orderNumber: string | null } | null;
    /** The GUID the order has or will have (its generation after Deleted ones); derived when absent. */
    orderGuid?: string;
    /** The number of the Opportunity's last order, when Unleashed deleted it and this makes a new one. */
    replacesDeleted?: string | null;
    settings: PlanSettings;
    /** Today (UTC, yyyy-mm-dd) for the order date when the snapshot has none. */
    today: string;
}

export interface PlannedLine {
    lineNumber: number;
    lineId: string;
    productCode: string;
    productGuid: string | null;
    description: string | null;
    /** The line's comment in Unleashed (a mapped field), else its description. */
    comments: string | null;
    quantity: Decimal;
    listUnitPrice: Decimal;
    discountPercent: Decimal;
    unitPrice: Decimal;
    taxCode: string | null;
    taxRate: Decimal;
    lineTotal: Decimal;
    lineTax: Decimal;
}

export type CustomerPlan =
    | { mode: 'existing'; guid: string; code: string; name: string }
    | { mode: 'create'; guid: string; code: string; name: string; payload: Record<string, unknown> };

export interface OrderPlan {
    orderGuid: string;
    currencyCode: string;
    exchangeRate: Decimal;
    customer: CustomerPlan | null;
    lines: PlannedLine[];
    subTotal: Decimal;
    taxTotal: Decimal;
    total: Decimal;
    warnings: string[];
    /** Blocking problems; when any, nothing may be sent. */
    errors: string[];
    /** The body of POST/PUT /SalesOrders/{guid}; null when there are errors. */
    payload: Record<string, unknown> | null;
}

const ZERO = new ExactDecimal(0);
const HUNDRED = new ExactDecimal(100);

/** What each unreadable reference list disables, as the warning says it. */
const DEGRADED: Record<ReferenceList, string> = {
    DeliveryMethods: 'the delivery method is not checked and not sent.',
    SalesOrderGroups: 'the sales order group is sent unchecked (Unleashed checks it).',
    SalesPersons: 'the salesperson is not checked and not sent.',
    Warehouses: 'the warehouse is not checked here (Unleashed checks it on send).',
    Taxes: 'only taxes carried by the products can be used.',
    Currencies: 'only the base currency can be used.',
    Companies: "the base currency is unknown: the Opportunity's currency is used as it is."
};

/** How a rep names the record the order comes from (the id tells an Order from an Opportunity). */
function sourceWord(s: OpportunitySnapshot): string {
    return s.opportunityId.startsWith('801') ? 'Order' : 'Opportunity';
}

export function planOrder(s: OpportunitySnapshot, ctx: PlanContext): OrderPlan {
    const errors: string[] = [];
    const warnings: string[] = [];
    const mode = ctx.settings.rounding;
    const orderGuid = ctx.orderGuid ?? orderGuidFor(ctx.orgId, s.opportunityId);
    if (ctx.replacesDeleted)
        warnings.push(
            `Sales order ${ctx.replacesDeleted} was deleted in Unleashed: sending creates a new sales order.`
        );

    if (ctx.existingOrder && ctx.existingOrder.status !== 'Parked') {
        errors.push(
            `The order is ${ctx.existingOrder.status} in Unleashed and can no longer be changed from Salesforce.`
        );
    }

    // A list Unleashed would not give us is a warning naming it; what needs it degrades below.
    const unavailable = ctx.unavailable ?? {};
    const missing = (list: ReferenceList): string | undefined => unavailable[list];
    for (const [list, reason] of Object.entries(unavailable)) {
        warnings.push(
            `Unleashed's ${list} list could not be read (${reason}); ${DEGRADED[list as ReferenceList]}`
        );
    }

    // Currency and exchange rate: the Opportunity's currency, which must exist in Unleashed.
    const currencyCode = s.currencyIsoCode ?? s.account.currencyIsoCode ?? ctx.baseCurrency ?? '';
    let exchangeRate: Decimal = new ExactDecimal(1);
    if (!currencyCode) {
        errors.push(
            `Unleashed's base currency is unknown (its Companies list could not be read): set the ${sourceWord(s)}'s currency.`
        );
    } else if (currencyCode !== ctx.baseCurrency) {
        const c = ctx.currencies.get(currencyCode);
        if (!c && missing('Currencies')) {
            errors.push(
                `Currency ${currencyCode} cannot be checked: Unleashed's Currencies list could not be read.`
            );
        } else if (!c) {
            errors.push(
                `Currency ${currencyCode} is not set up in Unleashed; add it there or change the ${sourceWord(s)}'s currency.`
            );
        } else if (!c.sellRate || c.sellRate.lte(0)) {
            errors.push(`Currency ${currencyCode} has no sell rate in Unleashed.`);
        } else {
            exchangeRate = c.sellRate;
        }
    }

    // Warehouse: unchecked (Unleashed checks it on send) when the list could not be read.
    const warehouse = ctx.warehouses.get(s.warehouseCode);
    if (!warehouse && missing('Warehouses')) {
        // The warning above names the list.
    } else if (!warehouse) errors.push(`Warehouse ${s.warehouseCode} does not exist in Unleashed.`);
    else if (warehouse.obsolete)
        errors.push(`Warehouse ${s.warehouseCode} is inactive (obsolete) in Unleashed.`);

    // Order tax: the chosen one, must be a revenue tax Unleashed knows.
    let orderTax: TaxInfo | null = null;
    if (s.taxCode) {
        orderTax = ctx.taxes.get(s.taxCode) ?? null;
        if (!orderTax && missing('Taxes'))
            errors.push(`Tax ${s.taxCode} cannot be checked: Unleashed's Taxes list could not be read.`);
        else if (!orderTax) errors.push(`Tax ${s.taxCode} is not a sales tax in Unleashed.`);
        else if (orderTax.obsolete) errors.push(`Tax ${s.taxCode} is obsolete in Unleashed.`);
    }

    // Salesperson and delivery method are optional; when given they must exist.
    let salesPerson: SalesPersonInfo | null = null;
    if (s.salesPersonEmail && missing('SalesPersons')) {
        warnings.push(`The order is sent without its salesperson ${s.salesPersonEmail}.`);
    } else if (s.salesPersonEmail) {
        salesPerson = ctx.salesPersons.get(s.salesPersonEmail.toLowerCase()) ?? null;
        if (!salesPerson) errors.push(`Salesperson ${s.salesPersonEmail} does not exist in Unleashed.`);
        else if (salesPerson.obsolete)
            errors.push(`Salesperson ${s.salesPersonEmail} is obsolete in Unleashed.`);
    }
    let deliveryMethod: string | null = null;
    if (s.deliveryMethod && missing('DeliveryMethods')) {
        warnings.push(`The order is sent without its delivery method "${s.deliveryMethod}".`);
    } else if (s.deliveryMethod) {
        deliveryMethod = ctx.deliveryMethods.get(s.deliveryMethod.toLowerCase()) ?? null;
        if (!deliveryMethod)
            errors.push(`Delivery method "${s.deliveryMethod}" does not exist in Unleashed.`);
    }
    const salesOrderGroup = planSalesOrderGroup(s, ctx, Boolean(missing('SalesOrderGroups')), errors);

    const customer = planCustomer(s, ctx, currencyCode, errors);

    // Lines: the product's own sales tax wins over the order's, per line, as Unleashed does;
    // a tax chosen on the line itself wins over both.
    const lines: PlannedLine[] = [];
    const ordered = new Map<string, Decimal>();
    s.lines.forEach((l, i) => {
        const n = i + 1;
        const where = `Line ${n} (${l.productCode})`;
        const product = ctx.products.get(l.productCode) ?? null;
        if (!product) errors.push(`${where}: product ${l.productCode} does not exist in Unleashed.`);
        else if (product.obsolete)
            errors.push(`${where}: product ${l.productCode} is obsolete in Unleashed.`);
        else if (!product.sellable)
            errors.push(`${where}: product ${l.productCode} is not sellable in Unleashed.`);

        const taxCode = l.taxCode ?? product?.salesTaxCode ?? orderTax?.code ?? null;
        let taxRate: Decimal = ZERO;
        if (!taxCode) {
            errors.push(`${where}: no tax applies; choose a tax for the order.`);
        } else {
            const tax = ctx.taxes.get(taxCode);
            if (tax) taxRate = tax.rate;
            else if (product && product.salesTaxCode === taxCode && product.salesTaxRate)
                taxRate = product.salesTaxRate;
            else if (missing('Taxes'))
                errors.push(
                    `${where}: tax ${taxCode} cannot be checked: Unleashed's Taxes list could not be read.`
                );
            else errors.push(`${where}: tax ${taxCode} is not a sales tax in Unleashed.`);
        }

        const discount = l.discountPercent ?? ZERO;
        const unitPrice = discount.isZero()
            ? l.unitPrice
            : roundTo(
                  l.unitPrice.times(HUNDRED.minus(discount)).div(HUNDRED),
                  ctx.settings.unitPriceDecimals,
                  mode
              );
        lines.push({
            lineNumber: n,
            lineId: l.lineId,
            productCode: l.productCode,
            productGuid: product?.guid ?? l.productGuid ?? null,
            description: l.description ?? product?.description ?? null,
            comments: l.comments ?? null,
            quantity: l.quantity,
            listUnitPrice: l.unitPrice,
            discountPercent: discount,
            unitPrice,
            taxCode,
            taxRate,
            lineTotal: ZERO,
            lineTax: ZERO
        });
        ordered.set(l.productCode, (ordered.get(l.productCode) ?? ZERO).plus(l.quantity));
    });

    const totals = computeOrderTotals(lines, mode);
    totals.lines.forEach((t, i) => {
        const line = lines[i]!;
        line.lineTotal = t.lineTotal;
        line.lineTax = t.lineTax;
    });

    if (ctx.available) {
        for (const [code, qty] of ordered) {
            // A product Unleashed does not have is one error, not also "0 available".
            if (!ctx.products.has(code)) continue;
            const avail = ctx.available.get(code) ?? ZERO;
            if (qty.gt(avail)) {
                warnings.push(
                    `${code}: ${qty.toString()} ordered, ${avail.toString()} available in ${s.warehouseCode} (short by ${qty.minus(avail).toString()}).`
                );
            }
        }
    }
    if (ctx.existingOrder?.status === 'Parked') {
        warnings.push(
            `The order ${ctx.existingOrder.orderNumber ?? ''} is Parked in Unleashed: sending updates it in place.`.replace(
                '  ',
                ' '
            )
        );
    }

    const plan: OrderPlan = {
        orderGuid,
        currencyCode,
        exchangeRate,
        customer,
        lines,
        subTotal: totals.subTotal,
        taxTotal: totals.taxTotal,
        total: totals.total,
        warnings,
        errors,
        payload: null
    };
    if (errors.length === 0 && customer && (warehouse || missing('Warehouses'))) {
        plan.payload = salesOrderPayload(s, ctx, plan, {
            customer,
            orderTax,
            salesPerson,
            deliveryMethod,
            salesOrderGroup
        });
    }
    return plan;
}

function planCustomer(
    s: OpportunitySnapshot,
    ctx: PlanContext,
    currencyCode: string,
    errors: string[]
): CustomerPlan | null {
    const derivedGuid = customerGuidFor(ctx.orgId, s.account.id);
    const found = ctx.customer;
    if (s.account.customerCode) {
        if (!found || found.code !== s.account.customerCode) {
            errors.push(
                `Customer code ${s.account.customerCode} does not exist in Unleashed. Correct it on the Account, or clear it to create a new customer.`
            );
            return null;
        }
        return checkExisting(found, currencyCode, errors);
    }
    // Created by an earlier send of ours (its GUID is derived from the Account): use it as it is.
    if (found && found.guid === derivedGuid) return checkExisting(found, currencyCode, errors);

    const code = s.newCustomerCode?.trim();
    if (!code) {
        errors.push('The Account has no Unleashed customer code: enter the code for the new customer.');
        return null;
    }
    if (found && found.code === code) {
        errors.push(
            `Customer code ${code} is already used by "${found.name}" in Unleashed. Put ${code} on the Account to order for that customer, or choose another code.`
        );
        return null;
    }
    const names = contactNames(s);
    if (!s.account.email && !names.first && !names.last) {
        errors.push(
            s.account.isPersonAccount
                ? 'Unleashed needs an email or a contact name for a new customer: add an email to the Person Account.'
                : 'Unleashed needs an email or a contact name for a new customer: add a contact with an email to the Account (or as a contact role on the Opportunity).'
        );
        return null;
    }
    const payload: Record<string, unknown> = {
        Guid: derivedGuid,
        CustomerCode: code,
        CustomerName: s.account.name,
        Currency: { CurrencyCode: currencyCode },
        ...(s.account.email ? { Email: s.account.email } : {}),
        ...(s.account.phone ? { PhoneNumber: s.account.phone } : {}),
        ...(names.first ? { ContactFirstName: names.first } : {}),
        ...(names.last ? { ContactLastName: names.last } : {}),
        Addresses: customerAddresses(s)
    };
    return { mode: 'create', guid: derivedGuid, code, name: s.account.name, payload };
}

function checkExisting(found: CustomerInfo, currencyCode: string, errors: string[]): CustomerPlan | null {
    if (found.obsolete) {
        errors.push(`Customer ${found.code} is obsolete in Unleashed.`);
        return null;
    }
    if (found.currencyCode && found.currencyCode !== currencyCode) {
        errors.push(
            `Customer ${found.code} trades in ${found.currencyCode} in Unleashed but the Opportunity is in ${currencyCode}.`
        );
        return null;
    }
    return { mode: 'existing', guid: found.guid, code: found.code, name: found.name };
}

/** A Person Account's own names; a business account's contact is left to its email. */
/** A Person Account's own name, or a business Account's contact (its primary or billing contact). */
function contactNames(s: OpportunitySnapshot): { first: string | null; last: string | null } {
    const first = s.account.firstName?.trim() || null;
    const last = s.account.lastName?.trim() || null;
    if (first || last) return { first, last };
    if (!s.account.isPersonAccount) return { first: null, last: null };
    const parts = s.account.name.trim().split(/\s+/);
    return parts.length > 1
        ? { first: parts.slice(0, -1).join(' '), last: parts[parts.length - 1]! }
        : { first: null, last: parts[0] ?? null };
}

function customerAddresses(s: OpportunitySnapshot): Record<string, unknown>[] {
    const out: Record<string, unknown>[] = [];
    const add = (type: string, a: SnapshotAddress | null | undefined) => {
        if (!a || !Object.values(a).some(Boolean)) return;
        out.push({
            AddressType: type,
            AddressName: a.name ?? s.account.name,
            StreetAddress: a.street ?? null,
            Suburb: a.suburb ?? null,
            City: a.city ?? null,
            Region: a.region ?? null,
            Country: a.country ?? null,
            PostalCode: a.postalCode ?? null
        });
    };
    add('Postal', s.account.billingAddress);
    add('Physical', s.account.shippingAddress ?? s.account.billingAddress);
    return out;
}

/**
 * The chosen sales order group as Unleashed spells it: it must be a live group when the list is
 * known; sent as chosen when the list could not be read or was not loaded.
 */
function planSalesOrderGroup(
    s: OpportunitySnapshot,
    ctx: PlanContext,
    listMissing: boolean,
    errors: string[]
): string | null {
    const chosen = s.salesOrderGroup?.trim();
    if (!chosen) return null;
    if (listMissing || !ctx.salesOrderGroups) return chosen;
    const found = ctx.salesOrderGroups.get(chosen.toLowerCase());
    if (!found)
        errors.push(
            `Sales order group "${chosen}" is not a sales order group in Unleashed (or it is obsolete there): choose another, or run the import from Unleashed again.`
        );
    return found ?? null;
}

function salesOrderPayload(
    s: OpportunitySnapshot,
    ctx: PlanContext,
    plan: OrderPlan,
    parts: {
        customer: CustomerPlan;
        orderTax: TaxInfo | null;
        salesPerson: SalesPersonInfo | null;
        deliveryMethod: string | null;
        salesOrderGroup: string | null;
    }
): Record<string, unknown> {
    const headerTax =
        parts.orderTax ?? (plan.lines[0]?.taxCode ? ctx.taxes.get(plan.lines[0].taxCode) : undefined);
    const d = s.deliveryAddress;
    return {
        Guid: plan.orderGuid,
        ...(s.opportunityNumber ? { OrderNumber: s.opportunityNumber } : {}),
        OrderDate: `${s.orderDate ?? ctx.today}T00:00:00`,
        ...(s.requiredDate ? { RequiredDate: `${s.requiredDate}T00:00:00` } : {}),
        OrderStatus: s.orderStatus,
        Customer: { CustomerCode: parts.customer.code, Guid: parts.customer.guid },
        Warehouse: { WarehouseCode: s.warehouseCode },
        Currency: { CurrencyCode: plan.currencyCode },
        ExchangeRate: Number(plan.exchangeRate.toString()),
        ...(headerTax
            ? { Tax: { TaxCode: headerTax.code }, TaxRate: Number(headerTax.rate.toString()) }
            : {}),
        ...(parts.deliveryMethod ? { DeliveryMethod: parts.deliveryMethod } : {}),
        ...(parts.salesPerson
            ? {
                  SalesPerson: {
                      Guid: parts.salesPerson.guid,
                      FullName: parts.salesPerson.fullName,
                      Email: parts.salesPerson.email
                  }
              }
            : {}),
        ...(d
            ? {
                  DeliveryName: d.name ?? null,
                  DeliveryStreetAddress: d.street ?? null,
                  DeliverySuburb: d.suburb ?? null,
                  DeliveryCity: d.city ?? null,
                  DeliveryRegion: d.region ?? null,
                  DeliveryCountry: d.country ?? null,
                  DeliveryPostCode: d.postalCode ?? null
              }
            : {}),
        ...(s.comments ? { Comments: s.comments } : {}),
        ...(s.deliveryInstruction ? { DeliveryInstruction: s.deliveryInstruction } : {}),
        ...(parts.salesOrderGroup ? { SalesOrderGroup: parts.salesOrderGroup } : {}),
        CustomerRef: s.customerRef || s.opportunityNumber || s.opportunityId,
        SourceId: s.sourceId || 'Salesforce',
        SubTotal: money(plan.subTotal),
        TaxTotal: money(plan.taxTotal),
        Total: money(plan.total),
        SalesOrderLines: plan.lines.map((l) => ({
            LineNumber: l.lineNumber,
            Product: { ProductCode: l.productCode, ...(l.productGuid ? { Guid: l.productGuid } : {}) },
            OrderQuantity: Number(l.quantity.toString()),
            UnitPrice: Number(l.unitPrice.toString()),
            // The discount is already in UnitPrice: how Unleashed applies DiscountRate is unconfirmed.
            DiscountRate: 0,
            LineTotal: money(l.lineTotal),
            LineTax: money(l.lineTax),
            TaxRate: Number(l.taxRate.toString()),
            LineTaxCode: l.taxCode,
            ...(l.comments || l.description ? { Comments: l.comments || l.description } : {})
        }))
    };
}

function money(d: Decimal): number {
    return Number(formatMoney(d));
}

function roundTo(d: Decimal, places: number, mode: RoundingMode): Decimal {
    return new ExactDecimal(d).toDecimalPlaces(
        places,
        mode === 'half-even' ? ExactDecimal.ROUND_HALF_EVEN : ExactDecimal.ROUND_HALF_UP
    );
}
