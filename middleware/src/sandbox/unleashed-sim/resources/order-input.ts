/**
 * Reads and validates a sales order body the way Unleashed does: every reference must exist and the
 * money must match the rounding rules exactly, else a 400 whose Description names the problem.
 */
import Decimal from 'decimal.js';
import { parseBodyDate } from '../dates';
import { badRequest } from '../errors';
import { guidFor, sameGuid } from '../ids';
import { type JsonObject, asObject, filled, optionalObject, optionalText } from '../http/body';
import type { ApiContext } from '../http/context';
import { expectedTotals, readAmount, readOptionalAmount, type LineMoney } from '../money';
import type { Customer, OrderStatus, SalesOrder, SalesOrderLine, Tax } from '../state/records';

const ZERO = new Decimal(0);
const CREATABLE: OrderStatus[] = ['Parked', 'Placed'];

const refText = (ref: JsonObject, field: string): string | undefined => {
    const v = ref[field];
    return typeof v === 'string' && v.trim() !== '' ? v : undefined;
};

function findCustomer(ctx: ApiContext, body: JsonObject): Customer {
    const ref = optionalObject(body.Customer, 'Customer');
    if (!ref) throw badRequest('Customer is required (CustomerCode or Guid).');
    const guid = refText(ref, 'Guid');
    const code = refText(ref, 'CustomerCode');
    if (!guid && !code) throw badRequest('Customer is required (CustomerCode or Guid).');
    const byGuid = guid ? ctx.state.customerByGuid(guid) : undefined;
    const byCode = code ? ctx.state.customerByCode(code) : undefined;
    if (guid && !byGuid) throw badRequest(`Customer with Guid '${guid}' does not exist.`);
    if (code && !byCode) throw badRequest(`Customer '${code}' does not exist.`);
    if (byGuid && byCode && byGuid !== byCode) {
        throw badRequest(`Customer Guid '${guid}' and CustomerCode '${code}' name different customers.`);
    }
    const customer = (byGuid ?? byCode)!;
    if (customer.Obsolete) throw badRequest(`Customer '${customer.CustomerCode}' is obsolete.`);
    return customer;
}

function findWarehouse(ctx: ApiContext, body: JsonObject): number {
    const ref = optionalObject(body.Warehouse, 'Warehouse');
    const code = ref ? refText(ref, 'WarehouseCode') : undefined;
    const guid = ref ? refText(ref, 'Guid') : undefined;
    let w: number;
    if (guid) w = ctx.state.warehouseIndexByGuid(guid);
    else if (code) w = ctx.state.warehouseIndexByCode(code);
    else {
        w = ctx.state.defaultWarehouseIndex();
        if (w < 0) throw badRequest('Warehouse is required: the account has no default warehouse.');
    }
    if (w < 0) throw badRequest(`Warehouse '${code ?? guid}' does not exist.`);
    if (code && guid && !sameGuid(ctx.state.warehouses[w]!.Guid, guid)) {
        throw badRequest(`Warehouse Guid '${guid}' and WarehouseCode '${code}' name different warehouses.`);
    }
    if (ctx.state.warehouses[w]!.Obsolete) throw badRequest(`Warehouse '${code ?? guid}' is obsolete.`);
    return w;
}

function findTax(ctx: ApiContext, code: string): Tax {
    const tax = ctx.state.revenueTax(code);
    if (!tax) throw badRequest(`Tax code '${code}' does not exist (or cannot apply to revenue).`);
    return tax;
}

function orderTax(ctx: ApiContext, body: JsonObject, customer: Customer): Tax {
    const ref = optionalObject(body.Tax, 'Tax');
    const code = ref ? refText(ref, 'TaxCode') : undefined;
    if (code) return findTax(ctx, code);
    if (customer.TaxCode) return findTax(ctx, customer.TaxCode);
    const rate = ctx.state.companies[0]?.DefaultTaxRate;
    const fallback = ctx.state.taxes.find(
        (t) => t.CanApplyToRevenue && !t.Obsolete && rate && t.TaxRate.eq(rate)
    );
    if (!fallback) throw badRequest('Tax is required (TaxCode).');
    return fallback;
}

