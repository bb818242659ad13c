import { Decimal } from 'decimal.js';
import type { SObjectRecord, UpsertResult } from '../../salesforce/types';
import { ProductSchema, sellPriceTiers, type UnleashedProduct } from '../../unleashed/schemas';
import type { Query } from '../../unleashed/types';
import type { EntityUnit, RunContext } from './context';
import { currencyPlan, type CurrencyPlan } from './currency';
import { describeIssues, parseItem } from './items';
import { planRecords, type Desired, type Planned } from './plan';
import { soqlString } from '../../salesforce/soql';
import { failureReason, insertAll, keyOf, queryIn, upsertAll } from './salesforce-io';
import { changedFields, clipText, type Tally, type WriteClass } from './tally';
import type { ImportEntity } from './types';

/**
 * Products -> Product2 (by Unleashed product code), and their prices as price book entries: the
 * "Unleashed" book at the default sell price, one "Unleashed - <tier>" book per sell price tier
 * with a price, and the standard price book where a custom entry needs a standard price.
 * Products and price tiers read the same product pages, so one pass serves both.
 */

const CODE_FIELD = 'Unleashed_Product_Code__c';
const PRODUCT_FIELDS = [
    'Name',
    'ProductCode',
    'Description',
    'IsActive',
    CODE_FIELD,
    'Unleashed_Guid__c',
    'Unleashed_Sales_Tax__c',
    'Unleashed_Notes__c',
    'Unleashed_Image_Url__c',
    'Unleashed_Obsolete__c'
];

export const UNLEASHED_BOOK = 'Unleashed';
export const PRODUCT_CODE_FIELD = 'Unleashed_Product_Code__c';
const TIER_PREFIX = 'Unleashed - ';
export const tierBookName = (tier: string): string => `${TIER_PREFIX}${tier.trim()}`.slice(0, 255);

export const price2 = (d: Decimal) => d.toDecimalPlaces(2, Decimal.ROUND_HALF_UP).toNumber();

interface Entry {
    Id: string;
    Pricebook2Id: string;
    Product2Id: string;
    UnitPrice: number | null;
    IsActive: boolean;
    CurrencyIsoCode?: string | null;
}

/** A price the product should have in one book. */
export interface Price {
    book: string;
    entity: ImportEntity;
    value: Decimal;
}

/** An entry to insert or update, with what it depends on. */
interface EntryWrite {
    key: string;
    /** Its key in the page's ClassMemo. */
    memoKey: string;
    label: string;
    entity: ImportEntity;
    cls: WriteClass;
    /** Product code, to find the product's Id once it is written. */
    code: string;
    currency: string;
    /** Insert: the fields without Product2Id; update: Id, UnitPrice, IsActive. */
    record: SObjectRecord;
    insert: boolean;
    standard: boolean;
}

/** Obsolete products are read too: their Product2 becomes inactive rather than stale. */
export const productListQuery = (since: string | null): Query => ({
    includeObsolete: true,
    ...(since ? { modifiedSince: since } : {})
});

/** Product2 fields of an Unleashed product; `taxIdOf` finds the Unleashed_Tax__c of a tax code. */
export function productRecord(p: UnleashedProduct, taxIdOf: (code: string) => string | null): SObjectRecord {
    const image = p.ImageUrl ?? p.Images?.find((i) => i.IsDefault)?.Url ?? p.Images?.[0]?.Url ?? null;
    return {
        [CODE_FIELD]: p.ProductCode,
        Name: clipText(p.ProductDescription, 255) ?? clipText(p.ProductCode, 255),
        ProductCode: clipText(p.ProductCode, 255),
        Description: clipText(p.ProductDescription, 4000),
        IsActive: p.Obsolete !== true,
        Unleashed_Guid__c: p.Guid,
        Unleashed_Sales_Tax__c: p.XeroSalesTaxCode ? taxIdOf(p.XeroSalesTaxCode) : null,
        Unleashed_Notes__c: clipText(p.Notes, 32768),
        // A cut URL would point nowhere: too long is left out.
        Unleashed_Image_Url__c: image && image.length <= 255 ? image : null,
        Unleashed_Obsolete__c: p.Obsolete === true
    };
}

