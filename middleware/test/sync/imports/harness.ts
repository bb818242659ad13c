import '../../salesforce/node-realm';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../../src/app';
import { testConfig, type AppConfig } from '../../../src/config';
import { signRequest } from '../../../src/http/auth';
import {
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    startSalesforceSim,
    type SalesforceSim
} from '../../../src/sandbox/salesforce-sim';
import { DEMO_API_ID, DEMO_API_KEY, startUnleashedSim } from '../../../src/sandbox/unleashed-sim';
import type { UnleashedSim } from '../../../src/sandbox/unleashed-sim/types';
import { createServices, type Services } from '../../../src/services';
import { openStore, type Store } from '../../../src/store';
import type { ImportJob } from '../../../src/store/types';
import type { ImportServiceOptions } from '../../../src/sync/imports/service';

/**
 * Both simulators over real HTTP, a real app with an in-memory store, the real Unleashed client and
 * the real jsforce writer: an org (tenant) connected to the Unleashed simulator's demo account and
 * to the Salesforce simulator's org. The worker does not start on its own; tests drive it.
 */

export const ORG = '00D5g000004IMPRTA1';
export const OTHER_ORG = '00D5g000004OTHERA2';

export interface Harness {
    usim: UnleashedSim;
    sfsim: SalesforceSim;
    store: Store;
    services: Services;
    app: FastifyInstance;
    namespace: string;
    call(
        method: 'GET' | 'POST',
        url: string,
        body?: unknown,
        orgId?: string
    ): Promise<LightMyRequestResponse>;
    /** Starts an import over the route and runs the worker until the job ends. */
    importAll(body: Record<string, unknown>, orgId?: string): Promise<ImportJob>;
    /** Runs the worker until no job is left. */
    drain(): Promise<void>;
    job(id: string, orgId?: string): Promise<ImportJob>;
    close(): Promise<void>;
}

export interface HarnessOptions {
    namespace?: string;
    unleashedSeed?: 'demo' | 'empty' | 'large';
    salesforceSeed?: 'demo' | 'empty';
    imports?: Partial<ImportServiceOptions>;
    config?: Partial<Record<keyof AppConfig, string>>;
    /** A second tenant connected to the same two simulators. */
    otherTenant?: boolean;
}

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
    const namespace = opts.namespace ?? 'unleashed';
    const usim = await startUnleashedSim({ seed: opts.unleashedSeed ?? 'demo' });
    const sfsim = await startSalesforceSim({ namespace, seed: opts.salesforceSeed ?? 'demo' });
    const config = testConfig({
        UNLEASHED_BASE_URL: usim.url,
        UNLEASHED_TIMEOUT_MS: '3000',
        UNLEASHED_MAX_RETRIES: '6',
        SALESFORCE_CLIENT_ID: DEMO_CLIENT_ID,
        SALESFORCE_CLIENT_SECRET: DEMO_CLIENT_SECRET,
        RATE_LIMIT_PER_MINUTE: '100000',
        ...opts.config
    });
    const store = await openStore({
        dataDir: 'memory://',
        masterKey: Buffer.from(config.MASTER_KEY, 'base64')
    });
    const services = await createServices(config, {
        store,
        clientOverrides: { retryBaseMs: 5, retryMaxDelayMs: 50 },
        imports: {
            autoStart: false,
            ...opts.imports,
            runner: { progressIntervalMs: 0, retryDelayMs: 10, ...opts.imports?.runner },
            worker: { pollMs: 20, ...opts.imports?.worker }
        }
    });
    const app = await buildApp(config, { services });
    const secrets = new Map<string, Buffer>();
    const addTenant = async (orgId: string) => {
        const secret = Buffer.alloc(32, orgId.charCodeAt(orgId.length - 1));
        secrets.set(orgId, secret);
        await store.tenants.upsert({
            orgId,
            tenantSecret: secret,
            instanceUrl: sfsim.url,
            unleashed: { apiId: DEMO_API_ID, apiKey: DEMO_API_KEY },
            salesforce: { refreshToken: sfsim.issueRefreshToken() },
            settings: { namespace }
        });
    };
    await addTenant(ORG);
    if (opts.otherTenant) await addTenant(OTHER_ORG);

    const h: Harness = {
        usim,
        sfsim,
        store,
        services,
        app,
        namespace,
        async call(method, url, body, orgId = ORG) {
            const payload = body === undefined ? undefined : JSON.stringify(body);
            const headers: Record<string, string> = signRequest({
                orgId,
                secret: secrets.get(orgId) ?? Buffer.alloc(32),
                method,
                pathWithQuery: url,
                body: payload
            });
            if (payload !== undefined) headers['content-type'] = 'application/json';
            return app.inject({ method, url, headers, payload });
        },
        async drain() {
            while (await services.imports.worker.runOnce()) {
                // next job
            }
        },
        async importAll(body, orgId = ORG) {
            const res = await h.call('POST', '/v1/imports', body, orgId);
            if (res.statusCode !== 202)
                throw new Error(`POST /v1/imports answered ${res.statusCode}: ${res.body}`);
            const { jobId } = res.json() as { jobId: string };
            await h.drain();
            return h.job(jobId, orgId);
        },
        async job(id, orgId = ORG) {
            const job = await store.jobs.get(orgId, id);
            if (!job) throw new Error(`no job ${id}`);
            return job;
        },
        async close() {
            await services.imports.worker.stop();
            await app.close();
            await store.close();
            await usim.close();
            await sfsim.close();
        }
    };
    return h;
}

