import type { SqlAdapter } from './sql';

/**
 * The schema, as numbered migrations applied in order at open. Never edit an applied migration;
 * add the next number. The same SQL runs on PGlite and PostgreSQL.
 */
export interface Migration {
    version: number;
    name: string;
    sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
    {
        version: 1,
        name: 'tenants, nonces, quota, import jobs, idempotency',
        sql: `
CREATE TABLE tenants (
    org_id text PRIMARY KEY CHECK (org_id ~ '^00D[A-Za-z0-9]{15}$'),
    instance_url text,
    -- AES-256-GCM blobs (store/crypto.ts); never plaintext.
    tenant_secret_enc text NOT NULL,
    unleashed_enc text,
    salesforce_enc text,
    settings jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE nonces (
    org_id text NOT NULL,
    nonce text NOT NULL,
    expires_at timestamptz NOT NULL,
    PRIMARY KEY (org_id, nonce)
);
CREATE INDEX nonces_expires_at ON nonces (expires_at);

CREATE TABLE quota_calls (
    org_id text NOT NULL,
    month text NOT NULL CHECK (month ~ '^[0-9]{4}-[0-9]{2}$'),
    used integer NOT NULL DEFAULT 0 CHECK (used >= 0),
    PRIMARY KEY (org_id, month)
);

CREATE TABLE import_jobs (
    id uuid PRIMARY KEY,
    org_id text NOT NULL REFERENCES tenants (org_id) ON DELETE CASCADE,
    entities jsonb NOT NULL,
    options jsonb NOT NULL DEFAULT '{}'::jsonb,
    status text NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'completed_with_errors', 'failed')),
    done integer NOT NULL DEFAULT 0,
    total integer NOT NULL DEFAULT 0,
    counts jsonb NOT NULL DEFAULT '{"created":0,"updated":0,"unchanged":0,"failed":0}'::jsonb,
    checkpoint jsonb,
    error_count integer NOT NULL DEFAULT 0,
    worker_id text,
    heartbeat_at timestamptz,
    started_at timestamptz,
    finished_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);
-- One active import per tenant, enforced by the database so concurrent requests cannot both start one.
CREATE UNIQUE INDEX import_jobs_one_active ON import_jobs (org_id) WHERE status IN ('queued', 'running');
CREATE INDEX import_jobs_claimable ON import_jobs (created_at) WHERE status IN ('queued', 'running');
CREATE INDEX import_jobs_by_org ON import_jobs (org_id, created_at);

CREATE TABLE import_job_errors (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    job_id uuid NOT NULL REFERENCES import_jobs (id) ON DELETE CASCADE,
    entity text NOT NULL,
    key text NOT NULL,
    reason text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX import_job_errors_by_job ON import_job_errors (job_id, id);

CREATE TABLE idempotency_records (
    org_id text NOT NULL,
    key text NOT NULL,
    result jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, key)
);
`
    },
    {
        version: 2,
        name: 'oauth connect states',
        sql: `
-- One row per connect flow started in a browser (routes/oauth.ts), shared by every instance.
CREATE TABLE oauth_states (
    -- SHA-256 (hex) of the state sent to Salesforce; the state itself is not kept.
    state_hash text PRIMARY KEY,
    org_id text NOT NULL CHECK (org_id ~ '^00D[A-Za-z0-9]{15}$'),
    return_url text NOT NULL,
    -- PKCE verifier, AES-256-GCM under the master key (store/crypto.ts).
    verifier_enc text NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX oauth_states_expires_at ON oauth_states (expires_at);
`
    }
];

/** Advisory lock id shared by every instance, so concurrent start-ups migrate one at a time. */
const MIGRATION_LOCK = 'unleashed-connector:schema-migrations';

/** Applies the missing migrations in one transaction; returns the versions it applied. */
export async function migrate(
    db: SqlAdapter,
    migrations: readonly Migration[] = MIGRATIONS
): Promise<number[]> {
    return db.transaction(async (tx) => {
        await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [MIGRATION_LOCK]);
        await tx.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
            version integer PRIMARY KEY,
            name text NOT NULL,
            applied_at timestamptz NOT NULL DEFAULT now()
        )`);
        const rows = await tx.query<{ version: number }>('SELECT version FROM schema_migrations');
        const applied = new Set(rows.map((r) => Number(r.version)));
        const ran: number[] = [];
        for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
            if (applied.has(m.version)) continue;
            await tx.exec(m.sql);
            await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
                m.version,
                m.name
            ]);
            ran.push(m.version);
        }
        return ran;
    });
}