/**
 * The prices a product should have, by price book name: the default sell price in "Unleashed", and
 * each named tier with a price in its own book. A tier without a price is left out, never zero.
 */
export function productPrices(p: UnleashedProduct, which: { products: boolean; tiers: boolean }): Price[] {
    const out: Price[] = [];
    if (which.products && p.DefaultSellPrice !== null && p.DefaultSellPrice !== undefined) {
        out.push({
            book: UNLEASHED_BOOK,
            entity: 'products',
            value: new Decimal(String(p.DefaultSellPrice))
        });
    }
    if (which.tiers) {
        const seen = new Set<string>();
        for (const t of sellPriceTiers(p)) {
            if (!t.name?.trim() || t.value === null) continue;
            const book = tierBookName(t.name);
            if (seen.has(book)) continue;
            seen.add(book);
            out.push({ book, entity: 'priceTiers', value: t.value });
        }
    }
    return out;
}

/** One product's entries in one currency slot (the only slot, '', without multi-currency). */
interface Slot {
    p: UnleashedProduct;
    code: string;
    currency: string;
    /** The product's existing entries in this currency. */
    entries: Entry[];
    /** Label suffix naming the currency, when there are several. */
    suffix: string;
    /** Key of the product in this slot, for memo and write keys. */
    keyBase: string;
    curField: { CurrencyIsoCode?: string };
}

/** A product of the page with the prices it should have. */
interface PricedProduct {
    p: UnleashedProduct;
    prices: Price[];
}

/** What Salesforce has for a page: products by code key, their entries by Product2Id. */
interface Existing {
    byCode: Map<string, SObjectRecord>;
    entries: Map<string, Entry[]>;
}

/** A page's planned writes: the products, their entries, and the products whose entries were planned. */
interface PagePlan {
    products: Planned[];
    entries: EntryWrite[];
    ready: PricedProduct[];
}

/** The state of a page once its products are written, read by the writes that follow. */
interface ProductsWritten {
    /** Product2 Ids by code key. */
    ids: Map<string, string>;
    /** Code keys of products that could not be written: their entries are not attempted. */
    failed: Set<string>;
    stamp: SObjectRecord;
    /** New products refused because Salesforce has their GUID under another code. */
    renamed: Planned[];
    /** Codes planned as new that Salesforce had after all. */
    foundLate: string[];
}

export interface ProductPassOptions {
    products: boolean;
    tiers: boolean;
    /** modifiedSince for this run, or null for everything. */
    since: string | null;
}

export class ProductUnit implements EntityUnit {
    readonly entities: ImportEntity[];
    readonly resource = 'Products';
    readonly query: Query;
    readonly paged = true;
    private taxIds = new Map<string, string>();
    /** Price book Ids by name; the standard book under ''. */
    private books = new Map<string, string>();
    private readonly creating = new Map<string, Promise<string>>();
    private lastPageExisted = false;
    private currency: CurrencyPlan = { multiCurrency: false, slots: [''], reason: null, active: null };

    constructor(
        private readonly ctx: RunContext,
        private readonly opts: ProductPassOptions
    ) {
        this.entities = [
            ...(opts.products ? ['products' as const] : []),
            ...(opts.tiers ? ['priceTiers' as const] : [])
        ];
        this.query = productListQuery(opts.since);
    }

