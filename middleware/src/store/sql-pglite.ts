import { createRequire } from 'node:module';
import type { PGlite as PGliteType } from '@electric-sql/pglite';
import { KeyedMutex, type SqlAdapter, type SqlExecutor, type SqlParam } from './sql';

/**
 * PGlite's CommonJS build loads Node built-ins with dynamic import(), which module sandboxes such as
 * jest's refuse. Node's own require (from the real `module` built-in, which sandboxes do not wrap)
 * evaluates it outside any sandbox, so it loads the same way in the server and in tests.
 */
function loadPglite(): typeof PGliteType {
    const create = process.getBuiltinModule?.('node:module').createRequire ?? createRequire;
    const nodeRequire = create(__filename);
    return (nodeRequire('@electric-sql/pglite') as { PGlite: typeof PGliteType }).PGlite;
}

/**
 * Embedded PostgreSQL (WASM). One connection owned by this process, so a data directory is never
 * shared between processes and named locks only need to hold within this process.
 */
export async function openPgliteAdapter(dataDir: string): Promise<SqlAdapter> {
    const db = await loadPglite().create(dataDir === 'memory://' ? undefined : dataDir);
    const locks = new KeyedMutex();
    const executor = (x: Pick<PGliteType, 'query' | 'exec'>): SqlExecutor => ({
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
