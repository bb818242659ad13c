/**
 * The large account: 100,000 products over 10 warehouses, derived from each product's index on
 * demand (nothing is built up front), so it starts instantly and costs memory only for what changes.
 */
import Decimal from 'decimal.js';
import { hash32 } from '../prng';
import type { ProductCatalog } from './catalog';
import type { Product, StockCell } from './records';
import { demoSeed } from './seed-demo';
import { TIER_NAMES, day, tiers, warehouse } from './seed-common';
import type { SeedData } from './state';
import type { StockSource } from './stock';

export const LARGE_PRODUCT_COUNT = 100_000;
export const LARGE_WAREHOUSE_COUNT = 10;

const GUID_PREFIX = 'b16c0000-0000-4000-8000-';
const CODE_RE = /^P(\d{6})$/i;
const MODIFIED_BASE = Date.UTC(2024, 0, 1);

const cents = (n: number): Decimal => new Decimal(n).dividedBy(100);

class LargeCatalog implements ProductCatalog {
    readonly size = LARGE_PRODUCT_COUNT;
    code(i: number): string {
        return `P${String(i + 1).padStart(6, '0')}`;
    }
    description(i: number): string {
        return `Product ${i + 1} ${['bolt', 'widget', 'gadget', 'cable', 'panel'][i % 5]}`;
    }
    guid(i: number): string {
        return GUID_PREFIX + (i + 1).toString(16).padStart(12, '0');
    }
    obsolete(i: number): boolean {
        return i % 100 === 99;
    }
    modifiedMs(i: number): number {
        return MODIFIED_BASE + i * 60_000;
    }
    priceCents(i: number): number {
        return 100 + (hash32(i, 99) % 99_900);
    }
    product(i: number): Product {
        const price = this.priceCents(i);
        const gst = i % 20 !== 0;
        return {
            Guid: this.guid(i),
            ProductCode: this.code(i),
            ProductDescription: this.description(i),
            Barcode: null,
            Notes: i % 10 === 0 ? `Notes for product ${i + 1}` : null,
            DefaultSellPrice: cents(price),
            ...tiers([
                cents(price),
                cents(Math.round(price * 0.9)),
                i % 3 === 0 ? null : cents(Math.round(price * 0.8))
            ]),
            UnitOfMeasure: { Guid: '00000000-0000-4000-8000-0000000000ea', Name: 'EA' },
            ProductGroup: null,
            Obsolete: this.obsolete(i),
            IsSellable: true,
            TaxableSales: gst,
            XeroSalesTaxCode: gst ? 'G.S.T.' : 'NO GST',
            XeroSalesTaxRate: new Decimal(gst ? '0.15' : '0'),
            ImageUrl: null,
            Images: [],
            CreatedOn: new Date(MODIFIED_BASE),
            LastModifiedOn: new Date(this.modifiedMs(i))
        };
    }
    indexOfGuid(guid: string): number {
        const g = guid.toLowerCase();
        if (!g.startsWith(GUID_PREFIX)) return -1;
        const n = parseInt(g.slice(GUID_PREFIX.length), 16);
        return Number.isInteger(n) && n >= 1 && n <= this.size ? n - 1 : -1;
    }
    indexOfCode(code: string): number {
        const m = CODE_RE.exec(code);
        const n = m ? Number(m[1]) : 0;
        return n >= 1 && n <= this.size ? n - 1 : -1;
    }
}

class LargeStock implements StockSource {
    has(p: number, w: number): boolean {
        if (p % 50 === 49) return false; // never had a transaction anywhere
        return hash32(p, w + 1) % 4 !== 0;
    }
    cell(p: number, w: number): StockCell | undefined {
        if (!this.has(p, w)) return undefined;
        const h = hash32(p, w + 101);
        return {
            onHand: new Decimal(h % 500),
            allocated: new Decimal((h >>> 9) % 40),
            onPurchase: new Decimal((h >>> 17) % 3 === 0 ? 25 : 0),
            avgCost: new Decimal(100 + (hash32(p, 99) % 99_900)).dividedBy(200).toDecimalPlaces(4),
            modifiedMs: MODIFIED_BASE + p * 60_000 + w * 1000
        };
    }
}

export function largeSeed(): SeedData {
    const reference = demoSeed();
    const warehouses = Array.from({ length: LARGE_WAREHOUSE_COUNT }, (_, w) => {
        const code = `W${String(w + 1).padStart(2, '0')}`;
        return warehouse(code, `Warehouse ${w + 1}`, 'Auckland', w === 0);
    });
    warehouses.forEach((w) => (w.LastModifiedOn = day(0)));
    return {
        ...reference,
        warehouses,
        products: new LargeCatalog(),
        stock: new LargeStock(),
        tierNames: TIER_NAMES
    };
}
