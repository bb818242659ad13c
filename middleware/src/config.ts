import { isIP } from 'node:net';
import { z } from 'zod';

/**
 * Middleware configuration, read once from the environment. A missing or malformed variable stops
 * start-up with a message that names it (see loadConfig). Every variable is documented in the
 * README's configuration table.
 */

const base64Key32 = z
    .string()
    .refine((v) => Buffer.from(v, 'base64').length === 32 && /^[A-Za-z0-9+/]+={0,2}$/.test(v), {
        message: 'must be the base64 text of exactly 32 random bytes'
    });

/**
 * Why a 32-byte key is not random enough to protect anything, or null. Thresholds are far outside
 * what 32 random bytes produce (they practically always hold more than 20 distinct values), so only
 * placeholders trip them: one repeated byte, a counting sequence, a typed password.
 */
export function weakKeyReason(key: Buffer): string | null {
    if (key.every((b) => b === 0)) return 'is all zeros';
    if (new Set(key).size < 16) return 'repeats too few distinct bytes to be random';
    const steps = new Set(key.subarray(1).map((b, i) => (b - key[i]! + 256) % 256));
    if (steps.size < 8) return 'is a regular sequence, not random bytes';
    if (key.every((b) => b >= 0x20 && b < 0x7f)) return 'is printable text, not random bytes';
    return null;
}

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/** A master key that must also be random (earlier keys are not checked: they are being retired). */
const strongKey32 = base64Key32.superRefine((v, ctx) => {
    const reason = weakKeyReason(Buffer.from(v, 'base64'));
    if (reason)
        ctx.addIssue({ code: 'custom', message: `${reason}; generate one with: openssl rand -base64 32` });
});

/**
 * TRUST_PROXY: which hops may set X-Forwarded-For. `false` (none), a hop count, or a comma list of
 * proxy addresses and CIDR ranges (or proxy-addr's names loopback, linklocal, uniquelocal). `true`
 * (trust every hop) is refused: anyone could then choose the client address the per-IP limits see.
 */
const trustProxy = z.string().transform((v, ctx): false | number | string => {
    const t = v.trim();
    if (t === 'false' || t === '0') return false;
    if (/^[0-9]{1,2}$/.test(t)) return Number(t);
    const entries = t.split(',').map((s) => s.trim());
    const bad = entries.filter((e) => !isProxyAddress(e));
    if (t === 'true' || t === '1' || bad.length > 0) {
        ctx.addIssue({
            code: 'custom',
            message:
                t === 'true'
                    ? 'true would trust every hop (a forged X-Forwarded-For would pick the client address); give the number of proxies in front, e.g. 1, or their addresses/CIDR ranges'
                    : `must be false, a hop count, or a comma list of addresses/CIDR ranges (not understood: ${bad.join(', ')})`
        });
        return z.NEVER;
    }
    return entries.join(',');
});

function isProxyAddress(entry: string): boolean {
    if (['loopback', 'linklocal', 'uniquelocal'].includes(entry)) return true;
    const [addr = '', bits, ...rest] = entry.split('/');
    const family = isIP(addr);
    if (!family || rest.length > 0) return false;
    if (bits === undefined) return true;
    const max = family === 4 ? 32 : 128;
    return /^[0-9]{1,3}$/.test(bits) && Number(bits) <= max;
}

/** A path prefix such as /connector: a leading slash, no trailing one, plain path characters. */
const basePath = z
    .string()
    .transform((v) => v.replace(/\/+$/, ''))
    .pipe(
        z
            .string()
            .regex(
                /^(\/[A-Za-z0-9._~-]+)*$/,
                'must be a path such as /connector (leading slash, letters, digits, . _ ~ -)'
            )
            .refine(
                (v) => !v.split('/').some((s) => s === '.' || s === '..'),
                'must not contain . or .. segments'
            )
    );

const csv = z.string().transform((v) =>
    v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
);

