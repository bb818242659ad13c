import { LockTimeoutError, type SqlAdapter } from '../../src/store/sql';
import { lockHoldersFor, openPostgresAdapter } from '../../src/store/sql-postgres';
import { startPostgres, type TestPostgres } from '../support/postgres';

/**
 * Named locks on PostgreSQL never starve the pool: work done under a lock queries through the same
 * pool, so however many callers want locks, the pool keeps connections for that work.
 */

jest.setTimeout(120_000);

let pg: TestPostgres;
let url: string;
beforeAll(async () => {
    pg = await startPostgres();
    url = await pg.createDatabase();
});
afterAll(() => pg?.stop());

async function withAdapter<T>(
    opts: Parameters<typeof openPostgresAdapter>[1],
    fn: (db: SqlAdapter) => Promise<T>
): Promise<T> {
    const db = await openPostgresAdapter(url, opts);
    try {
        return await fn(db);
    } finally {
        await db.close();
    }
}

it('runs many locked jobs that query inside, on a pool of 2, one key or many', async () => {
    await withAdapter({ maxConnections: 2 }, async (db) => {
        let inside = 0;
        let most = 0;
        const job = (key: string, i: number) =>
            db.withLock(key, async () => {
                inside++;
                most = Math.max(most, inside);
                // Several statements at once, as the quota counter does for concurrent Unleashed calls.
                const rows = await Promise.all(
                    [1, 2, 3].map((k) => db.query<{ n: number }>('SELECT $1::int AS n', [i * k]))
                );
                inside--;
                return rows.map((r) => r[0]!.n);
            });
        const many = await Promise.all(Array.from({ length: 20 }, (_, i) => job(`key-${i}`, i)));
        expect(many).toEqual(Array.from({ length: 20 }, (_, i) => [i, 2 * i, 3 * i]));
        expect(most).toBe(lockHoldersFor(2));
        const one = await Promise.all(Array.from({ length: 20 }, (_, i) => job('one-key', i)));
        expect(one).toHaveLength(20);
        // And the pool still serves a statement outside any lock.
        expect(await db.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
    });
});

it('gives up waiting for a lock held elsewhere after the lock timeout, with LockTimeoutError', async () => {
    await withAdapter({ maxConnections: 2 }, async (holder) => {
        await withAdapter({ maxConnections: 2, lockTimeoutMs: 300 }, async (db) => {
            let release!: () => void;
            const held = new Promise<void>((r) => (release = r));
            let taken!: () => void;
            const isTaken = new Promise<void>((r) => (taken = r));
            const holding = holder.withLock('busy', async () => {
                taken();
                await held;
            });
            await isTaken;
            let ran = false;
            await expect(
                db.withLock('busy', async () => {
                    ran = true;
                })
            ).rejects.toThrow(LockTimeoutError);
            expect(ran).toBe(false);
            release();
            await holding;
            // The connection that timed out went back to the pool in working order.
            await expect(db.withLock('busy', async () => 'done')).resolves.toBe('done');
        });
    });
});

it('refuses a pool too small to hold a lock and still work', async () => {
    await expect(openPostgresAdapter(url, { maxConnections: 1 })).rejects.toThrow(/at least 2 connections/);
});