function orderStatus(body: JsonObject, allowed: OrderStatus[]): OrderStatus {
    const v = optionalText(body, 'OrderStatus');
    if (!filled(v)) return 'Parked';
    const found = allowed.find((s) => s.toLowerCase() === v.trim().toLowerCase());
    if (!found) throw badRequest(`OrderStatus '${v}' is not allowed here (use ${allowed.join(' or ')}).`);
    return found;
}

interface ParsedLine {
    line: Omit<SalesOrderLine, 'LineTotal' | 'LineTax'>;
    product: number;
    comment: boolean;
    lineTotal: Decimal;
    lineTax: Decimal;
}

function parseLine(
    ctx: ApiContext,
    raw: unknown,
    index: number,
    orderGuid: string,
    orderRate: Decimal
): ParsedLine {
    const l = asObject(raw, `SalesOrderLines[${index}]`);
    const number = l.LineNumber === undefined || l.LineNumber === null ? index + 1 : Number(l.LineNumber);
    if (!Number.isInteger(number) || number < 1)
        throw badRequest(`Line ${index + 1}: LineNumber must be a positive whole number.`);
    const label = `Line ${number}`;
    const lineType = optionalText(l, 'LineType') ?? null;
    const comment = lineType !== null && lineType.toLowerCase() === 'comment';
    const now = new Date(ctx.now);
    const base = {
        Guid: filled(optionalText(l, 'Guid')) ? String(l.Guid) : guidFor(`${orderGuid}:line:${number}`),
        LineNumber: number,
        LineType: lineType,
        DueDate: parseBodyDate(l.DueDate, `${label}: DueDate`),
        Comments: optionalText(l, 'Comments', 2000) ?? null,
        LastModifiedOn: now
    };
    if (comment) {
        return {
            line: {
                ...base,
                Product: null,
                OrderQuantity: ZERO,
                UnitPrice: ZERO,
                DiscountRate: ZERO,
                TaxRate: ZERO,
                LineTaxCode: null
            },
            product: -1,
            comment,
            lineTotal: readOptionalAmount(l.LineTotal, `${label}: LineTotal`, ZERO),
            lineTax: readOptionalAmount(l.LineTax, `${label}: LineTax`, ZERO)
        };
    }
    const ref = optionalObject(l.Product, `${label}: Product`);
    const guid = ref ? refText(ref, 'Guid') : undefined;
    const code = ref ? refText(ref, 'ProductCode') : undefined;
    if (!guid && !code) throw badRequest(`${label}: Product is required (ProductCode or Guid).`);
    const catalog = ctx.state.products;
    const p = guid ? catalog.indexOfGuid(guid) : catalog.indexOfCode(code!);
    if (p < 0) throw badRequest(`${label}: product '${code ?? guid}' does not exist.`);
    if (guid && code && catalog.code(p).toLowerCase() !== code.toLowerCase()) {
        throw badRequest(
            `${label}: product Guid '${guid}' and ProductCode '${code}' name different products.`
        );
    }
    const product = catalog.product(p);
    if (product.Obsolete) throw badRequest(`${label}: product '${product.ProductCode}' is obsolete.`);

    const quantity = readAmount(l.OrderQuantity, `${label}: OrderQuantity`);
    if (quantity.lte(0)) throw badRequest(`${label}: OrderQuantity must be more than 0.`);
    const unitPrice = readAmount(l.UnitPrice, `${label}: UnitPrice`);
    if (unitPrice.lt(0)) throw badRequest(`${label}: UnitPrice cannot be negative.`);
    const discountRate = readOptionalAmount(l.DiscountRate, `${label}: DiscountRate`, ZERO);
    if (!discountRate.isZero() && !ctx.settings.allowDiscountRate) {
        throw badRequest(`${label}: DiscountRate must be 0; send the discounted UnitPrice instead.`);
    }
    if (discountRate.lt(0) || discountRate.gt(1))
        throw badRequest(`${label}: DiscountRate must be between 0 and 1.`);

    const lineTaxCode = optionalText(l, 'LineTaxCode') ?? null;
    const lineTax = filled(lineTaxCode) ? findTax(ctx, lineTaxCode) : undefined;
    // The rate Unleashed applies: the line's tax code, else the product's sales tax, else the order's.
    const productTax =
        product.TaxableSales && product.XeroSalesTaxCode
            ? ctx.state.revenueTax(product.XeroSalesTaxCode)
            : undefined;
    const expectedRate = lineTax?.TaxRate ?? productTax?.TaxRate ?? product.XeroSalesTaxRate ?? orderRate;
    const taxRate = readOptionalAmount(l.TaxRate, `${label}: TaxRate`, expectedRate);
    if (ctx.settings.checkLineTaxRates && !taxRate.eq(expectedRate)) {
        throw badRequest(
            `${label}: TaxRate ${taxRate.toString()} does not match the rate ${expectedRate.toString()} that applies to ${product.ProductCode}.`
        );
    }
    if (l.LineTotal === undefined || l.LineTotal === null)
        throw badRequest(`${label}: LineTotal is required.`);
    if (l.LineTax === undefined || l.LineTax === null) throw badRequest(`${label}: LineTax is required.`);
    return {
        line: {
            ...base,
            Product: {
                Guid: product.Guid,
                ProductCode: product.ProductCode,
                ProductDescription: product.ProductDescription
            },
            OrderQuantity: quantity,
            UnitPrice: unitPrice,
            DiscountRate: discountRate,
            TaxRate: taxRate,
            LineTaxCode: filled(lineTaxCode) ? lineTax!.TaxCode : null
        },
        product: p,
        comment,
        lineTotal: readAmount(l.LineTotal, `${label}: LineTotal`),
        lineTax: readAmount(l.LineTax, `${label}: LineTax`)
    };
}

