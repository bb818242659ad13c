import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Decimal } from 'decimal.js';
import { testConfig } from '../config';
import { connectSalesforce } from '../salesforce/connection';
import { createSalesforceWriter } from '../salesforce/writer';
import type { SObjectRecord } from '../salesforce/types';
import {
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    startSalesforceSim,
    type SalesforceSim
} from '../sandbox/salesforce-sim';
import { DEMO_API_ID, DEMO_API_KEY, startUnleashedSim } from '../sandbox/unleashed-sim';
import type { Customer } from '../sandbox/unleashed-sim/state/records';
import { createServices } from '../services';
import { openStore, storeConfigFrom } from '../store';
import { createUnleashedClient } from '../unleashed/client';
import { CompanySchema, ProductSchema } from '../unleashed/schemas';
import type { UnleashedClient } from '../unleashed/types';
import type { RunContext } from '../sync/imports/context';
import { price2, productPrices, productRecord, PRODUCT_CODE_FIELD } from '../sync/imports/products';
import { REFERENCE_SPECS } from '../sync/imports/reference';
import { insertAll, keyOf, type WriteOptions } from '../sync/imports/salesforce-io';
import { startBenchPostgres } from './postgres';
import { check, emit, numberOptions, round1, round2, say } from './support';

/**
 * `npm run bench -- import [--products N] [--customers N] [--ulatency 150] [--sflatency 100] [--naive 1]
 *  [--heap MB] [--inflight N] [--pg 1]`
 *
 * The import of the simulator's `large` account (100,000 products, 10 warehouses, 3 priced tiers;
 * `--products` takes fewer) into an empty simulated org, every Unleashed call taking `--ulatency` ms
 * and every Salesforce call `--sflatency` ms: reference data, products into the Unleashed book and
 * the standard book, and the tier books. `--customers N` adds N customers, imported with "create
 * missing accounts" into an org that already has every other one as an unlinked Account of the same
 * name in other case and spacing: half are linked by name, half created. Each import runs in its own process, so its peak RSS is its
 * own; the simulators run in this one.
 *   - import: the middleware's import job (pages of 1000 read ahead, existing records compared,
 *     parallel Collections or Bulk API 2.0, checkpoints in the store);
 *   - naive: pages of 200, one Salesforce call per 200 records, one after another, no comparison;
 *   - second: the import again with nothing changed and fullReimport (every page read and compared);
 *   - incremental: the import again without fullReimport (Unleashed asked only for changes).
 */

const ORG = '00D5g000004BENCHI1';
const ENTITIES = ['warehouses', 'taxes', 'salesPersons', 'deliveryMethods', 'products', 'priceTiers'];
const CHILD_ENV = 'IMPORT_BENCH_CHILD';

interface ChildTask {
    mode: 'import' | 'naive';
    unleashedUrl: string;
    salesforceUrl: string;
    refreshToken: string;
    /** The simulator's connected-app secret (drawn per process: the child cannot import it). */
    clientSecret: string;
    dataDir: string;
    fullReimport: boolean;
    /** Pages written at once (the runner's pagesInFlight); 0 keeps the runner's default. */
    pagesInFlight: number;
    /** The store on PostgreSQL (`--pg 1`) instead of the embedded PGlite, which holds ~300 MB itself. */
    databaseUrl: string | null;
    /** Customers too, with "create missing accounts". */
    customers: boolean;
}

interface ChildResult {
    /** From the start of the import to its end (the store is open before: a running middleware). */
    wallMs: number;
    /** Resident memory when the import starts (the middleware's store included), and its peak during it. */
    rssAtStartMb: number;
    peakRssMb: number;
    /** Peak minus start: what the import itself held. */
    importRssMb: number;
    recordsWritten: number;
    status: string;
    counts?: Record<string, number>;
    done?: number;
    total?: number;
}

interface Phase extends ChildResult {
    unleashedCalls: number;
    salesforceCalls: number;
}

