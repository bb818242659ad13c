import { Decimal } from 'decimal.js';
import type { UnleashedClient } from '../unleashed/types';
import { ProductSchema, StockOnHandSchema, WarehouseSchema } from '../unleashed/schemas';
import { CoalescingCache } from './cache';
import { chunk, KeyedSemaphores } from './limit';

/**
 * Live stock per product and warehouse, with as few Unleashed calls as the data allows:
 * product codes resolve to GUIDs once (cached), then one StockOnHand call per warehouse asks for all
 * products at once (productId list), warehouses in parallel within a per-tenant bound. Identical
 * concurrent requests share one answer, and answers are reused for a few seconds.
 */

export const MAX_STOCK_CODES = 200;
/** GUIDs per StockOnHand call: 100 GUIDs keep the signed URL under 4 KB. */
const GUIDS_PER_CALL = 100;
const WAREHOUSES_TTL_MS = 5 * 60_000;
const PRODUCT_TTL_MS = 60 * 60_000;
const UNKNOWN_PRODUCT_TTL_MS = 60_000;

export interface StockRequest {
    productCodes: string[];
    warehouseCodes?: string[];
    includeObsolete?: boolean;
}

export interface WarehouseQuantities {
    warehouseCode: string;
    warehouseName: string;
    onHand: string;
    allocated: string;
    available: string;
    onPurchase: string;
}

export interface StockAnswer {
    asOf: string;
    ageSeconds: number;
    products: { productCode: string; known: boolean; warehouses: WarehouseQuantities[] }[];
    unknownWarehouseCodes: string[];
}

interface WarehouseRef {
    code: string;
    name: string;
    obsolete: boolean;
}

export class StockService {
    private readonly answers: CoalescingCache<Omit<StockAnswer, 'asOf' | 'ageSeconds'>>;
    private readonly warehouses = new CoalescingCache<WarehouseRef[]>();
    private readonly products = new CoalescingCache<string | null>(100_000);
    private readonly limits: KeyedSemaphores;

    constructor(
        private readonly opts: { cacheSeconds: number; concurrency?: number; now?: () => number } = {
            cacheSeconds: 5
        }
    ) {
        this.answers = new CoalescingCache(1000, opts.now);
        this.limits = new KeyedSemaphores(opts.concurrency ?? 4);
    }

    async getStock(tenantKey: string, client: UnleashedClient, req: StockRequest): Promise<StockAnswer> {
        const codes = [...new Set(req.productCodes)];
        const key = [
            tenantKey,
            'stock',
            [...codes].sort().join(','),
            [...new Set(req.warehouseCodes ?? [])].sort().join(','),
            req.includeObsolete ? 'all' : 'active'
        ].join('|');
        const { value, storedAt } = await this.answers.get(key, this.opts.cacheSeconds * 1000, () =>
            this.load(tenantKey, client, codes, req)
        );
        const now = (this.opts.now ?? Date.now)();
        // The answer may have been loaded for the same codes in another order: answer in this order.
        const byCode = new Map(value.products.map((p) => [p.productCode, p]));
        return {
            unknownWarehouseCodes: value.unknownWarehouseCodes,
            products: codes.map((c) => byCode.get(c) ?? { productCode: c, known: false, warehouses: [] }),
            asOf: new Date(storedAt).toISOString(),
            ageSeconds: Math.max(0, Math.floor((now - storedAt) / 1000))
        };
    }

    /** Forgets everything cached for a tenant (new credentials, disconnect). */
    invalidate(tenantKey: string): void {
        for (const c of [this.answers, this.warehouses, this.products]) c.invalidate(`${tenantKey}|`);
    }