function checkMoney(
    ctx: ApiContext,
    body: JsonObject,
    lines: ParsedLine[]
): { sub: Decimal; tax: Decimal; total: Decimal } {
    const priced = lines.filter((l) => !l.comment);
    const money: LineMoney[] = priced.map((l) => ({
        quantity: l.line.OrderQuantity,
        unitPrice: l.line.UnitPrice,
        discountRate: l.line.DiscountRate,
        taxRate: l.line.TaxRate
    }));
    const expected = expectedTotals(money, ctx.settings.rounding);
    priced.forEach((l, i) => {
        const e = expected.lines[i]!;
        const n = l.line.LineNumber;
        if (!l.lineTotal.eq(e.lineTotal)) {
            throw badRequest(
                `Line ${n}: LineTotal ${l.lineTotal.toFixed(2)} does not match the expected ${e.lineTotal.toFixed(2)} ` +
                    `(${l.line.OrderQuantity.toString()} x ${l.line.UnitPrice.toString()}, rounded to cents).`
            );
        }
        if (!l.lineTax.eq(e.lineTax)) {
            throw badRequest(
                `Line ${n}: LineTax ${l.lineTax.toFixed(2)} does not match the expected ${e.lineTax.toFixed(2)} ` +
                    `(${e.lineTotal.toFixed(2)} x ${l.line.TaxRate.toString()}, rounded to cents).`
            );
        }
    });
    for (const l of lines.filter((x) => x.comment)) {
        if (!l.lineTotal.isZero() || !l.lineTax.isZero()) {
            throw badRequest(`Line ${l.line.LineNumber}: a comment line carries no money.`);
        }
    }
    const check = (field: 'SubTotal' | 'TaxTotal' | 'Total', want: Decimal, what: string): Decimal => {
        if (body[field] === undefined || body[field] === null) throw badRequest(`${field} is required.`);
        const got = readAmount(body[field], field);
        if (!got.eq(want))
            throw badRequest(`${field} ${got.toFixed(2)} does not match ${what} ${want.toFixed(2)}.`);
        return got;
    };
    return {
        sub: check('SubTotal', expected.subTotal, 'the sum of the line totals'),
        tax: check('TaxTotal', expected.taxTotal, 'the sum of the line taxes'),
        total: check('Total', expected.total, 'SubTotal + TaxTotal')
    };
}

