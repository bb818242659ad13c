/**
 * Counts failed authentications per client address in this instance's memory, so that an address
 * guessing org ids or signatures is refused before it costs a database read and AES decryptions.
 * Only failures count: many orgs reach us from Salesforce's shared egress addresses, and their
 * valid requests must never spend each other's budget. Fixed one-minute windows; the table holds at
 * most `maxKeys` addresses, so a flood from many addresses cannot grow it without bound.
 */
export class FailureLimit {
    private readonly windows = new Map<string, { count: number; resetAt: number }>();

    constructor(
        private readonly perWindow: number,
        private readonly opts: { windowMs?: number; maxKeys?: number; now?: () => number } = {}
    ) {}

    private get windowMs(): number {
        return this.opts.windowMs ?? 60_000;
    }

    private now(): number {
        return (this.opts.now ?? Date.now)();
    }

    /** Seconds until this address may try again; 0 when it may now. */
    blockedFor(key: string): number {
        if (this.perWindow <= 0) return 0;
        const w = this.windows.get(key);
        if (!w) return 0;
        const t = this.now();
        if (t >= w.resetAt) {
            this.windows.delete(key);
            return 0;
        }
        return w.count >= this.perWindow ? Math.max(1, Math.ceil((w.resetAt - t) / 1000)) : 0;
    }

    /** Counts one failure; true when this one used up the address's budget. */
    record(key: string): boolean {
        if (this.perWindow <= 0) return false;
        const t = this.now();
        let w = this.windows.get(key);
        if (!w || t >= w.resetAt) {
            this.windows.delete(key);
            this.makeRoom(t);
            w = { count: 0, resetAt: t + this.windowMs };
            this.windows.set(key, w);
        }
        w.count += 1;
        return w.count === this.perWindow;
    }

    get size(): number {
        return this.windows.size;
    }

    /**
     * Windows sit in the map in the order they started, so the expired ones are at the front: they
     * go first, then, while the table is full, the oldest. Amortised constant time per failure.
     */
    private makeRoom(t: number): void {
        const max = this.opts.maxKeys ?? 10_000;
        for (const [k, w] of this.windows) {
            if (t < w.resetAt && this.windows.size < max) break;
            this.windows.delete(k);
        }
    }
}

/**
 * The key an address is counted under: IPv4 as is (IPv4-mapped IPv6 included), IPv6 by its /64,
 * since one host usually holds a whole /64 and could otherwise take a fresh address per attempt.
 */
export function clientKey(ip: string): string {
    const address = ip.replace(/%.*$/, '');
    if (!address.includes(':')) return address;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped) return mapped[1]!;
    const [head = '', tail] = address.split('::');
    const left = head ? head.split(':') : [];
    const right = tail ? tail.split(':') : [];
    const groups =
        tail === undefined
            ? left
            : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
    return `${groups
        .slice(0, 4)
        .map((g) => (parseInt(g, 16) || 0).toString(16))
        .join(':')}::/64`;
}
