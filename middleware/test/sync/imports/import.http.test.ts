import { orgSnapshot, records, startHarness, writeRequests, type Harness } from './harness';

/**
 * The import end to end: signed route -> job in the store -> worker -> real Unleashed client ->
 * Unleashed simulator, and real jsforce writer -> Salesforce simulator; in a namespaced org and in
 * one without a namespace.
 */

jest.setTimeout(60_000);

const ALL = ['warehouses', 'taxes', 'salesPersons', 'deliveryMethods', 'products', 'priceTiers', 'customers'];

describe.each([
    ['namespaced', 'unleashed'],
    ['without a namespace', '']
])('import from Unleashed (%s org)', (_label, namespace) => {
    let h: Harness;
    beforeEach(async () => {
        h = await startHarness({ namespace });
    });
    afterEach(() => h.close());

    it('lands every entity with the right links and prices', async () => {
        const job = await h.importAll({ entities: ALL });
        expect(job.errors).toEqual([]);
        expect(job.status).toBe('succeeded');

        const warehouses = records(h.sfsim, 'Unleashed_Warehouse__c');
        expect(warehouses.map((w) => [w.Warehouse_Code__c, w.Name, w.Is_Default__c]).sort()).toEqual([
            ['CHC', 'Christchurch Depot', false],
            ['MAIN', 'Main Warehouse', true],
            ['WLG', 'Wellington Store', false]
        ]);
        // Revenue taxes only; the company's default rate (0.15) marks G.S.T.
        const taxes = records(h.sfsim, 'Unleashed_Tax__c');
        expect(
            taxes.map((t) => [t.Tax_Code__c, t.Tax_Rate__c, t.Tax_Rate_Fraction__c, t.Is_Default__c]).sort()
        ).toEqual([
            ['G.S.T.', 15, '0.15', true],
            ['NO GST', 0, '0', false],
            ['ZERO', 0, '0', false]
        ]);
        const people = records(h.sfsim, 'Unleashed_Sales_Person__c');
        expect(people.map((p) => [p.Email__c, p.Obsolete__c]).sort()).toEqual([
            ['olly.former@example.com', true],
            ['riley.rep@example.com', false],
            ['sam.seller@example.com', false]
        ]);
        expect(
            records(h.sfsim, 'Unleashed_Delivery_Method__c')
                .map((d) => d.Name)
                .sort()
        ).toEqual(['Courier', 'Freight', 'Pickup']);

        const products = records(h.sfsim, 'Product2').filter((p) => p.Unleashed_Product_Code__c);
        expect(products).toHaveLength(h.usim.state.products.size);
        const byCode = new Map(products.map((p) => [p.Unleashed_Product_Code__c, p]));
        const gst = taxes.find((t) => t.Tax_Code__c === 'G.S.T.')!;
        const noGst = taxes.find((t) => t.Tax_Code__c === 'NO GST')!;
        const blue = byCode.get('WIDGET-BLUE')!;
        expect(blue).toMatchObject({
            Name: 'Blue widget',
            IsActive: true,
            Unleashed_Notes__c: 'Our best seller.',
            Unleashed_Sales_Tax__c: gst.Id,
            Unleashed_Image_Url__c: 'https://images.example.com/products/WIDGET-BLUE.png'
        });
        expect(blue.Unleashed_Guid__c).toMatch(/^[0-9a-f-]{36}$/);
        expect(byCode.get('GIFT-CARD-50')!.Unleashed_Sales_Tax__c).toBe(noGst.Id);
        expect(byCode.get('LEGACY-PUMP')).toMatchObject({ IsActive: false, Unleashed_Obsolete__c: true });
        // The product that was in Salesforce before kept its record (matched by code).
        expect(records(h.sfsim, 'Product2').filter((p) => p.ProductCode === 'WIDGET-BLUE')).toHaveLength(1);

        const books = new Map(records(h.sfsim, 'Pricebook2').map((b) => [b.Id, b.Name]));
        expect([...books.values()].sort()).toEqual([
            'Standard Price Book',
            'Unleashed',
            'Unleashed - Distributor',
            'Unleashed - Retail',
            'Unleashed - Wholesale'
        ]);
        const codeOf = new Map(records(h.sfsim, 'Product2').map((p) => [p.Id, p.ProductCode]));
        const entries = records(h.sfsim, 'PricebookEntry').map((e) => ({
            book: books.get(e.Pricebook2Id),
            code: codeOf.get(e.Product2Id),
            price: e.UnitPrice,
            active: e.IsActive,
            currency: e.CurrencyIsoCode
        }));
        const priceOf = (book: string, code: string) =>
            entries
                .filter((e) => e.book === book && e.code === code)
                .map((e) => [e.price, e.currency, e.active]);
        expect(priceOf('Unleashed', 'WIDGET-BLUE')).toEqual([[19.99, 'NZD', true]]);
        expect(priceOf('Unleashed - Wholesale', 'WIDGET-BLUE')).toEqual([[17.5, 'NZD', true]]);
        expect(priceOf('Unleashed - Distributor', 'WIDGET-BLUE')).toEqual([[15, 'NZD', true]]);
        // No Distributor price for the XL: left out of that book, not priced at zero.
        expect(priceOf('Unleashed - Distributor', 'WIDGET-BLUE-XL')).toEqual([]);
        expect(priceOf('Unleashed - Wholesale', 'WIDGET-BLUE-XL')).toEqual([[21.9, 'NZD', true]]);
        expect(
            entries.filter((e) => String(e.book).startsWith('Unleashed') && Number(e.price) === 0)
        ).toEqual([]);
        // The standard price that existed is left as it was; the AUD one too, and no AUD entry is invented.
        expect(priceOf('Standard Price Book', 'WIDGET-BLUE').sort()).toEqual([
            [18.5, 'AUD', true],
            [19.99, 'NZD', true]
        ]);
        expect(entries.filter((e) => e.book !== 'Standard Price Book' && e.currency !== 'NZD')).toEqual([]);
        // New products got a standard price in NZD at the default sell price.
        expect(priceOf('Standard Price Book', 'GADGET-300')).toEqual([[349, 'NZD', true]]);
        // Obsolete products keep their prices, inactive.
        expect(priceOf('Unleashed', 'LEGACY-PUMP')).toEqual([[99, 'NZD', false]]);

        // Customers: linked by code, never created without the option.
        const accounts = records(h.sfsim, 'Account');
        expect(accounts).toHaveLength(4);
        const acme = accounts.find((a) => a.Name === 'Acme Ltd')!;
        expect(acme).toMatchObject({
            Unleashed_Customer_Code__c: 'ACME',
            Unleashed_Customer_Guid__c: h.usim.state.customerByCode('ACME')!.Guid,
            Unleashed_Currency__c: 'NZD',
            Unleashed_Sell_Price_Tier__c: 'Wholesale'
        });
        expect(accounts.find((a) => a.Name === 'Kangaroo Traders Pty Ltd')).toMatchObject({
            Unleashed_Currency__c: 'AUD',
            Unleashed_Sell_Price_Tier__c: 'Distributor'
        });
        expect(accounts.find((a) => a.Name === 'Beta Builders')!.Unleashed_Customer_Guid__c).toBeNull();

        // Counts add up and the progress reached Salesforce.
        const view = (await h.call('GET', `/v1/imports/${job.id}`)).json();
        expect(view).toMatchObject({ status: 'succeeded', errors: [], percent: 100 });
        expect(view.done).toBe(view.total);
        expect(view.counts.failed).toBe(0);
        expect(view.counts.created).toBeGreaterThan(100);
        // Every event on the way: the total only grows and is never passed.
        const events = h.sfsim.apexRestCalls
            .flatMap((c) => (c.body as { events: Record<string, unknown>[] }).events)
            .filter((e) => e.type === 'import.progress');
        expect(events.length).toBeGreaterThan(3);
        const last = events[events.length - 1]!;
        expect(last).toMatchObject({ status: 'succeeded', done: view.total, total: view.total });
        for (const [i, e] of events.slice(0, -1).entries()) {
            expect(e.status).toBe('running');
            expect(Number(e.done)).toBeLessThanOrEqual(Number(e.total));
            if (i > 0) expect(Number(e.total)).toBeGreaterThanOrEqual(Number(events[i - 1]!.total));
        }
        const [imp] = records(h.sfsim, 'Unleashed_Import_Job__c');
        expect(imp).toMatchObject({
            Job_Id__c: job.id,
            Status__c: 'Succeeded',
            Done__c: view.done,
            Total__c: view.total,
            Created_Count__c: view.counts.created,
            Updated_Count__c: view.counts.updated,
            Unchanged_Count__c: view.counts.unchanged,
            Failed_Count__c: 0
        });
    });

    it('writes nothing on a second run without changes, incremental or full', async () => {
        const first = await h.importAll({ entities: ALL });
        expect(first.status).toBe('succeeded');
        const before = orgSnapshot(h.sfsim);
        let mark = h.sfsim.requests.length;
        const calls = h.usim.callCount();
        const callLog = h.usim.calls().length;

        const second = await h.importAll({ entities: ALL });
        expect(second.status).toBe('succeeded');
        expect(second.counts).toMatchObject({ created: 0, updated: 0, failed: 0 });
        expect(writeRequests(h.sfsim, mark)).toBe(0);
        // Only reference lists, the company and two empty delta probes were asked of Unleashed.
        expect(h.usim.callCount() - calls).toBe(7);
        const deltas = h.usim
            .calls()
            .slice(callLog)
            .filter((c) => c.query.includes('modifiedSince='));
        expect(deltas.map((c) => c.path).sort()).toEqual(['/Customers/1', '/Products/1']);

        mark = h.sfsim.requests.length;
        const full = await h.importAll({ entities: ALL, fullReimport: true });
        expect(full.counts).toEqual({
            created: 0,
            updated: 0,
            unchanged: first.counts.created + first.counts.updated + first.counts.unchanged,
            failed: 0
        });
        expect(writeRequests(h.sfsim, mark)).toBe(0);
        expect(orgSnapshot(h.sfsim)).toEqual(before);
    });
});

