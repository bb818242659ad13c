import { startUnleashedSim, type UnleashedSim } from '../../../src/sandbox/unleashed-sim';
import { caller, simGet, type Caller } from './sim-client';

describe('large seed', () => {
    let sim: UnleashedSim;
    let call: Caller;
    let startMs = 0;
    beforeAll(async () => {
        const t0 = Date.now();
        sim = await startUnleashedSim({ seed: 'large' });
        startMs = Date.now() - t0;
        call = caller(sim.url);
    });
    afterAll(() => sim.close());

    it('starts fast with 100,000 products and 10 warehouses', async () => {
        expect(startMs).toBeLessThan(5000);
        const state = await simGet(sim.url, 'state');
        expect(state.counts).toMatchObject({ products: 100_000, warehouses: 10 });
        const all = await call('GET', '/Products?pageSize=1000&includeObsolete=true');
        expect(all.body.Pagination).toEqual({
            NumberOfItems: 100_000,
            PageSize: 1000,
            PageNumber: 1,
            NumberOfPages: 100
        });
        const live = await call('GET', '/Products?pageSize=1000');
        expect(live.body.Pagination.NumberOfItems).toBe(99_000);
        expect(live.body.Items).toHaveLength(1000);
    });

    it('pages deterministically and looks products up by GUID and code prefix', async () => {
        const page = await call('GET', '/Products/42?pageSize=1000');
        const again = await call('GET', '/Products/42?pageSize=1000');
        expect(again.body).toEqual(page.body);
        const first = page.body.Items[0];
        expect((await call('GET', `/Products/${first.Guid}`)).body).toEqual(first);
        const prefix = await call('GET', '/Products?productCode=P00012');
        expect(prefix.body.Items.map((p: { ProductCode: string }) => p.ProductCode)).toEqual(
            Array.from({ length: 10 }, (_, i) => `P00012${i}`)
        );
        expect(first.SellPriceTier1.Name).toBe('Retail');
        expect(typeof first.DefaultSellPrice).toBe('number');
    });

    it('walks every page of products at pageSize 1000 within seconds', async () => {
        const t0 = Date.now();
        const seen = new Set<string>();
        for (let pageNo = 1; pageNo <= 99; pageNo++) {
            const r = await call('GET', `/Products/${pageNo}?pageSize=1000`);
            for (const p of r.body.Items as { ProductCode: string }[]) seen.add(p.ProductCode);
        }
        expect(seen.size).toBe(99_000);
        expect(Date.now() - t0).toBeLessThan(30_000);
    }, 60_000);

    it('has stock rows per warehouse and totals, with some products never transacted', async () => {
        const totals = await call('GET', '/StockOnHand?pageSize=1000');
        const withStock = totals.body.Pagination.NumberOfItems;
        expect(withStock).toBeGreaterThan(90_000);
        expect(withStock).toBeLessThan(100_000);
        const w3 = await call('GET', '/StockOnHand?warehouseCode=W03&pageSize=1000');
        expect(w3.body.Pagination.NumberOfItems).toBeGreaterThan(50_000);
        expect(w3.body.Items[0].WarehouseCode).toBe('W03');
        const guid = totals.body.Items[0].ProductGuid;
        const rows = await call('GET', `/StockOnHand/${guid}/AllWarehouses`);
        const sum = rows.body.Items.reduce((s: number, r: { QtyOnHand: number }) => s + r.QtyOnHand, 0);
        expect(sum).toBe(totals.body.Items[0].QtyOnHand);
    });

    it('takes orders for generated products and moves their stock', async () => {
        const p = (await call('GET', '/Products?productCode=P000002')).body.Items[0];
        const before = (await call('GET', `/StockOnHand?warehouseCode=W01&productId=${p.Guid}`)).body
            .Items[0];
        const price = p.DefaultSellPrice as number;
        const cents = Math.round(price * 100);
        const tax = Math.round(cents * 0.15) / 100; // whole cents x 0.15 never lands on a half cent
        const r = await call('POST', '/SalesOrders/5a1e0000-0000-4000-8000-0000000b16c0', {
            body: {
                Customer: { CustomerCode: 'ACME' },
                Warehouse: { WarehouseCode: 'W01' },
                Tax: { TaxCode: 'G.S.T.' },
                OrderStatus: 'Placed',
                SalesOrderLines: [
                    {
                        Product: { Guid: p.Guid },
                        OrderQuantity: 1,
                        UnitPrice: price,
                        TaxRate: 0.15,
                        LineTotal: price,
                        LineTax: tax
                    }
                ],
                SubTotal: price,
                TaxTotal: tax,
                Total: (cents + Math.round(tax * 100)) / 100
            }
        });
        expect(r.status).toBe(201);
        const after = (await call('GET', `/StockOnHand?warehouseCode=W01&productId=${p.Guid}`)).body.Items[0];
        expect(after.AllocatedQty).toBe((before?.AllocatedQty ?? 0) + 1);
    });
});
