import { startUnleashedSim, type UnleashedSim } from '../../../src/sandbox/unleashed-sim';
import { caller, simGet, type Caller } from './sim-client';

interface LineSpec {
    code: string;
    qty: number | string;
    price: number | string;
    rate: number | string;
    total: number | string;
    tax: number | string;
    discount?: number;
}

function order(
    lines: LineSpec[],
    totals: [number | string, number | string, number | string],
    extra: object = {}
) {
    return {
        Customer: { CustomerCode: 'ACME' },
        Warehouse: { WarehouseCode: 'MAIN' },
        Currency: { CurrencyCode: 'NZD' },
        Tax: { TaxCode: 'G.S.T.' },
        TaxRate: 0.15,
        OrderStatus: 'Parked',
        RequiredDate: '2026-12-01',
        DeliveryMethod: 'Courier',
        SalesPerson: { Email: 'sam.seller@example.com' },
        SalesOrderLines: lines.map((l, i) => ({
            LineNumber: i + 1,
            Product: { ProductCode: l.code },
            OrderQuantity: l.qty,
            UnitPrice: l.price,
            DiscountRate: l.discount ?? 0,
            LineTotal: l.total,
            TaxRate: l.rate,
            LineTax: l.tax
        })),
        SubTotal: totals[0],
        TaxTotal: totals[1],
        Total: totals[2],
        ...extra
    };
}

/** 3 x 19.99 = 59.97 (tax 8.9955 -> 9.00) and 2 x 7.50 = 15.00 (tax 2.25). */
const GOOD = order(
    [
        { code: 'WIDGET-BLUE', qty: 3, price: 19.99, rate: 0.15, total: 59.97, tax: 9.0 },
        { code: 'CABLE-1M', qty: 2, price: 7.5, rate: 0.15, total: 15.0, tax: 2.25 }
    ],
    [74.97, 11.25, 86.22]
);

let seq = 0;
const newGuid = (): string => `5a1e0000-0000-4000-8000-${String(++seq).padStart(12, '0')}`;

