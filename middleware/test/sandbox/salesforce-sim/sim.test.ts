import { createHash, createSign, generateKeyPairSync } from 'node:crypto';
import {
    startSalesforceSim,
    DEMO_REDIRECT_URI,
    DEMO_USERNAME,
    type SalesforceSim
} from '../../../src/sandbox/salesforce-sim';
import { EVENTS_MAX_BODY_BYTES } from '../../../src/sandbox/salesforce-sim/apex';
import { tokenSignature } from '../../../src/sandbox/salesforce-sim/oauth';
import { checksumSuffix, normaliseId } from '../../../src/sandbox/salesforce-sim/ids';
import { api, demoClient, ns, tokenRequest } from './helpers';

describe('record ids', () => {
    it('adds the case-encoding suffix Salesforce documents', () => {
        // Known pair from Salesforce documentation examples.
        expect(checksumSuffix('001A0000006Vm9r')).toBe('IAC');
        expect(normaliseId('001A0000006Vm9r')).toBe('001A0000006Vm9rIAC');
        expect(normaliseId('001A0000006Vm9rIAA')).toBeNull();
        expect(normaliseId('not an id')).toBeNull();
    });
});

describe('JWT bearer grant', () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwt = (claims: Record<string, unknown>, key = privateKey) => {
        const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
        const unsigned = `${enc({ alg: 'RS256' })}.${enc(claims)}`;
        return `${unsigned}.${createSign('RSA-SHA256').update(unsigned).sign(key).toString('base64url')}`;
    };
    let sim: SalesforceSim;
    beforeAll(async () => {
        sim = await startSalesforceSim({
            seed: 'empty',
            connectedApp: { jwtPublicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString() }
        });
    });
    afterAll(async () => {
        await sim.close();
    });

    it('issues an access token (no refresh token) for a valid assertion and refuses bad ones', async () => {
        const claims = {
            iss: demoClient.client_id,
            sub: DEMO_USERNAME,
            aud: 'https://login.salesforce.com',
            exp: Math.floor(Date.now() / 1000) + 180
        };
        const grant = (assertion: string) =>
            tokenRequest(sim, { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion });
        const ok = await grant(jwt(claims));
        expect(ok.status).toBe(200);
        expect(ok.body.access_token).toMatch(/^00D\w{12}!/);
        expect(ok.body.refresh_token).toBeUndefined();
        const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
        expect((await grant(jwt(claims, other))).body).toEqual({
            error: 'invalid_grant',
            error_description: 'invalid assertion'
        });
        expect((await grant(jwt({ ...claims, exp: 1 }))).body.error).toBe('invalid_grant');
        expect((await grant(jwt({ ...claims, sub: 'someone@else.example' }))).body.error_description).toBe(
            "user hasn't approved this consumer"
        );
        expect((await grant(jwt({ ...claims, iss: 'other' }))).body.error).toBe('invalid_client_id');
    });
});