    async prepare(): Promise<void> {
        const { writer } = this.ctx.sf;
        const [taxes, books, currency] = await Promise.all([
            writer.query<{ Id: string; Tax_Code__c: string | null; Obsolete__c: boolean }>(
                'SELECT Id, Tax_Code__c, Obsolete__c FROM Unleashed_Tax__c WHERE Can_Apply_To_Revenue__c = true'
            ),
            writer.query<{ Id: string; Name: string; IsStandard: boolean }>(
                "SELECT Id, Name, IsStandard FROM Pricebook2 WHERE IsStandard = true OR Name LIKE 'Unleashed%' ORDER BY CreatedDate"
            ),
            currencyPlan(writer, this.ctx.company.baseCurrency)
        ]);
        this.currency = currency;
        // Live taxes win over obsolete ones of the same code.
        for (const t of [...taxes].sort((a, b) => Number(b.Obsolete__c) - Number(a.Obsolete__c))) {
            if (t.Tax_Code__c) this.taxIds.set(keyOf(t.Tax_Code__c), t.Id);
        }
        for (const b of books) {
            const name = b.IsStandard ? '' : b.Name;
            if (!this.books.has(name)) this.books.set(name, b.Id);
        }
        if (!this.books.has('')) {
            throw new Error('The org has no standard price book, which every price book entry needs');
        }
    }

    /** The price book's Id, creating the book the first time a price needs it (once, for pages in flight). */
    private book(name: string): Promise<string> {
        const known = this.books.get(name);
        if (known) return Promise.resolve(known);
        let creating = this.creating.get(name);
        if (!creating) {
            creating = (async () => {
                const [r] = await insertAll(
                    this.ctx.sf.writer,
                    'Pricebook2',
                    [{ Name: name, IsActive: true, Description: 'Prices imported from Unleashed' }],
                    this.ctx.write,
                    ['Name']
                );
                if (!r?.success || !r.id) {
                    throw new Error(
                        `Could not create the price book "${name}": ${r ? failureReason(r.errors) : 'no answer'}`
                    );
                }
                this.books.set(name, r.id);
                return r.id;
            })().finally(() => this.creating.delete(name));
            this.creating.set(name, creating);
        }
        return creating;
    }

    private productRecord(p: UnleashedProduct): SObjectRecord {
        return productRecord(p, (code) => this.taxIds.get(keyOf(code)) ?? null);
    }

    /** The prices this product should have, per book name. */
    private prices(p: UnleashedProduct): Price[] {
        return productPrices(p, this.opts);
    }

    /** Whether an existing entry in this book is ours to keep in step (and to deactivate). */
    private managed(bookId: string): ImportEntity | null {
        for (const [name, id] of this.books) {
            if (id !== bookId || name === '') continue;
            if (name === UNLEASHED_BOOK) return this.opts.products ? 'products' : null;
            if (name.startsWith(TIER_PREFIX)) return this.opts.tiers ? 'priceTiers' : null;
        }
        return null;
    }

    async page(items: unknown[], tally: Tally): Promise<void> {
        const products = this.screen(items, tally);
        if (products.length === 0) return;
        for (const { prices } of products) for (const pr of prices) await this.book(pr.book);
        const found = await this.readExisting(products.map(({ p }) => p.ProductCode));
        const plan = this.plan(products, found, tally);
        if (plan.products.length === 0 && plan.entries.length === 0) return;
        await tally.beforeWrites();

        // Write: products, then standard prices, then the other books' entries.
        const written = await this.writeProducts(plan.products, found.byCode, tally);
        tally.alive();
        const replan = [...written.foundLate];
        if (written.renamed.length)
            replan.push(...(await this.writeRenamed(written.renamed, written, tally)));
        const writes = replan.length
            ? await this.replan(replan, plan.entries, plan.ready, written.ids, tally)
            : plan.entries;
        await this.writeEntries(writes, written, tally);
    }

