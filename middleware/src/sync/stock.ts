import { Decimal } from 'decimal.js';
import type { UnleashedClient } from '../unleashed/types';
import { z } from 'zod';
import { UnleashedError } from '../unleashed/errors';
import {
    ProductSchema,
    SalesOrderSchema,
    StockOnHandSchema,
    WarehouseSchema,
    type UnleashedStockOnHand
} from '../unleashed/schemas';
import { CoalescingCache } from './cache';
import { chunk, KeyedSemaphores, type Semaphore } from './limit';
import {
    CallBudget,
    DEFAULT_LOOKUP_LIMITS,
    findProductByCode,
    lookupBudget,
    type LookupLimits
} from './lookup';
import {
    DEFAULT_UNALLOCATED_STATUSES,
    leaveOutOwnAllocation,
    ownAllocation,
    type OwnAllocation
} from './own-order';
import { StockMirror, type MirroredQuantities } from './stock-mirror';
import { formatFilterDate } from '../unleashed/dates';

/**
 * Live stock per product and warehouse, in as few round trips to Unleashed as the data allows.
 * A product's GUID comes from the cache, from the request (Salesforce holds the GUIDs the import
 * wrote: checked against Unleashed in the same round as the warehouse list) or, failing both, from
 * a bounded lookup by code (lookup.ts). Then one StockOnHand call per warehouse asks for all
 * products at once (productId list), every warehouse at the same time within the per-tenant bound.
 * With GUIDs and warehouses known that is one round trip; on a first look, two. Identical
 * concurrent requests share one answer, and answers are reused for a few seconds. Products read
 * within the last hour are checked instead of read (stock-mirror.ts): one call per 100 products
 * names those whose stock moved, and only those are read again per warehouse.
 */

export const MAX_STOCK_CODES = 200;
/** GUIDs per StockOnHand or Products call: 100 GUIDs keep the signed URL under 4 KB. */
const GUIDS_PER_CALL = 100;
const WAREHOUSES_TTL_MS = 60 * 60_000;
const PRODUCT_TTL_MS = 12 * 60 * 60_000;

export interface StockRequest {
    productCodes: string[];
    /**
     * Product GUIDs Salesforce holds for (some of) the codes, in any order: each is trusted for the
     * code Unleashed says it carries now, so a stale GUID costs nothing but a lookup by code.
     */
    productGuids?: readonly string[];
    warehouseCodes?: string[];
    includeObsolete?: boolean;
    /**
     * The sales order the asking Opportunity already has in Unleashed: what it holds allocated is
     * left out of the figures (own-order.ts), so its own lines do not count against it.
     */
    orderGuid?: string;
}

const warehouseQuantitiesSchema = z.object({
    warehouseCode: z.string(),
    warehouseName: z.string(),
    onHand: z.string(),
    allocated: z.string(),
    available: z.string(),
    onPurchase: z.string(),
    /** Allocated to the asking Opportunity's own order, and so left out of allocated and available. */
    orderAllocated: z.string().optional()
});
export type WarehouseQuantities = z.infer<typeof warehouseQuantitiesSchema>;

/** The stock answer as GET /v1/stock gives it (the route answers with this schema). */
export const stockAnswerSchema = z.object({
    asOf: z.string(),
    ageSeconds: z.number().int(),
    products: z.array(
        z.object({
            productCode: z.string(),
            known: z.boolean(),
            warehouses: z.array(warehouseQuantitiesSchema)
        })
    )
});

/** The service's answer: the route's, and the asked warehouse codes Unleashed does not have. */
export type StockAnswer = z.infer<typeof stockAnswerSchema> & { unknownWarehouseCodes: string[] };

interface WarehouseRef {
    code: string;
    name: string;
    obsolete: boolean;
}