describe.each([
    ['namespaced', 'unleashed'],
    ['without a namespace', '']
])('Salesforce simulator (%s)', (_label, namespace) => {
    let sim: SalesforceSim;
    beforeEach(async () => {
        sim = await startSalesforceSim({ namespace, seed: 'demo' });
    });
    afterEach(async () => {
        await sim.close();
    });

    it('answers OAuth grants with a verifiable signature and refuses a bad secret', async () => {
        const refresh = sim.issueRefreshToken();
        const ok = await tokenRequest(sim, {
            grant_type: 'refresh_token',
            refresh_token: refresh,
            ...demoClient
        });
        expect(ok.status).toBe(200);
        expect(ok.body.instance_url).toBe(sim.url);
        expect(ok.body.id).toBe(`${sim.url}/id/${sim.orgId}/${sim.users[0]!.id}`);
        expect(ok.body.signature).toBe(
            tokenSignature(demoClient.client_secret, ok.body.id!, ok.body.issued_at!)
        );
        expect(ok.body.refresh_token).toBeUndefined();

        const bad = await tokenRequest(sim, {
            grant_type: 'refresh_token',
            refresh_token: refresh,
            client_id: demoClient.client_id,
            client_secret: 'wrong'
        });
        expect(bad).toEqual({
            status: 400,
            body: { error: 'invalid_client', error_description: 'invalid client credentials' }
        });
        const unknown = await tokenRequest(sim, {
            grant_type: 'refresh_token',
            refresh_token: 'nope',
            ...demoClient
        });
        expect(unknown.body.error).toBe('invalid_grant');
    });

    it('runs the web-server flow with PKCE, one use per code', async () => {
        const verifier = 'v'.repeat(50);
        const challenge = createHash('sha256').update(verifier).digest('base64url');
        const q = new URLSearchParams({
            response_type: 'code',
            client_id: demoClient.client_id,
            redirect_uri: DEMO_REDIRECT_URI,
            state: 'xyz',
            code_challenge: challenge,
            code_challenge_method: 'S256'
        });
        const res = await fetch(`${sim.url}/services/oauth2/authorize?${q}`, { redirect: 'manual' });
        expect(res.status).toBe(302);
        const back = new URL(res.headers.get('location')!);
        expect(back.origin + back.pathname).toBe(DEMO_REDIRECT_URI);
        expect(back.searchParams.get('state')).toBe('xyz');
        const code = back.searchParams.get('code')!;
        const exchange = (v: string) =>
            tokenRequest(sim, {
                grant_type: 'authorization_code',
                code,
                redirect_uri: DEMO_REDIRECT_URI,
                code_verifier: v,
                ...demoClient
            });
        const ok = await exchange(verifier);
        expect(ok.status).toBe(200);
        expect(ok.body.refresh_token).toMatch(/^5Aep/);
        expect((await exchange(verifier)).body.error).toBe('invalid_grant');

        const mismatch = await fetch(
            `${sim.url}/services/oauth2/authorize?${new URLSearchParams({ ...Object.fromEntries(q), redirect_uri: 'https://evil.example/cb' })}`,
            { redirect: 'manual' }
        );
        expect(mismatch.status).toBe(400);
        expect(await mismatch.text()).toContain('redirect_uri_mismatch');
    });

    it('refuses an expired session with INVALID_SESSION_ID and reports usage on every answer', async () => {
        const c = api(sim);
        const first = await c.get('/sobjects');
        expect(first.status).toBe(200);
        expect(first.headers.get('sforce-limit-info')).toBe(`api-usage=1/${sim.settings.dailyApiLimit}`);
        sim.expireAllTokens();
        const expired = await c.get('/sobjects');
        expect(expired.status).toBe(401);
        expect(expired.body).toEqual([
            { message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }
        ]);
        expect(expired.headers.get('sforce-limit-info')).toMatch(/^api-usage=1\//);
    });

    it('refuses calls past the daily limit with REQUEST_LIMIT_EXCEEDED', async () => {
        sim.settings.dailyApiLimit = 3;
        const c = api(sim);
        for (let i = 0; i < 3; i++) expect((await c.get('/limits')).status).toBe(200);
        const over = await c.get('/limits');
        expect(over.status).toBe(403);
        expect(over.body).toEqual([
            { message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }
        ]);
        expect(over.headers.get('sforce-limit-info')).toBe('api-usage=3/3');
    });

    it('knows the package schema under its API names only', async () => {
        const c = api(sim);
        const wh = ns(sim, 'Unleashed_Warehouse__c');
        const describe = await c.get(`/sobjects/${wh}/describe`);
        expect(describe.status).toBe(200);
        const code = describe.body.fields.find(
            (f: { name: string }) => f.name === ns(sim, 'Warehouse_Code__c')
        );
        expect(code).toMatchObject({ externalId: true, unique: true, length: 15 });
        if (namespace) {
            expect((await c.get('/sobjects/Unleashed_Warehouse__c/describe')).status).toBe(404);
            const unprefixed = await c.post('/sobjects/Account', {
                Name: 'X',
                Unleashed_Customer_Code__c: 'X1'
            });
            expect(unprefixed.status).toBe(400);
            expect(unprefixed.body[0].errorCode).toBe('INVALID_FIELD');
        }
    });

    it('creates, reads, updates and upserts by external id with the documented status codes', async () => {
        const c = api(sim);
        const code = ns(sim, 'Warehouse_Code__c');
        const wh = ns(sim, 'Unleashed_Warehouse__c');
        const created = await c.patch(`/sobjects/${wh}/${code}/W1`, { Name: 'Main' });
        expect(created.status).toBe(201);
        expect(created.body).toMatchObject({ success: true, created: true, errors: [] });
        const updated = await c.patch(`/sobjects/${wh}/${code}/w1`, { Name: 'Main store' });
        expect(updated.status).toBe(200);
        expect(updated.body).toEqual({ id: created.body.id, success: true, errors: [], created: false });
        const old = await api(sim, '45.0').patch(`/sobjects/${wh}/${code}/W1`, { Name: 'Main' });
        expect(old.status).toBe(204);
        const read = await c.get(`/sobjects/${wh}/${created.body.id}`);
        expect(read.body[code]).toBe('W1');
        expect(read.body.Name).toBe('Main');

        const tooLong = await c.patch(`/sobjects/${wh}/${code}/W2`, { Name: 'x'.repeat(81) });
        expect(tooLong.status).toBe(400);
        expect(tooLong.body[0]).toMatchObject({ errorCode: 'STRING_TOO_LONG', fields: ['Name'] });
        const unknown = await c.patch(`/sobjects/${wh}/${code}/W2`, { Nmae: 'typo' });
        expect(unknown.body).toEqual([
            { message: `No such column 'Nmae' on sobject of type ${wh}`, errorCode: 'INVALID_FIELD' }
        ]);
        const missing = await c.post(`/sobjects/${wh}`, { [code]: 'W3' });
        expect(missing.body[0]).toMatchObject({ errorCode: 'REQUIRED_FIELD_MISSING', fields: ['Name'] });
        const dup = await c.post(`/sobjects/${wh}`, { Name: 'Copy', [code]: 'W1' });
        expect(dup.body[0].errorCode).toBe('DUPLICATE_VALUE');
        expect(sim.records(wh)).toHaveLength(1);
    });

    it('makes a Person Account from FirstName and LastName', async () => {
        const c = api(sim);
        const res = await c.post('/sobjects/Account', { FirstName: 'Sam', LastName: 'Smith' });
        const row = sim.records('Account').find((a) => a.Id === res.body.id)!;
        expect(row).toMatchObject({ IsPersonAccount: true, Name: 'Sam Smith' });
        const seeded = sim.records('Account');
        expect(seeded.some((a) => a.IsPersonAccount === true && a.Name === 'Jane Citizen')).toBe(true);
        expect(seeded.some((a) => a.CurrencyIsoCode === 'AUD')).toBe(true);
    });

    it('takes at most 200 records per collection and rolls back allOrNone', async () => {
        const c = api(sim);
        const tax = ns(sim, 'Unleashed_Tax__c');
        const guid = ns(sim, 'Unleashed_Guid__c');
        const rec = (i: number) => ({ attributes: { type: tax }, Name: `T${i}`, [guid]: `g-${i}` });
        const over = await c.patch(`/composite/sobjects/${tax}/${guid}`, {
            allOrNone: false,
            records: Array.from({ length: 201 }, (_, i) => rec(i))
        });
        expect(over.status).toBe(400);
        expect(over.body[0].errorCode).toBe('EXCEEDED_ID_LIMIT');

        const mixed = await c.patch(`/composite/sobjects/${tax}/${guid}`, {
            allOrNone: true,
            records: [rec(1), { ...rec(2), Name: 'x'.repeat(100) }]
        });
        expect(mixed.body[0].errors[0].statusCode).toBe('ALL_OR_NONE_OPERATION_ROLLED_BACK');
        expect(mixed.body[1].errors[0].statusCode).toBe('STRING_TOO_LONG');
        expect(sim.records(tax)).toHaveLength(0);

        const partial = await c.patch(`/composite/sobjects/${tax}/${guid}`, {
            allOrNone: false,
            records: [rec(1), { ...rec(2), Name: 'x'.repeat(100) }, rec(3), rec(3)]
        });
        expect(partial.body[0]).toMatchObject({ success: true, created: true });
        expect(partial.body[1]).toMatchObject({ success: false });
        expect(partial.body[2].errors[0].statusCode).toBe('DUPLICATE_VALUE');
        expect(sim.records(tax)).toHaveLength(1);
    });

    it('resolves external-id references and refuses a missing one per record', async () => {
        const c = api(sim);
        const tax = ns(sim, 'Unleashed_Tax__c');
        const guid = ns(sim, 'Unleashed_Guid__c');
        await c.post(`/sobjects/${tax}`, { Name: 'G.S.T.', [guid]: 'tax-1' });
        const rel = ns(sim, 'Unleashed_Sales_Tax__r');
        const code = ns(sim, 'Unleashed_Product_Code__c');
        const res = await c.patch(`/composite/sobjects/Product2/${code}`, {
            allOrNone: false,
            records: [
                { attributes: { type: 'Product2' }, Name: 'P1', [code]: 'P1', [rel]: { [guid]: 'tax-1' } },
                { attributes: { type: 'Product2' }, Name: 'P2', [code]: 'P2', [rel]: { [guid]: 'nope' } }
            ]
        });
        expect(res.body[0].success).toBe(true);
        expect(res.body[1].errors[0].message).toMatch(/^Foreign key external ID: nope not found/);
        const q = await c.get(
            `/query?q=${encodeURIComponent(`SELECT Name, ${rel}.Name FROM Product2 WHERE ${code} = 'P1'`)}`
        );
        expect(q.body.records[0][rel].Name).toBe('G.S.T.');
    });

    it('asks for a standard price before a custom price book entry', async () => {
        const c = api(sim);
        const product = await c.post('/sobjects/Product2', { Name: 'New' });
        const book = await c.post('/sobjects/Pricebook2', { Name: 'Unleashed', IsActive: true });
        const custom = await c.post('/sobjects/PricebookEntry', {
            Pricebook2Id: book.body.id,
            Product2Id: product.body.id,
            UnitPrice: 5
        });
        expect(custom.body[0].errorCode).toBe('STANDARD_PRICE_NOT_DEFINED');
    });

    it('answers the SOQL subset with filters, order, limits and paging', async () => {
        const c = api(sim);
        const code = ns(sim, 'Unleashed_Customer_Code__c');
        const q = (soql: string, h?: Record<string, string>) =>
            c.get(`/query?q=${encodeURIComponent(soql)}`, h);
        const linked = await q(`SELECT Name, ${code} FROM Account WHERE ${code} != null ORDER BY Name DESC`);
        expect(linked.body.records.map((r: { Name: string }) => r.Name)).toEqual([
            'Kangaroo Traders Pty Ltd',
            'Acme Ltd'
        ]);
        const inList = await q(
            `SELECT Id FROM Account WHERE ${code} IN ('acme','KANGA') AND CurrencyIsoCode = 'AUD'`
        );
        expect(inList.body.totalSize).toBe(1);
        // Parents more than one level up, as SOQL allows: nested objects in the answer.
        const lines = await q(
            `SELECT Opportunity.Account.Name, Quantity FROM OpportunityLineItem WHERE Opportunity.Account.Name = 'Acme Ltd' LIMIT 1`
        );
        expect(lines.status).toBe(200);
        expect(lines.body.records[0].Opportunity.Account.Name).toBe('Acme Ltd');
        const none = await q(`SELECT Id FROM OpportunityLineItem WHERE Opportunity.Account.Name = 'x'`);
        expect(none.body.totalSize).toBe(0);
        expect((await q('SELECT Opportunity.Nope.Name FROM OpportunityLineItem')).body[0].errorCode).toBe(
            'INVALID_FIELD'
        );
        const bad = await q('SELECT Nope FROM Account');
        expect(bad.body[0].errorCode).toBe('INVALID_FIELD');
        expect((await q('SELECT Id FROM Nope__c')).body[0].errorCode).toBe('INVALID_TYPE');
        expect((await q('SELECT FROM Account')).body[0].errorCode).toBe('MALFORMED_QUERY');
        expect((await q('SELECT COUNT() FROM Opportunity')).body).toEqual({
            totalSize: 4,
            done: true,
            records: []
        });

        // 2600 records: two pages of the default 2000.
        const tax = ns(sim, 'Unleashed_Tax__c');
        const guid = ns(sim, 'Unleashed_Guid__c');
        for (let start = 0; start < 2600; start += 200) {
            await c.patch(`/composite/sobjects/${tax}/${guid}`, {
                allOrNone: true,
                records: Array.from({ length: 200 }, (_, i) => ({
                    attributes: { type: tax },
                    Name: `T${start + i}`,
                    [guid]: `g${start + i}`
                }))
            });
        }
        const page1 = await q(`SELECT Id, Name FROM ${tax} ORDER BY Name`);
        expect(page1.body).toMatchObject({ totalSize: 2600, done: false });
        expect(page1.body.records).toHaveLength(2000);
        expect(page1.body.nextRecordsUrl).toMatch(/^\/services\/data\/v62\.0\/query\/01g\w+-2000$/);
        const page2 = await c.get(page1.body.nextRecordsUrl);
        expect(page2.body).toMatchObject({ totalSize: 2600, done: true });
        expect(page2.body.records).toHaveLength(600);
        const small = await q(`SELECT Id FROM ${tax}`, { 'Sforce-Query-Options': 'batchSize=200' });
        expect(small.body.records).toHaveLength(200);
    });

    it('runs a Bulk API 2.0 upsert job to JobComplete with result files', async () => {
        const c = api(sim);
        const wh = ns(sim, 'Unleashed_Warehouse__c');
        const code = ns(sim, 'Warehouse_Code__c');
        const job = await c.post('/jobs/ingest', {
            object: wh,
            operation: 'upsert',
            externalIdFieldName: code,
            contentType: 'CSV',
            lineEnding: 'LF'
        });
        expect(job.body).toMatchObject({ state: 'Open', object: wh, externalIdFieldName: code });
        const csv = `Name,${code},${ns(sim, 'City__c')}\n"Main, central",W1,Auckland\nSecond,W2,#N/A\n${'x'.repeat(81)},W3,\n`;
        expect(
            (await c.put(`/jobs/ingest/${job.body.id}/batches`, csv, { 'content-type': 'text/csv' })).status
        ).toBe(201);
        const again = await c.put(`/jobs/ingest/${job.body.id}/batches`, csv, { 'content-type': 'text/csv' });
        expect(again.body[0].errorCode).toBe('BULK_API_ERROR');
        expect((await c.patch(`/jobs/ingest/${job.body.id}`, { state: 'UploadComplete' })).body.state).toBe(
            'UploadComplete'
        );
        let info = (await c.get(`/jobs/ingest/${job.body.id}`)).body;
        for (let i = 0; i < 50 && info.state !== 'JobComplete'; i++) {
            await new Promise((r) => setTimeout(r, 10));
            info = (await c.get(`/jobs/ingest/${job.body.id}`)).body;
        }
        expect(info).toMatchObject({
            state: 'JobComplete',
            numberRecordsProcessed: 3,
            numberRecordsFailed: 1
        });
        const ok = await c.get(`/jobs/ingest/${job.body.id}/successfulResults`);
        expect(ok.headers.get('content-type')).toMatch(/^text\/csv/);
        expect(ok.text.split('\n')[0]).toBe(
            `"sf__Id","sf__Created","Name","${code}","${ns(sim, 'City__c')}"`
        );
        expect(ok.text).toContain('"true","Main, central","W1","Auckland"');
        const failed = await c.get(`/jobs/ingest/${job.body.id}/failedResults`);
        expect(failed.text).toMatch(/"","STRING_TOO_LONG:Name: data value too large/);
        expect(
            sim
                .records(wh)
                .map((r) => r.Name)
                .sort()
        ).toEqual(['Main, central', 'Second']);
    });

    it('fails a bulk job whose header names an unknown field', async () => {
        const c = api(sim);
        const job = await c.post('/jobs/ingest', {
            object: 'Account',
            operation: 'insert',
            contentType: 'CSV'
        });
        await c.put(`/jobs/ingest/${job.body.id}/batches`, 'Name,Bogus__c\nA,1\n', {
            'content-type': 'text/csv'
        });
        await c.patch(`/jobs/ingest/${job.body.id}`, { state: 'UploadComplete' });
        let info = (await c.get(`/jobs/ingest/${job.body.id}`)).body;
        for (let i = 0; i < 50 && info.state !== 'Failed'; i++) {
            await new Promise((r) => setTimeout(r, 10));
            info = (await c.get(`/jobs/ingest/${job.body.id}`)).body;
        }
        expect(info).toMatchObject({
            state: 'Failed',
            errorMessage: 'InvalidBatch : Field name not found : Bogus__c'
        });
        expect((await c.get(`/jobs/ingest/${job.body.id}/unprocessedrecords`)).text).toBe(
            '"Name","Bogus__c"\n"A","1"\n'
        );
    });

    it('routes Apex REST by namespace, records calls and applies events', async () => {
        const c = api(sim);
        const path = namespace ? `/services/apexrest/${namespace}/events` : '/services/apexrest/events';
        const res = await c.post(path, {
            events: [
                {
                    type: 'import.progress',
                    jobId: 'job-1',
                    status: 'running',
                    done: 3,
                    total: 10,
                    entities: ['products', 'taxes'],
                    counts: { created: 3 }
                },
                { type: 'nope' }
            ]
        });
        expect(res.status).toBe(200);
        expect(res.body.results).toEqual([
            { index: 0, ok: true, error: null, retry: false },
            { index: 1, ok: false, error: 'Unknown event type: nope', retry: false }
        ]);
        const jobs = sim.records(ns(sim, 'Unleashed_Import_Job__c'));
        expect(jobs).toHaveLength(1);
        expect(jobs[0]).toMatchObject({
            Name: 'IMP-00001',
            [ns(sim, 'Status__c')]: 'Running',
            [ns(sim, 'Entities__c')]: 'products;taxes'
        });
        expect(sim.apexRestCalls.map((call) => call.path)).toEqual([path.replace('/services/apexrest', '')]);
        if (namespace) expect((await c.post('/services/apexrest/events', { events: [] })).status).toBe(404);
        expect((await c.post(path, { nope: 1 })).status).toBe(400);

        // A job that has just finished writes one Sync Log row, as the package's resource does.
        const logs = () => sim.records(ns(sim, 'Unleashed_Sync_Log__c'));
        const done = {
            type: 'import.progress',
            jobId: 'job-1',
            status: 'succeeded',
            done: 10,
            total: 10,
            counts: { created: 10 }
        };
        expect(logs()).toHaveLength(0);
        await c.post(path, { events: [done] });
        await c.post(path, { events: [done] });
        expect(logs()).toHaveLength(1);
        expect(logs()[0]).toMatchObject({
            [ns(sim, 'Operation__c')]: 'Import',
            [ns(sim, 'Status__c')]: 'Success',
            [ns(sim, 'Request_Summary__c')]:
                'Import job-1 Succeeded: created 10, updated 0, unchanged 0, failed 0'
        });

        sim.setApexHandler('/events', () => ({ status: 201, body: { custom: true } }));
        expect((await c.post(path, {})).body).toEqual({ custom: true });
    });

    it('reports each refused order.status event with whether it is worth retrying, and logs it for the owner', async () => {
        const c = api(sim);
        const path = namespace ? `/services/apexrest/${namespace}/events` : '/services/apexrest/events';
        const owner = sim.org.insertRaw('User', {
            Username: `owner-${namespace || 'none'}@example.com`,
            LastName: 'Owner',
            Name: 'Opp Owner',
            Email: 'owner@example.com',
            IsActive: true
        });
        const opp = (name: string) =>
            sim.org.insertRaw('Opportunity', {
                Name: name,
                StageName: 'Proposal',
                CloseDate: '2026-12-01',
                OwnerId: owner
            });
        const [ruled, approval, busy, fine] = [opp('Ruled'), opp('In approval'), opp('Busy'), opp('Fine')];
        sim.org.addValidationRule('Opportunity', (row) =>
            row.Id === ruled && row.Unleashed_Order_Status__c === 'Completed' ? 'Needs a PO number.' : null
        );
        sim.org.lock(approval, 'approval');
        sim.org.lock(busy, 'row');
        const status = (opportunityId: string) => ({
            type: 'order.status',
            opportunityId,
            orderGuid: '5c7e4a52-8f0e-5b1a-9d3c-2a1b0c9d8e7f',
            orderNumber: 'SO-1',
            status: 'Completed',
            subTotal: '10.00',
            taxTotal: '1.50',
            total: '11.50'
        });
        const res = await c.post(path, {
            events: [
                status(ruled),
                status(approval),
                status(busy),
                status(fine),
                status('006000000000000AAA')
            ]
        });
        expect(res.status).toBe(200);
        expect(res.body.results).toEqual([
            { index: 0, ok: false, error: 'Needs a PO number.', retry: false },
            { index: 1, ok: false, error: 'the entity is locked for editing', retry: false },
            {
                index: 2,
                ok: false,
                error: 'unable to obtain exclusive access to this record or 1 records',
                retry: true
            },
            { index: 3, ok: true, error: null, retry: false },
            { index: 4, ok: false, error: 'Opportunity not found: 006000000000000AAA', retry: false }
        ]);
        const logs = sim
            .records(ns(sim, 'Unleashed_Sync_Log__c'))
            .filter((r) => r[ns(sim, 'Operation__c')] === 'Order Status');
        const logOf = (id: string) => logs.find((r) => r[ns(sim, 'Opportunity__c')] === id);
        expect(logOf(ruled)).toMatchObject({
            OwnerId: owner,
            [ns(sim, 'Status__c')]: 'Error',
            [ns(sim, 'Error_Text__c')]: 'Needs a PO number.',
            [ns(sim, 'Request_Summary__c')]:
                'Order SO-1 status Completed, total 11.50 in Unleashed; not shown on the Opportunity.'
        });
        expect(logOf(busy)![ns(sim, 'Request_Summary__c')]).toMatch(/yet \(sent again later\)\.$/);
        expect(logOf(fine)).toMatchObject({ OwnerId: owner, [ns(sim, 'Status__c')]: 'Success' });
        sim.org.lock(approval, null);
        sim.org.lock(busy, null);
    });

    it('refuses a body over 1 MB with 413 before reading it', async () => {
        const c = api(sim);
        const path = namespace ? `/services/apexrest/${namespace}/events` : '/services/apexrest/events';
        const body = JSON.stringify({
            events: [{ type: 'nope', padding: 'x'.repeat(EVENTS_MAX_BODY_BYTES) }]
        });
        const res = await c.post(path, body, { 'content-type': 'application/json' });
        expect(res.status).toBe(413);
        expect(res.body).toEqual({
            status: 413,
            title: 'Payload too large',
            detail: `The body has ${Buffer.byteLength(body)} bytes; at most ${EVENTS_MAX_BODY_BYTES} are accepted. Send fewer events per call.`
        });
        const many = await c.post(path, { events: Array.from({ length: 1001 }, () => ({ type: 'nope' })) });
        expect(many.status).toBe(400);
        expect(many.body.detail).toBe('At most 1000 events may be sent at once.');
    });
});
