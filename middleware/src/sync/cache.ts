/**
 * A small time-bounded cache that also coalesces: while a value is being loaded, every caller for
 * the same key awaits the same promise, so a burst of identical requests costs one upstream call.
 * A failed load is not cached. Entries are bounded by `maxEntries` (oldest evicted first).
 */
export class CoalescingCache<V> {
    private readonly entries = new Map<string, { value: V; expiresAt: number; storedAt: number }>();
    private readonly inflight = new Map<string, Promise<{ value: V; storedAt: number }>>();

    constructor(
        private readonly maxEntries = 1000,
        private readonly now: () => number = Date.now
    ) {}

    /**
     * The value and when it was loaded (ms since epoch), from the cache while younger than its TTL
     * (a number, or a function of the loaded value: e.g. remember a miss for less time than a hit).
     */
    async get(
        key: string,
        ttl: number | ((value: V) => number),
        load: () => Promise<V>
    ): Promise<{ value: V; storedAt: number }> {
        const hit = this.entries.get(key);
        if (hit && hit.expiresAt > this.now()) return { value: hit.value, storedAt: hit.storedAt };
        const pending = this.inflight.get(key);
        if (pending) return pending;
        const p = (async () => {
            try {
                const value = await load();
                const storedAt = this.now();
                const ttlMs = typeof ttl === 'function' ? ttl(value) : ttl;
                if (ttlMs > 0) {
                    this.entries.delete(key);
                    this.entries.set(key, { value, expiresAt: storedAt + ttlMs, storedAt });
                    this.evict();
                }
                return { value, storedAt };
            } finally {
                this.inflight.delete(key);
            }
        })();
        this.inflight.set(key, p);
        return p;
    }

    /** Stores a value learnt elsewhere (e.g. a GUID confirmed by another call). */
    set(key: string, value: V, ttlMs: number): void {
        const storedAt = this.now();
        this.entries.delete(key);
        this.entries.set(key, { value, expiresAt: storedAt + ttlMs, storedAt });
        this.evict();
    }

    /** The cached value for key if present and fresh, without loading. */
    peek(key: string): V | undefined {
        const hit = this.entries.get(key);
        return hit && hit.expiresAt > this.now() ? hit.value : undefined;
    }

    private evict(): void {
        while (this.entries.size > this.maxEntries) {
            const oldest = this.entries.keys().next().value;
            if (oldest === undefined) break;
            this.entries.delete(oldest);
        }
    }

    /** Drops entries whose key starts with `prefix` (e.g. one tenant's after a credential change). */
    invalidate(prefix = ''): void {
        for (const k of [...this.entries.keys()]) if (k.startsWith(prefix)) this.entries.delete(k);
    }
}
