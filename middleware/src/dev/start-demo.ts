import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../app';
import { loadConfig, type AppConfig } from '../config';
import { connectSalesforce } from '../salesforce/connection';
import { createSalesforceWriter } from '../salesforce/writer';
import { openStore, storeConfigFrom } from '../store';
import {
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    startSalesforceSim,
    type SalesforceSim
} from '../sandbox/salesforce-sim';
import { DEMO_API_ID, DEMO_API_KEY, startUnleashedSim, type UnleashedSim } from '../sandbox/unleashed-sim';
import { orgDataFor, type BridgeOrg, type OrgConnection } from './bridge/org';
import { seedReferenceData } from './demo-data';
import { ensurePreviewBuilt } from './preview-build';
import { startPreviewServer } from './preview-server';

/**
 * The local demo (`npm start`), dev only: the Unleashed simulator (demo account), the Salesforce
 * simulator (demo org), the middleware on PGlite connected to both as one self-hosted tenant, and
 * the preview of the package's real components with the dev bridge. Everything on 127.0.0.1.
 */

export const REPO_ROOT = resolve(__dirname, '..', '..', '..');
const API_VERSION = '62.0';

export interface DemoOptions {
    /** Ports (0 = any free one). */
    previewPort?: number;
    middlewarePort?: number;
    unleashedPort?: number;
    salesforcePort?: number;
    /** PGlite data folder of the middleware; 'memory://' keeps nothing. Default .data/demo. */
    dataDir?: string;
    /** Folder of the built preview; built (or reused from .preview-build) when not given. */
    previewDir?: string;
    log?: (line: string) => void;
    /** Middleware log level (default warn). */
    logLevel?: string;
}

export interface DemoStack {
    urls: { preview: string; middleware: string; unleashed: string; salesforce: string };
    unleashed: UnleashedSim;
    salesforce: SalesforceSim;
    middleware: FastifyInstance;
    /** The org as the preview's Apex sees it (connection setting, settings, user). */
    org: BridgeOrg;
    close(): Promise<void>;
}

/** A loopback port free right now (taken and released). */
function freePort(): Promise<number> {
    return new Promise((resolvePort, reject) => {
        const server = createServer();
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => {
            const address = server.address();
            server.close(() => resolvePort(typeof address === 'object' && address ? address.port : 0));
        });
    });
}

interface DemoKeys {
    masterKey: string;
    tenantSecret: string;
}

const newKeys = (): DemoKeys => ({
    masterKey: randomBytes(32).toString('base64'),
    tenantSecret: randomBytes(32).toString('base64')
});

/** Keys of a kept demo store: made once, so the encrypted tenant in .data/demo stays readable. */
function demoKeys(dataDir: string): DemoKeys {
    if (dataDir.startsWith('memory://')) return newKeys();
    mkdirSync(dataDir, { recursive: true });
    const file = join(dataDir, 'demo-keys.json');
    if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as DemoKeys;
    const keys = newKeys();
    writeFileSync(file, `${JSON.stringify(keys)}\n`, { mode: 0o600 });
    return keys;
}

/**
 * The protected setting Unleashed_Connection__c as the org keeps it: the Salesforce simulator holds
 * it (its built-in events resource writes it when the middleware delivers a connection.secret), and
 * the bridge's Apex reads and clears it through these accessors.
 */
function connectionSetting(salesforce: SalesforceSim, username: string): OrgConnection {
    const apex = salesforce.apex;
    const current = () => apex.connection;
    const update = (patch: Partial<NonNullable<typeof apex.connection>>) => {
        if (apex.connection) apex.connection = { ...apex.connection, ...patch };
    };
    return {
        get tenantSecret() {
            return current()?.secret ?? null;
        },
        set tenantSecret(value: string | null) {
            if (value === null) apex.connection = null;
            else if (apex.connection) update({ secret: value });
            else
                apex.connection = {
                    secret: value,
                    companyName: null,
                    baseCurrency: null,
                    connectedAt: new Date().toISOString()
                };
        },
        get orgId() {
            return current()?.orgId ?? null;
        },
        set orgId(value: string | null) {
            if (value !== null) update({ orgId: value });
        },
        get connectedAt() {
            return current()?.connectedAt ?? null;
        },
        set connectedAt(value: string | null) {
            if (value !== null) update({ connectedAt: value });
        },
        get connectedBy() {
            return current() ? username : null;
        },
        set connectedBy(_value: string | null) {
            // The simulator records no connecting user; the API user connected the demo org.
        },
        get companyName() {
            return current()?.companyName ?? null;
        },
        set companyName(value: string | null) {
            update({ companyName: value });
        },
        get baseCurrency() {
            return current()?.baseCurrency ?? null;
        },
        set baseCurrency(value: string | null) {
            update({ baseCurrency: value });
        }
    };
}

