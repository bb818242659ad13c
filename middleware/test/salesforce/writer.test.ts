import './node-realm';
import type { Connection } from 'jsforce';
import {
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    startSalesforceSim,
    type SalesforceSim
} from '../../src/sandbox/salesforce-sim';
import { connectSalesforce } from '../../src/salesforce/connection';
import { createSalesforceWriter } from '../../src/salesforce/writer';
import { SalesforceError } from '../../src/salesforce/errors';
import type { SalesforceWriter } from '../../src/salesforce/types';

function connect(sim: SalesforceSim): Connection {
    return connectSalesforce({
        instanceUrl: sim.url,
        loginUrl: sim.url,
        apiVersion: '62.0',
        clientId: DEMO_CLIENT_ID,
        clientSecret: DEMO_CLIENT_SECRET,
        refreshToken: sim.issueRefreshToken()
    });
}

const warehouses = (n: number, from = 0, name = 'Warehouse') =>
    Array.from({ length: n }, (_, i) => ({
        Name: `${name} ${from + i}`,
        Warehouse_Code__c: `W${from + i}`,
        Unleashed_Guid__c: `00000000-0000-4000-8000-${String(from + i).padStart(12, '0')}`,
        Is_Default__c: i === 0,
        City__c: null
    }));

/** Answered requests (the first call of a fresh connection is refused for want of a token, then repeated). */
const count = (sim: SalesforceSim, method: string, pattern: RegExp) =>
    sim.requests.filter((r) => r.method === method && pattern.test(r.path) && r.status !== 401).length;

async function expectSalesforceError(p: Promise<unknown>, code: string): Promise<SalesforceError> {
    try {
        await p;
    } catch (err) {
        expect(err).toBeInstanceOf(SalesforceError);
        expect((err as SalesforceError).code).toBe(code);
        return err as SalesforceError;
    }
    throw new Error(`expected a SalesforceError ${code}`);
}