export interface StockServiceOptions {
    cacheSeconds: number;
    /**
     * Unleashed calls in flight per tenant. Unleashed documents no concurrency limit (nor a 429);
     * 10 reads an account of up to 10 warehouses in one round, and a 429 would be retried.
     */
    concurrency?: number;
    /** How long a code Unleashed does not have (or a lookup cut short) is remembered. */
    missSeconds?: number;
    lookup?: LookupLimits;
    /** Per product (AllWarehouses) when fewer calls than per warehouse; default true. */
    perProductReads?: boolean;
    /** Order statuses that hold no allocation (own-order.ts); default Parked, Completed, Deleted. */
    unallocatedStatuses?: readonly string[];
    /**
     * Seconds a product's full read is answered from `modifiedSince` checks (stock-mirror.ts); 0 reads
     * every warehouse on every view. Default 0 (tests of the reads themselves).
     */
    changeCheckSeconds?: number;
    /** Told once per tenant when its checks stop because Unleashed missed a change the connector made. */
    onChangeCheckStopped?: (tenantKey: string, reason: string) => void;
    now?: () => number;
}

export class StockService {
    private readonly answers: CoalescingCache<Omit<StockAnswer, 'asOf' | 'ageSeconds'>>;
    private readonly warehouses: CoalescingCache<WarehouseRef[]>;
    private readonly products: CoalescingCache<string | null>;
    private readonly orders: CoalescingCache<OwnAllocation | null>;
    private readonly limits: KeyedSemaphores;
    private readonly lookupLimits: LookupLimits;
    private readonly missMs: number;
    private readonly mirror: StockMirror | null;
    private readonly now: () => number;

    constructor(private readonly opts: StockServiceOptions = { cacheSeconds: 5 }) {
        this.now = opts.now ?? Date.now;
        this.mirror = opts.changeCheckSeconds
            ? new StockMirror({ maxAgeMs: opts.changeCheckSeconds * 1000, now: this.now })
            : null;
        this.answers = new CoalescingCache(1000, opts.now);
        this.warehouses = new CoalescingCache(1000, opts.now);
        this.products = new CoalescingCache(100_000, opts.now);
        this.orders = new CoalescingCache(1000, opts.now);
        this.limits = new KeyedSemaphores(opts.concurrency ?? 10);
        this.lookupLimits = opts.lookup ?? DEFAULT_LOOKUP_LIMITS;
        this.missMs = (opts.missSeconds ?? 900) * 1000;
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
        // The stock and the order are read at the same time; the stock answer is shared by everyone
        // asking for these codes, the order's allocation is left out per request.
        const [{ value, storedAt }, own] = await Promise.all([
            this.answers.get(key, this.opts.cacheSeconds * 1000, () =>
                this.load(tenantKey, client, codes, req)
            ),
            req.orderGuid ? this.ownOrder(tenantKey, client, req.orderGuid) : Promise.resolve(null)
        ]);
        const now = this.now();
        // The answer may have been loaded for the same codes in another order: answer in this order.
        const byCode = new Map(value.products.map((p) => [p.productCode, p]));
        const answer = (c: string) => {
            const p = byCode.get(c) ?? { productCode: c, known: false, warehouses: [] };
            return own ? { ...p, warehouses: leaveOutOwnAllocation(c, p.warehouses, own) } : p;
        };
        return {
            unknownWarehouseCodes: value.unknownWarehouseCodes,
            products: codes.map(answer),
            asOf: new Date(storedAt).toISOString(),
            ageSeconds: Math.max(0, Math.floor((now - storedAt) / 1000))
        };
    }

    /** Forgets everything cached for a tenant (new credentials, disconnect). */
    invalidate(tenantKey: string): void {
        for (const c of [this.answers, this.warehouses, this.products, this.orders])
            c.invalidate(`${tenantKey}|`);
        this.mirror?.invalidate(tenantKey);
    }

    /** Forgets what the mirror holds for a tenant, so that the next views read every warehouse. */
    forgetMirror(tenantKey: string): void {
        this.mirror?.invalidate(tenantKey);
    }

    /** Why the tenant's change checks stopped (a change Unleashed did not report), or null. */
    changeCheckStopped(tenantKey: string): string | null {
        return this.mirror?.stoppedBecause(tenantKey) ?? null;
    }

    /**
     * The connector stored an order in this status with these products: when the status holds an
     * allocation, the next change check of those products must name them (stock-mirror.ts).
     */
    orderWritten(tenantKey: string, status: string, productGuids: readonly string[], what: string): void {
        const unallocated = this.opts.unallocatedStatuses ?? DEFAULT_UNALLOCATED_STATUSES;
        if (unallocated.some((u) => u.toLowerCase() === status.toLowerCase())) return;
        this.mirror?.expectChange(tenantKey, productGuids, what);
    }