export async function run(args: string[]): Promise<void> {
    if (args[0] === '--child') return child(JSON.parse(process.env[CHILD_ENV] ?? '{}') as ChildTask);
    const opts = numberOptions(args, {
        products: 100_000,
        ulatency: 150,
        sflatency: 100,
        naive: 1,
        heap: 0,
        inflight: 0,
        pg: 0,
        customers: 0
    });
    check(
        Number.isInteger(opts.products) && opts.products >= 1 && opts.products <= 100_000,
        '--products is 1..100000'
    );

    const usim = await startUnleashedSim({ seed: 'large', faults: { latencyMs: opts.ulatency } });
    // The large catalog derives products from their index: a smaller size is a smaller account.
    (usim.state.products as { size: number }).size = opts.products;
    const org = () =>
        startSalesforceSim({
            namespace: '',
            seed: 'empty',
            latencyMs: opts.sflatency,
            settings: { dailyApiLimit: 1e9 }
        });
    const sfImport = await org();
    check(
        Number.isInteger(opts.customers) && opts.customers >= 0 && opts.customers <= 100_000,
        '--customers is 0..100000'
    );
    addCustomers(usim.state.customers, sfImport, opts.customers);
    const sfNaive = opts.naive ? await org() : null;
    const dataDir = mkdtempSync(join(tmpdir(), 'import-bench-'));
    const pg = opts.pg ? await startBenchPostgres() : null;
    check(!opts.pg || pg !== null, '--pg 1 needs the PostgreSQL server binaries');
    const databaseUrl = pg ? await pg.createDatabase('importbench') : null;
    // The store is created once here: creating PGlite's database costs far more memory than opening it.
    await (
        await openStore(
            storeConfigFrom(
                benchConfig({
                    dataDir,
                    databaseUrl,
                    unleashedUrl: usim.url,
                    salesforceUrl: usim.url,
                    clientSecret: DEMO_CLIENT_SECRET
                })
            )
        )
    ).close();
    const phase = async (
        name: string,
        sf: SalesforceSim,
        task: Omit<
            ChildTask,
            | 'salesforceUrl'
            | 'refreshToken'
            | 'clientSecret'
            | 'unleashedUrl'
            | 'dataDir'
            | 'pagesInFlight'
            | 'databaseUrl'
            | 'customers'
        >
    ): Promise<Phase> => {
        say(
            `${name}: ${opts.products} products, Unleashed ${opts.ulatency} ms, Salesforce ${opts.sflatency} ms ...`
        );
        const u0 = usim.callCount();
        const s0 = sf.requests.length;
        const result = await spawnChild(opts.heap, {
            ...task,
            unleashedUrl: usim.url,
            salesforceUrl: sf.url,
            refreshToken: sf.issueRefreshToken(),
            clientSecret: DEMO_CLIENT_SECRET,
            dataDir,
            databaseUrl,
            pagesInFlight: opts.inflight,
            customers: opts.customers > 0
        });
        const out = {
            ...result,
            unleashedCalls: usim.callCount() - u0,
            salesforceCalls: sf.requests.length - s0
        };
        say(`${name}: ${JSON.stringify(out)}`);
        return out;
    };

    try {
        const naive = sfNaive ? await phase('naive', sfNaive, { mode: 'naive', fullReimport: true }) : null;
        const first = await phase('import', sfImport, { mode: 'import', fullReimport: false });
        const second = await phase('second (full, nothing changed)', sfImport, {
            mode: 'import',
            fullReimport: true
        });
        const incremental = await phase('incremental (nothing changed)', sfImport, {
            mode: 'import',
            fullReimport: false
        });

        check(first.status === 'succeeded', `the import ended ${first.status}`);
        const entries = sfImport.records('PricebookEntry').length;
        const products = sfImport.records('Product2').length;
        check(products === opts.products, `${products} products in Salesforce, not ${opts.products}`);
        if (opts.customers > 0) {
            const live = usim.state.customers.filter((c) => !c.Obsolete).length;
            const accounts = sfImport.records('Account');
            check(accounts.length === live, `${accounts.length} Accounts for ${live} live customers`);
            check(
                accounts.every((a) => a.Unleashed_Customer_Code__c),
                'every Account is linked to its customer'
            );
            check(second.recordsWritten === 0, 'the second run wrote nothing');
        }
        if (sfNaive) {
            check(sfNaive.records('Product2').length === products, 'the naive import wrote as many products');
            check(
                sfNaive.records('PricebookEntry').length === entries,
                'the naive import wrote as many entries'
            );
        }
        const ratio = (a: number | undefined, b: number) =>
            a === undefined || b === 0 ? null : round2(a / b);
        emit({
            bench: 'import',
            products: opts.products,
            customers: opts.customers,
            priceBookEntries: entries,
            latencyMs: { unleashed: opts.ulatency, salesforce: opts.sflatency },
            heapLimitMb: opts.heap || null,
            import: first,
            naive,
            ratios: naive
                ? {
                      wall: ratio(naive.wallMs, first.wallMs),
                      unleashedCalls: ratio(naive.unleashedCalls, first.unleashedCalls),
                      salesforceCalls: ratio(naive.salesforceCalls, first.salesforceCalls),
                      importRss: ratio(naive.importRssMb, first.importRssMb)
                  }
                : null,
            // The floor: Unleashed's pages read one after another (each page's writes overlapping the
            // next reads), i.e. the page reads' latency alone.
            floorAndGoal: {
                pageReadsMs: first.unleashedCalls * opts.ulatency,
                importGoalMs: Math.round((25_000 * opts.products) / 100_000),
                importMs: first.wallMs,
                rerunGoalMs: Math.round((20_000 * opts.products) / 100_000),
                rerunMs: second.wallMs,
                peakRssGoalMb: 256,
                peakRssMb: Math.max(first.peakRssMb, second.peakRssMb)
            },
            secondRun: { ...second, recordsWrittenGoal: 0 },
            incrementalRun: incremental
        });
    } finally {
        await usim.close();
        await sfImport.close();
        await sfNaive?.close();
        rmSync(dataDir, { recursive: true, force: true });
        await pg?.stop();
    }
}

