import { PGlite } from '@electric-sql/pglite';
import { KeyedMutex, type SqlAdapter, type SqlExecutor, type SqlParam } from './sql';

/**
 * Embedded PostgreSQL (WASM). One connection owned by this process, so a data directory is never
 * shared between processes and named locks only need to hold within this process.
 */
export async function openPgliteAdapter(dataDir: string): Promise<SqlAdapter> {
    const db = await PGlite.create(dataDir === 'memory://' ? undefined : dataDir);
    const locks = new KeyedMutex();
    const executor = (x: Pick<PGlite, 'query' | 'exec'>): SqlExecutor => ({
        async query<R>(sql: string, params: readonly SqlParam[] = []) {
            return (await x.query<R>(sql, params as SqlParam[])).rows;
        },
        async exec(sql: string) {
            await x.exec(sql);
        }
    });
    return {
        kind: 'pglite',
        ...executor(db),
        transaction: (fn) => db.transaction((tx) => fn(executor(tx))),
        withLock: (key, fn) => locks.run(key, fn),
        close: () => db.close()
    };
}
