import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, storeOn, type Store, type StoreConfig } from '../../src/store';
import { migrate } from '../../src/store/migrations';
import type { SqlAdapter } from '../../src/store/sql';
import { openPgliteAdapter } from '../../src/store/sql-pglite';
import { openPostgresAdapter } from '../../src/store/sql-postgres';
import { startPostgres, type TestPostgres } from '../support/postgres';

/** Where a store lives: the options openStore needs besides keys. */
export type Location = Pick<StoreConfig, 'databaseUrl' | 'dataDir'>;
export type Keys = Pick<StoreConfig, 'masterKey' | 'previousKeys'>;

/** One database engine the store suite runs against. */
export interface Backend {
    name: string;
    start(): Promise<void>;
    stop(): Promise<void>;
    /** A new, empty database. */
    newDatabase(): Promise<Location>;
    /** Raw adapters on one database, as separate middleware instances would hold them. */
    openAdapters(where: Location, n: number): Promise<SqlAdapter[]>;
    /**
     * n stores sharing one database, as n middleware instances would. PostgreSQL: n pools. PGlite
     * cannot be shared between processes, so its instances share the one embedded connection.
     */
    openInstances(
        where: Location,
        n: number,
        keys: Keys
    ): Promise<{ stores: Store[]; close(): Promise<void> }>;
}

export const pgliteBackend = (): Backend => {
    const dirs: string[] = [];
    const backend: Backend = {
        name: 'PGlite',
        async start() {},
        async stop() {
            for (const d of dirs) rmSync(d, { recursive: true, force: true });
        },
        async newDatabase() {
            const dir = mkdtempSync(join(tmpdir(), 'store-pglite-'));
            dirs.push(dir);
            return { dataDir: join(dir, 'data') };
        },
        async openAdapters(where, n) {
            const db = await openPgliteAdapter(where.dataDir as string);
            return Array.from({ length: n }, () => db);
        },
        async openInstances(where, n, keys) {
            const store = await openStore({ ...where, ...keys });
            const stores = [store, ...Array.from({ length: n - 1 }, () => storeOn(store.db, keys))];
            return { stores, close: () => store.close() };
        }
    };
    return backend;
};

export const postgresBackend = (): Backend => {
    let server: TestPostgres | undefined;
    const need = () => {
        if (!server) throw new Error('PostgreSQL test server did not start (see the first failure)');
        return server;
    };
    return {
        name: 'PostgreSQL',
        async start() {
            server = await startPostgres();
        },
        async stop() {
            await server?.stop();
        },
        async newDatabase() {
            return { databaseUrl: await need().createDatabase() };
        },
        async openAdapters(where, n) {
            return Promise.all(
                Array.from({ length: n }, () => openPostgresAdapter(where.databaseUrl as string))
            );
        },
        async openInstances(where, n, keys) {
            const stores = await Promise.all(
                Array.from({ length: n }, () => openStore({ ...where, ...keys }))
            );
            return { stores, close: async () => void (await Promise.all(stores.map((s) => s.close()))) };
        }
    };
};

/** PGlite always; PostgreSQL too unless STORE_TESTS_PGLITE_ONLY=1 (a missing server then fails the suite). */
export function backends(): [string, Backend][] {
    const list = [pgliteBackend()];
    if (process.env.STORE_TESTS_PGLITE_ONLY !== '1') list.push(postgresBackend());
    return list.map((b) => [b.name, b]);
}

export { migrate };