    private async load(tenantKey: string, client: UnleashedClient, codes: string[], req: StockRequest) {
        const limit = this.limits.for(tenantKey);
        const [allWarehouses, guids] = await Promise.all([
            this.warehouseList(tenantKey, client),
            Promise.all(codes.map((code) => this.productGuid(tenantKey, client, code)))
        ]);

        const wanted = req.warehouseCodes?.length ? new Set(req.warehouseCodes) : null;
        const known = new Set(allWarehouses.map((w) => w.code));
        const unknownWarehouseCodes = wanted ? [...wanted].filter((c) => !known.has(c)) : [];
        const warehouses = allWarehouses.filter(
            (w) => (wanted ? wanted.has(w.code) : true) && (req.includeObsolete || !w.obsolete)
        );

        const guidByCode = new Map<string, string>();
        codes.forEach((c, i) => {
            const g = guids[i];
            if (g) guidByCode.set(c, g);
        });
        const guidList = [...new Set(guidByCode.values())];

        // (warehouse, product GUID) -> row; products without a row never had a transaction: zeros.
        const rows = new Map<string, WarehouseQuantities>();
        const calls: Promise<void>[] = [];
        for (const w of warehouses) {
            for (const part of chunk(guidList, GUIDS_PER_CALL)) {
                calls.push(
                    limit.run(async () => {
                        const items = await client.all(
                            'StockOnHand',
                            { warehouseCode: w.code, productId: part },
                            StockOnHandSchema
                        );
                        for (const r of items) {
                            // warehouseCode is a filter Unleashed may match loosely: keep exact rows only.
                            if (r.WarehouseCode && r.WarehouseCode !== w.code) continue;
                            if (!r.ProductGuid) continue;
                            rows.set(`${w.code}|${r.ProductGuid.toLowerCase()}`, {
                                warehouseCode: w.code,
                                warehouseName: w.name,
                                onHand: qty(r.QtyOnHand),
                                allocated: qty(r.AllocatedQty),
                                available: qty(r.AvailableQty),
                                onPurchase: qty(r.OnPurchase)
                            });
                        }
                    })
                );
            }
        }
        await Promise.all(calls);

        const products = codes.map((code) => {
            const guid = guidByCode.get(code);
            if (!guid) return { productCode: code, known: false, warehouses: [] };
            return {
                productCode: code,
                known: true,
                warehouses: warehouses.map(
                    (w) =>
                        rows.get(`${w.code}|${guid.toLowerCase()}`) ?? {
                            warehouseCode: w.code,
                            warehouseName: w.name,
                            onHand: '0',
                            allocated: '0',
                            available: '0',
                            onPurchase: '0'
                        }
                )
            };
        });
        return { products, unknownWarehouseCodes };
    }

    private async warehouseList(tenantKey: string, client: UnleashedClient): Promise<WarehouseRef[]> {
        const { value } = await this.warehouses.get(
            `${tenantKey}|warehouses`,
            WAREHOUSES_TTL_MS,
            async () => {
                const items = await client.all('Warehouses', {}, WarehouseSchema);
                return items.map((w) => ({
                    code: w.WarehouseCode,
                    name: w.WarehouseName ?? w.WarehouseCode,
                    obsolete: w.Obsolete === true
                }));
            }
        );
        return value;
    }

    private async productGuid(
        tenantKey: string,
        client: UnleashedClient,
        code: string
    ): Promise<string | null> {
        const key = `${tenantKey}|product|${code}`;
        // An unknown code may be created in Unleashed any minute: remember a miss only briefly.
        const ttl = (guid: string | null) => (guid ? PRODUCT_TTL_MS : UNKNOWN_PRODUCT_TTL_MS);
        const { value } = await this.products.get(key, ttl, async () => {
            const p = await this.limits.for(tenantKey).run(() =>
                client.findByCode('Products', 'productCode', code, (x) => x.ProductCode, ProductSchema, {
                    includeObsolete: true
                })
            );
            return p?.Guid ?? null;
        });
        return value;
    }
}

function qty(v: number | null | undefined): string {
    return v === null || v === undefined ? '0' : new Decimal(String(v)).toString();
}