export interface OrderDraft {
    order: SalesOrder;
    /** Catalog index per line (-1 for comment lines), for stock movements. */
    lineProducts: number[];
    warehouse: number;
}

/**
 * The order's sales order group, a name. Whether Unleashed refuses a name it has no live group for is
 * not documented: `unknownSalesOrderGroup` decides (`reject`: 400, stored as the group spells it).
 */
function salesOrderGroup(ctx: ApiContext, body: JsonObject): string | null {
    const raw = body.SalesOrderGroup;
    if (raw === undefined || raw === null) return null;
    if (typeof raw !== 'string')
        throw badRequest('SalesOrderGroup must be text (the sales order group name).');
    const name = optionalText(body, 'SalesOrderGroup') ?? null;
    if (!filled(name)) return null;
    if (ctx.settings.unknownSalesOrderGroup === 'keep') return name;
    const group = ctx.state.salesOrderGroup(name);
    if (!group) throw badRequest(`Sales order group '${name}' does not exist.`);
    if (group.Obsolete) throw badRequest(`Sales order group '${group.GroupName}' is obsolete.`);
    return group.GroupName;
}

/**
 * A validated order. `existing` is the stored order on an update (its fields fill whatever the body
 * leaves out); on a create OrderNumber is left blank for the caller to assign once nothing failed.
 */
