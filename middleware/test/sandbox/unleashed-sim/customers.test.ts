import { startUnleashedSim, type UnleashedSim } from '../../../src/sandbox/unleashed-sim';
import { caller, wireMs, type Caller } from './sim-client';

const NEW_GUID = '0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0';

describe('customer writes', () => {
    let sim: UnleashedSim;
    let call: Caller;
    let now = Date.UTC(2026, 2, 10, 12, 0, 0);
    beforeAll(async () => {
        sim = await startUnleashedSim({ seed: 'demo', clock: () => now });
        call = caller(sim.url);
    });
    afterAll(() => sim.close());

    it('creates with the client GUID (201), then updates (200) keeping what was not sent', async () => {
        const created = await call('POST', `/Customers/${NEW_GUID}`, {
            body: {
                CustomerCode: 'NEWCO',
                CustomerName: 'New Co Ltd',
                Email: 'hello@newco.example.com',
                Currency: { CurrencyCode: 'AUD' },
                Addresses: [
                    {
                        AddressType: 'Shipping',
                        StreetAddress: '1 Main Rd',
                        City: 'Perth',
                        Country: 'Australia'
                    }
                ]
            }
        });
        expect(created.status).toBe(201);
        expect(created.body).toMatchObject({
            Guid: NEW_GUID,
            CustomerCode: 'NEWCO',
            Currency: { CurrencyCode: 'AUD' }
        });
        expect(wireMs(created.body.CreatedOn)).toBe(now);
        expect(wireMs(created.body.LastModifiedOn)).toBe(now);

        now += 60_000;
        const updated = await call('POST', `/customers/${NEW_GUID.toUpperCase()}`, {
            body: { CustomerName: 'New Co Limited', PhoneNumber: '+61 8 5550 1234' }
        });
        expect(updated.status).toBe(200);
        expect(updated.body).toMatchObject({
            CustomerCode: 'NEWCO',
            CustomerName: 'New Co Limited',
            Email: 'hello@newco.example.com',
            PhoneNumber: '+61 8 5550 1234'
        });
        expect(wireMs(updated.body.CreatedOn)).toBe(now - 60_000);
        expect(wireMs(updated.body.LastModifiedOn)).toBe(now);
        const read = await call('GET', `/Customers/${NEW_GUID}`);
        expect(read.body.CustomerName).toBe('New Co Limited');
        expect(read.body.Addresses).toHaveLength(1);
        const since = new Date(now).toISOString().slice(0, 19);
        const recent = await call('GET', `/Customers?modifiedSince=${since}`);
        expect(recent.body.Items.map((c: { CustomerCode: string }) => c.CustomerCode)).toEqual(['NEWCO']);
    });

    it('answers 500 when read-only fields are echoed back', async () => {
        const current = (await call('GET', `/Customers/${NEW_GUID}`)).body;
        const echoed = await call('POST', `/Customers/${NEW_GUID}`, { body: current });
        expect(echoed.status).toBe(500);
        expect(echoed.body.Description).toMatch(/could not be parsed/);
        for (const field of ['CreatedOn', 'LastModifiedOn', 'CreatedBy']) {
            const r = await call('POST', `/Customers/${NEW_GUID}`, {
                body: { CustomerName: 'X', [field]: field === 'CreatedBy' ? 'me' : '/Date(0)/' }
            });
            expect(r.status).toBe(500);
        }
        expect((await call('GET', `/Customers/${NEW_GUID}`)).body.CustomerName).toBe('New Co Limited');
    });

    it('needs a contact on a new customer, a known currency, and a unique code', async () => {
        const guid = '1a2b3c4d-0000-4000-8000-00000000c001';
        const noContact = await call('POST', `/Customers/${guid}`, {
            body: { CustomerCode: 'NC', CustomerName: 'No Contact' }
        });
        expect(noContact.status).toBe(400);
        expect(noContact.body.Description).toMatch(/ContactFirstName|Email/);
        const badCurrency = await call('POST', `/Customers/${guid}`, {
            body: {
                CustomerCode: 'NC',
                CustomerName: 'No Contact',
                ContactLastName: 'Smith',
                Currency: { CurrencyCode: 'XYZ' }
            }
        });
        expect(badCurrency.status).toBe(400);
        expect(badCurrency.body.Description).toMatch(/Currency 'XYZ'/);
        const dupCode = await call('POST', `/Customers/${guid}`, {
            body: { CustomerCode: 'ACME', CustomerName: 'Another Acme', ContactLastName: 'Smith' }
        });
        expect(dupCode.status).toBe(400);
        const mismatch = await call('POST', `/Customers/${guid}`, {
            body: { Guid: NEW_GUID, CustomerCode: 'NC', CustomerName: 'N', Email: 'a@b.c' }
        });
        expect(mismatch.status).toBe(400);
        expect((await call('GET', `/Customers/${guid}`)).status).toBe(404);
        const ok = await call('POST', `/Customers/${guid}`, {
            body: { CustomerCode: 'NC', CustomerName: 'No Contact', ContactLastName: 'Smith' }
        });
        expect(ok.status).toBe(201);
        expect(ok.body.Currency.CurrencyCode).toBe('NZD');
    });

    it('rejects an unknown sell price tier and tax code', async () => {
        expect(
            (await call('POST', `/Customers/${NEW_GUID}`, { body: { SellPriceTier: 'Platinum' } })).status
        ).toBe(400);
        expect((await call('POST', `/Customers/${NEW_GUID}`, { body: { TaxCode: 'VAT20' } })).status).toBe(
            400
        );
        expect(
            (await call('POST', `/Customers/${NEW_GUID}`, { body: { SellPriceTier: 'Wholesale' } })).status
        ).toBe(200);
    });

    it('answers 500 to a body that is not JSON, 415 to a body that is not declared JSON', async () => {
        expect((await call('POST', `/Customers/${NEW_GUID}`, { rawBody: '{"CustomerName": ' })).status).toBe(
            500
        );
        const plain = await call('POST', `/Customers/${NEW_GUID}`, {
            rawBody: '{}',
            headers: { 'content-type': 'text/plain' }
        });
        expect(plain.status).toBe(415);
    });
});
