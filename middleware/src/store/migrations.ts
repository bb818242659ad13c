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
    },
    {
        version: 3,
        name: 'order status back-sync: sent orders, webhook inbox and subscriptions, status polls',
        sql: `
-- Orders this middleware sent, so a status change in Unleashed finds its Opportunity.
CREATE TABLE sent_orders (
    org_id text NOT NULL REFERENCES tenants (org_id) ON DELETE CASCADE,
    order_guid uuid NOT NULL,
    opportunity_id text NOT NULL,
    order_number text,
    -- The status Salesforce last accepted (from the send, then from each delivered event).
    status text NOT NULL,
    -- Unleashed's LastModifiedOn of the state last seen.
    modified_at timestamptz,
    -- An order.status event not yet accepted by Salesforce; retried by the next poll or webhook.
    pending jsonb,
    attempts integer NOT NULL DEFAULT 0,
    last_error text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, order_guid)
);
CREATE INDEX sent_orders_pending ON sent_orders (org_id) WHERE pending IS NOT NULL;

-- Webhook deliveries by Unleashed's eventNotificationId: at-least-once in, once processed.
CREATE TABLE webhook_inbox (
    org_id text NOT NULL REFERENCES tenants (org_id) ON DELETE CASCADE,
    event_id text NOT NULL,
    event_type text NOT NULL,
    order_guid uuid,
    received_at timestamptz NOT NULL DEFAULT now(),
    processed_at timestamptz,
    outcome text,
    PRIMARY KEY (org_id, event_id)
);
CREATE INDEX webhook_inbox_received_at ON webhook_inbox (received_at);

-- Unleashed webhook subscriptions; the signing key is shown once by Unleashed and kept encrypted.
CREATE TABLE webhook_subscriptions (
    org_id text NOT NULL REFERENCES tenants (org_id) ON DELETE CASCADE,
    subscription_id text NOT NULL,
    target_url text NOT NULL,
    event_types jsonb NOT NULL,
    signing_key_enc text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, subscription_id)
);

-- The polling fallback per tenant: watermark and a lease, so one instance polls a tenant at a time.
CREATE TABLE order_status_polls (
    org_id text PRIMARY KEY REFERENCES tenants (org_id) ON DELETE CASCADE,
    modified_since timestamptz,
    next_poll_at timestamptz NOT NULL DEFAULT now(),
    lease_owner text,
    lease_until timestamptz,
    last_polled_at timestamptz,
    last_error text
);
`
    },
    {
        version: 4,
        name: 'oauth connect states: login host, browser binding, starting address',
        sql: `
-- A state started before this version has no browser to check against: such a connect starts again.
DELETE FROM oauth_states;
-- The login host this connect uses (the org's My Domain, login or test.salesforce.com).
ALTER TABLE oauth_states ADD COLUMN login_url text NOT NULL;
-- SHA-256 (hex) of the browser's connect cookie; the callback must bring the same cookie.
ALTER TABLE oauth_states ADD COLUMN browser_hash text NOT NULL;
-- SHA-256 (hex) of the address the connect started from, to cap pending connects per address.
ALTER TABLE oauth_states ADD COLUMN client_hash text NOT NULL;
CREATE INDEX oauth_states_client_hash ON oauth_states (client_hash) WHERE used_at IS NULL;
`
    },
    {
        version: 5,
        name: 'rate limit windows shared by every instance',
        sql: `
-- The current fixed window of each rate-limited key (a tenant): one row per key, reset in place.
CREATE TABLE rate_windows (
    key text PRIMARY KEY,
    -- Unix seconds at which the window began (database clock).
    window_start bigint NOT NULL,
    used integer NOT NULL CHECK (used >= 0)
);
`
    },
    {
        version: 6,
        name: 'fulfilment back-sync: custom order statuses, shipments and invoices delivered, their poll',
        sql: `
-- The account's own status name Salesforce last accepted with the status.
ALTER TABLE sent_orders ADD COLUMN custom_status text;
CREATE INDEX sent_orders_number ON sent_orders (org_id, order_number);

-- Shipments and invoices of sent orders, by Unleashed GUID: the fingerprint of the state Salesforce
-- accepted, so a redelivered or re-polled record is pushed once, and an event still to deliver.
CREATE TABLE fulfilment_docs (
    org_id text NOT NULL REFERENCES tenants (org_id) ON DELETE CASCADE,
    kind text NOT NULL CHECK (kind IN ('shipment', 'invoice')),
    guid uuid NOT NULL,
    order_guid uuid NOT NULL,
    delivered_fingerprint text,
    modified_at timestamptz,
    pending jsonb,
    pending_fingerprint text,
    attempts integer NOT NULL DEFAULT 0,
    last_error text,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, kind, guid)
);
CREATE INDEX fulfilment_docs_pending ON fulfilment_docs (org_id) WHERE pending IS NOT NULL;

-- Watermarks of the shipment and invoice lists, polled under the order poll's lease.
CREATE TABLE fulfilment_polls (
    org_id text PRIMARY KEY REFERENCES tenants (org_id) ON DELETE CASCADE,
    shipments_since timestamptz,
    invoices_since timestamptz,
    next_poll_at timestamptz NOT NULL DEFAULT now()
);
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
