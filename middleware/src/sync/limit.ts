/** Runs at most `n` tasks at a time; the rest wait in order. One per tenant bounds our load on Unleashed. */
export class Semaphore {
    private active = 0;
    private readonly waiting: (() => void)[] = [];

    constructor(private readonly n: number) {}

    async run<T>(task: () => Promise<T>): Promise<T> {
        if (this.active >= this.n) await new Promise<void>((resolve) => this.waiting.push(resolve));
        this.active++;
        try {
            return await task();
        } finally {
            this.active--;
            this.waiting.shift()?.();
        }
    }
}

/** One semaphore per key (tenant), created on first use. */
export class KeyedSemaphores {
    private readonly byKey = new Map<string, Semaphore>();
    constructor(private readonly n: number) {}
    for(key: string): Semaphore {
        let s = this.byKey.get(key);
        if (!s) this.byKey.set(key, (s = new Semaphore(this.n)));
        return s;
    }
}

/** Splits a list into chunks of at most `size`. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
    const out: T[][] = [];
    for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
    return out;
}