describe.each([
    ['namespaced', 'unleashed'],
    ['without a namespace', '']
])('Salesforce writer against the simulator (%s)', (_label, namespace) => {
    let sim: SalesforceSim;
    let conn: Connection;
    let writer: SalesforceWriter;
    const p = (name: string) => (namespace ? `${namespace}__${name}` : name);

    beforeEach(async () => {
        sim = await startSalesforceSim({ namespace, seed: 'demo', settings: { bulkShuffleResults: true } });
        conn = connect(sim);
        writer = createSalesforceWriter(conn, { namespace, bulkPollIntervalMs: 20 });
    });
    afterEach(async () => {
        await sim.close();
    });

    it('upserts 5 records, and the same 5 again without creating any', async () => {
        const first = await writer.upsert('Unleashed_Warehouse__c', 'Warehouse_Code__c', warehouses(5));
        expect(first.map((r) => [r.index, r.success, r.created])).toEqual(
            [0, 1, 2, 3, 4].map((i) => [i, true, true])
        );
        expect(first.every((r) => /^a01\w{15}$/.test(r.id!))).toBe(true);
        const second = await writer.upsert(
            'Unleashed_Warehouse__c',
            'Warehouse_Code__c',
            warehouses(5, 0, 'Renamed')
        );
        expect(second.map((r) => r.created)).toEqual([false, false, false, false, false]);
        expect(second.map((r) => r.id)).toEqual(first.map((r) => r.id));
        const rows = sim.records(p('Unleashed_Warehouse__c'));
        expect(rows).toHaveLength(5);
        expect(rows.map((r) => r.Name).sort()).toEqual([
            'Renamed 0',
            'Renamed 1',
            'Renamed 2',
            'Renamed 3',
            'Renamed 4'
        ]);
        expect(rows.find((r) => r[p('Warehouse_Code__c')] === 'W0')![p('Is_Default__c')]).toBe(true);
    });

    it('sends nothing for no records, and numeric external ids as text', async () => {
        expect(await writer.upsert('Unleashed_Warehouse__c', 'Warehouse_Code__c', [])).toEqual([]);
        expect(sim.requests).toHaveLength(0);
        const input = [{ Name: 'Zero', Warehouse_Code__c: 0 }];
        const [r] = await writer.upsert('Unleashed_Warehouse__c', 'Warehouse_Code__c', input);
        expect(r).toMatchObject({ success: true, created: true });
        expect(sim.records(p('Unleashed_Warehouse__c'))[0]![p('Warehouse_Code__c')]).toBe('0');
        expect(input).toEqual([{ Name: 'Zero', Warehouse_Code__c: 0 }]);
    });

    it('needs an API version with sObject Collections upsert', () => {
        const old = connectSalesforce({
            instanceUrl: sim.url,
            loginUrl: sim.url,
            apiVersion: '45.0',
            clientId: DEMO_CLIENT_ID,
            refreshToken: 'x'
        });
        expect(() => createSalesforceWriter(old, { namespace })).toThrow(
            /API version 46.0 or later, not 45.0/
        );
    });

    it('sends 450 records as 3 sObject Collections calls', async () => {
        const results = await writer.upsert('Unleashed_Warehouse__c', 'Warehouse_Code__c', warehouses(450));
        expect(count(sim, 'PATCH', /\/composite\/sobjects\//)).toBe(3);
        expect(count(sim, 'POST', /\/jobs\/ingest$/)).toBe(0);
        expect(results).toHaveLength(450);
        expect(results.every((r, i) => r.index === i && r.success && r.created)).toBe(true);
        expect(sim.records(p('Unleashed_Warehouse__c'))).toHaveLength(450);
    });

    it('sends 5000 records through one Bulk API 2.0 job, results in input order', async () => {
        const records = warehouses(5000);
        const results = await writer.upsert('Unleashed_Warehouse__c', 'Warehouse_Code__c', records);
        expect(count(sim, 'POST', /\/jobs\/ingest$/)).toBe(1);
        expect(count(sim, 'PUT', /\/jobs\/ingest\/750\w+\/batches$/)).toBe(1);
        expect(count(sim, 'PATCH', /\/composite\//)).toBe(0);
        expect(results).toHaveLength(5000);
        const rows = sim.records(p('Unleashed_Warehouse__c'));
        expect(rows).toHaveLength(5000);
        const idByCode = new Map(rows.map((r) => [r[p('Warehouse_Code__c')], r.Id]));
        // The simulator shuffles the result files; each result must still land on its own record.
        results.forEach((r, i) => {
            expect(r).toMatchObject({ index: i, success: true, created: true });
            expect(r.id).toBe(idByCode.get(`W${i}`));
        });
        const again = await writer.upsert('Unleashed_Warehouse__c', 'Warehouse_Code__c', records);
        expect(again.filter((r) => r.created)).toHaveLength(0);
        expect(again.every((r, i) => r.success && r.id === results[i]!.id)).toBe(true);
        expect(sim.records(p('Unleashed_Warehouse__c'))).toHaveLength(5000);
    });

    it.each([
        ['sObject Collections', 1000],
        ['Bulk API 2.0', 2]
    ])('maps per-record errors through %s', async (_api, bulkThreshold) => {
        writer = createSalesforceWriter(conn, { namespace, bulkThreshold, bulkPollIntervalMs: 20 });
        await writer.upsert('Unleashed_Tax__c', 'Unleashed_Guid__c', [
            { Name: 'G.S.T.', Unleashed_Guid__c: 'tax-1' }
        ]);
        const results = await writer.upsert('Product2', 'Unleashed_Product_Code__c', [
            {
                Name: 'Good',
                Unleashed_Product_Code__c: 'P1',
                Unleashed_Sales_Tax__r: { Unleashed_Guid__c: 'tax-1' }
            },
            { Name: 'x'.repeat(300), Unleashed_Product_Code__c: 'P2' },
            { Name: 'No code', Unleashed_Product_Code__c: '' },
            { Name: 'Twin', Unleashed_Product_Code__c: 'P4' },
            { Name: 'Twin', Unleashed_Product_Code__c: 'p4' },
            {
                Name: 'Bad tax',
                Unleashed_Product_Code__c: 'P6',
                Unleashed_Sales_Tax__r: { Unleashed_Guid__c: 'nope' }
            },
            { Unleashed_Product_Code__c: 'P7' }
        ]);
        expect(results.map((r) => r.index)).toEqual([0, 1, 2, 3, 4, 5, 6]);
        expect(results[0]).toMatchObject({ success: true, created: true });
        expect(results[1]!.errors[0]).toMatchObject({ statusCode: 'STRING_TOO_LONG', fields: ['Name'] });
        expect(results[2]!.errors[0]).toMatchObject({ statusCode: 'MISSING_ARGUMENT' });
        expect(results[3]!.errors[0]!.statusCode).toBe('DUPLICATE_VALUE');
        expect(results[4]!.errors[0]!.statusCode).toBe('DUPLICATE_VALUE');
        expect(results[5]!.errors[0]).toMatchObject({ statusCode: 'INVALID_FIELD' });
        expect(results[5]!.errors[0]!.message).toMatch(/^Foreign key external ID: nope not found/);
        expect(results[6]!.errors[0]).toMatchObject({
            statusCode: 'REQUIRED_FIELD_MISSING',
            fields: ['Name']
        });
        expect(results.slice(1).every((r) => !r.success && r.id === null && !r.created)).toBe(true);
        const created = sim
            .records('Product2')
            .filter((r) => String(r[p('Unleashed_Product_Code__c')] ?? '').startsWith('P'));
        expect(created.map((r) => r.Name)).toEqual(['Good']);
    });

    it('refuses an unknown field for the whole call with a clear error', async () => {
        const err = await expectSalesforceError(
            writer.upsert('Unleashed_Warehouse__c', 'Warehouse_Code__c', [
                { Name: 'A', Warehouse_Code__c: 'A', Nmae__c: 'typo' }
            ]),
            'INVALID_FIELD'
        );
        expect(err.message).toContain(`No such column '${p('Nmae__c')}'`);
        expect(sim.records(p('Unleashed_Warehouse__c'))).toHaveLength(0);
    });

    it('recovers from INVALID_SESSION_ID by refreshing once and repeating the call', async () => {
        await writer.query('SELECT Id FROM Account');
        const refreshesBefore = count(sim, 'POST', /^\/services\/oauth2\/token$/);
        sim.expireAllTokens();
        const rows = await writer.query('SELECT Id, Name FROM Account ORDER BY Name LIMIT 2');
        expect(rows).toEqual([
            { Id: expect.any(String), Name: 'Acme Ltd' },
            { Id: expect.any(String), Name: 'Beta Builders' }
        ]);
        expect(count(sim, 'POST', /^\/services\/oauth2\/token$/)).toBe(refreshesBefore + 1);
        expect(sim.requests.filter((r) => r.status === 401)).toHaveLength(2);

        // Expiries in the middle of a bulk job (creating it, uploading the CSV, closing it, reading
        // results) are recovered the same way.
        const triggers = [
            ['POST', /\/jobs\/ingest$/],
            ['PUT', /\/batches$/],
            ['PATCH', /\/jobs\/ingest\/\w+$/],
            ['GET', /\/successfulResults$/]
        ] as const;
        const fired = new Set<number>();
        sim.onRequest = (method, path) => {
            const i = triggers.findIndex(([m, re]) => m === method && re.test(path));
            if (i >= 0 && !fired.has(i)) {
                fired.add(i);
                sim.expireAllTokens();
            }
        };
        const results = await writer.upsert('Unleashed_Warehouse__c', 'Warehouse_Code__c', warehouses(2100));
        expect(fired.size).toBe(4);
        expect(sim.requests.filter((r) => r.method === 'PUT').map((r) => r.status)).toEqual([401, 201]);
        expect(results.every((r) => r.success && r.created)).toBe(true);
        expect(sim.records(p('Unleashed_Warehouse__c'))).toHaveLength(2100);
    });

    it('gives up with a clear error when the org keeps refusing fresh sessions', async () => {
        sim.settings.tokenTtlMs = 0;
        sim.expireAllTokens();
        const err = await expectSalesforceError(writer.query('SELECT Id FROM Account'), 'INVALID_SESSION_ID');
        expect(err.message).toMatch(/session expired and could not be renewed/);
        expect(count(sim, 'POST', /^\/services\/oauth2\/token$/)).toBe(1);
    });

    it('says so when the refresh token was revoked', async () => {
        sim.oauth.revokeRefreshTokens();
        const err = await expectSalesforceError(writer.query('SELECT Id FROM Account'), 'INVALID_SESSION_ID');
        expect(err.message).toContain('expired access/refresh token');
        expect(err.message).toContain('Reconnect the org');
    });

    it('surfaces REQUEST_LIMIT_EXCEEDED as a clear, retryable error', async () => {
        await writer.query('SELECT Id FROM Account');
        sim.settings.dailyApiLimit = sim.apiUsage();
        const err = await expectSalesforceError(
            writer.upsert('Unleashed_Warehouse__c', 'Warehouse_Code__c', warehouses(3)),
            'REQUEST_LIMIT_EXCEEDED'
        );
        expect(err.retryable).toBe(true);
        expect(err.message).toMatch(
            /daily API request limit is used up \(\d+\/\d+ requests in the last 24 hours\)/
        );
        expect(err.message).toContain('TotalRequests Limit exceeded.');
        expect(sim.records(p('Unleashed_Warehouse__c'))).toHaveLength(0);
    });

    it('reads every SOQL page and answers unprefixed names', async () => {
        await writer.upsert('Unleashed_Warehouse__c', 'Warehouse_Code__c', warehouses(4500));
        const before = count(sim, 'GET', /\/query/);
        const rows = await writer.query<{ Name: string; Warehouse_Code__c: string; Is_Default__c: boolean }>(
            "SELECT Name, Warehouse_Code__c, Is_Default__c FROM Unleashed_Warehouse__c WHERE Warehouse_Code__c != null AND Name != 'x' ORDER BY Name"
        );
        expect(count(sim, 'GET', /\/query/) - before).toBe(3);
        expect(rows).toHaveLength(4500);
        expect(new Set(rows.map((r) => r.Warehouse_Code__c)).size).toBe(4500);
        expect(Object.keys(rows[0]!).sort()).toEqual(['Is_Default__c', 'Name', 'Warehouse_Code__c']);

        const lines = await writer.query(
            "SELECT Product2.Name, Quantity FROM OpportunityLineItem WHERE Product2.ProductCode IN ('GADGET-100')"
        );
        expect(lines).toEqual([
            { Product2: { Name: 'Gadget 100' }, Quantity: 1 },
            { Product2: { Name: 'Gadget 100' }, Quantity: 2 }
        ]);
    });

    it('posts to the Apex REST resource under the namespace, recorded by the org', async () => {
        const answer = await writer.apexRest<{ results: unknown[] }>('events', {
            events: [{ type: 'import.progress', jobId: 'j-1', status: 'Succeeded', done: 2, total: 2 }]
        });
        expect(answer.results).toEqual([{ index: 0, ok: true, error: null, retry: false }]);
        expect(sim.apexRestCalls).toHaveLength(1);
        expect(sim.apexRestCalls[0]).toMatchObject({
            method: 'POST',
            path: namespace ? `/${namespace}/events` : '/events'
        });
        const jobs = await writer.query<{ Job_Id__c: string; Status__c: string }>(
            'SELECT Job_Id__c, Status__c FROM Unleashed_Import_Job__c'
        );
        expect(jobs).toEqual([{ Job_Id__c: 'j-1', Status__c: 'Succeeded' }]);

        sim.setApexHandler('events', () => {
            throw new Error('boom');
        });
        const err = await expectSalesforceError(writer.apexRest('events', { events: [] }), 'APEX_ERROR');
        expect(err.message).toContain('boom');
    });
});
