import { ExactDecimal } from '../money/decimal';
import type { UnleashedClient } from '../unleashed/types';
import {
    CompanySchema,
    CurrencySchema,
    DeliveryMethodSchema,
    decimalField,
    ProductSchema,
    SalesPersonSchema,
    TaxSchema,
    WarehouseSchema,
    type UnleashedCompany,
    type UnleashedProduct
} from '../unleashed/schemas';
import { CoalescingCache } from './cache';
import { chunk, KeyedSemaphores } from './limit';
import { DEFAULT_LOOKUP_LIMITS, findExactCode, lookupBudget, type LookupLimits } from './lookup';
import type { CurrencyInfo, ProductInfo, SalesPersonInfo, TaxInfo, WarehouseInfo } from './orders/plan';

/**
 * What Unleashed holds that orders are checked against: taxes, warehouses, currencies, the company's
 * base currency, salespersons, delivery methods, and products by code. Reference data changes
 * rarely, so it is cached per tenant for a few minutes (a send re-reads nothing a preview just read).
 */

export interface ReferenceData {
    taxes: Map<string, TaxInfo>;
    warehouses: Map<string, WarehouseInfo>;
    currencies: Map<string, CurrencyInfo>;
    baseCurrency: string;
    companyName: string | null;
    salesPersons: Map<string, SalesPersonInfo>;
    deliveryMethods: Map<string, string>;
}

const ZERO = new ExactDecimal(0);
const REFERENCE_TTL_MS = 5 * 60_000;
const PRODUCT_TTL_MS = 60_000;
const GUIDS_PER_CALL = 50;

export class UnleashedCatalog {
    private readonly reference = new CoalescingCache<ReferenceData>();
    private readonly products = new CoalescingCache<ProductInfo | null>(100_000);
    private readonly limits: KeyedSemaphores;
    private readonly lookup: LookupLimits;

    constructor(opts: { concurrency?: number; lookup?: LookupLimits } = {}) {
        this.limits = new KeyedSemaphores(opts.concurrency ?? 10);
        this.lookup = opts.lookup ?? DEFAULT_LOOKUP_LIMITS;
    }

    async referenceData(tenantKey: string, client: UnleashedClient): Promise<ReferenceData> {
        const { value } = await this.reference.get(`${tenantKey}|reference`, REFERENCE_TTL_MS, () =>
            loadReference(client)
        );
        return value;
    }

    /**
     * Products by exact code. Lines that carry the product's GUID (Salesforce has it from the
     * import) are fetched in one call per 50; the rest by a bounded lookup each (lookup.ts).
     */
    async productsByCode(
        tenantKey: string,
        client: UnleashedClient,
        lines: readonly { productCode: string; productGuid?: string | null }[]
    ): Promise<Map<string, ProductInfo>> {
        const out = new Map<string, ProductInfo>();
        const byGuid = new Map<string, string>();
        const byCode: string[] = [];
        for (const l of lines) {
            const cached = this.products.peek(`${tenantKey}|product|${l.productCode}`);
            if (cached) out.set(l.productCode, cached);
            else if (l.productGuid) byGuid.set(l.productGuid.toLowerCase(), l.productCode);
            else byCode.push(l.productCode);
        }
        const limit = this.limits.for(tenantKey);
        await Promise.all(
            chunk([...byGuid.keys()], GUIDS_PER_CALL).map((part) =>
                limit.run(async () => {
                    const items = await client.all(
                        'Products',
                        { productId: part, includeObsolete: true },
                        ProductSchema
                    );
                    for (const p of items) {
                        const expected = byGuid.get(String(p.Guid).toLowerCase());
                        if (expected && p.ProductCode === expected) {
                            const info = toProductInfo(p);
                            out.set(expected, info);
                            // A re-send moments later (preview, then send) reads it from here.
                            await this.products.get(
                                `${tenantKey}|product|${expected}`,
                                PRODUCT_TTL_MS,
                                async () => info
                            );
                        }
                    }
                })
            )
        );
        // GUIDs that no longer match (product re-created, code changed) fall back to the code.
        for (const code of byGuid.values()) if (!out.has(code)) byCode.push(code);
        const budget = lookupBudget(this.lookup);
        await Promise.all(
            [...new Set(byCode)].map(async (code) => {
                const { value } = await this.products.get(
                    `${tenantKey}|product|${code}`,
                    PRODUCT_TTL_MS,
                    async () => {
                        const found = await findExactCode(
                            client,
                            'Products',
                            'productCode',
                            code,
                            (x) => x.ProductCode,
                            ProductSchema,
                            {
                                extraQuery: { includeObsolete: true },
                                limits: this.lookup,
                                budget,
                                run: (call) => limit.run(call)
                            }
                        );
                        return found.status === 'found' ? toProductInfo(found.item) : null;
                    }
                );
                if (value) out.set(code, value);
            })
        );
        return out;
    }

    invalidate(tenantKey: string): void {
        this.reference.invalidate(`${tenantKey}|`);
        this.products.invalidate(`${tenantKey}|`);
    }
}

async function loadReference(client: UnleashedClient): Promise<ReferenceData> {
    const [taxes, warehouses, currencies, companies, salesPersons, deliveryMethods] = await Promise.all([
        client.all('Taxes', { canApplyToRevenue: true }, TaxSchema),
        client.all('Warehouses', {}, WarehouseSchema),
        client.all('Currencies', {}, CurrencySchema),
        client.all('Companies', {}, CompanySchema),
        client.all('SalesPersons', {}, SalesPersonSchema),
        client.all('DeliveryMethods', {}, DeliveryMethodSchema)
    ]);
    const company = companies[0];
    const baseCurrency = company ? baseCurrencyOf(company) : null;
    if (!baseCurrency) throw new Error('Unleashed did not say which base currency the company uses');
    const ref: ReferenceData = {
        taxes: new Map(),
        warehouses: new Map(),
        currencies: new Map(),
        baseCurrency,
        companyName: company?.CompanyName ?? null,
        salesPersons: new Map(),
        deliveryMethods: new Map()
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
        if (m.Name && m.Obsolete !== true) ref.deliveryMethods.set(m.Name.toLowerCase(), m.Name);
    }
    return ref;
}

/** `BaseCurrencyCode`, or a `BaseCurrency {CurrencyCode}` object: the shape is unconfirmed. */
export function baseCurrencyOf(company: UnleashedCompany): string | null {
    if (company.BaseCurrencyCode) return company.BaseCurrencyCode;
    const nested = (company as { BaseCurrency?: { CurrencyCode?: unknown } }).BaseCurrency;
    return typeof nested?.CurrencyCode === 'string' ? nested.CurrencyCode : null;
}

export function toProductInfo(p: UnleashedProduct): ProductInfo {
    return {
        code: p.ProductCode,
        guid: String(p.Guid),
        description: p.ProductDescription ?? null,
        obsolete: p.Obsolete === true,
        sellable: p.IsSellable !== false,
        salesTaxCode: p.XeroSalesTaxCode ?? null,
        salesTaxRate: decimalField(p.XeroSalesTaxRate, 'XeroSalesTaxRate')
    };
}