/** One import in its own process; `heapMb` > 0 caps its V8 old space (to show the memory is bounded). */
function spawnChild(heapMb: number, task: ChildTask): Promise<ChildResult> {
    const flags = heapMb > 0 ? [`--max-old-space-size=${heapMb}`] : [];
    return new Promise((resolve, reject) => {
        const proc = spawn(process.execPath, [...flags, join(__dirname, 'run.js'), 'import', '--child'], {
            env: { ...process.env, [CHILD_ENV]: JSON.stringify(task) },
            stdio: ['ignore', 'pipe', 'inherit']
        });
        let out = '';
        proc.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
        proc.on('error', reject);
        proc.on('exit', (code) => {
            const last = out.trim().split('\n').pop() ?? '';
            if (code !== 0) return reject(new Error(`the ${task.mode} run exited with ${code}: ${out}`));
            try {
                resolve(JSON.parse(last) as ChildResult);
            } catch {
                reject(new Error(`the ${task.mode} run printed no result: ${out}`));
            }
        });
    });
}

const rssMb = () => process.memoryUsage.rss() / 2 ** 20;

type Timed = Omit<ChildResult, 'wallMs' | 'rssAtStartMb' | 'peakRssMb' | 'importRssMb'>;

/** Runs the import, sampling resident memory every 20 ms. */
async function measured(fn: () => Promise<Timed>): Promise<ChildResult> {
    const atStart = rssMb();
    let peak = atStart;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMb())), 20);
    const start = performance.now();
    const result = await fn();
    const wallMs = Math.round(performance.now() - start);
    clearInterval(sampler);
    peak = Math.max(peak, rssMb());
    return {
        ...result,
        wallMs,
        rssAtStartMb: round1(atStart),
        peakRssMb: round1(peak),
        importRssMb: round1(peak - atStart)
    };
}

async function child(task: ChildTask): Promise<void> {
    const result = task.mode === 'naive' ? await naiveImport(task) : await middlewareImport(task);
    process.stdout.write(`${JSON.stringify(result)}\n`);
    // The store and sockets would keep the process alive a little longer than needed.
    process.exit(0);
}

