/**
 * The one seam between the repositories and a database. Both PGlite (embedded) and PostgreSQL (pg)
 * implement it, so every repository is plain parameterised SQL written once.
 */

export type SqlParam = string | number | boolean | null;

export interface SqlExecutor {
    /** One statement with $1.. placeholders; returns the rows. */
    query<R = Record<string, unknown>>(sql: string, params?: readonly SqlParam[]): Promise<R[]>;
    /** A script of several statements without parameters (migrations). */
    exec(sql: string): Promise<void>;
}

export interface SqlAdapter extends SqlExecutor {
    readonly kind: 'pglite' | 'postgres';
    /** Runs fn in one transaction on one connection; rolls back when fn throws. */
    transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
    /**
     * Runs fn while holding an exclusive lock named `key` that every store on the same database
     * respects (a session advisory lock on PostgreSQL). fn may use the adapter freely meanwhile;
     * holding locks never takes the connections fn needs. Not re-entrant: never nest two locks.
     * Throws LockTimeoutError when another instance holds the lock past the lock timeout.
     */
    withLock<T>(key: string, fn: () => Promise<T>): Promise<T>;
    close(): Promise<void>;
}

/** Another holder kept the lock longer than the store's lock timeout; nothing was done. */
export class LockTimeoutError extends Error {
    constructor(public readonly key: string) {
        super(`the lock "${key}" is held elsewhere for longer than the lock timeout`);
        this.name = 'LockTimeoutError';
    }
}

/** At most `size` callers run at once inside one process; the others wait in arrival order. */
export class Semaphore {
    private active = 0;
    private readonly waiting: (() => void)[] = [];

    constructor(private readonly size: number) {
        if (!Number.isInteger(size) || size < 1) throw new Error(`semaphore size must be >= 1, got ${size}`);
    }

    async run<T>(fn: () => Promise<T>): Promise<T> {
        if (this.active >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
        else this.active++;
        try {
            return await fn();
        } finally {
            // The slot passes straight to the next waiter, so a newcomer cannot overtake it.
            const next = this.waiting.shift();
            if (next) next();
            else this.active--;
        }
    }
}

/** Serialises callers per key inside one process. */
export class KeyedMutex {
    private readonly tails = new Map<string, Promise<void>>();

    async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
        const previous = this.tails.get(key) ?? Promise.resolve();
        let release!: () => void;
        const mine = new Promise<void>((resolve) => (release = resolve));
        const tail = previous.then(() => mine);
        this.tails.set(key, tail);
        await previous;
        try {
            return await fn();
        } finally {
            release();
            if (this.tails.get(key) === tail) this.tails.delete(key);
        }
    }
}

/**
 * A timestamp column as a Date of this realm (drivers may hand back strings, or Dates created in
 * another JavaScript realm that fail `instanceof Date`).
 */
export function toDate(v: unknown): Date {
    return new Date(
        v instanceof Date || Object.prototype.toString.call(v) === '[object Date]' ? Number(v) : String(v)
    );
}

export function toDateOrNull(v: unknown): Date | null {
    return v === null || v === undefined ? null : toDate(v);
}
