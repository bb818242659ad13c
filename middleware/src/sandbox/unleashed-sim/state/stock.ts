import Decimal from 'decimal.js';
import type { StockCell } from './records';

/** Stock as seeded: which product/warehouse pairs have had a transaction, and their figures. */
export interface StockSource {
    has(product: number, warehouse: number): boolean;
    cell(product: number, warehouse: number): StockCell | undefined;
}

const key = (p: number, w: number): number => p * 1024 + w;

export class MapStockSource implements StockSource {
    private readonly cells = new Map<number, StockCell>();
    set(p: number, w: number, cell: StockCell): void {
        this.cells.set(key(p, w), cell);
    }
    has(p: number, w: number): boolean {
        return this.cells.has(key(p, w));
    }
    cell(p: number, w: number): StockCell | undefined {
        return this.cells.get(key(p, w));
    }
}

const ZERO = new Decimal(0);

/** Seeded stock plus the changes orders made (allocations, completions), kept as overrides. */
export class StockBook {
    private readonly overrides = new Map<number, StockCell>();

    constructor(
        private readonly base: StockSource,
        readonly warehouseCount: number
    ) {}

    has(p: number, w: number): boolean {
        return this.overrides.has(key(p, w)) || this.base.has(p, w);
    }

    hasAny(p: number): boolean {
        for (let w = 0; w < this.warehouseCount; w++) if (this.has(p, w)) return true;
        return false;
    }

    cell(p: number, w: number): StockCell | undefined {
        return this.overrides.get(key(p, w)) ?? this.base.cell(p, w);
    }

    /** A stock movement: creates the cell when the pair never had a transaction. */
    /** Moves a cell's figures; `touch` false keeps its LastModifiedOn (an allocation, per setting). */
    adjust(
        p: number,
        w: number,
        change: { onHand?: Decimal; allocated?: Decimal },
        atMs: number,
        touch = true
    ): void {
        const current = this.cell(p, w) ?? {
            onHand: ZERO,
            allocated: ZERO,
            onPurchase: ZERO,
            avgCost: ZERO,
            modifiedMs: atMs
        };
        this.overrides.set(key(p, w), {
            ...current,
            onHand: current.onHand.plus(change.onHand ?? ZERO),
            allocated: current.allocated.plus(change.allocated ?? ZERO),
            modifiedMs: touch || !this.cell(p, w) ? atMs : current.modifiedMs
        });
    }
}
