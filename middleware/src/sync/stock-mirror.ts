/**
 * What the stock reads learnt per product and warehouse, kept so that a later view asks Unleashed
 * only for what moved since. StockOnHand takes `modifiedSince`: asked without a warehouse for the
 * products in view it answers one total row per product whose stock moved since then, in one call
 * for up to 100 products, however many warehouses the account has. The products it names are read
 * again per warehouse; the others are answered from here (docs/unleashed-api.md, "Stock").
 *
 * Whether an allocation (an order placed or deallocated) moves StockOnHand's `LastModifiedOn` is
 * not documented. The mirror checks it on the orders the connector itself writes: after a send
 * that allocates, the next check covering its products must name them; when it does not, the
 * tenant's checks stop (every view reads every warehouse again) and the caller is told once.
 */

export interface MirroredQuantities {
    onHand: string;
    allocated: string;
    available: string;
    onPurchase: string;
}

interface Entry {
    /** Quantities by warehouse code; a warehouse without a row has had no transaction (zeros). */
    rows: Map<string, MirroredQuantities>;
    /** The warehouses the last full read covered. */
    warehouses: Set<string>;
    /** When the last full read started (ms): the entry is read again after maxAgeMs. */
    readAt: number;
    /** Unleashed had no change for it up to this time (ms): the next check asks from here. */
    knownUntil: number;
}

interface Expectation {
    /** When the connector's own write moved this product's allocation (ms). */
    at: number;
    what: string;
}

export interface StockMirrorOptions {
    /** Longest time a product is answered from checks alone before all its warehouses are read again. */
    maxAgeMs: number;
    /** Products kept across all tenants (oldest first out). */
    maxEntries?: number;
    /**
     * Subtracted from the time a check asks from: covers a clock difference between this host and
     * Unleashed and a change committed a little after the time it carries.
     */
    marginMs?: number;
    now?: () => number;
}

export class StockMirror {
    private readonly entries = new Map<string, Entry>();
    private readonly expected = new Map<string, Expectation>();
    private readonly stopped = new Map<string, string>();
    private readonly maxEntries: number;
    readonly marginMs: number;
    private readonly now: () => number;

    constructor(private readonly opts: StockMirrorOptions) {
        this.maxEntries = opts.maxEntries ?? 20_000;
        this.marginMs = opts.marginMs ?? 60_000;
        this.now = opts.now ?? Date.now;
    }

    /** Why checks are off for the tenant (they stopped after a missed change), or null. */
    stoppedBecause(tenantKey: string): string | null {
        return this.stopped.get(tenantKey) ?? null;
    }

    /**
     * The GUIDs whose stock can be checked instead of read (a full read younger than maxAgeMs that
     * covered every warehouse asked for), and the time the check must ask from.
     */
    checkable(tenantKey: string, guids: readonly string[], warehouses: readonly string[]) {
        const checkable: string[] = [];
        let since = Infinity;
        if (this.stopped.has(tenantKey)) return { guids: checkable, since: 0 };
        const oldest = this.now() - this.opts.maxAgeMs;
        for (const g of guids) {
            const e = this.entries.get(key(tenantKey, g));
            if (!e || e.readAt < oldest || !warehouses.every((w) => e.warehouses.has(w))) continue;
            checkable.push(g);
            since = Math.min(since, e.knownUntil - this.marginMs);
        }
        return { guids: checkable, since: Number.isFinite(since) ? since : 0 };
    }

    /** The mirrored quantities of a product in a warehouse; undefined means zeros. */
    quantities(tenantKey: string, guid: string, warehouse: string): MirroredQuantities | undefined {
        return this.entries.get(key(tenantKey, guid))?.rows.get(warehouse);
    }

    /** A full read of these warehouses, started at `at`. */
    store(
        tenantKey: string,
        guid: string,
        warehouses: readonly string[],
        rows: Map<string, MirroredQuantities>,
        at: number
    ): void {
        const k = key(tenantKey, guid);
        this.entries.delete(k);
        this.entries.set(k, { rows, warehouses: new Set(warehouses), readAt: at, knownUntil: at });
        // A read that started after the connector's write has seen it: nothing left to check.
        if ((this.expected.get(k)?.at ?? Infinity) <= at) this.expected.delete(k);
        while (this.entries.size > this.maxEntries) {
            const oldest = this.entries.keys().next().value;
            if (oldest === undefined) break;
            this.entries.delete(oldest);
            this.expected.delete(oldest);
        }
    }

    /**
     * The outcome of a check that started at `at` and asked from `since`: the unchanged products are
     * known up to `at`; the changed ones the caller reads again. When a product the connector's own
     * order moved between `since` and `at` was not named, checks stop for the tenant: the answer is
     * the reason, once (null otherwise).
     */
    checked(
        tenantKey: string,
        asked: readonly string[],
        changed: ReadonlySet<string>,
        since: number,
        at: number
    ): string | null {
        let missed: Expectation | undefined;
        for (const g of asked) {
            const k = key(tenantKey, g);
            const exp = this.expected.get(k);
            if (exp && exp.at >= since && exp.at <= at) {
                if (changed.has(g)) this.expected.delete(k);
                else missed ??= exp;
            }
            if (changed.has(g)) continue;
            const e = this.entries.get(k);
            if (e) e.knownUntil = Math.max(e.knownUntil, at);
        }
        if (!missed) return null;
        const reason =
            `Unleashed did not report the stock of products on ${missed.what} as changed after the order ` +
            'allocated them, so stock is read from every warehouse on each view for this account ' +
            '(STOCK_CHANGE_CHECK; see the README).';
        this.stopped.set(tenantKey, reason);
        return reason;
    }

    /** Stops the tenant's checks for a reason found elsewhere (Unleashed refused the check itself). */
    stop(tenantKey: string, reason: string): void {
        this.stopped.set(tenantKey, reason);
    }

    /**
     * The connector wrote an order that moves these products' allocation: the next check that asks
     * from before `at` must name them. Products not mirrored have nothing to check.
     */
    expectChange(tenantKey: string, guids: readonly string[], what: string, at = this.now()): void {
        for (const g of guids) {
            const k = key(tenantKey, g.toLowerCase());
            if (this.entries.has(k)) this.expected.set(k, { at, what });
        }
    }

    /** Forgets a tenant's products, expectations and stop (new credentials, disconnect). */
    invalidate(tenantKey: string): void {
        const prefix = `${tenantKey}|`;
        for (const m of [this.entries, this.expected]) {
            for (const k of [...m.keys()]) if (k.startsWith(prefix)) m.delete(k);
        }
        this.stopped.delete(tenantKey);
    }
}

const key = (tenantKey: string, guid: string) => `${tenantKey}|${guid}`;
