import { randomBytes } from 'node:crypto';
import { toDate, type SqlAdapter, type SqlExecutor } from './sql';
import { blobKeyId, decryptSecret, encryptSecret, keyId } from './crypto';
import type { Tenant, TenantSettings, TenantUpsert } from './types';

export interface TenantRepo {
    /** Reads the tenant from the store (and refreshes this instance's cached copy). */
    get(orgId: string): Promise<Tenant | null>;
    /**
     * This instance's copy of the tenant, read by get() at most `cacheSeconds` ago; undefined when
     * there is none (never cached, expired, caching off, or dropped by a write of this instance).
     * Another instance's write is seen here within `cacheSeconds`. Only the signed-request check
     * reads it (http/auth.ts); everything else reads the store.
     */
    cached(orgId: string): Tenant | undefined;
    /** Creates (with a fresh 32-byte tenant secret unless given) or merges into an existing tenant. */
    upsert(t: TenantUpsert): Promise<Tenant>;
    /** Removes the tenant and everything kept for it; false when there was none. */
    delete(orgId: string): Promise<boolean>;
    list(): Promise<Tenant[]>;
    /** Re-encrypts every secret not yet under the current master key; returns how many tenants changed. */
    reencryptAll(): Promise<number>;
}

export interface MasterKeys {
    current: Buffer;
    previous: readonly Buffer[];
}

interface TenantRow {
    org_id: string;
    instance_url: string | null;
    tenant_secret_enc: string;
    unleashed_enc: string | null;
    salesforce_enc: string | null;
    settings: Record<string, unknown>;
    created_at: Date;
    updated_at: Date;
}

const COLUMNS =
    'org_id, instance_url, tenant_secret_enc, unleashed_enc, salesforce_enc, settings, created_at, updated_at';

/** Bound into each ciphertext, so a blob only decrypts in the row and column it was written for. */
const ctx = (orgId: string, column: string) => `tenants:${orgId}:${column}`;

export interface TenantCacheOptions {
    /** How long a tenant read stays in this instance's cache; 0 turns the cache off. */
    seconds: number;
    /** Tenants kept at most; the oldest entry goes first. */
    maxEntries?: number;
    /** Current time in ms; tests move it. */
    now?: () => number;
}

/**
 * Tenants read by this instance, for a few seconds: a signed request then costs no tenant read
 * and no decryption. Writes through this repository drop the entry once they commit; a read that
 * began before such a write does not put its older row back (the generation check).
 */
class TenantCache {
    private readonly entries = new Map<string, { tenant: Tenant; until: number }>();
    private generation = 0;
    private readonly ttlMs: number;
    private readonly max: number;
    private readonly now: () => number;

    constructor(opts: TenantCacheOptions) {
        this.ttlMs = Math.max(0, opts.seconds) * 1000;
        this.max = opts.maxEntries ?? 10_000;
        this.now = opts.now ?? Date.now;
    }

    peek(orgId: string): Tenant | undefined {
        const e = this.entries.get(orgId);
        if (!e) return undefined;
        if (e.until > this.now()) return e.tenant;
        this.entries.delete(orgId);
        return undefined;
    }

    /** The generation a read starts at, to hand to put() when it ends. */
    begin(): number {
        return this.generation;
    }

    put(orgId: string, tenant: Tenant | null, startedAt: number): void {
        if (this.ttlMs === 0 || startedAt !== this.generation) return;
        // Unknown orgs are not kept: an org connected on another instance is served at once, and
        // ids nobody connected cannot fill the cache.
        this.entries.delete(orgId);
        if (!tenant) return;
        if (this.entries.size >= this.max) {
            const oldest = this.entries.keys().next();
            if (!oldest.done) this.entries.delete(oldest.value);
        }
        this.entries.set(orgId, { tenant, until: this.now() + this.ttlMs });
    }

    drop(orgId: string): void {
        this.generation++;
        this.entries.delete(orgId);
    }
}

