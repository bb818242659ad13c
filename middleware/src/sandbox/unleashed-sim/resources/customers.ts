import type Decimal from 'decimal.js';
import { SimError, badRequest, notFound } from '../errors';
import { sameGuid } from '../ids';
import type { ApiContext, ApiResult, ResourceRoutes } from '../http/context';
import { type JsonObject, asObject, filled, optionalBool, optionalObject, optionalText } from '../http/body';
import { paginateArray } from '../http/pagination';
import { startsWith } from '../http/query';
import { readAmount } from '../money';
import type { Address, Customer, CurrencyRef } from '../state/records';

/** Fields Unleashed sets itself; echoing them back breaks its parser (a 500, not a 400). */
const READ_ONLY = ['CreatedOn', 'CreatedBy', 'LastModifiedOn', 'LastModifiedBy'];
const TEXT_FIELDS = [
    'Email',
    'ContactFirstName',
    'ContactLastName',
    'PhoneNumber',
    'MobileNumber',
    'Website',
    'Notes',
    'GSTVATNumber'
] as const;

function currencyRef(ctx: ApiContext, body: JsonObject): CurrencyRef | undefined {
    const ref = optionalObject(body.Currency, 'Currency');
    if (!ref) return undefined;
    const code = typeof ref.CurrencyCode === 'string' ? ref.CurrencyCode : undefined;
    const guid = typeof ref.Guid === 'string' ? ref.Guid : undefined;
    const found = ctx.state.currencies.find(
        (c) =>
            (code !== undefined && c.CurrencyCode.toLowerCase() === code.toLowerCase()) ||
            sameGuid(c.Guid, guid)
    );
    if (!found) throw badRequest(`Currency '${code ?? guid ?? ''}' does not exist.`);
    return { Guid: found.Guid, CurrencyCode: found.CurrencyCode, Description: found.Description };
}

function addresses(value: unknown): Address[] | undefined {
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value)) throw badRequest('Addresses must be a list.');
    return value.map((raw, i) => {
        const a = asObject(raw, `Addresses[${i}]`);
        const text = (f: string): string | null => optionalText(a, f) ?? null;
        return {
            AddressType: text('AddressType'),
            AddressName: text('AddressName'),
            StreetAddress: text('StreetAddress'),
            StreetAddress2: text('StreetAddress2'),
            Suburb: text('Suburb'),
            City: text('City'),
            Region: text('Region'),
            Country: text('Country'),
            PostalCode: text('PostalCode'),
            IsDefault: optionalBool(a, 'IsDefault') ?? false
        };
    });
}