    /** The page's items that can be written; every other one is counted as failed, with its reason. */
    private screen(items: unknown[], tally: Tally): PricedProduct[] {
        const valid: PricedProduct[] = [];
        const codes = new Map<string, number>();
        items.forEach((raw, i) => {
            tally.done += 1;
            const item = parseItem(ProductSchema, raw);
            if (!item.ok) {
                tally.fail('products', item.label ?? `#${i + 1}`, describeIssues(item.issues));
                return;
            }
            let prices: Price[];
            try {
                prices = this.prices(item.value);
            } catch (err) {
                tally.fail('products', item.value.ProductCode, (err as Error).message);
                return;
            }
            if (!item.value.ProductCode.trim()) {
                tally.fail('products', item.value.Guid, 'the product has no product code');
                return;
            }
            valid.push({ p: item.value, prices });
            codes.set(keyOf(item.value.ProductCode), (codes.get(keyOf(item.value.ProductCode)) ?? 0) + 1);
        });
        // Salesforce compares codes without case: two such products cannot both be written.
        return valid.filter(({ p }) => {
            if (codes.get(keyOf(p.ProductCode))! === 1) return true;
            tally.fail(
                'products',
                p.ProductCode,
                'another product on the same page has this code (Salesforce ignores case in codes)'
            );
            return false;
        });
    }

    /**
     * The page's products Salesforce has, by code, and their entries. When the last page found its
     * products in Salesforce, this one likely will too: their entries are read at the same time.
     * Otherwise only the entries of products found are read.
     */
    private async readExisting(codes: string[]): Promise<Existing> {
        const together = this.lastPageExisted;
        const [existing, early] = await Promise.all([
            queryIn<SObjectRecord>(this.ctx.sf.writer, {
                select: `SELECT Id, ${PRODUCT_FIELDS.join(', ')} FROM Product2`,
                field: CODE_FIELD,
                values: codes,
                rangeHint: true
            }),
            together ? this.entriesOf(codes) : Promise.resolve(null)
        ]);
        const byCode = new Map(existing.map((r) => [keyOf(r[CODE_FIELD]), r]));
        this.lastPageExisted = existing.length > 0;
        const entries = early ?? (await this.entriesOf(codes.filter((code) => byCode.has(keyOf(code)))));
        return { byCode, entries };
    }

    /** Plan: Product2 records, then every entry against the product's current entries. */
    private plan(products: PricedProduct[], found: Existing, tally: Tally): PagePlan {
        const desired: Desired[] = [];
        const ready: PricedProduct[] = [];
        for (const item of products) {
            const code = item.p.ProductCode;
            const before = found.byCode.get(keyOf(code));
            if (this.opts.products) {
                desired.push({
                    key: code,
                    label: code,
                    entity: 'products',
                    record: this.productRecord(item.p)
                });
            } else if (!before) {
                tally.fail('priceTiers', code, 'the product is not in Salesforce yet: import products first');
                continue;
            }
            ready.push(item);
        }
        const planned = planRecords(desired, found.byCode, tally.memo, 'product', tally);
        const entries: EntryWrite[] = [];
        for (const { p, prices } of ready) {
            const before = found.byCode.get(keyOf(p.ProductCode));
            const productId = before ? String(before.Id) : null;
            entries.push(
                ...this.planEntries(p, prices, productId ? (found.entries.get(productId) ?? []) : [], tally)
            );
        }
        return { products: planned, entries, ready };
    }

    /** Upserts the planned Product2 records by code and records what became of each. */
    private async writeProducts(
        planned: Planned[],
        byCode: Map<string, SObjectRecord>,
        tally: Tally
    ): Promise<ProductsWritten> {
        const { ctx } = this;
        const out: ProductsWritten = {
            ids: new Map([...byCode].map(([k, r]) => [k, String(r.Id)])),
            failed: new Set<string>(),
            stamp: { Unleashed_Last_Imported__c: ctx.now().toISOString() },
            renamed: [],
            foundLate: []
        };
        const results = await upsertAll(
            ctx.sf.writer,
            'Product2',
            CODE_FIELD,
            planned.map((p) => ({ ...p.record, ...out.stamp })),
            ctx.write
        );
        planned.forEach((p, i) => {
            const r = results[i];
            if (r?.success && r.id) {
                // Planned as new but found by Salesforce (the query's range missed it): existing after all.
                const late = p.cls === 'created' && r.created === false && !byCode.has(keyOf(p.key));
                if (late) out.foundLate.push(p.key);
                tally.add(late ? 'updated' : p.cls);
                out.ids.set(keyOf(p.key), r.id);
            } else if (r && p.cls === 'created' && guidClash(r)) {
                out.renamed.push(p);
            } else {
                tally.result(p.entity, p.label, p.cls, r);
                out.failed.add(keyOf(p.key));
            }
        });
        return out;
    }