describe('import through Bulk API 2.0', () => {
    it('lands the same records as through sObject Collections, and a second run writes nothing', async () => {
        const viaCollections = await startHarness();
        let collections;
        try {
            const job = await viaCollections.importAll({ entities: ALL, createMissingAccounts: true });
            collections = { job, snapshot: orgSnapshot(viaCollections.sfsim) };
            expect(viaCollections.sfsim.requests.filter((r) => r.path.includes('/jobs/ingest'))).toEqual([]);
        } finally {
            await viaCollections.close();
        }
        // Any set of more than 10 records goes through a bulk job.
        const h = await startHarness({
            imports: { runner: { write: { bulkThreshold: 10, bulkPollIntervalMs: 20 } } }
        });
        try {
            const job = await h.importAll({ entities: ALL, createMissingAccounts: true });
            expect(job.errors).toEqual([]);
            expect(job.counts).toEqual(collections.job.counts);
            expect(orgSnapshot(h.sfsim)).toEqual(collections.snapshot);
            const bulkJobs = h.sfsim.requests.filter(
                (r) => r.method === 'POST' && /\/jobs\/ingest$/.test(r.path)
            );
            expect(bulkJobs.length).toBeGreaterThanOrEqual(2);

            const mark = h.sfsim.requests.length;
            const again = await h.importAll({ entities: ALL, fullReimport: true });
            expect(again.counts).toMatchObject({ created: 0, updated: 0, failed: 0 });
            expect(writeRequests(h.sfsim, mark)).toBe(0);
        } finally {
            await h.close();
        }
    });
});
