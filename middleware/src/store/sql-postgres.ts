import { Pool, type PoolClient } from 'pg';
import type { SqlAdapter, SqlExecutor, SqlParam } from './sql';

export interface PostgresAdapterOptions {
    /** Connections kept by this instance; named locks hold one each while they run. */
    maxConnections?: number;
}

/** PostgreSQL through a pg pool; any number of middleware instances may share the database. */
export async function openPostgresAdapter(
    databaseUrl: string,
    opts: PostgresAdapterOptions = {}
): Promise<SqlAdapter> {
    const pool = new Pool({ connectionString: databaseUrl, max: opts.maxConnections ?? 10 });
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
        async withLock(key, fn) {
            const client = await pool.connect();
            try {
                await client.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [key]);
            } catch (err) {
                client.release(err as Error);
                throw err;
            }
            try {
                return await fn();
            } finally {
                // A connection that cannot unlock is destroyed, which ends its session and the lock with it.
                await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [key]).then(
                    () => client.release(),
                    (err: Error) => client.release(err)
                );
            }
        },
        close: () => pool.end()
    };
}