    /**
     * Products whose entries were planned as for a new product but that Salesforce had (renamed in
     * Unleashed, or missed by the query): their entries are planned again against what they have.
     */
    private async replan(
        codes: string[],
        writes: EntryWrite[],
        ready: PricedProduct[],
        ids: Map<string, string>,
        tally: Tally
    ): Promise<EntryWrite[]> {
        const again = new Set(codes.map(keyOf));
        for (const w of writes) if (again.has(keyOf(w.code))) tally.memo.forget(w.memoKey);
        const out = writes.filter((w) => !again.has(keyOf(w.code)));
        const entries = await this.entriesOf(codes);
        for (const { p, prices } of ready) {
            const id = ids.get(keyOf(p.ProductCode));
            if (id && again.has(keyOf(p.ProductCode)))
                out.push(...this.planEntries(p, prices, entries.get(id) ?? [], tally));
        }
        return out;
    }

    async finish(): Promise<void> {
        // Products are never marked from their absence: an incremental run lists only changes.
    }

    /** Existing entries of these products in our price books and the standard book, by Product2Id. */
    private async entriesOf(codes: string[]): Promise<Map<string, Entry[]>> {
        const out = new Map<string, Entry[]>();
        if (codes.length === 0) return out;
        const currency = this.currency.multiCurrency ? ', CurrencyIsoCode' : '';
        const rows = await queryIn<Entry & SObjectRecord>(this.ctx.sf.writer, {
            select: `SELECT Id, Pricebook2Id, Product2Id, UnitPrice, IsActive${currency} FROM PricebookEntry`,
            field: 'Product2.Unleashed_Product_Code__c',
            values: codes,
            also: `Pricebook2Id IN (${[...this.books.values()].map(soqlString).join(', ')})`,
            rangeHint: true
        });
        for (const e of rows) {
            const list = out.get(String(e.Product2Id)) ?? [];
            list.push(e);
            out.set(String(e.Product2Id), list);
        }
        return out;
    }

    /** Entries to insert or update for one product, in every currency slot. */
    private planEntries(p: UnleashedProduct, prices: Price[], existing: Entry[], tally: Tally): EntryWrite[] {
        if (this.currency.slots.length === 0) {
            if (prices.length)
                tally.fail('products', p.ProductCode, `prices not imported: ${this.currency.reason}`);
            return [];
        }
        return this.currency.slots.flatMap((currency) => {
            const slot: Slot = {
                p,
                code: p.ProductCode,
                currency,
                entries: existing.filter(
                    (e) => !this.currency.multiCurrency || e.CurrencyIsoCode === currency
                ),
                suffix: currency ? ` (${currency})` : '',
                keyBase: `${keyOf(p.ProductCode)}:${currency}`,
                curField: this.currency.multiCurrency ? { CurrencyIsoCode: currency } : {}
            };
            const out = prices.map((pr) => this.priceWrite(slot, pr, tally));
            const wanted = new Set(prices.map((pr) => this.books.get(pr.book)!));
            out.push(...this.deactivations(slot, wanted, tally));
            // Any price needs the standard one behind it.
            if (prices.length) out.push(this.standardWrite(slot, tally));
            return out.filter((w): w is EntryWrite => w !== null);
        });
    }