export function createTenantRepo(
    db: SqlAdapter,
    keys: MasterKeys,
    defaults: TenantSettings,
    cacheOptions: TenantCacheOptions = { seconds: 0 }
): TenantRepo {
    const cache = new TenantCache(cacheOptions);
    /** Runs a write, then drops what this instance cached (after the commit, so no read sees it half done). */
    const writing = async <T>(orgId: string, fn: () => Promise<T>): Promise<T> => {
        try {
            return await fn();
        } finally {
            cache.drop(orgId);
        }
    };
    const allKeys = [keys.current, ...keys.previous];
    const currentId = keyId(keys.current);

    const enc = (orgId: string, column: string, plain: string | Buffer) =>
        encryptSecret(plain, keys.current, ctx(orgId, column));
    const dec = (orgId: string, column: string, blob: string) =>
        decryptSecret(blob, allKeys, ctx(orgId, column));

    function toTenant(r: TenantRow): Tenant {
        return {
            orgId: r.org_id,
            instanceUrl: r.instance_url,
            tenantSecret: dec(r.org_id, 'tenant_secret', r.tenant_secret_enc),
            unleashed: r.unleashed_enc
                ? JSON.parse(dec(r.org_id, 'unleashed', r.unleashed_enc).toString('utf8'))
                : null,
            salesforce: r.salesforce_enc
                ? JSON.parse(dec(r.org_id, 'salesforce', r.salesforce_enc).toString('utf8'))
                : null,
            settings: { ...defaults, ...r.settings } as TenantSettings,
            createdAt: toDate(r.created_at),
            updatedAt: toDate(r.updated_at)
        };
    }

    async function lockedRow(tx: SqlExecutor, orgId: string): Promise<TenantRow | null> {
        // Serialises writers of one tenant, including two creating it at the same moment.
        await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`tenant:${orgId}`]);
        const rows = await tx.query<TenantRow>(
            `SELECT ${COLUMNS} FROM tenants WHERE org_id = $1 FOR UPDATE`,
            [orgId]
        );
        return rows[0] ?? null;
    }

    return {
        async get(orgId) {
            const startedAt = cache.begin();
            const rows = await db.query<TenantRow>(`SELECT ${COLUMNS} FROM tenants WHERE org_id = $1`, [
                orgId
            ]);
            const tenant = rows[0] ? toTenant(rows[0]) : null;
            cache.put(orgId, tenant, startedAt);
            return tenant;
        },

        cached: (orgId) => cache.peek(orgId),

        async list() {
            const rows = await db.query<TenantRow>(`SELECT ${COLUMNS} FROM tenants ORDER BY org_id`);
            return rows.map(toTenant);
        },

        async upsert(t) {
            if (t.tenantSecret && t.tenantSecret.length !== 32) {
                throw new Error('tenant secret must be 32 bytes');
            }
            const row = await writing(t.orgId, () =>
                db.transaction(async (tx) => {
                    const existing = await lockedRow(tx, t.orgId);
                    const secretEnc = t.tenantSecret
                        ? enc(t.orgId, 'tenant_secret', t.tenantSecret)
                        : (existing?.tenant_secret_enc ?? enc(t.orgId, 'tenant_secret', randomBytes(32)));
                    const unleashedEnc =
                        t.unleashed === undefined
                            ? (existing?.unleashed_enc ?? null)
                            : t.unleashed && enc(t.orgId, 'unleashed', JSON.stringify(t.unleashed));
                    const salesforceEnc =
                        t.salesforce === undefined
                            ? (existing?.salesforce_enc ?? null)
                            : t.salesforce && enc(t.orgId, 'salesforce', JSON.stringify(t.salesforce));
                    const instanceUrl =
                        t.instanceUrl === undefined ? (existing?.instance_url ?? null) : t.instanceUrl;
                    const settings = { ...(existing?.settings ?? {}), ...(t.settings ?? {}) };
                    const rows = await tx.query<TenantRow>(
                        `INSERT INTO tenants (org_id, instance_url, tenant_secret_enc, unleashed_enc, salesforce_enc, settings)
                     VALUES ($1, $2, $3, $4, $5, $6::jsonb)
                     ON CONFLICT (org_id) DO UPDATE SET
                         instance_url = EXCLUDED.instance_url,
                         tenant_secret_enc = EXCLUDED.tenant_secret_enc,
                         unleashed_enc = EXCLUDED.unleashed_enc,
                         salesforce_enc = EXCLUDED.salesforce_enc,
                         settings = EXCLUDED.settings,
                         updated_at = now()
                     RETURNING ${COLUMNS}`,
                        [
                            t.orgId,
                            instanceUrl,
                            secretEnc,
                            unleashedEnc,
                            salesforceEnc,
                            JSON.stringify(settings)
                        ]
                    );
                    return rows[0] as TenantRow;
                })
            );
            return toTenant(row);
        },

        async delete(orgId) {
            return writing(orgId, () =>
                db.transaction(async (tx) => {
                    for (const table of ['nonces', 'quota_calls', 'idempotency_records']) {
                        await tx.query(`DELETE FROM ${table} WHERE org_id = $1`, [orgId]);
                    }
                    const rows = await tx.query('DELETE FROM tenants WHERE org_id = $1 RETURNING org_id', [
                        orgId
                    ]);
                    return rows.length > 0;
                })
            );
        },

        async reencryptAll() {
            const ids = await db.query<{ org_id: string }>('SELECT org_id FROM tenants ORDER BY org_id');
            let changed = 0;
            for (const { org_id: orgId } of ids) {
                const did = await writing(orgId, () =>
                    db.transaction(async (tx) => {
                        const row = await lockedRow(tx, orgId);
                        if (!row) return false;
                        const columns = ['tenant_secret', 'unleashed', 'salesforce'] as const;
                        const next: Record<string, string | null> = {};
                        let stale = false;
                        for (const c of columns) {
                            const blob = row[`${c}_enc`];
                            if (blob && blobKeyId(blob) !== currentId) {
                                next[c] = enc(orgId, c, dec(orgId, c, blob));
                                stale = true;
                            } else {
                                next[c] = blob;
                            }
                        }
                        if (!stale) return false;
                        await tx.query(
                            `UPDATE tenants SET tenant_secret_enc = $2, unleashed_enc = $3, salesforce_enc = $4,
                             updated_at = now() WHERE org_id = $1`,
                            [
                                orgId,
                                next.tenant_secret ?? null,
                                next.unleashed ?? null,
                                next.salesforce ?? null
                            ]
                        );
                        return true;
                    })
                );
                if (did) changed++;
            }
            return changed;
        }
    };
}