function benchConfig(
    task: Pick<ChildTask, 'dataDir' | 'databaseUrl' | 'unleashedUrl' | 'salesforceUrl' | 'clientSecret'>
) {
    return testConfig({
        UNLEASHED_BASE_URL: task.unleashedUrl,
        UNLEASHED_TIMEOUT_MS: '60000',
        SALESFORCE_CLIENT_ID: DEMO_CLIENT_ID,
        SALESFORCE_CLIENT_SECRET: task.clientSecret,
        SALESFORCE_NAMESPACE: '',
        DATA_DIR: task.dataDir,
        ...(task.databaseUrl ? { DATABASE_URL: task.databaseUrl } : {}),
        LOG_LEVEL: 'warn'
    });
}

/**
 * `n` more Unleashed customers ("Customer 1 Ltd", ...), and for every other one an unlinked Account
 * of the same name in other case and spacing ("CUSTOMER  2 ltd"), which the import links by name.
 */
function addCustomers(customers: Customer[], sf: SalesforceSim, n: number): void {
    const model = customers.find((c) => !c.Obsolete)!;
    for (let i = 1; i <= n; i++) {
        const hex = i.toString(16).padStart(12, '0');
        const name = `Customer ${i} Ltd`;
        customers.push({
            ...model,
            Guid: `c0570000-0000-4000-8000-${hex}`,
            CustomerCode: `C${i}`,
            CustomerName: name
        });
        if (i % 2 === 0) sf.org.insertRaw('Account', { Name: `CUSTOMER  ${i} ltd` });
    }
}

/** The middleware's own import job, with its store in a directory the runs share. */
async function middlewareImport(task: ChildTask): Promise<ChildResult> {
    const config = benchConfig(task);
    const store = await openStore(storeConfigFrom(config));
    const services = await createServices(config, {
        store,
        imports: {
            autoStart: false,
            ...(task.pagesInFlight > 0 ? { runner: { pagesInFlight: task.pagesInFlight } } : {})
        }
    });
    await store.tenants.upsert({
        orgId: ORG,
        tenantSecret: Buffer.alloc(32, 1),
        instanceUrl: task.salesforceUrl,
        unleashed: { apiId: DEMO_API_ID, apiKey: DEMO_API_KEY },
        salesforce: { refreshToken: task.refreshToken }
    });
    const tenant = (await store.tenants.get(ORG))!;
    return measured(async () => {
        const { job } = await services.imports.start(tenant, {
            entities: (task.customers ? [...ENTITIES, 'customers'] : ENTITIES) as never,
            fullReimport: task.fullReimport,
            createMissingAccounts: task.customers
        });
        while (await services.imports.worker.runOnce()) {
            // until the queue is empty
        }
        const done = (await store.jobs.get(ORG, job.id))!;
        return {
            status: done.status,
            counts: { ...done.counts },
            done: done.done,
            total: done.total,
            recordsWritten: done.counts.created + done.counts.updated
        };
    });
}

/**
 * The baseline: what a straightforward connector does. Pages of 200; each page's products upserted
 * in one call, then their standard, Unleashed and tier prices inserted 200 a call, one call after
 * another; nothing read back to compare.
 */
function naiveImport(task: ChildTask): Promise<ChildResult> {
    return measured(() => naive(task));
}