    /** The entry of one price in one slot: null when it is as it should be (counted unchanged). */
    private priceWrite(slot: Slot, pr: Price, tally: Tally): EntryWrite | null {
        const bookId = this.books.get(pr.book)!;
        const fields = { UnitPrice: price2(pr.value), IsActive: slot.p.Obsolete !== true };
        const before = slot.entries.find((e) => e.Pricebook2Id === bookId);
        const observed = !before
            ? 'created'
            : changedFields(fields, before as unknown as SObjectRecord).length
              ? 'updated'
              : 'unchanged';
        const memoKey = `entry:${bookId}:${slot.keyBase}`;
        const cls = tally.memo.classify(memoKey, observed);
        if (observed === 'unchanged') {
            tally.add(cls);
            return null;
        }
        const common = {
            memoKey,
            label: `${slot.code} in ${pr.book}${slot.suffix}`,
            entity: pr.entity,
            cls: cls === 'unchanged' ? observed : cls,
            code: slot.code,
            currency: slot.currency,
            standard: false
        };
        return before
            ? { ...common, key: before.Id, insert: false, record: { Id: before.Id, ...fields } }
            : {
                  ...common,
                  key: `${bookId}:${slot.keyBase}`,
                  insert: true,
                  record: { Pricebook2Id: bookId, ...fields, ...slot.curField }
              };
    }

    /** A price gone from Unleashed leaves the book: the entry is deactivated, never zeroed. */
    private deactivations(slot: Slot, wanted: Set<string>, tally: Tally): EntryWrite[] {
        const out: EntryWrite[] = [];
        for (const e of slot.entries) {
            const entity = this.managed(e.Pricebook2Id);
            if (!entity || wanted.has(e.Pricebook2Id)) continue;
            const memoKey = `entry:${e.Pricebook2Id}:${slot.keyBase}`;
            if (e.IsActive !== true) {
                // Already inactive; counted only when an earlier attempt of this page did it.
                const earlier = tally.memo.get(memoKey);
                if (earlier) tally.add(earlier);
                continue;
            }
            const cls = tally.memo.classify(memoKey, 'updated');
            const book = [...this.books].find(([, id]) => id === e.Pricebook2Id)?.[0] ?? '';
            out.push({
                key: e.Id,
                memoKey,
                label: `${slot.code} in ${book}${slot.suffix}`,
                entity,
                cls: cls === 'unchanged' ? 'updated' : cls,
                code: slot.code,
                currency: slot.currency,
                insert: false,
                standard: false,
                record: { Id: e.Id, IsActive: false }
            });
        }
        return out;
    }

    /**
     * Custom books need a standard price in the same currency; an existing one is left as it is.
     * Null when the slot has one (counted as the price it backs) or none can be made (a failure).
     */
    private standardWrite(slot: Slot, tally: Tally): EntryWrite | null {
        const standardId = this.books.get('')!;
        const stdKey = `entry:std:${slot.keyBase}`;
        if (slot.entries.some((e) => e.Pricebook2Id === standardId)) {
            // Unchanged, unless an earlier attempt created it.
            tally.add(tally.memo.get(stdKey) ?? 'unchanged');
            return null;
        }
        const label = `${slot.code} in the standard price book${slot.suffix}`;
        const cls = tally.memo.classify(stdKey, 'created');
        const base = slot.p.DefaultSellPrice;
        if (base === null || base === undefined) {
            tally.fail(
                'products',
                label,
                'the product has no default sell price for the standard price book'
            );
            return null;
        }
        return {
            key: `std:${slot.keyBase}`,
            memoKey: stdKey,
            label,
            entity: 'products',
            cls: cls === 'unchanged' ? 'created' : cls,
            code: slot.code,
            currency: slot.currency,
            insert: true,
            standard: true,
            record: {
                Pricebook2Id: standardId,
                UnitPrice: price2(new Decimal(String(base))),
                IsActive: true,
                ...slot.curField
            }
        };
    }

