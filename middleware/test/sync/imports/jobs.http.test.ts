import { ImportWorker } from '../../../src/sync/imports/worker';
import { OTHER_ORG, records, startHarness, type Harness } from './harness';

/** The routes and the queue: one import per org, org-scoped reads, workers that never share a job. */

jest.setTimeout(60_000);

let h: Harness;
beforeEach(async () => {
    h = await startHarness({ otherTenant: true });
});
afterEach(() => h.close());

const quietLog = { info: () => undefined, warn: () => undefined, error: () => undefined };

it('runs one import per org: a second request gets the running job', async () => {
    const first = await h.call('POST', '/v1/imports', { entities: ['warehouses'] });
    expect(first.statusCode).toBe(202);
    const { jobId } = first.json() as { jobId: string };
    const again = await h.call('POST', '/v1/imports', { entities: ['products'], fullReimport: true });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual({ jobId, status: 'queued' });

    // Two at once: one job.
    await h.drain();
    const both = await Promise.all([
        h.call('POST', '/v1/imports', { entities: ['taxes'] }),
        h.call('POST', '/v1/imports', { entities: ['taxes'] })
    ]);
    expect(both.map((r) => r.statusCode).sort()).toEqual([200, 202]);
    expect(new Set(both.map((r) => r.json().jobId)).size).toBe(1);

    // Once it has finished, a new one can start.
    await h.drain();
    expect((await h.call('POST', '/v1/imports', { entities: ['taxes'] })).statusCode).toBe(202);
});

it('shows a job to its own org only', async () => {
    const res = await h.call('POST', '/v1/imports', { entities: ['warehouses'] });
    const { jobId } = res.json() as { jobId: string };
    await h.drain();
    const mine = await h.call('GET', `/v1/imports/${jobId}`);
    expect(mine.statusCode).toBe(200);
    expect(mine.json()).toMatchObject({
        jobId,
        status: 'succeeded',
        counts: { created: 3 },
        done: 3,
        total: 3
    });

    const theirs = await h.call('GET', `/v1/imports/${jobId}`, undefined, OTHER_ORG);
    expect(theirs.statusCode).toBe(404);
    expect(theirs.headers['content-type']).toMatch(/problem\+json/);
    expect((await h.call('GET', '/v1/imports/not-a-job')).statusCode).toBe(404);
    // The other org's own import is its own job, not ours.
    const other = await h.call('POST', '/v1/imports', { entities: ['warehouses'] }, OTHER_ORG);
    expect(other.statusCode).toBe(202);
    expect(other.json().jobId).not.toBe(jobId);
});

it('refuses unknown entities and an org without a Salesforce connection', async () => {
    // In plain words an admin reads as they are, through Apex or the preview.
    const bad = await h.call('POST', '/v1/imports', { entities: ['products', 'invoices', 'invoices'] });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({
        title: 'Unknown import entities',
        detail: expect.stringMatching(/^Unknown import entities: invoices\. Use warehouses, taxes, /),
        unknownEntities: ['invoices']
    });
    const none = await h.call('POST', '/v1/imports', { entities: [] });
    expect([none.statusCode, none.json().detail]).toEqual([400, 'Choose at least one thing to import.']);

    await h.store.tenants.upsert({ orgId: OTHER_ORG, salesforce: null });
    const res = await h.call('POST', '/v1/imports', { entities: ['warehouses'] }, OTHER_ORG);
    expect(res.statusCode).toBe(409);
    expect(res.json().title).toBe('Salesforce is not connected');
    expect(await h.store.jobs.running(OTHER_ORG)).toBeNull();
});

it('lets any number of workers poll: each job runs once', async () => {
    const a = h.services.imports.worker;
    const b = new ImportWorker(h.store.jobs, h.services.imports.runner, quietLog);
    await h.call('POST', '/v1/imports', { entities: ['warehouses', 'taxes'] });
    await h.call('POST', '/v1/imports', { entities: ['deliveryMethods'] }, OTHER_ORG);
    const ran = await Promise.all([a.runOnce(), b.runOnce(), a.runOnce(), b.runOnce()]);
    expect(ran.filter(Boolean)).toHaveLength(2);
    // Both orgs point at the same simulated Salesforce org here: each object was written once.
    expect(records(h.sfsim, 'Unleashed_Warehouse__c')).toHaveLength(3);
    expect(records(h.sfsim, 'Unleashed_Delivery_Method__c')).toHaveLength(3);
    expect(records(h.sfsim, 'Unleashed_Import_Job__c').map((j) => j.Status__c)).toEqual([
        'Succeeded',
        'Succeeded'
    ]);
});

it('starts the worker with the app, and a queued job runs on its own', async () => {
    await h.close();
    h = await startHarness({ imports: { autoStart: true } });
    const worker = h.services.imports.worker;
    expect(worker.started).toBe(false);
    await h.app.ready();
    expect(worker.started).toBe(true);
    const res = await h.call('POST', '/v1/imports', { entities: ['salesPersons'] });
    const { jobId } = res.json() as { jobId: string };
    for (let i = 0; i < 200; i++) {
        const view = (await h.call('GET', `/v1/imports/${jobId}`)).json();
        if (view.status === 'succeeded') break;
        await new Promise((r) => setTimeout(r, 25));
    }
    expect((await h.job(jobId)).status).toBe('succeeded');
    await h.app.close();
    expect(worker.started).toBe(false);
});