export const configSchema = z.object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('production'),
    HOST: z.string().default('127.0.0.1'),
    PORT: z.coerce.number().int().min(0).max(65535).default(8787),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** Public base URL of this middleware, used for the OAuth callback. */
    PUBLIC_URL: z.url().optional(),
    /**
     * Path prefix of the Named Credential URL (https://host/connector) when the proxy in front
     * forwards it: removed before routing. Apex signs the path after the Named Credential's URL, so
     * the signature never covers the prefix, whether a proxy strips it or we do.
     */
    PUBLIC_BASE_PATH: basePath.default(''),

    // Store: PostgreSQL when DATABASE_URL is set, else embedded PGlite in DATA_DIR.
    DATABASE_URL: z.string().optional(),
    DATA_DIR: z.string().default('.data/middleware'),
    /** PostgreSQL pool per instance; at most half of it holds named locks (store/sql-postgres.ts). */
    DATABASE_POOL_SIZE: z.coerce.number().int().min(2).max(1000).default(10),
    /** Longest wait for a database connection before a request fails. */
    DATABASE_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).default(10000),
    /** Longest wait for a lock another instance holds (PostgreSQL `lock_timeout`). */
    DATABASE_LOCK_TIMEOUT_MS: z.coerce.number().int().min(100).default(10000),
    /** Longest run of one SQL statement (PostgreSQL `statement_timeout`). */
    DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).default(30000),
    /** Encrypts every secret at rest (AES-256-GCM). */
    MASTER_KEY: strongKey32,
    /** Earlier master keys, still accepted for reading until `rotate-keys` re-encrypts. */
    MASTER_KEYS_PREVIOUS: csv.pipe(z.array(base64Key32)).default([]),

    // Unleashed
    UNLEASHED_BASE_URL: z.url().default('https://api.unleashedsoftware.com'),
    /** Sent as `client-type`; Unleashed wants `<partner>/<app>`, lower case, no spaces. */
    UNLEASHED_CLIENT_TYPE: z
        .string()
        .regex(/^[a-z0-9_.-]+\/[a-z0-9_.-]+$/, 'must look like partner/app in lower case without spaces')
        .default('unleashedconnector/salesforce'),
    /**
     * How the query is sent and signed. `sign-decoded`: sent RFC 3986-encoded, the decoded
     * `key=value&...` text signed (what the evidence says Unleashed verifies). `minimal` and
     * `rfc3986`: the encoded bytes sent are the bytes signed. See docs/unleashed-api.md.
     */
    UNLEASHED_QUERY_ENCODING: z.enum(['sign-decoded', 'minimal', 'rfc3986']).default('sign-decoded'),
    UNLEASHED_TIMEOUT_MS: z.coerce.number().int().min(100).default(30000),
    UNLEASHED_MAX_RETRIES: z.coerce.number().int().min(0).max(10).default(4),
    /** Monthly call allowance of the Unleashed plan, for the quota meter. */
    UNLEASHED_MONTHLY_QUOTA: z.coerce.number().int().min(1).default(125000),
    /** Midpoint rounding of money; Unleashed does not document it (see README). */
    MONEY_ROUNDING: z.enum(['half-away-from-zero', 'half-even']).default('half-away-from-zero'),
    /** Places a discounted unit price is rounded to before it is sent (Unleashed's own limit is unconfirmed). */
    MONEY_UNIT_PRICE_DECIMALS: z.coerce.number().int().min(2).max(4).default(2),
    /** Seconds a stock answer is reused for the same tenant and query. */
    STOCK_CACHE_SECONDS: z.coerce.number().min(0).max(300).default(5),
    /**
     * Unleashed calls in flight per tenant for stock and catalog reads. Unleashed documents no
     * concurrency limit; 10 reads an account of up to 10 warehouses in one round (see README).
     */
    UNLEASHED_TENANT_CONCURRENCY: z.coerce.number().int().min(1).max(50).default(10),
    /**
     * Read stock per product (GET /StockOnHand/{guid}/AllWarehouses) when that takes fewer calls
     * than one call per warehouse (fewer products than warehouses). The answer's shape is unconfirmed.
     */
    STOCK_PER_PRODUCT_READS: bool.default(true),
    /**
     * Seconds a product's stock, once read from every warehouse, is answered from StockOnHand
     * `modifiedSince` checks (one call per 100 products names those that moved, and only they are
     * read again); 0 reads every warehouse on every view. Whether an allocation moves the date is
     * unconfirmed: the connector's own orders check it and stop the checks when it does not.
     */
    STOCK_CHANGE_CHECK_SECONDS: z.coerce.number().int().min(0).max(86400).default(3600),
    /**
     * Sales order statuses that hold no stock allocation: an Opportunity's own order in any other
     * status has its allocation counted as available to the Opportunity's lines (unconfirmed, see README).
     */
    STOCK_UNALLOCATED_ORDER_STATUSES: csv
        .pipe(z.array(z.string()))
        .default(['Parked', 'Completed', 'Deleted']),
    /** Pages of 1,000 one product-code lookup may read (Unleashed's code filter is a prefix). */
    CODE_LOOKUP_MAX_PAGES: z.coerce.number().int().min(1).max(100).default(3),
    /** Pages past each code's first that all lookups of one request may read together. */
    CODE_LOOKUP_EXTRA_PAGES: z.coerce.number().int().min(0).max(1000).default(10),
    /** Seconds a product code Unleashed does not have is remembered by the stock reads. */
    CODE_LOOKUP_MISS_SECONDS: z.coerce.number().int().min(0).max(86400).default(900),
    /**
     * Seconds between polls of a tenant's changed sales orders (the fallback to webhooks that
     * Unleashed recommends); 0 turns polling off.
     */
    ORDER_STATUS_POLL_SECONDS: z.coerce.number().int().min(0).max(86400).default(300),
    /**
     * Seconds between those polls while the tenant's webhook subscription is in use and the last
     * poll found nothing the webhooks had not already delivered (never less than the above). A
     * change the webhooks miss is then found up to this late, after which polling is back to
     * ORDER_STATUS_POLL_SECONDS until they keep up again.
     */
    ORDER_STATUS_POLL_SECONDS_WITH_WEBHOOKS: z.coerce.number().int().min(0).max(86400).default(3600),
    // Shipments and invoices (sync/fulfilment): their lists are polled at most this often (each poll
    // is at least one call per list), under the order poll's lease; 0 = only with order changes.
    FULFILMENT_POLL_SECONDS: z.coerce.number().int().min(0).max(86400).default(3600),
    // Extra Unleashed webhook event types to subscribe to for shipments and invoices; whether an
    // account offers them, and their names, is unconfirmed (README), so none by default.
    UNLEASHED_FULFILMENT_EVENTS: z
        .string()
        .default('')
        .transform((v) =>
            v
                .split(',')
                .map((t) => t.trim())
                .filter((t) => t !== '')
        )
        .pipe(
            z.array(
                z
                    .string()
                    .regex(
                        /^sales(shipment|invoice)\.[a-z]+$/,
                        'must be event types such as salesshipment.created'
                    )
            )
        ),
    // Courier name -> tracking URL with {tracking}, as a JSON object merged over the built-in table.
    COURIER_TRACKING_URLS: z.string().default(''),
    HISTORY_CACHE_SECONDS: z.coerce.number().int().min(0).max(3600).default(60),

    // Self-hosted mode: one org configured from the environment.
    CONNECTOR_ORG_ID: z
        .string()
        .regex(/^00D[A-Za-z0-9]{15}$/, 'must be an 18-character Salesforce org id starting with 00D')
        .optional(),
    CONNECTOR_TENANT_SECRET: base64Key32.optional(),
    UNLEASHED_API_ID: z.string().min(1).optional(),
    UNLEASHED_API_KEY: z.string().min(1).optional(),

    // Salesforce
    SALESFORCE_LOGIN_URL: z.url().default('https://login.salesforce.com'),
    SALESFORCE_INSTANCE_URL: z.url().optional(),
    SALESFORCE_API_VERSION: z
        .string()
        .regex(/^\d+\.0$/, 'must look like 62.0')
        .default('62.0'),
    SALESFORCE_CLIENT_ID: z.string().min(1).optional(),
    SALESFORCE_CLIENT_SECRET: z.string().min(1).optional(),
    SALESFORCE_REFRESH_TOKEN: z.string().min(1).optional(),
    SALESFORCE_USERNAME: z.string().min(1).optional(),
    /** PEM private key for the JWT bearer flow (alternative to a refresh token). */
    SALESFORCE_JWT_PRIVATE_KEY: z.string().min(1).optional(),
    /** Namespace prefix of the installed package; empty for an unmanaged (dev) org. */
    SALESFORCE_NAMESPACE: z
        .string()
        .regex(/^[A-Za-z][A-Za-z0-9]{0,14}$/, 'must be a namespace prefix such as unleashed, or empty')
        .or(z.literal(''))
        .default('unleashed'),

    /** A running import whose instance has not written for this long is taken over by another. */
    IMPORT_TAKEOVER_SECONDS: z.coerce.number().int().min(1).max(3600).default(90),
    /** Unfinished OAuth connects (each a stored row for up to 70 minutes) allowed at once, on the whole service. */
    OAUTH_PENDING_LIMIT: z.coerce.number().int().min(1).default(5000),

    /**
     * Seconds an instance keeps a tenant it read for checking signed requests. Its own writes
     * (connect, key rotation, disconnect) take effect at once; another instance's within this time.
     * 0 reads the store on every request.
     */
    TENANT_CACHE_SECONDS: z.coerce.number().int().min(0).max(60).default(5),
    /** Requests a tenant may make per minute before 429. */
    RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(600),
    /** Largest request body accepted, in bytes. */
    BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(1048576),
    /** Hops (or proxy addresses) trusted to set X-Forwarded-For; see trustProxy above. */
    TRUST_PROXY: trustProxy.default(false),
    /** Longest time a client may take to send a whole request (headers and body). */
    REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1000).max(600000).default(30000),
    /** Longest a connection may stay silent; above the longest request a handler may take. */
    CONNECTION_TIMEOUT_MS: z.coerce.number().int().min(1000).max(3600000).default(130000),
    /** Failed signature checks one client address may cause per minute before it is refused unread; 0 = no limit. */
    AUTH_FAILURES_PER_IP_PER_MINUTE: z.coerce.number().int().min(0).default(60)
});