/** Where the import keeps, per entity, when its last complete run started (tenant settings). */
const IMPORT_WATERMARKS = 'importWatermarks';

/**
 * Both simulators start from their seed every time, while a kept store (.data/demo) remembers the
 * last demo: its import watermarks would make the next import read only recent changes into an org
 * that never received the earlier ones, and a job stopped by Ctrl-C would resume into that org half
 * way through. The demo starts each run's imports from nothing.
 */
export async function forgetLastRun(config: AppConfig, orgId: string): Promise<void> {
    const store = await openStore(storeConfigFrom(config));
    try {
        if (await store.tenants.get(orgId)) {
            await store.tenants.upsert({ orgId, settings: { [IMPORT_WATERMARKS]: {} } });
        }
        for (let job = await store.jobs.running(orgId); job; job = await store.jobs.running(orgId)) {
            await store.jobs.appendErrors(job.id, [
                {
                    entity: 'import',
                    key: '(job)',
                    reason: 'The demo was restarted with fresh simulators before this import finished.'
                }
            ]);
            await store.jobs.update(job.id, { status: 'failed', finishedAt: new Date() });
        }
    } finally {
        await store.close();
    }
}

export async function startDemo(opts: DemoOptions = {}): Promise<DemoStack> {
    const log = opts.log ?? (() => undefined);
    const closers: (() => Promise<void>)[] = [];
    const close = async () => {
        for (const c of closers.reverse()) await c().catch(() => undefined);
    };
    try {
        const previewDir = opts.previewDir ?? (await ensurePreviewBuilt(REPO_ROOT, { log }));
        const dataDir = opts.dataDir ?? join(REPO_ROOT, '.data', 'demo');
        const keys = demoKeys(dataDir);

        // The middleware's address is fixed before it starts: it is the OAuth callback the demo org's
        // connected app allows (the Connect button on the admin tab runs the real connect flow).
        const middlewarePort = opts.middlewarePort || (await freePort());
        const middlewareUrl = `http://127.0.0.1:${middlewarePort}`;

        const unleashed = await startUnleashedSim({ seed: 'demo', port: opts.unleashedPort ?? 0 });
        closers.push(() => unleashed.close());
        const salesforce = await startSalesforceSim({
            seed: 'demo',
            port: opts.salesforcePort ?? 0,
            connectedApp: { redirectUris: [`${middlewareUrl}/oauth/salesforce/callback`] }
        });
        closers.push(() => salesforce.close());

        // As the connect flow leaves the org: the middleware delivered the tenant secret with the
        // Unleashed company's name and base currency.
        const company = unleashed.state.companies[0];
        salesforce.apex.connection = {
            secret: keys.tenantSecret,
            orgId: salesforce.orgId,
            companyName: company?.CompanyName ?? null,
            baseCurrency: company?.BaseCurrencyCode ?? null,
            connectedAt: new Date().toISOString()
        };
        const conn = connectSalesforce({
            instanceUrl: salesforce.url,
            loginUrl: salesforce.url,
            apiVersion: API_VERSION,
            clientId: DEMO_CLIENT_ID,
            clientSecret: DEMO_CLIENT_SECRET,
            refreshToken: salesforce.issueRefreshToken()
        });
        await seedReferenceData(
            createSalesforceWriter(conn, { namespace: salesforce.namespace }),
            unleashed.state
        );

        // Status, shipments and invoices come back as in production, with the default poll settings:
        // the first status poll after a send (within 30 s) subscribes to the simulator's webhooks,
        // whose order events then bring each change at once. A shorter poll interval would only
        // inflate the poll cost the quota meter shows.
        const config = loadConfig({
            NODE_ENV: 'development',
            HOST: '127.0.0.1',
            PORT: String(middlewarePort),
            PUBLIC_URL: middlewareUrl,
            LOG_LEVEL: opts.logLevel ?? 'warn',
            DATA_DIR: dataDir,
            MASTER_KEY: keys.masterKey,
            CONNECTOR_ORG_ID: salesforce.orgId,
            CONNECTOR_TENANT_SECRET: keys.tenantSecret,
            UNLEASHED_BASE_URL: unleashed.url,
            UNLEASHED_API_ID: DEMO_API_ID,
            UNLEASHED_API_KEY: DEMO_API_KEY,
            // The demo shows the first retry at once rather than after a long back-off.
            UNLEASHED_MAX_RETRIES: '1',
            UNLEASHED_TIMEOUT_MS: '10000',
            SALESFORCE_LOGIN_URL: salesforce.url,
            SALESFORCE_INSTANCE_URL: salesforce.url,
            SALESFORCE_CLIENT_ID: DEMO_CLIENT_ID,
            SALESFORCE_CLIENT_SECRET: DEMO_CLIENT_SECRET,
            SALESFORCE_REFRESH_TOKEN: salesforce.issueRefreshToken(),
            SALESFORCE_NAMESPACE: salesforce.namespace,
            SALESFORCE_API_VERSION: API_VERSION
        });
        if (!dataDir.startsWith('memory://')) await forgetLastRun(config, salesforce.orgId);
        const middleware = await buildApp(config);
        closers.push(() => middleware.close());
        await middleware.listen({ host: '127.0.0.1', port: middlewarePort });

        const user = salesforce.users[0];
        if (!user) throw new Error('The Salesforce simulator has no user');
        const org: BridgeOrg = {
            orgId: salesforce.orgId,
            namespace: salesforce.namespace,
            middlewareUrl,
            orgDomainUrl: '',
            orgLoginUrl: salesforce.url,
            user: {
                id: user.id,
                username: user.username,
                email: user.email,
                canManageConnection: true,
                defaultCurrency: 'NZD'
            },
            connection: connectionSetting(salesforce, user.username),
            // The demo org sends from Opportunities and from Salesforce Orders.
            settings: { Send_From__c: 'Opportunity, Order' },
            features: { multiCurrency: true, personAccounts: true },
            data: orgDataFor(conn, salesforce.namespace)
        };
        const preview = await startPreviewServer({
            org,
            outDir: previewDir,
            port: opts.previewPort ?? 0,
            unleashedSimUrl: unleashed.url
        });
        closers.push(() => preview.close());
        // The preview stands in for the org's domain: the connect flow returns to its admin tab.
        org.orgDomainUrl = preview.url;

        return {
            urls: {
                preview: preview.url,
                middleware: middlewareUrl,
                unleashed: unleashed.url,
                salesforce: salesforce.url
            },
            unleashed,
            salesforce,
            middleware,
            org,
            close
        };
    } catch (err) {
        await close();
        throw err;
    }
}

