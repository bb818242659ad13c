import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDemo, type DemoStack } from '../../src/dev/start-demo';

/**
 * Import from Unleashed in the local demo: the admin tab's Apex starts a real job in the middleware,
 * whose worker writes the Unleashed simulator's records into the Salesforce simulator; and a kept
 * demo store (.data/demo) does not stop the next demo's import from bringing everything in again.
 */

jest.setTimeout(120_000);

const ALL = [
    'warehouses',
    'taxes',
    'salesPersons',
    'deliveryMethods',
    'salesOrderGroups',
    'products',
    'priceTiers',
    'customers'
];
const ACTIVE = ['Queued', 'Running'];

let previewDir: string;
const dirs: string[] = [];
const stacks: DemoStack[] = [];

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

async function ok(stack: DemoStack, method: string, params: Record<string, unknown> = {}): Promise<Json> {
    const res = await fetch(`${stack.urls.preview}/__bridge/apex/UnleashedImportController/${method}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(params)
    });
    const body = (await res.json()) as Json;
    if (res.status !== 200) throw new Error(`${method}: ${res.status} ${JSON.stringify(body)}`);
    return body;
}

/** Polls the job as the component does (faster), until it has finished; every view seen. */
async function follow(stack: DemoStack, jobId: string): Promise<Json[]> {
    const seen: Json[] = [];
    const deadline = Date.now() + 60_000;
    for (;;) {
        const view = await ok(stack, 'getImportJob', { jobId });
        seen.push(view);
        if (!ACTIVE.includes(view.status)) return seen;
        if (Date.now() > deadline) throw new Error(`import ${jobId} still ${view.status}`);
        await new Promise((r) => setTimeout(r, 100));
    }
}

async function demo(dataDir = 'memory://'): Promise<DemoStack> {
    const stack = await startDemo({ dataDir, previewDir, logLevel: 'silent' });
    stacks.push(stack);
    return stack;
}

const productCodes = (stack: DemoStack) =>
    new Set(
        stack.salesforce
            .records('Product2')
            .map((p) => p.unleashed__Unleashed_Product_Code__c)
            .filter((c): c is string => typeof c === 'string')
    );

const unleashedCodes = (stack: DemoStack) => {
    const catalog = stack.unleashed.state.products;
    return new Set(Array.from({ length: catalog.size }, (_, i) => catalog.code(i)));
};

beforeAll(() => {
    previewDir = mkdtempSync(join(tmpdir(), 'preview-'));
    writeFileSync(join(previewDir, 'index.html'), '<!doctype html><title>preview</title>');
});

afterEach(async () => {
    for (const s of stacks.splice(0)) await s.close();
});

afterAll(() => {
    for (const d of [previewDir, ...dirs]) rmSync(d, { recursive: true, force: true });
});

it('runs an import started on the admin tab and leaves the Unleashed records in the org', async () => {
    const stack = await demo();
    const before = await ok(stack, 'getImportState');
    // Aura leaves out a null property.
    expect(before.job).toBeUndefined();
    const productsBefore = stack.salesforce.records('Product2').length;
    const entriesBefore = stack.salesforce.records('PricebookEntry').length;
    // A slower Unleashed, so the job is seen part-way through.
    stack.unleashed.setFaults({ latencyMs: 150 });

    const started = await ok(stack, 'startImport', { entities: ALL });
    expect(started).toMatchObject({ status: 'Queued', percent: 0 });
    const views = await follow(stack, started.jobId);
    const last = views[views.length - 1]!;
    expect(last).toMatchObject({ status: 'Succeeded', percent: 100, failed: 0, errors: [] });
    expect(last.done).toBe(last.total);
    expect(views.some((v) => v.status === 'Running' && v.percent > 0 && v.percent < 100)).toBe(true);

    // Every Unleashed product is in the org, by its code; created = the records the org gained.
    expect(productCodes(stack)).toEqual(unleashedCodes(stack));
    expect(last.created).toBe(
        stack.salesforce.records('Product2').length -
            productsBefore +
            stack.salesforce.records('PricebookEntry').length -
            entriesBefore
    );
    // The org's job record, written by the middleware's progress events, says the same.
    const rows = stack.salesforce.records('Unleashed_Import_Job__c');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
        unleashed__Job_Id__c: started.jobId,
        unleashed__Status__c: 'Succeeded',
        unleashed__Created_Count__c: last.created,
        unleashed__Updated_Count__c: last.updated,
        unleashed__Unchanged_Count__c: last.unchanged,
        unleashed__Failed_Count__c: 0
    });

    const after = await ok(stack, 'getImportState');
    expect(after.job).toMatchObject({ jobId: started.jobId, status: 'Succeeded', created: last.created });
    expect(after.quota.used).toBeGreaterThan(before.quota.used);
    for (const e of after.entities) expect(e.lastRun).toEqual(expect.any(String));
});

it('starts every demo’s imports from nothing, even with a kept store', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'demo-data-'));
    dirs.push(dataDir);

    const first = await demo(dataDir);
    const done = await follow(first, (await ok(first, 'startImport', { entities: ALL })).jobId);
    expect(done[done.length - 1]).toMatchObject({ status: 'Succeeded' });
    // A second import left running when the demo stops.
    first.unleashed.setFaults({ latencyMs: 400 });
    const stopped = (await ok(first, 'startImport', { entities: ALL, fullReimport: true })).jobId as string;
    await new Promise((r) => setTimeout(r, 600));
    expect((await ok(first, 'getImportJob', { jobId: stopped })).status).toBe('Running');
    await stacks.pop()!.close();

    // Fresh simulators: the org has only its seed products again.
    const second = await demo(dataDir);
    expect(productCodes(second).size).toBeLessThan(unleashedCodes(second).size);
    const leftOver = await ok(second, 'getImportJob', { jobId: stopped });
    expect(leftOver.status).toBe('Failed');
    expect(leftOver.errors).toEqual([
        {
            entity: 'import',
            key: '(job)',
            reason: 'The demo was restarted with fresh simulators before this import finished.'
        }
    ]);

    const again = await follow(second, (await ok(second, 'startImport', { entities: ALL })).jobId);
    expect(again[again.length - 1]).toMatchObject({ status: 'Succeeded', failed: 0 });
    expect(productCodes(second)).toEqual(unleashedCodes(second));
});

it('links the demo org’s "Beta Builders" when the import creates missing accounts, and creates no second one', async () => {
    const stack = await demo();
    const accounts = () => stack.salesforce.records('Account');
    const betas = () => accounts().filter((a) => String(a.Name).toLowerCase() === 'beta builders');
    const [original] = betas();
    expect(original?.unleashed__Unleashed_Customer_Code__c).toBeNull();

    const started = await ok(stack, 'startImport', {
        entities: ['customers'],
        fullReimport: true,
        createMissingAccounts: true
    });
    const views = await follow(stack, started.jobId);
    expect(views[views.length - 1]).toMatchObject({ status: 'Succeeded', failed: 0, errors: [] });
    expect(betas()).toEqual([
        expect.objectContaining({
            Id: original!.Id,
            unleashed__Unleashed_Customer_Code__c: 'BETA',
            unleashed__Unleashed_Customer_Guid__c: stack.unleashed.state.customerByCode('BETA')!.Guid
        })
    ]);

    // Once more: nothing new.
    const count = accounts().length;
    const again = await follow(
        stack,
        (
            await ok(stack, 'startImport', {
                entities: ['customers'],
                fullReimport: true,
                createMissingAccounts: true
            })
        ).jobId
    );
    expect(again[again.length - 1]).toMatchObject({ status: 'Succeeded', created: 0, updated: 0, failed: 0 });
    expect(accounts()).toHaveLength(count);
});
