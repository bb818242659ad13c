import { startUnleashedSim, type UnleashedSim } from '../../../src/sandbox/unleashed-sim';
import { caller, type Caller, type Json } from './sim-client';

interface Row {
    ProductCode: string;
    ProductGuid: string;
    WarehouseCode: string | null;
    Warehouse: string | null;
    WarehouseId: string | null;
    QtyOnHand: number;
    AllocatedQty: number;
    AvailableQty: number;
}

describe('StockOnHand semantics', () => {
    let sim: UnleashedSim;
    let call: Caller;
    const guidOf = async (code: string): Promise<string> =>
        (await call('GET', `/Products?productCode=${code}&includeObsolete=true`)).body.Items.find(
            (p: { ProductCode: string }) => p.ProductCode === code
        ).Guid;
    const rows = (r: { body: Json }): Row[] => r.body.Items;

    beforeAll(async () => {
        sim = await startUnleashedSim({ seed: 'demo' });
        call = caller(sim.url);
    });
    afterAll(() => sim.close());

    it('answers totals across warehouses, with empty warehouse fields, without a warehouseCode filter', async () => {
        const totals = rows(await call('GET', '/StockOnHand?pageSize=1000'));
        const blue = totals.find((r) => r.ProductCode === 'WIDGET-BLUE')!;
        expect(blue).toMatchObject({ WarehouseCode: null, Warehouse: null, WarehouseId: null });
        const perWarehouse = await Promise.all(
            ['MAIN', 'WLG', 'CHC'].map(async (w) =>
                rows(await call('GET', `/StockOnHand?warehouseCode=${w}&pageSize=1000`)).find(
                    (r) => r.ProductCode === 'WIDGET-BLUE'
                )
            )
        );
        const sum = perWarehouse.reduce((s, r) => s + (r?.QtyOnHand ?? 0), 0);
        expect(blue.QtyOnHand).toBe(sum);
        expect(perWarehouse.filter((r) => r !== undefined).length).toBeGreaterThan(1);
        // One total row per product: no duplicates.
        expect(new Set(totals.map((r) => r.ProductCode)).size).toBe(totals.length);
    });

    it('answers per-warehouse rows with warehouseCode (exact, case-insensitive)', async () => {
        const main = rows(await call('GET', '/StockOnHand?warehouseCode=main&pageSize=1000'));
        expect(main.length).toBeGreaterThan(10);
        expect(
            main.every((r) => r.WarehouseCode === 'MAIN' && r.Warehouse === 'Main Warehouse' && r.WarehouseId)
        ).toBe(true);
        // A prefix is not a match on StockOnHand.
        expect(rows(await call('GET', '/StockOnHand?warehouseCode=MAI'))).toEqual([]);
        // Not every product is stocked in every warehouse.
        const chc = rows(await call('GET', '/StockOnHand?warehouseCode=CHC&pageSize=1000'));
        expect(chc.length).toBeLessThan(main.length);
    });

    it('leaves out a product that never had a transaction', async () => {
        const totals = rows(await call('GET', '/StockOnHand?pageSize=1000'));
        expect(totals.some((r) => r.ProductCode === 'GADGET-300')).toBe(false);
        const guid = await guidOf('GADGET-300');
        expect((await call('GET', `/StockOnHand?productId=${guid}`)).body.Pagination.NumberOfPages).toBe(0);
        expect((await call('GET', `/StockOnHand/${guid}`)).status).toBe(404);
        expect((await call('GET', `/StockOnHand/${guid}/AllWarehouses`)).body.Items).toEqual([]);
    });

    it('reports negative availability (allocated above on hand)', async () => {
        const guid = await guidOf('BATTERY-24V');
        const main = rows(await call('GET', `/StockOnHand?warehouseCode=MAIN&productId=${guid}`))[0]!;
        expect(main).toMatchObject({ QtyOnHand: 2, AllocatedQty: 5, AvailableQty: -3 });
        expect(main.AvailableQty).toBe(main.QtyOnHand - main.AllocatedQty);
    });

    it('filters by a productId list and answers one product by GUID and across all warehouses', async () => {
        const a = await guidOf('WIDGET-BLUE');
        const b = await guidOf('CABLE-2M');
        const listed = rows(await call('GET', `/StockOnHand?productId=${b},${a}`));
        expect(listed.map((r) => r.ProductCode)).toEqual(['WIDGET-BLUE', 'CABLE-2M']);
        const one = await call('GET', `/StockOnHand/${a}`);
        expect(one.body.ProductGuid).toBe(a);
        expect(one.body.WarehouseCode).toBeNull();
        const all = rows(await call('GET', `/stockonhand/${a}/allwarehouses`));
        expect(all.map((r) => r.WarehouseCode)).toEqual(
            ['MAIN', 'WLG', 'CHC'].filter((w) => all.some((r) => r.WarehouseCode === w))
        );
        expect(all.reduce((s, r) => s + r.QtyOnHand, 0)).toBe(one.body.QtyOnHand);
        expect(
            (await call('GET', '/StockOnHand/00000000-0000-4000-8000-000000000000/AllWarehouses')).status
        ).toBe(404);
    });

    it('can send empty strings instead of nulls in total rows', async () => {
        sim.setSettings({ totalsWarehouseFields: 'empty' });
        try {
            const r = rows(await call('GET', '/StockOnHand?pageSize=1'))[0]!;
            expect(r).toMatchObject({ WarehouseCode: '', Warehouse: '', WarehouseId: '' });
        } finally {
            sim.setSettings({ totalsWarehouseFields: 'null' });
        }
    });
});