/** A record as the comparison of two runs sees it: no ids, no timestamps. */
const VOLATILE =
    /^(Id|CreatedDate|LastModifiedDate|SystemModstamp|CreatedById|LastModifiedById|OwnerId|Unleashed_Last_Imported__c)$/;

/**
 * Everything the import writes, keyed by what identifies it across two orgs (external ids, price
 * book names and product codes), without Salesforce ids and timestamps.
 */
export function orgSnapshot(sim: SalesforceSim): Record<string, Record<string, unknown>> {
    const ns = sim.namespace;
    const strip = (name: string) => (ns && name.startsWith(`${ns}__`) ? name.slice(ns.length + 2) : name);
    const clean = (r: Record<string, unknown>) => {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(r)) if (!VOLATILE.test(strip(k))) out[strip(k)] = v;
        return out;
    };
    const rows = (o: string) =>
        sim.records(o).map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [strip(k), v])));
    const out: Record<string, Record<string, unknown>> = {};
    for (const o of [
        'Unleashed_Warehouse__c',
        'Unleashed_Tax__c',
        'Unleashed_Sales_Person__c',
        'Unleashed_Delivery_Method__c'
    ]) {
        for (const r of rows(o)) out[`${o}:${String(r.Unleashed_Guid__c)}`] = clean(r);
    }
    const products = new Map(rows('Product2').map((r) => [String(r.Id), r]));
    for (const r of products.values())
        out[`Product2:${String(r.ProductCode)}`] = {
            ...clean(r),
            Unleashed_Sales_Tax__c: taxCode(sim, r.Unleashed_Sales_Tax__c)
        };
    const books = new Map(rows('Pricebook2').map((r) => [String(r.Id), String(r.Name)]));
    for (const r of rows('PricebookEntry')) {
        const p = products.get(String(r.Product2Id));
        const key = `PricebookEntry:${books.get(String(r.Pricebook2Id))}:${String(p?.ProductCode)}:${String(r.CurrencyIsoCode)}`;
        out[key] = {
            ...clean(r),
            Pricebook2Id: books.get(String(r.Pricebook2Id)),
            Product2Id: p?.ProductCode
        };
    }
    for (const r of rows('Account')) out[`Account:${String(r.Name)}`] = clean(r);
    return out;
}

function taxCode(sim: SalesforceSim, id: unknown): unknown {
    if (!id) return null;
    const ns = sim.namespace ? `${sim.namespace}__` : '';
    const tax = sim.records('Unleashed_Tax__c').find((t) => t.Id === id);
    return tax?.[`${ns}Tax_Code__c`] ?? `unknown ${String(id)}`;
}

/** Records of an object with the namespace taken off the field names. */
export function records(sim: SalesforceSim, sobject: string): Record<string, unknown>[] {
    const ns = sim.namespace;
    return sim
        .records(sobject)
        .map((r) =>
            Object.fromEntries(
                Object.entries(r).map(([k, v]) => [
                    ns && k.startsWith(`${ns}__`) ? k.slice(ns.length + 2) : k,
                    v
                ])
            )
        );
}

/** Write requests the import made to Salesforce (Apex REST progress events excluded). */
export function writeRequests(sim: SalesforceSim, from = 0): number {
    return sim.requests
        .slice(from)
        .filter(
            (r) =>
                r.method !== 'GET' && !r.path.startsWith('/services/apexrest') && !r.path.includes('oauth2')
        ).length;
}
