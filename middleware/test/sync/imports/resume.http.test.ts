import { Decimal } from 'decimal.js';
import { ImportWorker } from '../../../src/sync/imports/worker';
import type { ImportJob } from '../../../src/store/types';
import {
    orgSnapshot,
    records,
    startHarness,
    writeRequests,
    type Harness,
    type HarnessOptions
} from './harness';

/**
 * Interrupted and disturbed imports end exactly where an undisturbed one does: same records in
 * Salesforce, same counts. Small pages (5 items) give the demo account several pages per list.
 */

jest.setTimeout(120_000);

const ALL = ['warehouses', 'taxes', 'salesPersons', 'deliveryMethods', 'products', 'priceTiers', 'customers'];
const SMALL_PAGES: HarnessOptions = { imports: { runner: { pageSize: 5 } } };

const quietLog = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** The result of an undisturbed import, to compare the others with. */
let reference: { snapshot: ReturnType<typeof orgSnapshot>; job: ImportJob };
beforeAll(async () => {
    const h = await startHarness(SMALL_PAGES);
    try {
        const job = await h.importAll({ entities: ALL, createMissingAccounts: true });
        expect(job.status).toBe('succeeded');
        reference = { snapshot: orgSnapshot(h.sfsim), job };
    } finally {
        await h.close();
    }
});

let h: Harness;
afterEach(() => h?.close());

function expectSameResult(job: ImportJob) {
    expect(job.errors).toEqual([]);
    expect(job.status).toBe('succeeded');
    expect(job.counts).toEqual(reference.job.counts);
    expect([job.done, job.total]).toEqual([reference.job.done, reference.job.total]);
    expect(orgSnapshot(h.sfsim)).toEqual(reference.snapshot);
}

async function start(body: Record<string, unknown>): Promise<string> {
    const res = await h.call('POST', '/v1/imports', body);
    expect(res.statusCode).toBe(202);
    return (res.json() as { jobId: string }).jobId;
}

it('stopped after 3 pages, resumes on the next start and ends as an uninterrupted run', async () => {
    // Two pages in flight, so that pages remain when the stop is asked (six would finish the list).
    h = await startHarness({ imports: { runner: { pageSize: 5, pagesInFlight: 2 } } });
    const worker = h.services.imports.worker;
    let pages = 0;
    let stopping: Promise<void> | null = null;
    worker.onPage = () => {
        pages += 1;
        if (pages === 6) stopping = worker.stop();
    };
    worker.start();
    const jobId = await start({ entities: ALL, createMissingAccounts: true });
    while (!stopping) await new Promise((r) => setTimeout(r, 10));
    await stopping;
    const paused = await h.job(jobId);
    // Reference lists (4 "pages") and two product pages are in; the job waits in the queue.
    expect(paused.status).toBe('queued');
    expect(paused.done).toBeGreaterThan(0);
    expect(paused.done).toBeLessThan(paused.total);
    // Page 2 was the sixth commit; page 3 may have been in flight and committed too.
    const next = (paused.checkpoint as { unit: number; page: number }).page;
    expect([3, 4]).toContain(next);

    // A restarted middleware: the same job is claimed again and goes on from that page.
    const productReads = () => h.usim.calls().filter((c) => c.path.startsWith('/Products/')).length;
    const readsBefore = productReads();
    worker.onPage = null;
    await h.drain();
    expectSameResult(await h.job(jobId));
    // The remaining product pages only (30 demo products / 5 = 6 pages), not the whole list again.
    expect(productReads() - readsBefore).toBe(6 - next + 1);
});