describe('sales orders', () => {
    let sim: UnleashedSim;
    let call: Caller;
    beforeEach(async () => {
        sim = await startUnleashedSim({ seed: 'demo' });
        call = caller(sim.url);
    });
    afterEach(() => sim.close());

    const stockOf = async (code: string, warehouse = 'MAIN') => {
        const p = (await call('GET', `/Products?productCode=${code}`)).body.Items[0];
        return (await call('GET', `/StockOnHand?warehouseCode=${warehouse}&productId=${p.Guid}`)).body
            .Items[0];
    };

    it('creates with the client GUID (201), numbering SO-00000001 onwards', async () => {
        const guid = newGuid();
        const r = await call('POST', `/SalesOrders/${guid}`, { body: GOOD });
        expect(r.status).toBe(201);
        expect(r.body).toMatchObject({
            Guid: guid,
            OrderNumber: 'SO-00000001',
            OrderStatus: 'Parked',
            SubTotal: 74.97,
            TaxTotal: 11.25,
            Total: 86.22,
            Customer: { CustomerCode: 'ACME' },
            Warehouse: { WarehouseCode: 'MAIN' },
            Tax: { TaxCode: 'G.S.T.', TaxRate: 0.15 },
            DeliveryMethod: 'Courier',
            SalesPerson: { FullName: 'Sam Seller' }
        });
        expect(r.body.RequiredDate).toBe(`/Date(${Date.UTC(2026, 11, 1)})/`);
        expect(r.body.SalesOrderLines[0]).toMatchObject({ LineNumber: 1, LineTotal: 59.97, LineTax: 9 });
        const read = await call('GET', `/SalesOrders/${guid}`);
        expect(read.body.OrderNumber).toBe('SO-00000001');
        const second = await call('POST', `/SalesOrders/${newGuid()}`, { body: GOOD });
        expect(second.body.OrderNumber).toBe('SO-00000002');
        const own = await call('POST', `/SalesOrders/${newGuid()}`, {
            body: { ...GOOD, OrderNumber: 'SF-000042' }
        });
        expect(own.body.OrderNumber).toBe('SF-000042');
        const dup = await call('POST', `/SalesOrders/${newGuid()}`, {
            body: { ...GOOD, OrderNumber: 'SF-000042' }
        });
        expect(dup.status).toBe(400);
        expect(dup.body.Description).toMatch(/SF-000042/);
        expect((await simGet(sim.url, 'orders')).Items).toHaveLength(3);
    });

    it('rejects a second POST to the same GUID by default', async () => {
        const guid = newGuid();
        expect((await call('POST', `/SalesOrders/${guid}`, { body: GOOD })).status).toBe(201);
        const again = await call('POST', `/SalesOrders/${guid.toUpperCase()}`, { body: GOOD });
        expect(again.status).toBe(400);
        expect(again.body.Description).toMatch(/a sales order with this Guid already exists/i);
        expect((await simGet(sim.url, 'state')).counts.salesOrders).toBe(1);
    });

    it("updates on a second POST when postExistingOrder is 'update' (only while Parked)", async () => {
        sim.setSettings({ postExistingOrder: 'update' });
        const guid = newGuid();
        await call('POST', `/SalesOrders/${guid}`, { body: GOOD });
        const changed = order(
            [{ code: 'WIDGET-RED', qty: 1, price: 19.99, rate: 0.15, total: 19.99, tax: 3.0 }],
            [19.99, 3.0, 22.99],
            {
                OrderStatus: 'Placed'
            }
        );
        const r = await call('POST', `/SalesOrders/${guid}`, { body: changed });
        expect(r.status).toBe(200);
        expect(r.body).toMatchObject({ OrderNumber: 'SO-00000001', OrderStatus: 'Placed', Total: 22.99 });
        expect(r.body.SalesOrderLines).toHaveLength(1);
        const late = await call('POST', `/SalesOrders/${guid}`, { body: GOOD });
        expect(late.status).toBe(400);
        expect(late.body.Description).toMatch(/Parked/);
        expect((await simGet(sim.url, 'state')).counts.salesOrders).toBe(1);
    });

    it('PUT updates only while Parked; Placed allocates stock; Complete ships it', async () => {
        const guid = newGuid();
        await call('POST', `/SalesOrders/${guid}`, { body: GOOD });
        const before = await stockOf('WIDGET-BLUE');
        const placed = await call('PUT', `/SalesOrders/${guid}`, {
            body: order(
                [{ code: 'WIDGET-BLUE', qty: 4, price: 19.99, rate: 0.15, total: 79.96, tax: 11.99 }],
                [79.96, 11.99, 91.95],
                {
                    OrderStatus: 'Placed'
                }
            )
        });
        expect(placed.status).toBe(200);
        expect(placed.body.OrderStatus).toBe('Placed');
        const allocated = await stockOf('WIDGET-BLUE');
        expect(allocated.AllocatedQty).toBe(before.AllocatedQty + 4);
        expect(allocated.AvailableQty).toBe(before.AvailableQty - 4);

        const refused = await call('PUT', `/SalesOrders/${guid}`, { body: { Comments: 'too late' } });
        expect(refused.status).toBe(400);
        expect(refused.body.Description).toMatch(/only a Parked sales order can be updated/);
        expect((await call('DELETE', `/SalesOrders/${guid}`)).status).toBe(400);

        const done = await call('POST', `/SalesOrders/${guid}/Complete`);
        expect(done.status).toBe(200);
        expect(done.body.OrderStatus).toBe('Completed');
        expect(done.body.CompletedDate).toMatch(/^\/Date\(\d+\)\/$/);
        const shipped = await stockOf('WIDGET-BLUE');
        expect(shipped.QtyOnHand).toBe(before.QtyOnHand - 4);
        expect(shipped.AllocatedQty).toBe(before.AllocatedQty);
        expect((await call('POST', `/SalesOrders/${guid}/complete`)).status).toBe(400);
        expect((await call('PUT', `/SalesOrders/${newGuid()}`, { body: GOOD })).status).toBe(404);
    });

    it('PUT keeps fields the body leaves out, and still checks the money', async () => {
        const guid = newGuid();
        await call('POST', `/SalesOrders/${guid}`, { body: GOOD });
        const r = await call('PUT', `/SalesOrders/${guid}`, { body: { Comments: 'Leave at the door' } });
        expect(r.status).toBe(200);
        expect(r.body).toMatchObject({
            Comments: 'Leave at the door',
            Total: 86.22,
            OrderNumber: 'SO-00000001'
        });
        const bad = await call('PUT', `/SalesOrders/${guid}`, { body: { Total: 86.21 } });
        expect(bad.status).toBe(400);
        expect(bad.body.Description).toMatch(/Total 86.21/);
    });

    it('DELETE removes a Parked order from lists unless Deleted is asked for', async () => {
        const guid = newGuid();
        await call('POST', `/SalesOrders/${guid}`, { body: GOOD });
        expect((await call('DELETE', `/SalesOrders/${guid}`)).status).toBe(204);
        expect((await call('GET', '/SalesOrders')).body.Items).toEqual([]);
        const deleted = await call('GET', '/SalesOrders?orderStatus=Parked,Deleted');
        expect(deleted.body.Items.map((o: { OrderStatus: string }) => o.OrderStatus)).toEqual(['Deleted']);
        expect((await call('GET', `/SalesOrders/${guid}`)).body.OrderStatus).toBe('Deleted');
    });

    it('answers 400 naming the field when a line or a total does not match the money rules', async () => {
        const cases: [object, RegExp][] = [
            [
                order(
                    [{ code: 'WIDGET-BLUE', qty: 3, price: 19.99, rate: 0.15, total: 59.96, tax: 8.99 }],
                    [59.96, 8.99, 68.95]
                ),
                /Line 1: LineTotal 59.96 does not match the expected 59.97/
            ],
            [
                order(
                    [{ code: 'WIDGET-BLUE', qty: 3, price: 19.99, rate: 0.15, total: 59.97, tax: 8.99 }],
                    [59.97, 8.99, 68.96]
                ),
                /Line 1: LineTax 8.99 does not match the expected 9.00/
            ],
            [{ ...GOOD, SubTotal: 74.98 }, /SubTotal 74.98/],
            [{ ...GOOD, TaxTotal: 11.24 }, /TaxTotal 11.24/],
            [{ ...GOOD, Total: 86.23 }, /Total 86.23/],
            [{ ...GOOD, Total: undefined }, /Total is required/]
        ];
        for (const [body, message] of cases) {
            const r = await call('POST', `/SalesOrders/${newGuid()}`, { body });
            expect(r.status).toBe(400);
            expect(r.body.Description).toMatch(message);
        }
        expect((await simGet(sim.url, 'orders')).Items).toEqual([]);
    });

    it('rounds half a cent per setting: away from zero or to even', async () => {
        // 1 x 0.125 = 0.125 and 3 x 0.10 = 0.30 whose tax 0.045 is another exact half cent.
        const lines = (t1: number, x1: number, x2: number): LineSpec[] => [
            { code: 'BOLT-M6', qty: 1, price: '0.125', rate: 0.15, total: t1, tax: x1 },
            { code: 'NUT-M6', qty: 3, price: 0.1, rate: 0.15, total: 0.3, tax: x2 }
        ];
        const away = order(lines(0.13, 0.02, 0.05), [0.43, 0.07, 0.5]);
        const even = order(lines(0.12, 0.02, 0.04), [0.42, 0.06, 0.48]);
        expect((await call('POST', `/SalesOrders/${newGuid()}`, { body: even })).status).toBe(400);
        expect((await call('POST', `/SalesOrders/${newGuid()}`, { body: away })).status).toBe(201);
        sim.setSettings({ rounding: 'half-even' });
        expect((await call('POST', `/SalesOrders/${newGuid()}`, { body: away })).status).toBe(400);
        const r = await call('POST', `/SalesOrders/${newGuid()}`, { body: even });
        expect(r.status).toBe(201);
        expect(r.body.Total).toBe(0.48);
    });

    it('takes money as decimal strings and keeps it exact', async () => {
        const body = order(
            [{ code: 'GIZMO-A', qty: '0.1', price: '0.2', rate: '0.15', total: '0.02', tax: '0.00' }],
            ['0.02', '0.00', '0.02']
        );
        const r = await call('POST', `/SalesOrders/${newGuid()}`, { body });
        expect(r.status).toBe(201);
        expect(r.body.SalesOrderLines[0].OrderQuantity).toBe(0.1);
    });

    it('applies the product tax rate to a line over the order rate, and the order rate when the product has none', async () => {
        const wrong = order(
            [{ code: 'GIFT-CARD-50', qty: 1, price: 50, rate: 0.15, total: 50, tax: 7.5 }],
            [50, 7.5, 57.5]
        );
        const r = await call('POST', `/SalesOrders/${newGuid()}`, { body: wrong });
        expect(r.status).toBe(400);
        expect(r.body.Description).toMatch(/TaxRate 0.15 does not match the rate 0/);
        const right = order(
            [
                { code: 'GIFT-CARD-50', qty: 1, price: 50, rate: 0, total: 50, tax: 0 },
                { code: 'SERVICE-CALL', qty: 1, price: 85, rate: 0.15, total: 85, tax: 12.75 }
            ],
            [135, 12.75, 147.75]
        );
        expect((await call('POST', `/SalesOrders/${newGuid()}`, { body: right })).status).toBe(201);
        sim.setSettings({ checkLineTaxRates: false });
        expect((await call('POST', `/SalesOrders/${newGuid()}`, { body: wrong })).status).toBe(201);
    });

    it('rejects a DiscountRate unless the setting allows it, then discounts the line', async () => {
        const body = order(
            [{ code: 'WIDGET-BLUE', qty: 2, price: 20, rate: 0.15, total: 36, tax: 5.4, discount: 0.1 }],
            [36, 5.4, 41.4]
        );
        const r = await call('POST', `/SalesOrders/${newGuid()}`, { body });
        expect(r.status).toBe(400);
        expect(r.body.Description).toMatch(/DiscountRate must be 0/);
        sim.setSettings({ allowDiscountRate: true });
        expect((await call('POST', `/SalesOrders/${newGuid()}`, { body })).status).toBe(201);
    });

    it('names the unknown reference: customer, warehouse, product, tax code, currency', async () => {
        const line = GOOD.SalesOrderLines[0]!;
        const cases: [object, RegExp][] = [
            [{ ...GOOD, Customer: { CustomerCode: 'NOBODY' } }, /Customer 'NOBODY' does not exist/],
            [{ ...GOOD, Customer: { Guid: '00000000-0000-4000-8000-00000000dead' } }, /Customer with Guid/],
            [{ ...GOOD, Customer: { CustomerCode: 'OLDCO' } }, /obsolete/],
            [{ ...GOOD, Warehouse: { WarehouseCode: 'NOPE' } }, /Warehouse 'NOPE' does not exist/],
            [{ ...GOOD, Tax: { TaxCode: 'VAT' } }, /Tax code 'VAT' does not exist/],
            [{ ...GOOD, Tax: { TaxCode: 'IMPORT' } }, /cannot apply to revenue/],
            [{ ...GOOD, Currency: { CurrencyCode: 'USD' } }, /Currency 'USD' does not exist/],
            [{ ...GOOD, SalesPerson: { Email: 'ghost@example.com' } }, /Sales person/],
            [
                { ...GOOD, SalesOrderLines: [{ ...line, Product: { ProductCode: 'NOPE-1' } }] },
                /product 'NOPE-1' does not exist/
            ],
            [
                { ...GOOD, SalesOrderLines: [{ ...line, Product: { ProductCode: 'LEGACY-PUMP' } }] },
                /obsolete/
            ],
            [{ ...GOOD, SalesOrderLines: [{ ...line, LineTaxCode: 'VAT' }] }, /Tax code 'VAT'/],
            [{ ...GOOD, SalesOrderLines: [] }, /at least one line/],
            [{ ...GOOD, OrderStatus: 'Completed' }, /OrderStatus 'Completed'/],
            [{ ...GOOD, Guid: '00000000-0000-4000-8000-000000000001' }, /does not match the Guid in the URL/]
        ];
        for (const [body, message] of cases) {
            const r = await call('POST', `/SalesOrders/${newGuid()}`, { body });
            expect({ status: r.status, description: r.body.Description }).toEqual({
                status: 400,
                description: expect.stringMatching(message)
            });
        }
        // A customer by GUID works as well as by code.
        const acme = (await call('GET', '/Customers?customerCode=ACME')).body.Items[0];
        const byGuid = await call('POST', `/SalesOrders/${newGuid()}`, {
            body: { ...GOOD, Customer: { Guid: acme.Guid } }
        });
        expect(byGuid.status).toBe(201);
        expect((await simGet(sim.url, 'orders')).Items).toHaveLength(1);
        // A failed create does not use up an order number.
        expect(byGuid.body.OrderNumber).toBe('SO-00000001');
    });

    it('filters the order list', async () => {
        await call('POST', `/SalesOrders/${newGuid()}`, { body: GOOD });
        await call('POST', `/SalesOrders/${newGuid()}`, {
            body: {
                ...GOOD,
                Customer: { CustomerCode: 'ACME-SOUTH' },
                Warehouse: { WarehouseCode: 'WLG' },
                OrderStatus: 'Placed'
            }
        });
        await call('POST', `/SalesOrders/${newGuid()}`, {
            body: { ...GOOD, Customer: { CustomerCode: 'BETA' }, SourceId: 'opp-1' }
        });
        const numbers = async (q: string): Promise<string[]> =>
            (await call('GET', `/SalesOrders?${q}`)).body.Items.map(
                (o: { OrderNumber: string }) => o.OrderNumber
            );
        expect(await numbers('customerCode=ACME')).toEqual(['SO-00000001', 'SO-00000002']);
        expect(await numbers('orderNumber=SO-00000003')).toEqual(['SO-00000003']);
        expect(await numbers('orderStatus=Placed')).toEqual(['SO-00000002']);
        expect(await numbers('warehouseCode=WLG')).toEqual(['SO-00000002']);
        expect(await numbers('sourceId=opp-1')).toEqual(['SO-00000003']);
        expect(await numbers('modifiedSince=2099-01-01')).toEqual([]);
        // Documented: orderNumber and sourceId override every other filter.
        expect(await numbers('orderNumber=SO-00000003&customerCode=ACME&orderStatus=Placed')).toEqual([
            'SO-00000003'
        ]);
        expect(await numbers('sourceId=opp-1&warehouseCode=WLG&modifiedSince=2099-01-01')).toEqual([
            'SO-00000003'
        ]);
    });

    it('with createPlacedAs Parked, a POST asking for Placed stores Parked and allocates nothing', async () => {
        sim.setSettings({ createPlacedAs: 'Parked' });
        const before = await stockOf('WIDGET-BLUE');
        const r = await call('POST', `/SalesOrders/${newGuid()}`, {
            body: { ...GOOD, OrderStatus: 'Placed' }
        });
        expect(r.status).toBe(201);
        expect(r.body.OrderStatus).toBe('Parked');
        expect((await stockOf('WIDGET-BLUE')).AllocatedQty).toBe(before.AllocatedQty);
    });

    it('with orderUpdate header-only, a PUT changes the header and keeps lines and totals', async () => {
        sim.setSettings({ orderUpdate: 'header-only' });
        const guid = newGuid();
        const created = (await call('POST', `/SalesOrders/${guid}`, { body: GOOD })).body;
        const r = await call('PUT', `/SalesOrders/${guid}`, {
            body: { ...GOOD, Comments: 'new note', SalesOrderLines: [], SubTotal: 0, TaxTotal: 0, Total: 0 }
        });
        expect(r.status).toBe(200);
        expect(r.body.Comments).toBe('new note');
        const lines = (o: { SalesOrderLines: Record<string, unknown>[] }) =>
            o.SalesOrderLines.map((l) => [l.LineNumber, l.OrderQuantity, l.UnitPrice, l.LineTotal]);
        expect(lines(r.body)).toEqual(lines(created));
        expect(lines(r.body)).toHaveLength(GOOD.SalesOrderLines.length);
        expect(r.body.Total).toEqual(created.Total);
    });

    it('names delivery methods DeliveryMethodName when set to', async () => {
        sim.setSettings({ deliveryMethodNameField: 'DeliveryMethodName' });
        const items = (await call('GET', '/DeliveryMethods')).body.Items;
        expect(items.length).toBeGreaterThan(0);
        expect(items[0]).toHaveProperty('DeliveryMethodName');
        expect(items[0]).not.toHaveProperty('Name');
    });
});
