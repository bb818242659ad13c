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
     * respects (a session advisory lock on PostgreSQL). fn may use the adapter freely meanwhile.
     */
    withLock<T>(key: string, fn: () => Promise<T>): Promise<T>;
    close(): Promise<void>;
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
