/**
 * The store as the rules and routes see it: tenants, nonces, quota counters, import jobs and the
 * idempotency records. One implementation over SQL runs on PGlite and on PostgreSQL.
 */

export interface TenantSettings {
    /** Salesforce namespace prefix for this org's package ('' when unmanaged). */
    namespace: string;
    /** Monthly Unleashed call allowance for the quota meter. */
    monthlyQuota: number;
    [key: string]: unknown;
}

/** A tenant with its secrets decrypted (only ever in memory). */
export interface Tenant {
    orgId: string;
    instanceUrl: string | null;
    /** 32 raw bytes; the HMAC key of request signing. */
    tenantSecret: Buffer;
    unleashed: { apiId: string; apiKey: string } | null;
    salesforce: { refreshToken: string } | null;
    settings: TenantSettings;
    createdAt: Date;
    updatedAt: Date;
}

export interface TenantUpsert {
    orgId: string;
    instanceUrl?: string | null;
    tenantSecret?: Buffer;
    unleashed?: { apiId: string; apiKey: string } | null;
    salesforce?: { refreshToken: string } | null;
    settings?: Partial<TenantSettings>;
}

export interface QuotaReading {
    /** e.g. '2026-11' (UTC month; Unleashed resets 00:00 UTC on the 1st). */
    month: string;
    used: number;
    limit: number;
}

export type ImportJobStatus = 'queued' | 'running' | 'succeeded' | 'completed_with_errors' | 'failed';

export interface ImportJobCounts {
    created: number;
    updated: number;
    unchanged: number;
    failed: number;
}

export interface ImportJob {
    id: string;
    orgId: string;
    entities: string[];
    options: Record<string, unknown>;
    status: ImportJobStatus;
    done: number;
    total: number;
    counts: ImportJobCounts;
    /** Resume point, written after every page. */
    checkpoint: Record<string, unknown> | null;
    errors: { entity: string; key: string; reason: string }[];
    errorCount: number;
    startedAt: Date | null;
    finishedAt: Date | null;
    createdAt: Date;
}
