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

const csv = z.string().transform((v) =>
    v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
);

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

export const configSchema = z.object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('production'),
    HOST: z.string().default('127.0.0.1'),
    PORT: z.coerce.number().int().min(0).max(65535).default(8787),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** Public base URL of this middleware, used for the OAuth callback. */
    PUBLIC_URL: z.url().optional(),

    // Store: PostgreSQL when DATABASE_URL is set, else embedded PGlite in DATA_DIR.
    DATABASE_URL: z.string().optional(),
    DATA_DIR: z.string().default('.data/middleware'),
    /** Encrypts every secret at rest (AES-256-GCM). */
    MASTER_KEY: base64Key32,
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
     * How query values are escaped before signing; the exact bytes sent are the bytes signed.
     * `minimal` keeps `: , @ / ` raw (what most public clients send); `rfc3986` escapes every reserved
     * character. Unconfirmed which Unleashed verifies for values that need escaping: see README.
     */
    UNLEASHED_QUERY_ENCODING: z.enum(['minimal', 'rfc3986']).default('minimal'),
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

    /** Requests a tenant may make per minute before 429. */
    RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(600),
    /** Largest request body accepted, in bytes. */
    BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(1048576),
    TRUST_PROXY: bool.default(false)
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
    return cfg;
}

/** A config for tests and the local demo: everything defaulted, a fixed throwaway master key. */
export function testConfig(overrides: Partial<Record<keyof AppConfig, string>> = {}): AppConfig {
    return loadConfig({
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        DATA_DIR: 'memory://',
        MASTER_KEY: Buffer.alloc(32, 7).toString('base64'),
        ...overrides
    });
}