export function readOrder(ctx: ApiContext, guid: string, raw: unknown, existing?: SalesOrder): OrderDraft {
    const body = asObject(raw ?? {}, 'The sales order');
    if (typeof body.Guid === 'string' && !sameGuid(body.Guid, guid)) {
        throw badRequest('The Guid in the body does not match the Guid in the URL.');
    }
    const customer = findCustomer(ctx, body);
    const warehouseIndex = findWarehouse(ctx, body);
    const warehouse = ctx.state.warehouses[warehouseIndex]!;
    const currencyRef = optionalObject(body.Currency, 'Currency');
    const currencyCode =
        (currencyRef && refText(currencyRef, 'CurrencyCode')) ?? customer.Currency.CurrencyCode;
    const currency = ctx.state.currency(currencyCode);
    if (!currency) throw badRequest(`Currency '${currencyCode}' does not exist.`);
    const exchangeRate = readOptionalAmount(body.ExchangeRate, 'ExchangeRate', currency.DefaultSellRate);
    if (exchangeRate.lte(0)) throw badRequest('ExchangeRate must be more than 0.');
    const tax = orderTax(ctx, body, customer);
    const orderRate = readOptionalAmount(body.TaxRate, 'TaxRate', tax.TaxRate);
    if (ctx.settings.checkLineTaxRates && !orderRate.eq(tax.TaxRate)) {
        throw badRequest(
            `TaxRate ${orderRate.toString()} does not match tax code '${tax.TaxCode}' (${tax.TaxRate.toString()}).`
        );
    }
    const spRef = optionalObject(body.SalesPerson, 'SalesPerson');
    const salesPerson = spRef ? ctx.state.salesPerson(spRef) : undefined;
    if (spRef && !salesPerson) {
        throw badRequest(
            `Sales person '${String(spRef.Email ?? spRef.FullName ?? spRef.Guid ?? '')}' does not exist.`
        );
    }
    const deliveryMethod = body.DeliveryMethod;
    if (deliveryMethod !== undefined && deliveryMethod !== null && typeof deliveryMethod !== 'string') {
        throw badRequest('DeliveryMethod must be text (the delivery method name).');
    }
    const group = salesOrderGroup(ctx, body);

    const orderNumber = optionalText(body, 'OrderNumber', 20);
    if (filled(orderNumber)) {
        const clash = ctx.state.orderByNumber(orderNumber);
        if (clash && !sameGuid(clash.Guid, guid))
            throw badRequest(`Order number '${orderNumber}' already exists.`);
    }
    if (!Array.isArray(body.SalesOrderLines) || body.SalesOrderLines.length === 0) {
        throw badRequest('A sales order needs at least one line in SalesOrderLines.');
    }
    const lines = body.SalesOrderLines.map((l, i) => parseLine(ctx, l, i, guid, tax.TaxRate));
    const numbers = new Set(lines.map((l) => l.line.LineNumber));
    if (numbers.size !== lines.length) throw badRequest('LineNumber must be unique within the order.');
    const totals = checkMoney(ctx, body, lines);

    const now = new Date(ctx.now);
    const text = (f: string, max = 500): string | null => optionalText(body, f, max) ?? null;
    const order: SalesOrder = {
        Guid: existing?.Guid ?? guid.toLowerCase(),
        OrderNumber: filled(orderNumber) ? orderNumber : (existing?.OrderNumber ?? ''),
        OrderDate: parseBodyDate(body.OrderDate, 'OrderDate') ?? now,
        RequiredDate: parseBodyDate(body.RequiredDate, 'RequiredDate'),
        CompletedDate: null,
        OrderStatus: orderStatus(body, CREATABLE),
        Customer: {
            Guid: customer.Guid,
            CustomerCode: customer.CustomerCode,
            CustomerName: customer.CustomerName
        },
        Warehouse: {
            Guid: warehouse.Guid,
            WarehouseCode: warehouse.WarehouseCode,
            WarehouseName: warehouse.WarehouseName
        },
        Currency: {
            Guid: currency.Guid,
            CurrencyCode: currency.CurrencyCode,
            Description: currency.Description
        },
        ExchangeRate: exchangeRate,
        Tax: { Guid: tax.Guid, TaxCode: tax.TaxCode, Description: tax.Description, TaxRate: tax.TaxRate },
        TaxRate: tax.TaxRate,
        DeliveryMethod: typeof deliveryMethod === 'string' ? deliveryMethod : null,
        SalesPerson: salesPerson
            ? { Guid: salesPerson.Guid, FullName: salesPerson.FullName, Email: salesPerson.Email }
            : null,
        DeliveryName: text('DeliveryName'),
        DeliveryStreetAddress: text('DeliveryStreetAddress'),
        DeliveryStreetAddress2: text('DeliveryStreetAddress2'),
        DeliverySuburb: text('DeliverySuburb'),
        DeliveryCity: text('DeliveryCity'),
        DeliveryRegion: text('DeliveryRegion'),
        DeliveryCountry: text('DeliveryCountry'),
        DeliveryPostCode: text('DeliveryPostCode'),
        DeliveryInstruction: text('DeliveryInstruction', 2000),
        Comments: text('Comments', 2000),
        CustomerRef: text('CustomerRef'),
        SourceId: text('SourceId'),
        SalesOrderGroup: group,
        SubTotal: totals.sub,
        TaxTotal: totals.tax,
        Total: totals.total,
        SalesOrderLines: lines.map((l) => ({ ...l.line, LineTotal: l.lineTotal, LineTax: l.lineTax })),
        CreatedOn: existing?.CreatedOn ?? now,
        CreatedBy: existing?.CreatedBy ?? ctx.apiId,
        LastModifiedOn: now,
        LastModifiedBy: ctx.apiId
    };
    return { order, lineProducts: lines.map((l) => l.product), warehouse: warehouseIndex };
}