it('killed in the middle of a page, is taken over and counts that page once', async () => {
    h = await startHarness(SMALL_PAGES);
    const worker = h.services.imports.worker;
    // Kill when the third page of products writes its first price book entries: some of that
    // page's records are written, its checkpoint is not.
    let posts = 0;
    h.sfsim.onRequest = (method, path) => {
        if (method === 'POST' && path.endsWith('/composite/sobjects') && ++posts === 9) void worker.kill();
    };
    worker.start();
    const jobId = await start({ entities: ALL, createMissingAccounts: true });
    while (worker.started) await new Promise((r) => setTimeout(r, 10));
    h.sfsim.onRequest = null;
    const crashed = await h.job(jobId);
    expect(crashed.status).toBe('running');
    const cp = crashed.checkpoint as { pending: { memo: unknown[] }[] | null };
    expect(cp.pending?.some((p) => p.memo.length > 0)).toBe(true);

    // Another instance takes the job over once its heartbeat is stale.
    const other = new ImportWorker(h.store.jobs, h.services.imports.runner, quietLog, {
        staleAfterSeconds: 0
    });
    expect(await other.runOnce()).toBe(true);
    expectSameResult(await h.job(jobId));
});

it('ends with exact counts through Unleashed 5xx, 429 and dropped connections, and an expired Salesforce session', async () => {
    h = await startHarness(SMALL_PAGES);
    h.usim.setFaults({ failRate5xx: 0.25, burst429: 3, dropConnections: 2 });
    let n = 0;
    h.sfsim.onRequest = () => {
        if (++n === 40) h.sfsim.expireAllTokens();
    };
    const jobId = await start({ entities: ALL, createMissingAccounts: true });
    await h.drain();
    expectSameResult(await h.job(jobId));
    const faults = h.usim.calls().filter((c) => c.outcome.startsWith('fault') || c.outcome === 'dropped');
    expect(faults.length).toBeGreaterThan(5);
    expect(h.sfsim.requests.filter((r) => r.status === 401).length).toBeGreaterThan(0);
});

it('reports bad records with their reasons and imports the rest', async () => {
    h = await startHarness();
    const s = h.usim.state;
    s.salesPersons[0]!.Email = 'not an email';
    const codes = Array.from({ length: s.products.size }, (_, i) => s.products.code(i));
    const long = s.products.product(codes.indexOf('CABLE-1M'));
    long.ProductCode = `CABLE-${'X'.repeat(100)}`;
    const broken = s.products.product(codes.indexOf('NUT-M6'));
    (broken as unknown as Record<string, unknown>).ProductCode = null;

    const job = await h.importAll({ entities: ALL });
    expect(job.status).toBe('completed_with_errors');
    expect(job.counts.failed).toBe(3);
    const reasons = Object.fromEntries(job.errors.map((e) => [`${e.entity}:${e.key}`, e.reason]));
    expect(reasons['salesPersons:not an email']).toMatch(/INVALID_EMAIL_ADDRESS/);
    expect(reasons[`products:${long.ProductCode}`]).toMatch(/STRING_TOO_LONG/);
    expect(reasons[`products:${broken.Guid}`]).toMatch(/malformed record: ProductCode: expected string/);
    const products = records(h.sfsim, 'Product2').filter((p) => p.Unleashed_Product_Code__c);
    expect(products).toHaveLength(s.products.size - 2);
    expect(records(h.sfsim, 'Unleashed_Sales_Person__c')).toHaveLength(2);
    const [imp] = records(h.sfsim, 'Unleashed_Import_Job__c');
    expect(imp).toMatchObject({ Status__c: 'Completed With Errors', Failed_Count__c: 3 });
    expect(JSON.parse(String(imp!.Error_Summary__c))).toEqual(job.errors);

    // Products had failures: the next run reads them all again instead of only the changes.
    const before = h.usim.calls().length;
    await h.importAll({ entities: ['products'] });
    const productCalls = h.usim
        .calls()
        .slice(before)
        .filter((c) => c.path.startsWith('/Products'));
    expect(productCalls.every((c) => !c.query.includes('modifiedSince'))).toBe(true);
});