    /**
     * What the order holds allocated, read as long as a stock answer is reused (its status and lines
     * change no more often than stock); an order Unleashed does not have holds nothing.
     */
    private async ownOrder(tenantKey: string, client: UnleashedClient, orderGuid: string) {
        const guid = orderGuid.toLowerCase();
        const { value } = await this.orders.get(
            `${tenantKey}|order|${guid}`,
            this.opts.cacheSeconds * 1000,
            async () => {
                let order = null;
                try {
                    order = await this.limits
                        .for(tenantKey)
                        .run(() =>
                            client.get(
                                `/SalesOrders/${encodeURIComponent(guid)}`,
                                undefined,
                                SalesOrderSchema
                            )
                        );
                } catch (err) {
                    if (!(err instanceof UnleashedError && err.status === 404)) throw err;
                }
                return ownAllocation(order, this.opts.unallocatedStatuses ?? DEFAULT_UNALLOCATED_STATUSES);
            }
        );
        return value;
    }

    private async load(tenantKey: string, client: UnleashedClient, codes: string[], req: StockRequest) {
        const limit = this.limits.for(tenantKey);
        const productKey = (code: string) => `${tenantKey}|product|${code}`;
        const rows = new Map<string, WarehouseQuantities>();
        // Stock is read for each distinct GUID once, as soon as the GUID and the warehouses are known.
        const asked = new Set<string>();
        const reads: Promise<void>[] = [];
        const warehousesP = this.warehouseList(tenantKey, client).then((all) => selectWarehouses(all, req));
        const readStock = (guids: string[]) => {
            const fresh = [...new Set(guids.map((g) => g.toLowerCase()))].filter((g) => !asked.has(g));
            if (fresh.length === 0) return;
            for (const g of fresh) asked.add(g);
            const read = warehousesP.then(({ warehouses }) =>
                this.readStock(tenantKey, limit, client, warehouses, fresh, rows)
            );
            // Awaited below, after the lookups; until then a failure must not count as unhandled.
            read.catch(() => undefined);
            reads.push(read);
        };
        // A failure is reported once, below, by the await that sees it first.
        warehousesP.catch(() => undefined);

        const guidByCode = new Map<string, string>();
        const open: string[] = [];
        for (const code of codes) {
            const cached = this.products.peek(productKey(code));
            if (cached) guidByCode.set(code, cached);
            else open.push(code);
        }
        readStock([...guidByCode.values()]);

        const budget = lookupBudget(this.lookupLimits);
        const lookUp = async (code: string) => {
            // A remembered miss is not asked again (a GUID from the request still wins, above).
            if (this.products.peek(productKey(code)) === null) return;
            const g = await this.productGuid(tenantKey, client, code, budget);
            if (g) guidByCode.set(code, g);
        };
        const wanted = new Set(open);
        // Nothing to confirm when every code's GUID is cached: no call for the request's GUIDs.
        const given = open.length ? [...new Set((req.productGuids ?? []).map((g) => g.toLowerCase()))] : [];
        // GUIDs from the request: stock is read for them at once, and in the same round one Products
        // call per 100 says which code each GUID carries now; only confirmed pairs are used.
        readStock(given);
        const checks = chunk(given, GUIDS_PER_CALL).map((part) =>
            limit
                .run(() => client.all('Products', { productId: part, includeObsolete: true }, ProductSchema))
                .then((items) => {
                    for (const p of items) {
                        const guid = String(p.Guid).toLowerCase();
                        if (!part.includes(guid) || !wanted.has(p.ProductCode)) continue;
                        guidByCode.set(p.ProductCode, guid);
                        this.products.set(productKey(p.ProductCode), guid, PRODUCT_TTL_MS);
                    }
                })
        );
        await Promise.all(checks);
        // Codes no GUID confirmed (none sent, a product re-created, a code changed): by code.
        const byCode = open.filter((c) => !guidByCode.has(c));
        await Promise.all(byCode.map(lookUp));
        // What the lookups found is read together: one call per warehouse, not per product.
        readStock(byCode.map((c) => guidByCode.get(c)).filter((g): g is string => !!g));
        await Promise.all(reads);

        const { warehouses, unknownWarehouseCodes } = await warehousesP;
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

    /**
     * The stock of these products in these warehouses into `rows`: products the mirror holds are
     * checked (one call per 100) and only the changed ones read again with the rest.
     */
    private async readStock(
        tenantKey: string,
        limit: Semaphore,
        client: UnleashedClient,
        warehouses: WarehouseRef[],
        guids: string[],
        rows: Map<string, WarehouseQuantities>
    ): Promise<void> {
        const mirror = this.mirror;
        const codes = warehouses.map((w) => w.code);
        let toRead = guids;
        const check = mirror?.checkable(tenantKey, guids, codes);
        if (mirror && check && check.guids.length > 0) {
            const at = this.now();
            let changed: Set<string>;
            let stopped: string | null;
            try {
                changed = await this.changedSince(limit, client, check.guids, check.since);
                stopped = mirror.checked(tenantKey, check.guids, changed, check.since, at);
            } catch (err) {
                // A check Unleashed refuses as a request (not a passing fault) must not fail views.
                if (!refusedAsRequest(err)) throw err;
                stopped = `Unleashed refused the stock change check (${err.status}: ${err.message}), so stock is read from every warehouse on each view for this account (STOCK_CHANGE_CHECK_SECONDS; see the README).`;
                mirror.stop(tenantKey, stopped);
                changed = new Set();
            }
            if (stopped) {
                this.opts.onChangeCheckStopped?.(tenantKey, stopped);
            } else {
                const unchanged = new Set(check.guids.filter((g) => !changed.has(g)));
                for (const g of unchanged) {
                    for (const w of warehouses) {
                        const q = mirror.quantities(tenantKey, g, w.code);
                        if (q)
                            rows.set(`${w.code}|${g}`, {
                                warehouseCode: w.code,
                                warehouseName: w.name,
                                ...q
                            });
                    }
                }
                toRead = guids.filter((g) => !unchanged.has(g));
            }
        }
        if (toRead.length === 0) return;
        const at = this.now();
        const read = new Map<string, WarehouseQuantities>();
        await this.readAll(limit, client, warehouses, toRead, read);
        for (const [k, v] of read) rows.set(k, v);
        if (!mirror) return;
        for (const g of toRead) {
            const mine = new Map<string, MirroredQuantities>();
            for (const w of warehouses) {
                const r = read.get(`${w.code}|${g}`);
                if (r) mine.set(w.code, figures(r));
            }
            mirror.store(tenantKey, g, codes, mine, at);
        }
    }

    /**
     * The products among `guids` whose stock moved since `since` (ms): StockOnHand without a
     * warehouse answers one total row per product it has a change for. A row that names no product
     * makes its whole chunk count as changed.
     */
    private async changedSince(
        limit: Semaphore,
        client: UnleashedClient,
        guids: string[],
        since: number
    ): Promise<Set<string>> {
        const changed = new Set<string>();
        const modifiedSince = formatFilterDate(new Date(Math.max(0, since)));
        await Promise.all(
            chunk(guids, GUIDS_PER_CALL).map((part) =>
                limit.run(async () => {
                    const items = await client.all(
                        'StockOnHand',
                        { productId: part, modifiedSince },
                        StockOnHandSchema
                    );
                    const asked = new Set(part);
                    for (const r of items) {
                        const g = r.ProductGuid?.toLowerCase();
                        if (!g) {
                            for (const p of part) changed.add(p);
                            return;
                        }
                        if (asked.has(g)) changed.add(g);
                    }
                })
            )
        );
        return changed;
    }

    /**
     * One StockOnHand call per warehouse and 100 GUIDs, or one AllWarehouses call per product when
     * that is fewer (a product page, a short Opportunity), all in flight at once within the bound.
     */
    private async readAll(
        limit: Semaphore,
        client: UnleashedClient,
        warehouses: WarehouseRef[],
        guids: string[],
        rows: Map<string, WarehouseQuantities>
    ): Promise<void> {
        const perWarehouse = warehouses.length * Math.ceil(guids.length / GUIDS_PER_CALL);
        if (this.opts.perProductReads !== false && guids.length < perWarehouse) {
            const byCode = new Map(warehouses.map((w) => [w.code, w]));
            await Promise.all(
                guids.map((g) =>
                    limit.run(async () => {
                        for (const r of await allWarehouses(client, g)) {
                            const w = r.WarehouseCode ? byCode.get(r.WarehouseCode) : undefined;
                            if (w) rows.set(`${w.code}|${g}`, quantities(w, r));
                        }
                    })
                )
            );
            return;
        }
        const calls: Promise<void>[] = [];
        for (const w of warehouses) {
            for (const part of chunk(guids, GUIDS_PER_CALL)) {
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
                            rows.set(`${w.code}|${r.ProductGuid.toLowerCase()}`, quantities(w, r));
                        }
                    })
                );
            }
        }
        await Promise.all(calls);
    }

    private async warehouseList(tenantKey: string, client: UnleashedClient): Promise<WarehouseRef[]> {
        const { value } = await this.warehouses.get(
            `${tenantKey}|warehouses`,
            WAREHOUSES_TTL_MS,
            async () => {
                const items = await this.limits
                    .for(tenantKey)
                    .run(() => client.all('Warehouses', {}, WarehouseSchema));
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
        code: string,
        budget: CallBudget
    ): Promise<string | null> {
        const key = `${tenantKey}|product|${code}`;
        // An unknown code may be created in Unleashed any minute, but a miss asked again costs a
        // lookup each time: remember it for missSeconds (products Salesforce imported carry GUIDs
        // and skip the lookup, so a newly imported product is not hidden by a remembered miss).
        const ttl = (guid: string | null) => (guid ? PRODUCT_TTL_MS : this.missMs);
        const { value } = await this.products.get(key, ttl, async () => {
            const found = await findProductByCode(client, code, {
                limits: this.lookupLimits,
                budget,
                run: (call) => this.limits.for(tenantKey).run(call)
            });
            return found.status === 'found' ? String(found.item.Guid).toLowerCase() : null;
        });
        return value;
    }
}

function selectWarehouses(all: WarehouseRef[], req: StockRequest) {
    const wanted = req.warehouseCodes?.length ? new Set(req.warehouseCodes) : null;
    const known = new Set(all.map((w) => w.code));
    const unknownWarehouseCodes = wanted ? [...wanted].filter((c) => !known.has(c)) : [];
    const warehouses = all.filter(
        (w) => (wanted ? wanted.has(w.code) : true) && (req.includeObsolete || !w.obsolete)
    );
    return { warehouses, unknownWarehouseCodes };
}

function quantities(w: WarehouseRef, r: UnleashedStockOnHand): WarehouseQuantities {
    return {
        warehouseCode: w.code,
        warehouseName: w.name,
        onHand: qty(r.QtyOnHand),
        allocated: qty(r.AllocatedQty),
        available: qty(r.AvailableQty),
        onPurchase: qty(r.OnPurchase)
    };
}

const AllWarehousesSchema = z.union([
    z.looseObject({ Items: z.array(StockOnHandSchema) }).transform((b) => b.Items),
    z.array(StockOnHandSchema)
]);

/** A product's rows in every warehouse it had a transaction in; none for an unknown GUID (404). */
async function allWarehouses(client: UnleashedClient, guid: string): Promise<UnleashedStockOnHand[]> {
    try {
        return await client.get(
            `/StockOnHand/${encodeURIComponent(guid)}/AllWarehouses`,
            {},
            AllWarehousesSchema
        );
    } catch (err) {
        if (err instanceof UnleashedError && err.status === 404) return [];
        throw err;
    }
}

/** A 4xx that says the request itself is wrong (not the credentials, the allowance or a burst). */
function refusedAsRequest(err: unknown): err is UnleashedError {
    return (
        err instanceof UnleashedError &&
        err.status >= 400 &&
        err.status < 500 &&
        ![401, 403, 429].includes(err.status)
    );
}

function figures(q: WarehouseQuantities): MirroredQuantities {
    return { onHand: q.onHand, allocated: q.allocated, available: q.available, onPurchase: q.onPurchase };
}

function qty(v: number | null | undefined): string {
    return v === null || v === undefined ? '0' : new Decimal(String(v)).toString();
}
