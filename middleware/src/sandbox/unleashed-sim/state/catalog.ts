import type { Product } from './records';

/**
 * Products by position. The large seed derives each product from its index on demand, so 100,000
 * products cost no memory until a page of them is materialised; filters use the cheap accessors.
 */
export interface ProductCatalog {
    readonly size: number;
    code(i: number): string;
    description(i: number): string;
    guid(i: number): string;
    obsolete(i: number): boolean;
    modifiedMs(i: number): number;
    product(i: number): Product;
    /** -1 when absent. */
    indexOfGuid(guid: string): number;
    indexOfCode(code: string): number;
}

export class ArrayCatalog implements ProductCatalog {
    private readonly byGuid = new Map<string, number>();
    private readonly byCode = new Map<string, number>();

    constructor(private readonly items: Product[]) {
        items.forEach((p, i) => {
            this.byGuid.set(p.Guid.toLowerCase(), i);
            this.byCode.set(p.ProductCode.toLowerCase(), i);
        });
    }

    get size(): number {
        return this.items.length;
    }
    private at(i: number): Product {
        const p = this.items[i];
        if (!p) throw new RangeError(`no product at ${i}`);
        return p;
    }
    code(i: number): string {
        return this.at(i).ProductCode;
    }
    description(i: number): string {
        return this.at(i).ProductDescription;
    }
    guid(i: number): string {
        return this.at(i).Guid;
    }
    obsolete(i: number): boolean {
        return this.at(i).Obsolete;
    }
    modifiedMs(i: number): number {
        return this.at(i).LastModifiedOn.getTime();
    }
    product(i: number): Product {
        return this.at(i);
    }
    indexOfGuid(guid: string): number {
        return this.byGuid.get(guid.toLowerCase()) ?? -1;
    }
    indexOfCode(code: string): number {
        return this.byCode.get(code.toLowerCase()) ?? -1;
    }
    /** A product added after seeding (tests); its index. */
    add(p: Product): number {
        const i = this.items.push(p) - 1;
        this.byGuid.set(p.Guid.toLowerCase(), i);
        this.byCode.set(p.ProductCode.toLowerCase(), i);
        return i;
    }
}
