import { Pool, type PoolClient } from 'pg';
import {
    KeyedMutex,
    LockTimeoutError,
    Semaphore,
    type SqlAdapter,
    type SqlExecutor,
    type SqlParam
} from './sql';

export interface PostgresAdapterOptions {
    /** Connections kept by this instance (at least 2: see withLock). */
    maxConnections?: number;
    /** Longest wait for a connection of the pool (or a new one) before the query fails. */
    connectTimeoutMs?: number;
    /** Longest wait for a row, table or named lock held by someone else (server `lock_timeout`). */
    lockTimeoutMs?: number;
    /** Longest run of one statement (server `statement_timeout`). */
    statementTimeoutMs?: number;
}

export const POSTGRES_DEFAULTS = {
    maxConnections: 10,
    connectTimeoutMs: 10_000,
    lockTimeoutMs: 10_000,
    statementTimeoutMs: 30_000
} as const;

/** Locks held at once by this instance: half the pool, so the other half always serves the work. */
export function lockHoldersFor(maxConnections: number): number {
    return Math.max(1, Math.floor(maxConnections / 2));
}

/** PostgreSQL through a pg pool; any number of middleware instances may share the database. */
export async function openPostgresAdapter(
    databaseUrl: string,
    opts: PostgresAdapterOptions = {}
): Promise<SqlAdapter> {
    const o = { ...POSTGRES_DEFAULTS, ...definedOnly(opts) };
    if (!Number.isInteger(o.maxConnections) || o.maxConnections < 2) {
        throw new Error(`the PostgreSQL pool needs at least 2 connections, got ${o.maxConnections}`);
    }
    const pool = new Pool({
        connectionString: databaseUrl,
        max: o.maxConnections,
        connectionTimeoutMillis: o.connectTimeoutMs,
        lock_timeout: o.lockTimeoutMs,
        statement_timeout: o.statementTimeoutMs
    });
    // An idle connection that the server drops must not crash the process; the next query reconnects.
    pool.on('error', () => undefined);
    const executor = (x: Pool | PoolClient): SqlExecutor => ({
        async query<R>(sql: string, params: readonly SqlParam[] = []) {
            return (await x.query(sql, params as SqlParam[])).rows as R[];
        },
        async exec(sql: string) {
            await x.query(sql);
        }
    });
    // Fail at open, with the server's own message, rather than at the first request.
    await pool.query('SELECT 1');

    /*
     * A session advisory lock lives on one connection, which stays checked out while the locked work
     * runs; that work (and everyone else) queries through the same pool. Unbounded, N holders would
     * take all N connections and wait for ever for one more. So: callers of one key queue in this
     * process first (at most one of them holds a connection, the others wait in memory), and at most
     * half the pool holds locks at once. The rest of the pool only serves statements that finish on
     * their own, so every holder's work gets a connection and the lock is always released.
     * (Running the work on the lock's own connection would need every repository to take an
     * executor; a transaction-level lock would hold a connection just the same.)
     */
    const sameKey = new KeyedMutex();
    const holders = new Semaphore(lockHoldersFor(o.maxConnections));
    const lockSql = 'SELECT pg_advisory_lock(hashtextextended($1, 0))';
    const unlockSql = 'SELECT pg_advisory_unlock(hashtextextended($1, 0))';

    return {
        kind: 'postgres',
        ...executor(pool),
        async transaction(fn) {
            const client = await pool.connect();
            try {
                await client.query('BEGIN');
                const result = await fn(executor(client));
                await client.query('COMMIT');
                return result;
            } catch (err) {
                await client.query('ROLLBACK').catch(() => undefined);
                throw err;
            } finally {
                client.release();
            }
        },
        withLock: (key, fn) =>
            sameKey.run(key, () =>
                holders.run(async () => {
                    const client = await pool.connect();
                    // Checked out, the client has no pool listener: a dropped connection must not crash
                    // the process. The session, and the lock with it, is gone; the work finishes anyway.
                    const dropped = () => undefined;
                    client.on('error', dropped);
                    const release = (err?: Error) => {
                        client.off('error', dropped);
                        client.release(err);
                    };
                    try {
                        // Waits at most lock_timeout for a holder in another instance.
                        await client.query(lockSql, [key]);
                    } catch (err) {
                        if (isLockTimeout(err)) {
                            release();
                            throw new LockTimeoutError(key);
                        }
                        release(err as Error);
                        throw err;
                    }
                    try {
                        return await fn();
                    } finally {
                        // A connection that cannot unlock is destroyed, which ends its session and the lock.
                        await client.query(unlockSql, [key]).then(
                            () => release(),
                            (err: Error) => release(err)
                        );
                    }
                })
            ),
        close: () => pool.end()
    };
}

/** lock_not_available (lock_timeout) or query_canceled (statement_timeout) while waiting for the lock. */
function isLockTimeout(err: unknown): boolean {
    const code = (err as { code?: unknown } | null)?.code;
    return code === '55P03' || code === '57014';
}

function definedOnly<T extends object>(o: T): Partial<T> {
    return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
