import type { ZodType } from 'zod';
import { ExactDecimal } from '../money/decimal';
import { isUnleashedError, type UnleashedError } from '../unleashed/errors';
import {
    CompanySchema,
    CurrencySchema,
    DeliveryMethodSchema,
    decimalField,
    SalesOrderGroupSchema,
    SalesPersonSchema,
    TaxSchema,
    WarehouseSchema,
    type UnleashedCompany
} from '../unleashed/schemas';
import type { Query, UnleashedClient } from '../unleashed/types';
import type { CurrencyInfo, SalesPersonInfo, TaxInfo, WarehouseInfo } from './orders/plan';

/**
 * Unleashed's reference lists, each read on its own: one list Unleashed refuses (400, 404, 405) or
 * gives in a shape we do not know is recorded under its name and disables only the choices that
 * need it (the plan says which, as a warning). Anything about the whole connection (credentials,
 * quota, no answer, 5xx after retries) still fails the read: nothing else would work either, and a
 * passing outage must not be cached as a missing list.
 */

export type ReferenceList =
    | 'Taxes'
    | 'Warehouses'
    | 'Currencies'
    | 'Companies'
    | 'SalesPersons'
    | 'DeliveryMethods'
    | 'SalesOrderGroups';

export interface ReferenceData {
    taxes: Map<string, TaxInfo>;
    warehouses: Map<string, WarehouseInfo>;
    currencies: Map<string, CurrencyInfo>;
    /** Null when Companies could not be read or does not say. */
    baseCurrency: string | null;
    companyName: string | null;
    salesPersons: Map<string, SalesPersonInfo>;
    /** Keys are lower-case names, values the name as Unleashed spells it. */
    deliveryMethods: Map<string, string>;
    /** Live sales order groups: keys are lower-case names, values the name as Unleashed spells it. */
    salesOrderGroups: Map<string, string>;
    /** Lists that could not be read, with the reason. */
    unavailable: Partial<Record<ReferenceList, string>>;
}

const ZERO = new ExactDecimal(0);

/** Failures about one list (its shape, or Unleashed refusing that resource), not the connection. */
export function isListProblem(err: unknown): err is UnleashedError {
    if (!isUnleashedError(err)) return false;
    return err.kind === 'invalid-response' || (err.kind === 'http' && [400, 404, 405].includes(err.status));
}

/** A delivery method's name: `Name`, or `DeliveryMethodName` as another public client shows it. */
export function deliveryMethodName(m: { Name?: unknown; DeliveryMethodName?: unknown }): string | null {
    for (const v of [m.Name, m.DeliveryMethodName]) if (typeof v === 'string' && v.trim() !== '') return v;
    return null;
}

/** A sales order group's name: `GroupName`, `Name` or `SalesOrderGroupName` (public clients disagree). */
export function salesOrderGroupName(g: {
    GroupName?: unknown;
    Name?: unknown;
    SalesOrderGroupName?: unknown;
}): string | null {
    for (const v of [g.GroupName, g.Name, g.SalesOrderGroupName])
        if (typeof v === 'string' && v.trim() !== '') return v;
    return null;
}

/** `BaseCurrencyCode`, or a `BaseCurrency {CurrencyCode}` object: the shape is unconfirmed. */
export function baseCurrencyOf(company: UnleashedCompany): string | null {
    if (company.BaseCurrencyCode) return company.BaseCurrencyCode;
    const nested = (company as { BaseCurrency?: { CurrencyCode?: unknown } }).BaseCurrency;
    return typeof nested?.CurrencyCode === 'string' ? nested.CurrencyCode : null;
}

export async function loadReference(client: UnleashedClient): Promise<ReferenceData> {
    const unavailable: ReferenceData['unavailable'] = {};
    async function read<T>(name: ReferenceList, query: Query, schema: ZodType<T>): Promise<T[]> {
        try {
            return await client.all(name, query, schema);
        } catch (err) {
            if (!isListProblem(err)) throw err;
            unavailable[name] = err.message;
            return [];
        }
    }
    const [taxes, warehouses, currencies, companies, salesPersons, deliveryMethods, groups] =
        await Promise.all([
            read('Taxes', { canApplyToRevenue: true }, TaxSchema),
            read('Warehouses', {}, WarehouseSchema),
            read('Currencies', {}, CurrencySchema),
            read('Companies', {}, CompanySchema),
            read('SalesPersons', {}, SalesPersonSchema),
            read('DeliveryMethods', {}, DeliveryMethodSchema),
            read('SalesOrderGroups', {}, SalesOrderGroupSchema)
        ]);
    const company = companies[0];
    const baseCurrency = company ? baseCurrencyOf(company) : null;
    if (!baseCurrency && !unavailable.Companies) {
        unavailable.Companies = 'Unleashed did not say which base currency the company uses';
    }
    const ref: ReferenceData = {
        taxes: new Map(),
        warehouses: new Map(),
        currencies: new Map(),
        baseCurrency,
        companyName: company?.CompanyName ?? null,
        salesPersons: new Map(),
        deliveryMethods: new Map(),
        salesOrderGroups: new Map(),
        unavailable
    };
    // The same code can exist as a revenue and an expense tax: only revenue taxes apply to sales.
    for (const t of taxes) {
        if (t.CanApplyToRevenue === false || !t.TaxCode) continue;
        ref.taxes.set(t.TaxCode, {
            code: t.TaxCode,
            rate: decimalField(t.TaxRate, 'TaxRate') ?? ZERO,
            obsolete: t.Obsolete === true
        });
    }
    for (const w of warehouses) {
        ref.warehouses.set(w.WarehouseCode, {
            code: w.WarehouseCode,
            name: w.WarehouseName ?? w.WarehouseCode,
            obsolete: w.Obsolete === true
        });
    }
    for (const c of currencies) {
        if (!c.CurrencyCode) continue;
        ref.currencies.set(c.CurrencyCode, {
            code: c.CurrencyCode,
            sellRate: decimalField(c.DefaultSellRate, 'DefaultSellRate')
        });
    }
    for (const s of salesPersons) {
        if (!s.Email) continue;
        ref.salesPersons.set(s.Email.toLowerCase(), {
            guid: String(s.Guid),
            fullName: s.FullName ?? s.Email,
            email: s.Email,
            obsolete: s.Obsolete === true
        });
    }
    for (const m of deliveryMethods) {
        const name = deliveryMethodName(m);
        if (name && m.Obsolete !== true) ref.deliveryMethods.set(name.toLowerCase(), name);
    }
    if (deliveryMethods.length > 0 && ref.deliveryMethods.size === 0 && !unavailable.DeliveryMethods) {
        unavailable.DeliveryMethods = 'no delivery method carries a name under Name or DeliveryMethodName';
    }
    for (const g of groups) {
        const name = salesOrderGroupName(g);
        if (name && g.Obsolete !== true) ref.salesOrderGroups.set(name.trim().toLowerCase(), name.trim());
    }
    if (groups.length > 0 && !groups.some((g) => salesOrderGroupName(g)) && !unavailable.SalesOrderGroups) {
        unavailable.SalesOrderGroups =
            'no sales order group carries a name under GroupName, Name or SalesOrderGroupName';
    }
    return ref;
}