    /**
     * A product whose code changed in Unleashed: Salesforce has its GUID under the old code. That
     * record is updated (by Id) to the new code. Returns the codes of the products so updated.
     */
    private async writeRenamed(
        renamed: Planned[],
        written: ProductsWritten,
        tally: Tally
    ): Promise<string[]> {
        const { stamp, ids, failed: failedProducts } = written;
        const { ctx } = this;
        const rows = await queryIn<SObjectRecord>(ctx.sf.writer, {
            select: `SELECT Id, ${CODE_FIELD}, Unleashed_Guid__c FROM Product2`,
            field: 'Unleashed_Guid__c',
            values: renamed.map((p) => String(p.record.Unleashed_Guid__c))
        });
        const byGuid = new Map(rows.map((r) => [keyOf(r.Unleashed_Guid__c), String(r.Id)]));
        const found = renamed.filter((p) => byGuid.has(keyOf(p.record.Unleashed_Guid__c)));
        const results = await upsertAll(
            ctx.sf.writer,
            'Product2',
            'Id',
            found.map((p) => ({ ...p.record, ...stamp, Id: byGuid.get(keyOf(p.record.Unleashed_Guid__c)) })),
            ctx.write
        );
        const done: string[] = [];
        found.forEach((p, i) => {
            const r = results[i];
            if (r?.success && r.id) {
                tally.add('updated');
                ids.set(keyOf(p.key), r.id);
                done.push(p.key);
            } else {
                tally.result(p.entity, p.label, 'updated', r);
                failedProducts.add(keyOf(p.key));
            }
        });
        for (const p of renamed) {
            if (found.includes(p)) continue;
            tally.fail(p.entity, p.label, 'another product in Salesforce has this product GUID');
            failedProducts.add(keyOf(p.key));
        }
        return done;
    }

    private async writeEntries(writes: EntryWrite[], written: ProductsWritten, tally: Tally): Promise<void> {
        const { ctx } = this;
        const { ids, failed: failedProducts } = written;
        // Entries of products that could not be written are not attempted.
        const live = writes.filter((w) => !failedProducts.has(keyOf(w.code)) && ids.has(keyOf(w.code)));
        const withProduct = (w: EntryWrite) => ({ ...w.record, Product2Id: ids.get(keyOf(w.code)) });
        const identity = [
            'Pricebook2Id',
            'Product2Id',
            ...(this.currency.multiCurrency ? ['CurrencyIsoCode'] : [])
        ];

        const standard = live.filter((w) => w.insert && w.standard);
        const stdResults = await insertAll(
            ctx.sf.writer,
            'PricebookEntry',
            standard.map(withProduct),
            ctx.write,
            identity
        );
        const noStandard = new Map<string, string>();
        standard.forEach((w, i) => {
            if (!tally.result(w.entity, w.label, w.cls, stdResults[i])) {
                noStandard.set(`${keyOf(w.code)}:${w.currency}`, failureReason(stdResults[i]?.errors ?? []));
            }
        });

        tally.alive();
        const inserts: EntryWrite[] = [];
        for (const w of live) {
            if (!w.insert || w.standard) continue;
            const why = noStandard.get(`${keyOf(w.code)}:${w.currency}`);
            if (why) tally.fail(w.entity, w.label, `the standard price could not be added: ${why}`);
            else inserts.push(w);
        }
        const updates = live.filter((w) => !w.insert);
        const [insResults, updResults] = await Promise.all([
            insertAll(ctx.sf.writer, 'PricebookEntry', inserts.map(withProduct), ctx.write, identity),
            upsertAll(
                ctx.sf.writer,
                'PricebookEntry',
                'Id',
                updates.map((w) => w.record),
                ctx.write
            )
        ]);
        inserts.forEach((w, i) => tally.result(w.entity, w.label, w.cls, insResults[i]));
        updates.forEach((w, i) => tally.result(w.entity, w.label, w.cls, updResults[i]));
    }
}

/** The org refused a new product because another record already has its GUID. */
function guidClash(r: UpsertResult): boolean {
    return r.errors.some(
        (e) =>
            e.statusCode === 'DUPLICATE_VALUE' &&
            /Unleashed_Guid__c/i.test(`${e.message} ${e.fields.join(' ')}`)
    );
}
