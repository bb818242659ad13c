import { randomBytes } from 'node:crypto';
import {
    ImportAlreadyActiveError,
    SecretDecryptError,
    openStore,
    type Store,
    type TenantUpsert
} from '../../src/store';
import { keyId } from '../../src/store/crypto';
import { MIGRATIONS } from '../../src/store/migrations';
import { rotateKeys } from '../../src/store/rotate-keys';
import type { SqlAdapter, SqlParam } from '../../src/store/sql';
import { createTenantRepo, type TenantCacheOptions } from '../../src/store/tenants';
import { backends, migrate, type Backend, type Location } from './backends';

jest.setTimeout(120_000);

const KEY1 = randomBytes(32);
const KEY2 = randomBytes(32);

let orgSeq = 0;
/** A fresh, valid 18-character org id per call so tests sharing a database never collide. */
function newOrg(): string {
    orgSeq++;
    return `00D${String(process.pid).slice(-5).padStart(5, '0')}${String(orgSeq).padStart(7, '0')}AAA`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(backends())('store on %s', (_name: string, backend: Backend) => {
    let where: Location;
    let store: Store;
    let sibling: Store;
    let closeInstances: () => Promise<void>;

    beforeAll(async () => {
        await backend.start();
        where = await backend.newDatabase();
        const inst = await backend.openInstances(where, 2, { masterKey: KEY1 });
        [store, sibling] = inst.stores as [Store, Store];
        closeInstances = inst.close;
    });

    afterAll(async () => {
        await closeInstances?.();
        await backend.stop();
    });

    const tenant = async (extra: Partial<TenantUpsert> = {}) =>
        store.tenants.upsert({ orgId: newOrg(), ...extra });

    describe('tenants', () => {
        it('round-trips every secret and stores none of them readable', async () => {
            const orgId = newOrg();
            const secret = randomBytes(32);
            const saved = await store.tenants.upsert({
                orgId,
                instanceUrl: 'https://acme.my.salesforce.com',
                tenantSecret: secret,
                unleashed: { apiId: 'api-id-7f3c', apiKey: 'UNLEASHED-KEY-visible-text' },
                salesforce: { refreshToken: '5Aep861-refresh-token-text' },
                settings: { namespace: '' }
            });
            expect(saved.tenantSecret.equals(secret)).toBe(true);

            const got = await sibling.tenants.get(orgId);
            expect(got).not.toBeNull();
            expect(got!.tenantSecret.equals(secret)).toBe(true);
            expect(got!.unleashed).toEqual({ apiId: 'api-id-7f3c', apiKey: 'UNLEASHED-KEY-visible-text' });
            expect(got!.salesforce).toEqual({ refreshToken: '5Aep861-refresh-token-text' });
            expect(got!.instanceUrl).toBe('https://acme.my.salesforce.com');
            // Stored settings win over defaults; unset ones come from the defaults.
            expect(got!.settings).toEqual({ namespace: '', monthlyQuota: 125000 });
            expect(got!.createdAt).toBeInstanceOf(Date);

            const raw = await store.db.query<Record<string, unknown>>(
                'SELECT * FROM tenants WHERE org_id = $1',
                [orgId]
            );
            const text = JSON.stringify(raw);
            for (const plain of [
                'UNLEASHED-KEY-visible-text',
                'api-id-7f3c',
                '5Aep861-refresh-token-text',
                secret.toString('base64'),
                secret.toString('hex')
            ]) {
                expect(text).not.toContain(plain);
            }
            for (const col of ['tenant_secret_enc', 'unleashed_enc', 'salesforce_enc']) {
                expect(String(raw[0]?.[col])).toMatch(new RegExp(`^v1:${keyId(KEY1)}:`));
            }
        });

        it('creates a 32-byte secret for a new tenant and keeps fields a later upsert leaves out', async () => {
            const t = await tenant({ unleashed: { apiId: 'a', apiKey: 'k' } });
            expect(t.tenantSecret).toHaveLength(32);
            expect(t.unleashed).toEqual({ apiId: 'a', apiKey: 'k' });
            const other = await tenant();
            expect(other.tenantSecret.equals(t.tenantSecret)).toBe(false);

            const merged = await store.tenants.upsert({ orgId: t.orgId, settings: { monthlyQuota: 5000 } });
            expect(merged.tenantSecret.equals(t.tenantSecret)).toBe(true);
            expect(merged.unleashed).toEqual({ apiId: 'a', apiKey: 'k' });
            expect(merged.settings.monthlyQuota).toBe(5000);
            expect(merged.updatedAt.getTime()).toBeGreaterThanOrEqual(t.updatedAt.getTime());

            const cleared = await store.tenants.upsert({ orgId: t.orgId, unleashed: null });
            expect(cleared.unleashed).toBeNull();
            expect(cleared.settings.monthlyQuota).toBe(5000);
        });

        it('creates one tenant when two instances upsert it at once', async () => {
            const orgId = newOrg();
            const [a, b] = await Promise.all([
                store.tenants.upsert({ orgId, settings: { namespace: 'a' } }),
                sibling.tenants.upsert({ orgId, unleashed: { apiId: 'i', apiKey: 'k' } })
            ]);
            expect(a.orgId).toBe(orgId);
            expect(b.orgId).toBe(orgId);
            const got = await store.tenants.get(orgId);
            // Neither write lost the other's field, and the secret is whichever was created first.
            expect(got!.settings.namespace).toBe('a');
            expect(got!.unleashed).toEqual({ apiId: 'i', apiKey: 'k' });
            const secrets = [a.tenantSecret, b.tenantSecret].filter((s) => s.equals(got!.tenantSecret));
            expect(secrets.length).toBe(2);
        });

        it('rejects an org id that is not an 18-character Salesforce org id and a short secret', async () => {
            await expect(store.tenants.upsert({ orgId: 'not-an-org' })).rejects.toThrow();
            await expect(
                store.tenants.upsert({ orgId: newOrg(), tenantSecret: randomBytes(16) })
            ).rejects.toThrow(/32 bytes/);
        });

        it('keeps two tenants apart', async () => {
            const a = await tenant({ unleashed: { apiId: 'A', apiKey: 'ka' } });
            const b = await tenant({ unleashed: { apiId: 'B', apiKey: 'kb' } });
            expect((await store.tenants.get(a.orgId))!.unleashed!.apiId).toBe('A');
            expect((await store.tenants.get(b.orgId))!.unleashed!.apiId).toBe('B');

            const job = await store.jobs.create(a.orgId, ['products']);
            expect(await store.jobs.get(b.orgId, job.id)).toBeNull();
            expect(await store.jobs.running(b.orgId)).toBeNull();
            expect((await store.jobs.get(a.orgId, job.id))!.id).toBe(job.id);

            await store.quota.record(a.orgId, 7);
            expect((await store.quota.read(a.orgId, 100)).used).toBe(7);
            expect((await store.quota.read(b.orgId, 100)).used).toBe(0);

            // The same nonce is fresh for each tenant.
            const exp = new Date(Date.now() + 60_000);
            expect(await store.nonces.claim(a.orgId, 'aaaaaaaaaaaaaaaa', exp)).toBe(true);
            expect(await store.nonces.claim(b.orgId, 'aaaaaaaaaaaaaaaa', exp)).toBe(true);

            await store.idempotency.put(a.orgId, 'send:006A', { orderNumber: 'SO-1' });
            expect(await store.idempotency.get(b.orgId, 'send:006A')).toBeNull();

            // A ciphertext copied into another tenant's row does not decrypt there.
            await store.db.query(
                'UPDATE tenants SET unleashed_enc = (SELECT unleashed_enc FROM tenants WHERE org_id = $1) WHERE org_id = $2',
                [a.orgId, b.orgId]
            );
            await expect(store.tenants.get(b.orgId)).rejects.toThrow(SecretDecryptError);
            await store.tenants.upsert({ orgId: b.orgId, unleashed: { apiId: 'B', apiKey: 'kb' } });

            expect(await store.tenants.delete(a.orgId)).toBe(true);
            expect(await store.tenants.get(a.orgId)).toBeNull();
            expect(await store.jobs.get(a.orgId, job.id)).toBeNull();
            expect((await store.quota.read(a.orgId, 100)).used).toBe(0);
            expect(await store.tenants.delete(a.orgId)).toBe(false);
            expect((await store.tenants.get(b.orgId))!.unleashed!.apiId).toBe('B');
            expect((await store.tenants.list()).map((t) => t.orgId)).toContain(b.orgId);
        });
    });

    describe('tenant cache', () => {
        const TTL = 5;
        let clock = 0;
        const repoOf = (db: SqlAdapter, opts: Partial<TenantCacheOptions> = {}) =>
            createTenantRepo(
                db,
                { current: KEY1, previous: [] },
                { namespace: 'unleashed', monthlyQuota: 125000 },
                { seconds: TTL, now: () => clock, ...opts }
            );

        it("keeps a read for its seconds; this instance's rotation and disconnect drop it at once", async () => {
            const mine = repoOf(store.db);
            const orgId = newOrg();
            expect(mine.cached(orgId)).toBeUndefined();
            const first = await mine.upsert({ orgId });
            // Writes do not fill the cache; reads do.
            expect(mine.cached(orgId)).toBeUndefined();
            await mine.get(orgId);
            expect(mine.cached(orgId)!.tenantSecret.equals(first.tenantSecret)).toBe(true);

            const rotated = await mine.upsert({ orgId, tenantSecret: randomBytes(32) });
            expect(mine.cached(orgId)).toBeUndefined();
            await mine.get(orgId);
            expect(mine.cached(orgId)!.tenantSecret.equals(rotated.tenantSecret)).toBe(true);

            expect(await mine.delete(orgId)).toBe(true);
            expect(mine.cached(orgId)).toBeUndefined();
            // An org that is not connected is never kept.
            expect(await mine.get(orgId)).toBeNull();
            expect(mine.cached(orgId)).toBeUndefined();
        });

        it("sees another instance's write once its copy is older than the cache seconds", async () => {
            const mine = repoOf(store.db);
            const theirs = repoOf(sibling.db);
            const orgId = newOrg();
            const before = await theirs.upsert({ orgId });
            clock = 1_000_000;
            await mine.get(orgId);
            const after = await theirs.upsert({ orgId, tenantSecret: randomBytes(32) });
            clock += TTL * 1000 - 1;
            expect(mine.cached(orgId)!.tenantSecret.equals(before.tenantSecret)).toBe(true);
            clock += 1;
            expect(mine.cached(orgId)).toBeUndefined();
            expect((await mine.get(orgId))!.tenantSecret.equals(after.tenantSecret)).toBe(true);
        });

        it('does not put back a row read before a write of this instance committed', async () => {
            let hold: Promise<void> | null = null;
            let release!: () => void;
            // The tenant read waits until the write is done, as a slow read racing a rotation would.
            const slow: SqlAdapter = Object.create(store.db, {
                query: {
                    value: async (sql: string, params?: SqlParam[]) => {
                        const rows = await store.db.query(sql, params);
                        if (hold && sql.startsWith('SELECT') && sql.includes('FROM tenants')) await hold;
                        return rows;
                    }
                }
            });
            const mine = repoOf(slow);
            const orgId = newOrg();
            await mine.upsert({ orgId });
            hold = new Promise<void>((r) => (release = r));
            const reading = mine.get(orgId);
            await sleep(50);
            hold = null;
            const rotated = await mine.upsert({ orgId, tenantSecret: randomBytes(32) });
            release();
            const old = await reading;
            expect(old!.tenantSecret.equals(rotated.tenantSecret)).toBe(false);
            expect(mine.cached(orgId)).toBeUndefined();
        });

        it('keeps at most maxEntries tenants, and nothing with 0 seconds', async () => {
            const small = repoOf(store.db, { maxEntries: 2 });
            const off = repoOf(store.db, { seconds: 0 });
            const orgs = [newOrg(), newOrg(), newOrg()];
            for (const orgId of orgs) {
                await small.upsert({ orgId });
                await small.get(orgId);
                await off.get(orgId);
                expect(off.cached(orgId)).toBeUndefined();
            }
            expect(orgs.map((o) => small.cached(o) !== undefined)).toEqual([false, true, true]);
        });
    });

    describe('nonces', () => {
        it('refuses a replay, also on another instance', async () => {
            const orgId = newOrg();
            const nonce = randomBytes(12).toString('hex');
            const exp = new Date(Date.now() + 300_000);
            expect(await store.nonces.claim(orgId, nonce, exp)).toBe(true);
            expect(await store.nonces.claim(orgId, nonce, exp)).toBe(false);
            expect(await sibling.nonces.claim(orgId, nonce, exp)).toBe(false);
        });

        it('lets exactly one of many concurrent claims of one nonce win', async () => {
            const orgId = newOrg();
            const nonce = randomBytes(12).toString('hex');
            const exp = new Date(Date.now() + 300_000);
            const results = await Promise.all(
                Array.from({ length: 12 }, (_, i) =>
                    (i % 2 ? sibling : store).nonces.claim(orgId, nonce, exp)
                )
            );
            expect(results.filter(Boolean)).toHaveLength(1);
        });

        it('purges expired nonces, after which the nonce is free again', async () => {
            const orgId = newOrg();
            const past = new Date(Date.now() - 1000);
            expect(await store.nonces.claim(orgId, 'bbbbbbbbbbbbbbbb', past)).toBe(true);
            // An expired record does not block (its timestamp would be refused anyway).
            expect(await store.nonces.claim(orgId, 'cccccccccccccccc', new Date(Date.now() + 60_000))).toBe(
                true
            );
            const purged = await store.nonces.purgeExpired();
            expect(purged).toBeGreaterThanOrEqual(1);
            const left = await store.db.query('SELECT nonce FROM nonces WHERE org_id = $1', [orgId]);
            expect(left).toEqual([{ nonce: 'cccccccccccccccc' }]);
            expect(await store.nonces.claim(orgId, 'bbbbbbbbbbbbbbbb', new Date(Date.now() + 60_000))).toBe(
                true
            );
        });
    });

    describe('nonce and rate window in one statement', () => {
        const rate = (key: string) => ({ key, windowSeconds: 60 });

        it('claims a fresh nonce and counts it; refuses a replay on either instance without counting it', async () => {
            const orgId = newOrg();
            const key = `tenant:${orgId}`;
            const exp = new Date(Date.now() + 300_000);
            const first = await store.nonces.claimAndCount(orgId, 'a1'.repeat(8), exp, rate(key));
            expect(first).toMatchObject({ claimed: true, window: { count: 1 } });
            if (!first.claimed) throw new Error('unreachable');
            expect(first.window.resetInSeconds).toBeGreaterThan(0);
            expect(first.window.resetInSeconds).toBeLessThanOrEqual(60);
            expect(await sibling.nonces.claimAndCount(orgId, 'a1'.repeat(8), exp, rate(key))).toEqual({
                claimed: false
            });
            expect(await store.nonces.claimAndCount(orgId, 'a1'.repeat(8), exp, rate(key))).toEqual({
                claimed: false
            });
            // The plain claim sees the same record: one nonce table for both paths.
            expect(await sibling.nonces.claim(orgId, 'a1'.repeat(8), exp)).toBe(false);
            // The replays spent nothing: the next fresh nonce is the window's second hit, on the sibling.
            const second = await sibling.nonces.claimAndCount(orgId, 'b2'.repeat(8), exp, rate(key));
            expect(second).toMatchObject({ claimed: true, window: { count: 2 } });
            // The window is the one the shared counter keeps.
            expect((await store.rateLimits.hit(key, 60)).count).toBe(3);
        });

        it('counts concurrent requests of two instances exactly, and lets one of many claims of a nonce win', async () => {
            const orgId = newOrg();
            const key = `tenant:${orgId}`;
            const exp = new Date(Date.now() + 300_000);
            const fresh = await Promise.all(
                Array.from({ length: 20 }, (_, i) =>
                    (i % 2 ? sibling : store).nonces.claimAndCount(
                        orgId,
                        randomBytes(12).toString('hex'),
                        exp,
                        rate(key)
                    )
                )
            );
            const counts = fresh.map((r) => (r.claimed ? r.window.count : 0)).sort((a, b) => a - b);
            expect(counts).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
            const nonce = randomBytes(12).toString('hex');
            const racing = await Promise.all(
                Array.from({ length: 12 }, (_, i) =>
                    (i % 2 ? sibling : store).nonces.claimAndCount(orgId, nonce, exp, rate(key))
                )
            );
            expect(racing.filter((r) => r.claimed)).toEqual([
                { claimed: true, window: expect.objectContaining({ count: 21 }) }
            ]);
        });

        it('refuses a window that is not a whole number of seconds, claiming nothing', async () => {
            const orgId = newOrg();
            const exp = new Date(Date.now() + 300_000);
            await expect(
                store.nonces.claimAndCount(orgId, 'c3'.repeat(8), exp, { key: 'k', windowSeconds: 0.5 })
            ).rejects.toThrow('windowSeconds must be a whole number >= 1, got 0.5');
            expect(await store.nonces.claim(orgId, 'c3'.repeat(8), exp)).toBe(true);
        });
    });

    describe('quota', () => {
        it('counts per UTC month and rolls over at 00:00 UTC on the 1st', async () => {
            const orgId = newOrg();
            const jan = new Date('2026-01-31T23:59:59.999Z');
            // 1 February in New Zealand, still January in UTC: counts for January.
            const nzFeb = new Date('2026-01-31T12:30:00Z');
            const feb = new Date('2026-02-01T00:00:00.000Z');
            await store.quota.record(orgId, 3, jan);
            await sibling.quota.record(orgId, 2, nzFeb);
            await store.quota.record(orgId, 5, feb);
            await store.quota.record(orgId, 0, feb);
            expect(await store.quota.read(orgId, 1000, jan)).toEqual({
                month: '2026-01',
                used: 5,
                limit: 1000
            });
            expect(await store.quota.read(orgId, 1000, feb)).toEqual({
                month: '2026-02',
                used: 5,
                limit: 1000
            });
            expect(await store.quota.read(orgId, 1000, new Date('2026-03-01T00:00:00Z'))).toEqual({
                month: '2026-03',
                used: 0,
                limit: 1000
            });
            await expect(store.quota.record(orgId, -1)).rejects.toThrow(/whole number/);
        });

        it('counts concurrent calls from several instances exactly', async () => {
            const orgId = newOrg();
            const counterA = store.quota.counterFor(orgId);
            const counterB = sibling.quota.counterFor(orgId);
            await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? counterA : counterB).record(1)));
            expect((await store.quota.read(orgId, 125000)).used).toBe(40);
        });
    });

    describe('import jobs', () => {
        it('tracks progress, checkpoints and errors', async () => {
            const t = await tenant();
            const job = await store.jobs.create(t.orgId, ['products', 'customers'], { modifiedSince: null });
            expect(job).toMatchObject({
                orgId: t.orgId,
                entities: ['products', 'customers'],
                options: { modifiedSince: null },
                status: 'queued',
                done: 0,
                total: 0,
                counts: { created: 0, updated: 0, unchanged: 0, failed: 0 },
                checkpoint: null,
                errors: [],
                errorCount: 0,
                startedAt: null,
                finishedAt: null
            });
            await expect(store.jobs.create(t.orgId, ['taxes'])).rejects.toBeInstanceOf(
                ImportAlreadyActiveError
            );
            expect((await store.jobs.running(t.orgId))!.id).toBe(job.id);

            const finished = new Date('2026-11-01T10:00:00Z');
            const updated = await store.jobs.update(job.id, {
                status: 'running',
                done: 1000,
                total: 2500,
                counts: { created: 990, updated: 0, unchanged: 0, failed: 10 },
                checkpoint: { entity: 'products', page: 2 }
            });
            expect(updated).toMatchObject({ status: 'running', done: 1000, total: 2500 });
            expect(updated.checkpoint).toEqual({ entity: 'products', page: 2 });

            const errors = Array.from({ length: 620 }, (_, i) => ({
                entity: 'products',
                key: `SKU-${i}`,
                reason: `bad price ${i}`
            }));
            await store.jobs.appendErrors(job.id, errors);
            const done = await store.jobs.update(job.id, {
                status: 'completed_with_errors',
                finishedAt: finished
            });
            expect(done.errorCount).toBe(620);
            expect(done.errors).toHaveLength(100);
            expect(done.errors[0]).toEqual({ entity: 'products', key: 'SKU-0', reason: 'bad price 0' });
            expect(done.finishedAt!.toISOString()).toBe(finished.toISOString());
            expect(await store.jobs.running(t.orgId)).toBeNull();

            // Finished, so another import may start.
            const next = await store.jobs.create(t.orgId, ['taxes']);
            expect(next.id).not.toBe(job.id);
            expect(await store.jobs.get(t.orgId, 'not-a-uuid')).toBeNull();
            await expect(
                store.jobs.update('00000000-0000-4000-8000-000000000000', { done: 1 })
            ).rejects.toThrow(/no import job/);
        });

        it('gives concurrent claimers distinct jobs (SKIP LOCKED) and takes over stalled ones', async () => {
            // Drain what earlier tests queued, so only this test's jobs are claimable.
            while (await store.jobs.claimNext('drain')) {
                /* keep claiming */
            }
            const tenants = await Promise.all(Array.from({ length: 8 }, () => tenant()));
            const created = [];
            for (const t of tenants) created.push(await store.jobs.create(t.orgId, ['products']));

            const claims = await Promise.all(
                Array.from({ length: 12 }, (_, i) => (i % 2 ? sibling : store).jobs.claimNext(`worker-${i}`))
            );
            const claimed = claims.filter((j) => j !== null);
            expect(claimed).toHaveLength(8);
            expect(new Set(claimed.map((j) => j!.id)).size).toBe(8);
            expect(new Set(claimed.map((j) => j!.id))).toEqual(new Set(created.map((j) => j.id)));
            for (const j of claimed) {
                expect(j!.status).toBe('running');
                expect(j!.startedAt).toBeInstanceOf(Date);
            }
            expect(await store.jobs.claimNext('late')).toBeNull();

            // A worker that stopped writing: its job is taken over with its checkpoint intact.
            const stalled = claimed[0]!;
            await store.jobs.update(stalled.id, { checkpoint: { page: 3 } });
            await store.db.query(
                "UPDATE import_jobs SET heartbeat_at = now() - interval '10 minutes' WHERE id = $1",
                [stalled.id]
            );
            const takeover = await sibling.jobs.claimNext('rescuer', { staleAfterSeconds: 60 });
            expect(takeover!.id).toBe(stalled.id);
            expect(takeover!.checkpoint).toEqual({ page: 3 });
            expect(takeover!.startedAt!.getTime()).toBe(stalled.startedAt!.getTime());
            expect(await store.jobs.claimNext('late', { staleAfterSeconds: 60 })).toBeNull();
        });
    });

    describe('idempotency', () => {
        it('serialises work under one key across instances and lets other keys run alongside', async () => {
            let active = 0;
            let maxActive = 0;
            const order: string[] = [];
            const work = (s: Store, key: string, tag: string) =>
                s.idempotency.withLock(key, async () => {
                    active++;
                    maxActive = Math.max(maxActive, active);
                    order.push(`${tag}:start`);
                    await sleep(40);
                    order.push(`${tag}:end`);
                    active--;
                    return tag;
                });
            const results = await Promise.all([
                work(store, 'send:00Dx:006A', 'a1'),
                work(sibling, 'send:00Dx:006A', 'a2'),
                work(store, 'send:00Dx:006A', 'a3')
            ]);
            expect(results).toEqual(['a1', 'a2', 'a3']);
            expect(maxActive).toBe(1);
            // Each start is directly followed by its own end.
            for (let i = 0; i < order.length; i += 2) {
                expect(order[i]!.split(':')[0]).toBe(order[i + 1]!.split(':')[0]);
            }

            active = 0;
            maxActive = 0;
            await Promise.all([work(store, 'send:k1', 'b1'), work(sibling, 'send:k2', 'b2')]);
            expect(maxActive).toBe(2);

            // A failure releases the lock.
            await expect(
                store.idempotency.withLock('send:boom', async () => Promise.reject(new Error('boom')))
            ).rejects.toThrow('boom');
            expect(await sibling.idempotency.withLock('send:boom', async () => 'free')).toBe('free');
        });

        it('remembers a result per tenant and key', async () => {
            const orgId = newOrg();
            expect(await store.idempotency.get(orgId, 'k')).toBeNull();
            await store.idempotency.put(orgId, 'k', { orderNumber: 'SO-00001', total: '68.64' });
            expect(await sibling.idempotency.get(orgId, 'k')).toEqual({
                orderNumber: 'SO-00001',
                total: '68.64'
            });
            await store.idempotency.put(orgId, 'k', { orderNumber: 'SO-00002' });
            expect(await store.idempotency.get(orgId, 'k')).toEqual({ orderNumber: 'SO-00002' });
        });
    });

    describe('migrations', () => {
        it('apply once when several instances start together, and not again on reopen', async () => {
            const fresh = await backend.newDatabase();
            const adapters = await backend.openAdapters(fresh, 4);
            try {
                const applied = await Promise.all(adapters.map((db) => migrate(db)));
                expect(applied.flat()).toEqual(MIGRATIONS.map((m) => m.version));
                const rows = await adapters[0]!.query<{ version: number }>(
                    'SELECT version FROM schema_migrations ORDER BY version'
                );
                expect(rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
                expect(await migrate(adapters[1]!)).toEqual([]);
            } finally {
                for (const db of new Set(adapters)) await db.close();
            }
            // Reopening through openStore finds nothing to do and the data is usable.
            const again = await openStore({ ...fresh, masterKey: KEY1 });
            try {
                const rows = await again.db.query('SELECT version FROM schema_migrations');
                expect(rows).toHaveLength(MIGRATIONS.length);
                await again.ping();
            } finally {
                await again.close();
            }
        });
    });

    describe('master key rotation', () => {
        it('reads under previous keys, re-encrypts under the new key and fails clearly without it', async () => {
            const fresh = await backend.newDatabase();
            const s1 = await openStore({ ...fresh, masterKey: KEY1 });
            const a = await s1.tenants.upsert({
                orgId: newOrg(),
                unleashed: { apiId: 'id', apiKey: 'key-a' },
                salesforce: { refreshToken: 'rt-a' }
            });
            const b = await s1.tenants.upsert({ orgId: newOrg() });
            await s1.close();

            // Only the new key: every read fails, naming the missing key.
            const wrong = await openStore({ ...fresh, masterKey: KEY2 });
            await expect(wrong.tenants.get(a.orgId)).rejects.toThrow(SecretDecryptError);
            await expect(wrong.tenants.get(a.orgId)).rejects.toThrow(
                `master key ${keyId(KEY1)}, which is neither MASTER_KEY nor in MASTER_KEYS_PREVIOUS`
            );
            await expect(wrong.tenants.reencryptAll()).rejects.toThrow(SecretDecryptError);
            await wrong.close();

            // New key with the old one as previous: reads work, rotation rewrites every blob.
            const s2 = await openStore({ ...fresh, masterKey: KEY2, previousKeys: [KEY1] });
            expect((await s2.tenants.get(a.orgId))!.unleashed!.apiKey).toBe('key-a');
            const written = await s2.tenants.upsert({ orgId: b.orgId, settings: { namespace: 'x' } });
            expect(written.tenantSecret.equals(b.tenantSecret)).toBe(true);
            await s2.close();

            const env = {
                MASTER_KEY: KEY2.toString('base64'),
                MASTER_KEYS_PREVIOUS: KEY1.toString('base64'),
                ...(fresh.databaseUrl ? { DATABASE_URL: fresh.databaseUrl } : { DATA_DIR: fresh.dataDir })
            };
            expect(await rotateKeys(env)).toBe(`re-encrypted 2 of 2 tenants under master key ${keyId(KEY2)}`);
            expect(await rotateKeys(env)).toBe(`re-encrypted 0 of 2 tenants under master key ${keyId(KEY2)}`);

            const s3 = await openStore({ ...fresh, masterKey: KEY2 });
            try {
                const raw = await s3.db.query<Record<string, string | null>>(
                    'SELECT tenant_secret_enc, unleashed_enc, salesforce_enc FROM tenants'
                );
                for (const row of raw) {
                    for (const blob of Object.values(row).filter((v) => v !== null)) {
                        expect(blob).toMatch(new RegExp(`^v1:${keyId(KEY2)}:`));
                    }
                }
                const ra = await s3.tenants.get(a.orgId);
                expect(ra!.tenantSecret.equals(a.tenantSecret)).toBe(true);
                expect(ra!.unleashed).toEqual({ apiId: 'id', apiKey: 'key-a' });
                expect(ra!.salesforce).toEqual({ refreshToken: 'rt-a' });
                expect((await s3.tenants.get(b.orgId))!.tenantSecret.equals(b.tenantSecret)).toBe(true);
            } finally {
                await s3.close();
            }
        });
    });
});
