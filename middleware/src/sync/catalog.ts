import type { UnleashedClient } from '../unleashed/types';
import { decimalField, ProductSchema, type UnleashedProduct } from '../unleashed/schemas';
import { CoalescingCache } from './cache';
import { chunk, KeyedSemaphores } from './limit';
import { DEFAULT_LOOKUP_LIMITS, findProductByCode, lookupBudget, type LookupLimits } from './lookup';
import type { ProductInfo } from './orders/plan';
import { loadReference, type ReferenceData } from './reference-data';

/**
 * What Unleashed holds that orders are checked against: taxes, warehouses, currencies, the company's
 * base currency, salespersons, delivery methods, and products by code. Reference data changes
 * rarely, so it is cached per tenant for a few minutes (a send re-reads nothing a preview just read).
 * Each reference list is read on its own (reference-data.ts).
 */

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
                        const found = await findProductByCode(client, code, {
                            limits: this.lookup,
                            budget,
                            run: (call) => limit.run(call)
                        });
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

export { baseCurrencyOf, type ReferenceData } from './reference-data';

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
