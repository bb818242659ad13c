import { startUnleashedSim, type UnleashedSim } from '../../../src/sandbox/unleashed-sim';
import { checkSettings } from '../../../src/sandbox/unleashed-sim/settings';
import { caller, type Caller } from './sim-client';

/** 2 x 10.00 = 20.00, tax 3.00. */
function order(group?: unknown) {
    return {
        Customer: { CustomerCode: 'ACME' },
        Warehouse: { WarehouseCode: 'MAIN' },
        Currency: { CurrencyCode: 'NZD' },
        Tax: { TaxCode: 'G.S.T.' },
        TaxRate: 0.15,
        OrderStatus: 'Parked',
        SalesOrderLines: [
            {
                LineNumber: 1,
                Product: { ProductCode: 'CABLE-1M' },
                OrderQuantity: 2,
                UnitPrice: 10,
                DiscountRate: 0,
                LineTotal: 20,
                TaxRate: 0.15,
                LineTax: 3
            }
        ],
        SubTotal: 20,
        TaxTotal: 3,
        Total: 23,
        ...(group === undefined ? {} : { SalesOrderGroup: group })
    };
}

let seq = 0;
const newGuid = (): string => `5a1e0000-0000-4000-8000-${String(++seq).padStart(12, '0')}`;

describe('sales order groups in the Unleashed simulator', () => {
    let sim: UnleashedSim;
    let call: Caller;
    beforeEach(async () => {
        sim = await startUnleashedSim({ seed: 'demo' });
        call = caller(sim.url);
    });
    afterEach(() => sim.close());

    it('lists the demo groups with their GUIDs, the obsolete one marked', async () => {
        const r = await call('GET', '/SalesOrderGroups');
        expect(r.status).toBe(200);
        expect(
            r.body.Items.map((g: { GroupName: string; Obsolete: boolean }) => [g.GroupName, g.Obsolete])
        ).toEqual([
            ['Trade', false],
            ['Retail', false],
            ['Online', false],
            ['Trade Show 2024', true]
        ]);
        const trade = r.body.Items[0];
        expect(trade.Guid).toMatch(/^[0-9a-f-]{36}$/);
        expect((await call('GET', `/SalesOrderGroups/${trade.Guid}`)).body.GroupName).toBe('Trade');
        expect((await call('GET', '/salesordergroups/1')).body.Items).toHaveLength(4);
    });

    it.each(['Name', 'SalesOrderGroupName'] as const)('names the group %s when set to', async (field) => {
        sim.setSettings({ salesOrderGroupNameField: field });
        const items = (await call('GET', '/SalesOrderGroups')).body.Items;
        expect(items[0][field]).toBe('Trade');
        expect(items[0]).not.toHaveProperty('GroupName');
        const one = (await call('GET', `/SalesOrderGroups/${items[0].Guid}`)).body;
        expect(one[field]).toBe('Trade');
    });

    it('answers 404 for the list when set to absent', async () => {
        sim.setSettings({ salesOrderGroupsList: 'absent' });
        expect((await call('GET', '/SalesOrderGroups')).status).toBe(404);
    });

    it('keeps an order in a live group, spelled as the group is', async () => {
        const guid = newGuid();
        const r = await call('POST', `/SalesOrders/${guid}`, { body: order('trade') });
        expect(r.status).toBe(201);
        expect(r.body.SalesOrderGroup).toBe('Trade');
        expect((await call('GET', `/SalesOrders/${guid}`)).body.SalesOrderGroup).toBe('Trade');
        // An update without a group takes the order out of it.
        const put = await call('PUT', `/SalesOrders/${guid}`, { body: order(null) });
        expect(put.status).toBe(200);
        expect(put.body.SalesOrderGroup).toBeNull();
    });

    it('refuses a group Unleashed does not have, or an obsolete one, and stores nothing', async () => {
        const unknown = await call('POST', `/SalesOrders/${newGuid()}`, { body: order('Wholesale') });
        expect(unknown.status).toBe(400);
        expect(unknown.body.Description).toBe("Sales order group 'Wholesale' does not exist.");
        const obsolete = await call('POST', `/SalesOrders/${newGuid()}`, { body: order('Trade Show 2024') });
        expect(obsolete.status).toBe(400);
        expect(obsolete.body.Description).toBe("Sales order group 'Trade Show 2024' is obsolete.");
        const notText = await call('POST', `/SalesOrders/${newGuid()}`, {
            body: order({ GroupName: 'Trade' })
        });
        expect(notText.status).toBe(400);
        expect(sim.state.orders).toHaveLength(0);
    });

    it('keeps any group name as sent when set to keep', async () => {
        sim.setSettings({ unknownSalesOrderGroup: 'keep' });
        const r = await call('POST', `/SalesOrders/${newGuid()}`, { body: order('Wholesale') });
        expect(r.status).toBe(201);
        expect(r.body.SalesOrderGroup).toBe('Wholesale');
    });

    it('checks the values of the new settings', () => {
        expect(() => checkSettings({ unknownSalesOrderGroup: 'maybe' })).toThrow(
            'invalid value for settings field unknownSalesOrderGroup: "maybe"'
        );
        expect(() => checkSettings({ salesOrderGroupNameField: 'Label' })).toThrow(
            /salesOrderGroupNameField/
        );
        expect(checkSettings({ salesOrderGroupsList: 'absent' })).toEqual({ salesOrderGroupsList: 'absent' });
    });
});