/** POST /Customers/{guid}: create (201) or update (200) with the client's GUID. */
function upsert(ctx: ApiContext, guid: string): ApiResult {
    const body = asObject(ctx.body ?? {}, 'The customer');
    for (const f of READ_ONLY) {
        if (body[f] !== undefined && body[f] !== null) {
            throw new SimError(500, `The customer could not be parsed: ${f} is read-only.`);
        }
    }
    if (typeof body.Guid === 'string' && !sameGuid(body.Guid, guid)) {
        throw badRequest('The Guid in the body does not match the Guid in the URL.');
    }
    const { state } = ctx;
    const existing = state.customerByGuid(guid);
    const code = optionalText(body, 'CustomerCode', 50);
    const name = optionalText(body, 'CustomerName', 100);
    if (!existing) {
        if (!filled(code)) throw badRequest('CustomerCode is required.');
        if (!filled(name)) throw badRequest('CustomerName is required.');
        const contact = ['ContactFirstName', 'ContactLastName', 'Email'].some((f) =>
            filled(optionalText(body, f))
        );
        if (!contact) {
            throw badRequest(
                'A new customer needs a primary contact: ContactFirstName, ContactLastName or Email.'
            );
        }
    } else {
        if (code !== undefined && !filled(code)) throw badRequest('CustomerCode cannot be blank.');
        if (name !== undefined && !filled(name)) throw badRequest('CustomerName cannot be blank.');
    }
    if (filled(code)) {
        const clash = state.customerByCode(code);
        if (clash && !sameGuid(clash.Guid, guid)) {
            throw badRequest(`Customer code '${code}' is already used by another customer.`);
        }
    }
    const tier = optionalText(body, 'SellPriceTier');
    if (filled(tier) && !state.tierNames.includes(tier))
        throw badRequest(`Sell price tier '${tier}' does not exist.`);
    const taxCode = optionalText(body, 'TaxCode');
    if (filled(taxCode) && !state.revenueTax(taxCode))
        throw badRequest(`Tax code '${taxCode}' does not exist.`);
    let discount: Decimal | undefined;
    if (body.DiscountRate !== undefined && body.DiscountRate !== null) {
        discount = readAmount(body.DiscountRate, 'DiscountRate');
        if (discount.lt(0) || discount.gt(1)) throw badRequest('DiscountRate must be between 0 and 1.');
    }
    const currency = currencyRef(ctx, body);
    const now = new Date(ctx.now);
    const base: Customer = existing ?? {
        Guid: guid.toLowerCase(),
        CustomerCode: '',
        CustomerName: '',
        Currency: (() => {
            const c = state.currency(state.baseCurrencyCode);
            if (!c) throw badRequest('The account has no base currency.');
            return { Guid: c.Guid, CurrencyCode: c.CurrencyCode, Description: c.Description };
        })(),
        Email: null,
        ContactFirstName: null,
        ContactLastName: null,
        PhoneNumber: null,
        MobileNumber: null,
        Website: null,
        Notes: null,
        GSTVATNumber: null,
        Addresses: [],
        SellPriceTier: null,
        DiscountRate: null,
        Taxable: true,
        TaxCode: null,
        Obsolete: false,
        CreatedOn: now,
        CreatedBy: ctx.apiId,
        LastModifiedOn: now,
        LastModifiedBy: ctx.apiId
    };
    const next: Customer = { ...base, LastModifiedOn: now, LastModifiedBy: ctx.apiId };
    if (filled(code)) next.CustomerCode = code;
    if (filled(name)) next.CustomerName = name;
    for (const f of TEXT_FIELDS) {
        const v = optionalText(body, f);
        if (v !== undefined) next[f] = v;
    }
    if (tier !== undefined) next.SellPriceTier = filled(tier) ? tier : null;
    if (taxCode !== undefined) next.TaxCode = filled(taxCode) ? taxCode : null;
    if (discount !== undefined) next.DiscountRate = discount;
    if (currency) next.Currency = currency;
    const addr = addresses(body.Addresses);
    if (addr) next.Addresses = addr;
    next.Taxable = optionalBool(body, 'Taxable') ?? next.Taxable;
    next.Obsolete = optionalBool(body, 'Obsolete') ?? next.Obsolete;
    if (existing) {
        state.customers[state.customers.indexOf(existing)] = next;
        return { status: 200, body: next };
    }
    state.customers.push(next);
    return { status: 201, body: next };
}

export const customers: ResourceRoutes = {
    list(ctx, page) {
        const q = ctx.query;
        const code = q.get('customerCode');
        const name = q.get('customerName');
        const email = q.get('contactEmail');
        const since = q.date('modifiedSince');
        const items = ctx.state.customers.filter(
            (c) =>
                startsWith(c.CustomerCode, code) &&
                (name === undefined || startsWith(c.CustomerName, name)) &&
                (email === undefined || startsWith(c.Email, email)) &&
                (since === undefined || c.LastModifiedOn.getTime() >= since)
        );
        return paginateArray(items, page, q.pageSize());
    },
    get(ctx, guid) {
        const c = ctx.state.customerByGuid(guid);
        if (!c) throw notFound(`Customer with Guid ${guid} was not found.`);
        return c;
    },
    write(ctx, method, guid) {
        if (method !== 'POST') throw new SimError(405, 'The requested method is not allowed.');
        return upsert(ctx, guid);
    }
};
