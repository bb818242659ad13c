import { createRequire } from 'node:module';
import type { PGlite as PGliteType } from '@electric-sql/pglite';
import { lockDataDir } from './data-dir-lock';
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
 * Embedded PostgreSQL (WASM). One connection owned by this process; the data directory's lock file
 * keeps every other process out, so named locks only need to hold within this process.
 */
export async function openPgliteAdapter(dataDir: string): Promise<SqlAdapter> {
    const inMemory = dataDir === 'memory://';
    // Refused while another process (a running server, rotate-keys) has the directory open.
    const dirLock = inMemory ? null : lockDataDir(dataDir);
    let db: PGliteType;
    try {
        db = await loadPglite().create(inMemory ? undefined : dataDir);
    } catch (err) {
        dirLock?.release();
        throw err;
    }
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
        // One connection that every statement queues for, so holding a lock never holds a connection:
        // the same guarantee the PostgreSQL adapter gives with its bound on lock holders.
        withLock: (key, fn) => locks.run(key, fn),
        async close() {
            try {
                await db.close();
            } finally {
                dirLock?.release();
            }
        }
    };
}