const PORTS = {
    previewPort: ['DEMO_PREVIEW_PORT', 3000],
    middlewarePort: ['DEMO_MIDDLEWARE_PORT', 8787],
    unleashedPort: ['DEMO_UNLEASHED_PORT', 4010],
    salesforcePort: ['DEMO_SALESFORCE_PORT', 4020]
} as const;

async function main(): Promise<void> {
    const out = (line: string) => process.stdout.write(`${line}\n`);
    const ports: Record<string, number> = {};
    for (const [key, [env, fallback]] of Object.entries(PORTS)) {
        const value = process.env[env];
        ports[key] = value === undefined || value === '' ? fallback : Number(value);
    }
    out(
        'Unleashed connector: local demo (simulated Unleashed account and Salesforce org; nothing leaves this machine)'
    );
    let stack: DemoStack;
    try {
        stack = await startDemo({ ...ports, log: out });
    } catch (err) {
        const e = err as NodeJS.ErrnoException;
        if (e.code === 'EADDRINUSE') {
            const names = Object.values(PORTS)
                .map(([env, port]) => `${env} (${port})`)
                .join(', ');
            process.stderr.write(`A port of the demo is taken: ${e.message}. Choose others with ${names}.\n`);
        } else {
            process.stderr.write(`The demo could not start: ${e.stack ?? e.message}\n`);
        }
        process.exit(1);
    }
    out('');
    out(`  Preview (the package's components)   ${stack.urls.preview}`);
    out(`    Accounts, opportunities, products   ${stack.urls.preview}/`);
    out(`    Unleashed Admin tab                 ${stack.urls.preview}/lightning/n/Unleashed_Admin`);
    out(
        `  Middleware (PGlite in .data/demo)    ${stack.urls.middleware}  (API docs: ${stack.urls.middleware}/docs)`
    );
    out(
        `  Unleashed simulator (demo account)   ${stack.urls.unleashed}  (state: ${stack.urls.unleashed}/__sim/state)`
    );
    out(`  Salesforce simulator (demo org)      ${stack.urls.salesforce}`);
    out('');
    out('This is a local demo against simulators. To point the middleware at real Salesforce and Unleashed');
    out('accounts instead, run `npm run serve` with the environment described in the README.');
    out('Press Ctrl-C to stop.');

    let stopping = false;
    const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        out(`\n${signal}: stopping the demo...`);
        const force = setTimeout(() => process.exit(1), 10000);
        force.unref();
        stack.close().then(
            () => {
                out('Stopped.');
                process.exit(0);
            },
            (err: unknown) => {
                process.stderr.write(`Error while stopping: ${String(err)}\n`);
                process.exit(1);
            }
        );
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
}

if (require.main === module) {
    void main();
}