async function naive(task: ChildTask): Promise<Timed> {
    const conn = connectSalesforce({
        instanceUrl: task.salesforceUrl,
        loginUrl: task.salesforceUrl,
        apiVersion: '62.0',
        clientId: DEMO_CLIENT_ID,
        clientSecret: task.clientSecret,
        refreshToken: task.refreshToken
    });
    const writer = createSalesforceWriter(conn, { namespace: '' });
    const client: UnleashedClient = createUnleashedClient({
        baseUrl: task.unleashedUrl,
        credentials: { apiId: DEMO_API_ID, apiKey: DEMO_API_KEY },
        clientType: 'bench/naive',
        queryEncoding: 'sign-decoded',
        timeoutMs: 60_000,
        maxRetries: 4
    });
    const one: WriteOptions = {
        bulkThreshold: Infinity,
        concurrency: 1,
        bulkPollIntervalMs: 500,
        bulkPollTimeoutMs: 600_000
    };
    let written = 0;
    const count = (results: { success: boolean }[]) => (written += results.filter((r) => r.success).length);
    const inTwoHundreds = async (
        records: SObjectRecord[],
        write: (part: SObjectRecord[]) => Promise<{ success: boolean }[]>
    ) => {
        for (let i = 0; i < records.length; i += 200) count(await write(records.slice(i, i + 200)));
    };

    const [company] = await client.all('Companies', {}, CompanySchema, { pageSize: 200 });
    const ctx = {
        company: {
            baseCurrency: company?.BaseCurrencyCode ?? null,
            defaultTaxRate:
                company?.DefaultTaxRate == null ? null : new Decimal(String(company.DefaultTaxRate))
        }
    } as RunContext;
    for (const spec of Object.values(REFERENCE_SPECS)) {
        const items = (await client.all(spec.resource, spec.query, spec.schema as never, {
            pageSize: 200
        })) as unknown[];
        const kept = items.filter((i) => !spec.keep || (spec.keep as (x: unknown) => boolean)(i));
        const scope = spec.scope?.(kept as never, ctx);
        const records = kept.flatMap((i) => {
            const m = (
                spec.map as (
                    x: unknown,
                    c: RunContext,
                    s: unknown
                ) => { guid: string; record: SObjectRecord } | { error: string }
            )(i, ctx, scope);
            return 'error' in m ? [] : [{ Unleashed_Guid__c: m.guid, ...m.record }];
        });
        await inTwoHundreds(records, (part) => writer.upsert(spec.sobject, 'Unleashed_Guid__c', part));
    }

    const taxes = await writer.query<{ Id: string; Tax_Code__c: string }>(
        'SELECT Id, Tax_Code__c FROM Unleashed_Tax__c'
    );
    const taxIds = new Map(taxes.map((t) => [keyOf(t.Tax_Code__c), t.Id]));
    const [standard] = await writer.query<{ Id: string }>(
        'SELECT Id FROM Pricebook2 WHERE IsStandard = true'
    );
    const books = new Map<string, string>();
    const book = async (name: string) => {
        if (!books.has(name)) {
            const [r] = await insertAll(writer, 'Pricebook2', [{ Name: name, IsActive: true }], one, [
                'Name'
            ]);
            books.set(name, r!.id!);
        }
        return books.get(name)!;
    };
    const currency = company?.BaseCurrencyCode ?? 'NZD';
    for await (const page of client.pages('Products', { includeObsolete: true }, ProductSchema, {
        pageSize: 200
    })) {
        const records = page.items.map((p) => productRecord(p, (code) => taxIds.get(keyOf(code)) ?? null));
        const results = await writer.upsert('Product2', PRODUCT_CODE_FIELD, records);
        count(results);
        const standardEntries: SObjectRecord[] = [];
        const entries: SObjectRecord[] = [];
        for (const [i, p] of page.items.entries()) {
            const id = results[i]?.id;
            if (!id) continue;
            const prices = productPrices(p, { products: true, tiers: true });
            if (prices.length === 0) continue;
            const entry = (bookId: string, value: Decimal) => ({
                Pricebook2Id: bookId,
                Product2Id: id,
                UnitPrice: price2(value),
                IsActive: p.Obsolete !== true,
                CurrencyIsoCode: currency
            });
            standardEntries.push({
                ...entry(standard!.Id, new Decimal(String(p.DefaultSellPrice ?? 0))),
                IsActive: true
            });
            for (const pr of prices) entries.push(entry(await book(pr.book), pr.value));
        }
        const identity = ['Pricebook2Id', 'Product2Id', 'CurrencyIsoCode'];
        await inTwoHundreds(standardEntries, (part) =>
            insertAll(writer, 'PricebookEntry', part, one, identity)
        );
        await inTwoHundreds(entries, (part) => insertAll(writer, 'PricebookEntry', part, one, identity));
    }
    return { status: 'succeeded', recordsWritten: written };
}
