import type { SalesOrderGroup } from '../../../src/sandbox/unleashed-sim/state/records';
import { records, startHarness, type Harness } from './harness';

/**
 * Sales order groups from Unleashed's SalesOrderGroups list into Unleashed_Sales_Order_Group__c, by
 * GUID, through the real route, worker, client and writer against both simulators.
 */

jest.setTimeout(60_000);

const groups = (h: Harness) =>
    records(h.sfsim, 'Unleashed_Sales_Order_Group__c')
        .map((g) => [g.Name, g.Obsolete__c])
        .sort((a, b) => String(a[0]).localeCompare(String(b[0])));

describe('importing sales order groups', () => {
    let h: Harness;
    afterEach(() => h.close());

    it('upserts every group by its GUID, marks obsolete ones, and changes nothing the second time', async () => {
        h = await startHarness({ namespace: 'unleashed' });
        const job = await h.importAll({ entities: ['salesOrderGroups'] });
        expect(job.status).toBe('succeeded');
        expect(job.errors).toEqual([]);
        expect(groups(h)).toEqual([
            ['Online', false],
            ['Retail', false],
            ['Trade', false],
            ['Trade Show 2024', true]
        ]);
        const trade = records(h.sfsim, 'Unleashed_Sales_Order_Group__c').find((g) => g.Name === 'Trade')!;
        expect(trade.Unleashed_Guid__c).toBe(h.usim.state.salesOrderGroup('Trade')!.Guid);

        const again = await h.importAll({ entities: ['salesOrderGroups'] });
        expect(again.status).toBe('succeeded');
        expect(again.counts).toMatchObject({ created: 0, updated: 0, unchanged: 4, failed: 0 });
    });

    it('follows a rename, and keeps a group Unleashed no longer lists as obsolete', async () => {
        h = await startHarness({ namespace: '' });
        await h.importAll({ entities: ['salesOrderGroups'] });
        const state = h.usim.state;
        state.salesOrderGroup('Retail')!.GroupName = 'Retail Stores';
        state.salesOrderGroups.splice(state.salesOrderGroups.indexOf(state.salesOrderGroup('Online')!), 1);

        const job = await h.importAll({ entities: ['salesOrderGroups'] });
        expect(job.status).toBe('succeeded');
        expect(groups(h)).toEqual([
            ['Online', true],
            ['Retail Stores', false],
            ['Trade', false],
            ['Trade Show 2024', true]
        ]);
        expect(records(h.sfsim, 'Unleashed_Sales_Order_Group__c')).toHaveLength(4);
    });

    it.each(['Name', 'SalesOrderGroupName'] as const)('reads the name under %s as well', async (field) => {
        h = await startHarness({ namespace: 'unleashed' });
        h.usim.setSettings({ salesOrderGroupNameField: field });
        const job = await h.importAll({ entities: ['salesOrderGroups'] });
        expect(job.status).toBe('succeeded');
        expect(groups(h).map(([name]) => name)).toEqual(['Online', 'Retail', 'Trade', 'Trade Show 2024']);
    });

    it('derives a stable GUID for a group listed without one', async () => {
        h = await startHarness({ namespace: 'unleashed' });
        delete (h.usim.state.salesOrderGroup('Online') as Partial<SalesOrderGroup>).Guid;
        await h.importAll({ entities: ['salesOrderGroups'] });
        const again = await h.importAll({ entities: ['salesOrderGroups'] });
        expect(again.counts).toMatchObject({ created: 0, failed: 0 });
        const online = records(h.sfsim, 'Unleashed_Sales_Order_Group__c').filter((g) => g.Name === 'Online');
        expect(online).toHaveLength(1);
        expect(online[0]!.Unleashed_Guid__c).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('reports a group without a name by its GUID and imports the others', async () => {
        h = await startHarness({ namespace: 'unleashed' });
        const trade = h.usim.state.salesOrderGroup('Trade')!;
        trade.GroupName = ' ';
        const job = await h.importAll({ entities: ['salesOrderGroups'] });
        expect(job.status).toBe('completed_with_errors');
        expect(job.errors).toEqual([
            {
                entity: 'salesOrderGroups',
                key: trade.Guid,
                reason: 'the sales order group has no name (GroupName, Name or SalesOrderGroupName)'
            }
        ]);
        expect(groups(h)).toHaveLength(3);
    });

    it('names the list when Unleashed does not answer it, and still imports the other lists', async () => {
        h = await startHarness({ namespace: 'unleashed' });
        h.usim.setSettings({ salesOrderGroupsList: 'absent' });
        const job = await h.importAll({ entities: ['deliveryMethods', 'salesOrderGroups', 'warehouses'] });
        expect(job.status).toBe('completed_with_errors');
        expect(job.errors).toHaveLength(1);
        expect(job.errors[0]).toMatchObject({ entity: 'salesOrderGroups', key: 'SalesOrderGroups' });
        expect(job.errors[0]!.reason).toMatch(
            /^Unleashed's SalesOrderGroups list could not be read \(.*404.*\); nothing was imported from it\.$/
        );
        expect(records(h.sfsim, 'Unleashed_Sales_Order_Group__c')).toHaveLength(0);
        expect(records(h.sfsim, 'Unleashed_Delivery_Method__c')).toHaveLength(3);
        expect(records(h.sfsim, 'Unleashed_Warehouse__c')).toHaveLength(3);
    });
});
