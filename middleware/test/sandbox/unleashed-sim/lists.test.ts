import { startUnleashedSim, type UnleashedSim } from '../../../src/sandbox/unleashed-sim';
import { caller, wireMs, type Caller, type Json } from './sim-client';

const codes = (r: { body: Json }): string[] =>
    r.body.Items.map((i: { ProductCode: string }) => i.ProductCode);

describe('lists, pages and filters (demo seed)', () => {
    let sim: UnleashedSim;
    let call: Caller;
    beforeAll(async () => {
        sim = await startUnleashedSim({ seed: 'demo' });
        call = caller(sim.url);
    });
    afterAll(() => sim.close());

    it('pages with the documented Pagination object', async () => {
        const first = await call('GET', '/Products?pageSize=10');
        expect(first.status).toBe(200);
        expect(first.body.Pagination).toEqual({
            NumberOfItems: 27,
            PageSize: 10,
            PageNumber: 1,
            NumberOfPages: 3
        });
        expect(Object.keys(first.body.Pagination)).toEqual([
            'NumberOfItems',
            'PageSize',
            'PageNumber',
            'NumberOfPages'
        ]);
        const third = await call('GET', '/Products/3?pageSize=10');
        expect(third.body.Pagination.PageNumber).toBe(3);
        expect(third.body.Items).toHaveLength(7);
        const all = new Set([
            ...codes(first),
            ...codes(await call('GET', '/Products/2?pageSize=10')),
            ...codes(third)
        ]);
        expect(all.size).toBe(27);
        const past = await call('GET', '/Products/4?pageSize=10');
        expect(past.body.Items).toEqual([]);
        expect(past.body.Pagination.NumberOfPages).toBe(3);
    });

    it('defaults pageSize to 200 and rejects sizes outside 1..1000 and page 0', async () => {
        expect((await call('GET', '/Products')).body.Pagination.PageSize).toBe(200);
        expect((await call('GET', '/Products?pageSize=1000')).status).toBe(200);
        expect((await call('GET', '/Products?pageSize=1')).body.Items).toHaveLength(1);
        for (const bad of ['0', '1001', 'abc', '-5']) {
            const r = await call('GET', `/Products?pageSize=${bad}`);
            expect(r.status).toBe(400);
            expect(r.body.Description).toMatch(/pageSize/);
        }
        expect((await call('GET', '/Products/0')).status).toBe(400);
    });

    it('answers an empty result with PageNumber 0 and NumberOfPages 0', async () => {
        const r = await call('GET', '/Products?productCode=NOPE');
        expect(r.body).toEqual({
            Pagination: { NumberOfItems: 0, PageSize: 200, PageNumber: 0, NumberOfPages: 0 },
            Items: []
        });
        const empty = await startUnleashedSim({ seed: 'empty' });
        try {
            const e = await caller(empty.url)('GET', '/SalesOrders/1?pageSize=50');
            expect(e.body.Pagination).toEqual({
                NumberOfItems: 0,
                PageSize: 50,
                PageNumber: 0,
                NumberOfPages: 0
            });
        } finally {
            await empty.close();
        }
    });

    it('matches productCode as a case-insensitive prefix, excluding obsolete unless asked', async () => {
        expect(codes(await call('GET', '/Products?productCode=WIDGET-BLUE'))).toEqual([
            'WIDGET-BLUE',
            'WIDGET-BLUE-XL'
        ]);
        expect(codes(await call('GET', '/Products?productCode=widget-blue&includeObsolete=true'))).toEqual([
            'WIDGET-BLUE',
            'WIDGET-BLUE-XL',
            'WIDGET-BLUE-OLD'
        ]);
        expect(codes(await call('GET', '/Products?productDescription=Blue%20widget,'))).toEqual([
            'WIDGET-BLUE-XL'
        ]);
        expect((await call('GET', '/Products?includeObsolete=maybe')).status).toBe(400);
    });

    it('filters by a productId GUID list and by modifiedSince', async () => {
        const two = (await call('GET', '/Products?productCode=GADGET')).body.Items.slice(0, 2);
        const ids = two.map((p: { Guid: string }) => p.Guid).join(',');
        expect(codes(await call('GET', `/Products?productId=${ids}`))).toEqual(['GADGET-100', 'GADGET-200']);
        expect((await call('GET', '/Products?productId=not-a-guid')).status).toBe(400);

        const all = (await call('GET', '/Products')).body.Items as { LastModifiedOn: string }[];
        const times = all.map((p) => wireMs(p.LastModifiedOn)).sort((a, b) => a - b);
        const cut = times[20]!;
        const since = new Date(cut).toISOString().slice(0, 19);
        const recent = await call('GET', `/Products?modifiedSince=${since}`);
        expect(recent.body.Items.length).toBe(times.filter((t) => t >= cut).length);
        expect(
            recent.body.Items.every((p: { LastModifiedOn: string }) => wireMs(p.LastModifiedOn) >= cut)
        ).toBe(true);
        expect((await call('GET', '/Products?modifiedSince=2025-13-45')).status).toBe(400);
        expect((await call('GET', '/Products?modifiedSince=2099-01-01')).body.Items).toEqual([]);
    });

    it('returns a bare object by GUID and 404 when missing', async () => {
        const list = await call('GET', '/Products?productCode=WIDGET-RED');
        const guid = list.body.Items[0].Guid;
        const one = await call('GET', `/Products/${guid}`);
        expect(one.status).toBe(200);
        expect(one.body.ProductCode).toBe('WIDGET-RED');
        expect(one.body.Pagination).toBeUndefined();
        expect(one.body.LastModifiedOn).toMatch(/^\/Date\(\d+\)\/$/);
        const upper = await call('GET', `/PRODUCTS/${guid.toUpperCase()}`);
        expect(upper.body.Guid).toBe(guid);
        const missing = await call('GET', '/Products/00000000-0000-4000-8000-000000000000');
        expect(missing.status).toBe(404);
        expect(missing.body.Description).toBeTruthy();
    });

    it('names sell price tiers, with null values where a tier has no price', async () => {
        const p = (await call('GET', '/Products?productCode=WIDGET-BLUE-XL')).body.Items[0];
        expect(p.DefaultSellPrice).toBe(24.99);
        expect(p.SellPriceTier1).toEqual({ Name: 'Retail', Value: 24.99 });
        expect(p.SellPriceTier2).toEqual({ Name: 'Wholesale', Value: 21.9 });
        expect(p.SellPriceTier3).toEqual({ Name: 'Distributor', Value: null });
        expect(p.SellPriceTier10.Value).toBeNull();
    });

    it('fills CustomerSellPrice from the customer tier and discount when customerCode is given', async () => {
        const acme = (await call('GET', '/Products?productCode=WIDGET-BLUE-XL&customerCode=ACME')).body
            .Items[0];
        expect(acme.CustomerSellPrice).toBe(21.9); // Wholesale tier
        const beta = (await call('GET', '/Products?productCode=WIDGET-BLUE-XL&customerCode=BETA')).body
            .Items[0];
        expect(beta.CustomerSellPrice).toBe(23.74); // Retail 24.99 less 5 % = 23.7405
    });

    it('lists taxes with a duplicate code, filtered by canApplyToRevenue', async () => {
        const all = (await call('GET', '/Taxes')).body.Items as {
            TaxCode: string;
            CanApplyToRevenue: boolean;
        }[];
        expect(all.filter((t) => t.TaxCode === 'G.S.T.')).toHaveLength(2);
        const revenue = (await call('GET', '/Taxes?canApplyToRevenue=true')).body.Items as typeof all;
        expect(revenue.filter((t) => t.TaxCode === 'G.S.T.')).toHaveLength(1);
        expect(revenue.every((t) => t.CanApplyToRevenue)).toBe(true);
        const gst = revenue.find((t) => t.TaxCode === 'G.S.T.') as unknown as { TaxRate: number };
        expect(gst.TaxRate).toBe(0.15);
    });

    it('matches warehouseCode, customerCode and customerName as prefixes', async () => {
        const wh = await call('GET', '/Warehouses?warehouseCode=m');
        expect(wh.body.Items.map((w: { WarehouseCode: string }) => w.WarehouseCode)).toEqual(['MAIN']);
        expect(
            (await call('GET', '/Warehouses')).body.Items.filter((w: { IsDefault: boolean }) => w.IsDefault)
        ).toHaveLength(1);
        const acme = await call('GET', '/Customers?customerCode=ACME');
        expect(acme.body.Items.map((c: { CustomerCode: string }) => c.CustomerCode)).toEqual([
            'ACME',
            'ACME-SOUTH'
        ]);
        const kanga = await call('GET', '/Customers?customerName=kangaroo');
        expect(kanga.body.Items[0].Currency.CurrencyCode).toBe('AUD');
        expect(kanga.body.Items[0].Addresses[0].Country).toBe('Australia');
        expect(
            (await call('GET', '/Customers?customerCode=ACME')).body.Items[0].Addresses.length
        ).toBeGreaterThan(1);
    });

    it('serves the other reference lists', async () => {
        expect((await call('GET', '/SalesPersons')).body.Items).toHaveLength(3);
        const dm = await call('GET', '/DeliveryMethods');
        expect(dm.body.Items.map((d: { Name: string }) => d.Name)).toEqual(['Courier', 'Pickup', 'Freight']);
        const company = (await call('GET', '/Companies')).body.Items[0];
        expect(company.BaseCurrencyCode).toBe('NZD');
        const aud = (await call('GET', '/Currencies')).body.Items[1];
        expect(aud).toMatchObject({ CurrencyCode: 'AUD', DefaultSellRate: 0.9165 });
    });
});
