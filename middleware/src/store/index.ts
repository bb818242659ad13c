import { mkdirSync } from 'node:fs';
import type { AppConfig } from '../config';
import { createIdempotencyRepo, type IdempotencyRepo } from './idempotency';
import { createImportJobRepo, type ImportJobRepo } from './jobs';
import { migrate } from './migrations';
import { createNonceRepo, type NonceRepo } from './nonces';
import { createOAuthStateRepo, type OAuthStateRepo } from './oauth-states';
import { createFulfilmentRepos, type FulfilmentRepos } from './fulfilment';
import { createOrderStatusRepos, type OrderStatusRepos } from './order-status';
import { createQuotaRepo, type QuotaRepo } from './quota';
import { createRateLimitRepo, type RateLimitRepo } from './rate-limits';
import type { SqlAdapter } from './sql';
import { openPgliteAdapter } from './sql-pglite';
import { openPostgresAdapter } from './sql-postgres';
import { createTenantRepo, type TenantRepo } from './tenants';
import type { TenantSettings } from './types';

export type { TenantRepo } from './tenants';
export type { NonceRepo } from './nonces';
export type { QuotaRepo } from './quota';
export type { RateLimitRepo, RateWindow } from './rate-limits';
export type { ImportJobRepo, ImportJobPatch, ImportJobError, ClaimOptions } from './jobs';
export { ImportAlreadyActiveError } from './jobs';
export type { IdempotencyRepo } from './idempotency';
export type { OrderStatusRepos, SentOrder, WebhookSubscription } from './order-status';
export type { FulfilmentRepos, FulfilmentKind, FulfilmentDoc } from './fulfilment';
export type { OAuthStateRepo, OAuthState, OAuthStateStart, PendingCaps, StartOutcome } from './oauth-states';
export { SecretDecryptError } from './crypto';
export * from './types';

export interface StoreConfig {
    /** PostgreSQL connection string; when absent the embedded PGlite is used. */
    databaseUrl?: string;
    /** PGlite data directory; 'memory://' keeps everything in memory (tests). */
    dataDir?: string;
    /** Encrypts every secret written. */
    masterKey: Buffer;
    /** Earlier master keys, still read until reencryptAll() has run. */
    previousKeys?: Buffer[];
    /** Settings a tenant has until it stores its own. */
    tenantDefaults?: Partial<TenantSettings>;
    /**
     * Seconds this instance keeps a tenant it read, for the signed-request check (TENANT_CACHE_SECONDS);
     * absent or 0: no cache.
     */
    tenantCacheSeconds?: number;
    /** PostgreSQL pool size of this instance. */
    maxConnections?: number;
    /** PostgreSQL: waits for a connection, for a lock, and the longest statement. */
    connectTimeoutMs?: number;
    lockTimeoutMs?: number;
    statementTimeoutMs?: number;
}

export interface Store {
    readonly kind: 'pglite' | 'postgres';
    tenants: TenantRepo;
    nonces: NonceRepo;
    quota: QuotaRepo;
    /** Request budgets counted across instances (http/rate-limit.ts). */
    rateLimits: RateLimitRepo;
    jobs: ImportJobRepo;
    idempotency: IdempotencyRepo;
    /** Connect flows started in a browser and not finished yet. */
    oauthStates: OAuthStateRepo;
    /** Orders sent (for status back-sync), the webhook inbox and subscriptions, the poll leases. */
    orderStatus: OrderStatusRepos;
    /** Shipments and invoices delivered to Salesforce, and their list polls. */
    fulfilment: FulfilmentRepos;
    /** The SQL seam itself, for readiness checks and tests that look at raw rows. */
    readonly db: SqlAdapter;
    /** Resolves when the database answers; for /readyz. */
    ping(): Promise<void>;
    close(): Promise<void>;
}

/** Opens the database, applies pending migrations and returns the repositories. */
export async function openStore(config: StoreConfig): Promise<Store> {
    if (config.masterKey.length !== 32) throw new Error('masterKey must be 32 bytes');
    let db: SqlAdapter;
    if (config.databaseUrl) {
        db = await openPostgresAdapter(config.databaseUrl, {
            maxConnections: config.maxConnections,
            connectTimeoutMs: config.connectTimeoutMs,
            lockTimeoutMs: config.lockTimeoutMs,
            statementTimeoutMs: config.statementTimeoutMs
        });
    } else {
        const dataDir = config.dataDir ?? 'memory://';
        if (dataDir !== 'memory://') mkdirSync(dataDir, { recursive: true });
        db = await openPgliteAdapter(dataDir);
    }
    try {
        await migrate(db);
    } catch (err) {
        await db.close().catch(() => undefined);
        throw err;
    }
    return storeOn(db, config);
}

/** The repositories over an open, migrated database; close() closes that database. */
export function storeOn(
    db: SqlAdapter,
    config: Pick<StoreConfig, 'masterKey' | 'previousKeys' | 'tenantDefaults' | 'tenantCacheSeconds'>
): Store {
    const keys = { current: config.masterKey, previous: config.previousKeys ?? [] };
    const defaults: TenantSettings = {
        namespace: 'unleashed',
        monthlyQuota: 125000,
        ...config.tenantDefaults
    };
    return {
        kind: db.kind,
        db,
        tenants: createTenantRepo(db, keys, defaults, { seconds: config.tenantCacheSeconds ?? 0 }),
        nonces: createNonceRepo(db),
        quota: createQuotaRepo(db),
        rateLimits: createRateLimitRepo(db),
        jobs: createImportJobRepo(db),
        idempotency: createIdempotencyRepo(db),
        oauthStates: createOAuthStateRepo(db, keys),
        orderStatus: createOrderStatusRepos(db, keys),
        fulfilment: createFulfilmentRepos(db),
        async ping() {
            await db.query('SELECT 1');
        },
        close: () => db.close()
    };
}

/** The store settings of the middleware's configuration. */
export function storeConfigFrom(config: AppConfig): StoreConfig {
    return {
        databaseUrl: config.DATABASE_URL,
        dataDir: config.DATA_DIR,
        maxConnections: config.DATABASE_POOL_SIZE,
        connectTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS,
        lockTimeoutMs: config.DATABASE_LOCK_TIMEOUT_MS,
        statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
        masterKey: Buffer.from(config.MASTER_KEY, 'base64'),
        previousKeys: config.MASTER_KEYS_PREVIOUS.map((k) => Buffer.from(k, 'base64')),
        tenantDefaults: {
            namespace: config.SALESFORCE_NAMESPACE,
            monthlyQuota: config.UNLEASHED_MONTHLY_QUOTA
        },
        tenantCacheSeconds: config.TENANT_CACHE_SECONDS
    };
}