it('a later run asks only for what changed and writes only that', async () => {
    h = await startHarness();
    const first = await h.importAll({ entities: ALL });
    expect(first.status).toBe('succeeded');
    const s = h.usim.state;
    const codes = Array.from({ length: s.products.size }, (_, i) => s.products.code(i));
    const red = s.products.product(codes.indexOf('WIDGET-RED'));
    red.DefaultSellPrice = new Decimal('20.49');
    red.SellPriceTier2 = { Name: 'Wholesale', Value: null };
    red.LastModifiedOn = new Date();
    const mark = h.sfsim.requests.length;

    const second = await h.importAll({ entities: ALL });
    expect(second.counts).toMatchObject({ created: 0, updated: 2, failed: 0 });
    expect(writeRequests(h.sfsim, mark)).toBe(1);
    const books = new Map(records(h.sfsim, 'Pricebook2').map((b) => [b.Id, b.Name]));
    const redId = records(h.sfsim, 'Product2').find((p) => p.ProductCode === 'WIDGET-RED')!.Id;
    const entries = records(h.sfsim, 'PricebookEntry')
        .filter((e) => e.Product2Id === redId)
        .map((e) => [books.get(e.Pricebook2Id), e.UnitPrice, e.IsActive])
        .sort();
    expect(entries).toEqual(
        [
            ['Standard Price Book', 18.5, true],
            ['Standard Price Book', 19.99, true],
            ['Unleashed', 20.49, true],
            ['Unleashed - Distributor', 15, true],
            ['Unleashed - Retail', 19.99, true],
            ['Unleashed - Wholesale', 17.5, false]
        ].sort()
    );
});

it('follows a product whose code changed in Unleashed (same GUID) instead of duplicating it', async () => {
    h = await startHarness();
    await h.importAll({ entities: ['taxes', 'products', 'priceTiers'] });
    const s = h.usim.state;
    const codes = Array.from({ length: s.products.size }, (_, i) => s.products.code(i));
    const green = s.products.product(codes.indexOf('WIDGET-GREEN'));
    const before = records(h.sfsim, 'Product2').find((p) => p.Unleashed_Guid__c === green.Guid)!;
    green.ProductCode = 'WIDGET-GREEN-2';
    green.LastModifiedOn = new Date();

    const job = await h.importAll({ entities: ['taxes', 'products', 'priceTiers'] });
    expect(job.errors).toEqual([]);
    expect(job.counts).toMatchObject({ created: 0, updated: 1, failed: 0 });
    const after = records(h.sfsim, 'Product2').filter((p) => p.Unleashed_Guid__c === green.Guid);
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({
        Id: before.Id,
        Unleashed_Product_Code__c: 'WIDGET-GREEN-2',
        ProductCode: 'WIDGET-GREEN-2'
    });
});

it('plans again the prices of a product the lookup missed but Salesforce had', async () => {
    h = await startHarness();
    await h.importAll({ entities: ['taxes', 'products', 'priceTiers'] });
    const s = h.usim.state;
    const codes = Array.from({ length: s.products.size }, (_, i) => s.products.code(i));
    const red = s.products.product(codes.indexOf('WIDGET-RED'));
    red.DefaultSellPrice = new Decimal('20.99');
    red.LastModifiedOn = new Date();
    // The lookup of existing products misses WIDGET-RED (as a collation difference could).
    const edge = await h.services.salesforceFor((await h.store.tenants.get('00D5g000004IMPRTA1'))!);
    const query = edge.writer.query.bind(edge.writer);
    edge.writer.query = (async (soql: string) => {
        const rows = await query(soql);
        return /FROM Product2 /.test(soql)
            ? rows.filter((r) => r.Unleashed_Product_Code__c !== 'WIDGET-RED')
            : rows;
    }) as typeof edge.writer.query;

    const job = await h.importAll({ entities: ['taxes', 'products', 'priceTiers'] });
    expect(job.errors).toEqual([]);
    expect(job.counts).toMatchObject({ created: 0, updated: 2, failed: 0 });
    const redId = records(h.sfsim, 'Product2').find((p) => p.ProductCode === 'WIDGET-RED')!.Id;
    const books = new Map(records(h.sfsim, 'Pricebook2').map((b) => [b.Id, b.Name]));
    const entries = records(h.sfsim, 'PricebookEntry').filter((e) => e.Product2Id === redId);
    expect(entries.filter((e) => books.get(e.Pricebook2Id) === 'Unleashed').map((e) => e.UnitPrice)).toEqual([
        20.99
    ]);
    expect(entries).toHaveLength(6);
});