describe('customers', () => {
    const beta = () => h.usim.state.customerByCode('BETA')!;

    it('creates missing accounts only when asked, never for obsolete customers', async () => {
        const linkOnly = await h.importAll({ entities: ['customers'] });
        expect(linkOnly.counts).toMatchObject({ created: 0, updated: 2, failed: 0 });
        expect(records(h.sfsim, 'Account')).toHaveLength(4);

        const job = await h.importAll({
            entities: ['customers'],
            createMissingAccounts: true,
            fullReimport: true
        });
        // BETA is linked to the org's "Beta Builders" by name, not created again.
        expect(job.counts).toMatchObject({ created: 2, updated: 1, unchanged: 3, failed: 0 });
        expect(records(h.sfsim, 'Account')).toHaveLength(6);
        const accounts = records(h.sfsim, 'Account');
        const byCode = new Map(accounts.map((a) => [a.Unleashed_Customer_Code__c, a]));
        expect([...byCode.keys()].filter(Boolean).sort()).toEqual([
            'ACME',
            'ACME-SOUTH',
            'BETA',
            'GAMMA',
            'KANGA'
        ]);
        expect(byCode.get('GAMMA')).toMatchObject({
            Name: 'Gamma Gardens',
            Unleashed_Customer_Guid__c: h.usim.state.customerByCode('GAMMA')!.Guid,
            Unleashed_Currency__c: 'NZD',
            CurrencyIsoCode: 'NZD'
        });
        expect(byCode.get('ACME-SOUTH')).toMatchObject({
            Name: 'Acme South Ltd',
            BillingStreet: '5 Cashel Street',
            BillingCity: 'Christchurch',
            ShippingStreet: '5 Cashel Street'
        });
        expect(byCode.get('BETA')).toMatchObject({
            Name: 'Beta Builders',
            BillingStreet: '40 Victoria Street',
            Unleashed_Sell_Price_Tier__c: 'Retail'
        });
        expect(byCode.has('OLDCO')).toBe(false);
    });

    it('reports an ambiguous match instead of guessing', async () => {
        // BETA's code is on one account and its GUID on another; ACME-SOUTH's code differs in case.
        h.sfsim.org.insertRaw('Account', { Name: 'Beta (old)', Unleashed_Customer_Code__c: 'BETA' });
        h.sfsim.org.insertRaw('Account', { Name: 'Beta (copy)', Unleashed_Customer_Guid__c: beta().Guid });
        h.sfsim.org.insertRaw('Account', { Name: 'Acme South', Unleashed_Customer_Code__c: 'acme-south' });
        const job = await h.importAll({ entities: ['customers'], createMissingAccounts: true });
        expect(job.status).toBe('completed_with_errors');
        const reasons = Object.fromEntries(job.errors.map((e) => [e.key, e.reason]));
        expect(reasons.BETA).toMatch(
            /^ambiguous: the customer code matches Account "Beta \(old\)".*GUID matches Account "Beta \(copy\)"/
        );
        expect(reasons['ACME-SOUTH']).toMatch(
            /^ambiguous: Account "Acme South" .* differs from "ACME-SOUTH" in case only/
        );
        expect(job.counts.failed).toBe(2);
        const accounts = records(h.sfsim, 'Account');
        expect(accounts.find((a) => a.Name === 'Beta (old)')!.Unleashed_Customer_Guid__c).toBeNull();
        expect(accounts.find((a) => a.Name === 'Beta (copy)')!.Unleashed_Customer_Code__c).toBeNull();
        expect(accounts.filter((a) => String(a.Name).startsWith('Beta'))).toHaveLength(3);
    });

    it('links an account by GUID when the code changed in Unleashed', async () => {
        const row = h.sfsim.org.insertRaw('Account', {
            Name: 'Beta Renamed',
            Unleashed_Customer_Guid__c: beta().Guid
        });
        const job = await h.importAll({ entities: ['customers'] });
        expect(job.errors).toEqual([]);
        const linked = records(h.sfsim, 'Account').find((a) => a.Id === row || String(a.Id).startsWith(row));
        expect(linked).toMatchObject({
            Unleashed_Customer_Code__c: 'BETA',
            Unleashed_Customer_Guid__c: beta().Guid
        });
    });
});

it('keeps the first 1,000 record failures with their reasons and counts the rest', async () => {
    await h.close();
    h = await startHarness({ unleashedSeed: 'large' });
    // 1,200 products of the large account, each refused by the org (its Name field made too short).
    (h.usim.state.products as { size: number }).size = 1200;
    const nameField = h.sfsim.org.tableByName('Product2').byName.get('Name')!;
    nameField.def = { ...nameField.def, length: 3 };

    const job = await h.importAll({ entities: ['products'] });
    expect(job.status).toBe('completed_with_errors');
    expect(job.counts.failed).toBe(1200);
    expect(job.errorCount).toBe(1000);
    expect(job.errors[0]).toEqual({
        entity: 'products',
        key: 'P000001',
        reason: expect.stringMatching(/^STRING_TOO_LONG: Name: data value too large/)
    });
    const view = (await h.call('GET', `/v1/imports/${job.id}`)).json();
    expect(view).toMatchObject({ errorCount: 1000, counts: { failed: 1200 }, done: 1200, total: 1200 });
    expect(view.errors.length).toBeGreaterThan(0);
    const rows = await h.store.db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM import_job_errors WHERE job_id = $1',
        [job.id]
    );
    expect(Number(rows[0]!.n)).toBe(1000);
});