export type AppConfig = z.infer<typeof configSchema>;

export class ConfigError extends Error {
    constructor(public readonly issues: string[]) {
        super(`Invalid configuration:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
        this.name = 'ConfigError';
    }
}

/** Parses the environment (or a test's object); throws ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): AppConfig {
    // Empty strings count as unset, as a shell `FOO=` would mean.
    const cleaned: Record<string, string> = {};
    for (const [k, v] of Object.entries(env)) {
        if (v !== undefined && v !== '' && k in configSchema.shape) cleaned[k] = v;
    }
    if (env.SALESFORCE_NAMESPACE === '') cleaned.SALESFORCE_NAMESPACE = '';
    const parsed = configSchema.safeParse(cleaned);
    if (!parsed.success) {
        throw new ConfigError(
            parsed.error.issues.map((i) => {
                const name = i.path.join('.') || '(environment)';
                return i.code === 'invalid_type' && cleaned[name] === undefined
                    ? `${name} is required`
                    : `${name} ${i.message}`;
            })
        );
    }
    const cfg = parsed.data;
    const selfHosted = [cfg.CONNECTOR_ORG_ID, cfg.CONNECTOR_TENANT_SECRET];
    if (selfHosted.some(Boolean) && !selfHosted.every(Boolean)) {
        throw new ConfigError(['CONNECTOR_ORG_ID and CONNECTOR_TENANT_SECRET must be set together']);
    }
    if (Boolean(cfg.UNLEASHED_API_ID) !== Boolean(cfg.UNLEASHED_API_KEY)) {
        throw new ConfigError(['UNLEASHED_API_ID and UNLEASHED_API_KEY must be set together']);
    }
    if (cfg.NODE_ENV === 'production') {
        const plain = (
            ['UNLEASHED_BASE_URL', 'SALESFORCE_LOGIN_URL', 'SALESFORCE_INSTANCE_URL'] as const
        ).filter((name) => isPlainHttpOffLoopback(cfg[name]));
        if (plain.length > 0) {
            throw new ConfigError(
                plain.map(
                    (name) =>
                        `${name} must be https in production (http is accepted on loopback only, or with NODE_ENV=development)`
                )
            );
        }
    }
    return cfg;
}

/** http:// to anywhere but this machine: credentials would cross the network in clear. */
function isPlainHttpOffLoopback(url: string | undefined): boolean {
    if (!url) return false;
    const u = new URL(url);
    if (u.protocol !== 'http:') return false;
    const host = u.hostname.replace(/^\[|\]$/g, '');
    return !(host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host));
}

/** A config for tests and the local demo: everything defaulted, a fixed throwaway master key. */
export function testConfig(overrides: Partial<Record<keyof AppConfig, string>> = {}): AppConfig {
    return loadConfig({
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        DATA_DIR: 'memory://',
        // A fixed throwaway key (random bytes, never used outside tests and the demo).
        MASTER_KEY: 'q5Ez0Vb3XlYtVv4mG2v9Cw1i8Jm6pQy7HsLr0eT2uNk=',
        ...overrides
    });
}
