import { Decimal } from 'decimal.js';
import { planOrder, type PlanContext } from '../../src/sync/orders/plan';
import { opportunitySnapshotSchema } from '../../src/sync/orders/snapshot';
import { deliveryMethodName, loadReference, salesOrderGroupName } from '../../src/sync/reference-data';
import { UnleashedError } from '../../src/unleashed/errors';
import type { UnleashedClient } from '../../src/unleashed/types';

/** Reference lists read one by one: an unreadable list is a warning naming it, never a blocked send. */

const LISTS: Record<string, unknown[]> = {
    Taxes: [{ TaxCode: 'G.S.T.', TaxRate: 0.15, CanApplyToRevenue: true, Guid: 't1' }],
    Warehouses: [{ WarehouseCode: 'MAIN', WarehouseName: 'Main', Guid: 'w1' }],
    Currencies: [{ CurrencyCode: 'NZD', DefaultSellRate: 1, Guid: 'c1' }],
    Companies: [{ CompanyName: 'Demo', BaseCurrencyCode: 'NZD' }],
    SalesPersons: [{ Guid: 's1', FullName: 'Sam', Email: 'sam@example.com' }],
    DeliveryMethods: [{ Guid: 'd1', DeliveryMethodName: 'Courier' }],
    // Public clients name a group's name field differently: each is read.
    SalesOrderGroups: [
        { Guid: 'g1', GroupName: 'Trade' },
        { Guid: 'g2', Name: 'Retail ' },
        { Guid: 'g3', SalesOrderGroupName: 'Online', Obsolete: false },
        { Guid: 'g4', GroupName: 'Trade Show 2024', Obsolete: true }
    ]
};

function fakeClient(fail: Record<string, UnleashedError> = {}): UnleashedClient {
    return {
        all: async (resource: string) => {
            if (fail[resource]) throw fail[resource];
            return LISTS[resource] ?? [];
        }
    } as unknown as UnleashedClient;
}

const shape = (resource: string) =>
    new UnleashedError({
        kind: 'invalid-response',
        status: 200,
        message: `Unleashed returned an unexpected ${resource} item: Items[0].Name: expected string`,
        method: 'GET',
        path: `/${resource}/1`,
        retryable: false
    });

describe('loadReference', () => {
    it('takes DeliveryMethodName as well as Name', async () => {
        const ref = await loadReference(fakeClient());
        expect([...ref.deliveryMethods.entries()]).toEqual([['courier', 'Courier']]);
        expect(ref.unavailable).toEqual({});
        expect(deliveryMethodName({ Name: 'Post' })).toBe('Post');
        expect(deliveryMethodName({ Name: ' ', DeliveryMethodName: 'Pickup' })).toBe('Pickup');
        expect(deliveryMethodName({})).toBeNull();
    });

    it('takes live sales order groups under GroupName, Name or SalesOrderGroupName', async () => {
        const ref = await loadReference(fakeClient());
        expect([...ref.salesOrderGroups.entries()]).toEqual([
            ['trade', 'Trade'],
            ['retail', 'Retail'],
            ['online', 'Online']
        ]);
        expect(salesOrderGroupName({ Name: ' ', SalesOrderGroupName: 'Online' })).toBe('Online');
        expect(salesOrderGroupName({})).toBeNull();
    });

    it('an unreadable list is recorded by name; the others load', async () => {
        const ref = await loadReference(
            fakeClient({
                DeliveryMethods: shape('DeliveryMethods'),
                SalesPersons: new UnleashedError({
                    kind: 'http',
                    status: 404,
                    message: 'Not found',
                    method: 'GET',
                    path: '/SalesPersons/1',
                    retryable: false
                })
            })
        );
        expect(Object.keys(ref.unavailable).sort()).toEqual(['DeliveryMethods', 'SalesPersons']);
        expect(ref.unavailable.DeliveryMethods).toMatch(/unexpected DeliveryMethods item/);
        expect(ref.taxes.size).toBe(1);
        expect(ref.baseCurrency).toBe('NZD');
    });

    it('a connection-wide failure (credentials, quota, outage) still fails the whole read', async () => {
        for (const status of [403, 503]) {
            const err = new UnleashedError({
                kind: 'http',
                status,
                message: 'Forbidden',
                method: 'GET',
                path: '/Taxes/1',
                retryable: false
            });
            await expect(loadReference(fakeClient({ Taxes: err }))).rejects.toBe(err);
        }
    });
});

describe('a plan with an unreadable list', () => {
    const snapshot = opportunitySnapshotSchema.parse({
        opportunityId: '006000000000001AAA',
        currencyIsoCode: 'NZD',
        account: { id: '001000000000001AAA', name: 'Acme', customerCode: 'ACME' },
        warehouseCode: 'MAIN',
        taxCode: 'G.S.T.',
        deliveryMethod: 'Courier',
        salesPersonEmail: 'sam@example.com',
        lines: [{ lineId: '00k000000000001', productCode: 'SKU1', quantity: 1, unitPrice: '10' }]
    });

    async function plan(fail: Record<string, UnleashedError>) {
        const ref = await loadReference(fakeClient(fail));
        const ctx: PlanContext = {
            orgId: '00D000000000001AAA',
            ...ref,
            products: new Map([
                [
                    'SKU1',
                    {
                        code: 'SKU1',
                        guid: 'p1',
                        description: null,
                        obsolete: false,
                        sellable: true,
                        salesTaxCode: null,
                        salesTaxRate: null
                    }
                ]
            ]),
            customer: { guid: 'c-1', code: 'ACME', name: 'Acme', currencyCode: 'NZD', obsolete: false },
            settings: { rounding: 'half-away-from-zero', unitPriceDecimals: 2 },
            today: '2026-12-04'
        };
        return planOrder(snapshot, ctx);
    }

    it('delivery methods: a warning naming the list, the order sent without one', async () => {
        const p = await plan({ DeliveryMethods: shape('DeliveryMethods') });
        expect(p.errors).toEqual([]);
        expect(p.warnings).toEqual([
            expect.stringMatching(
                /^Unleashed's DeliveryMethods list could not be read \(.+\); the delivery method is not checked and not sent\.$/
            ),
            'The order is sent without its delivery method "Courier".'
        ]);
        expect(p.payload).not.toHaveProperty('DeliveryMethod');
        expect(p.payload).toHaveProperty('SalesPerson');
        expect(p.total.toString()).toBe(new Decimal('11.5').toString());
    });

    it('warehouses: unchecked with a warning, still sent', async () => {
        const p = await plan({ Warehouses: shape('Warehouses') });
        expect(p.errors).toEqual([]);
        expect(p.warnings[0]).toMatch(/^Unleashed's Warehouses list could not be read/);
        expect(p.payload).toMatchObject({ Warehouse: { WarehouseCode: 'MAIN' } });
    });

    it('taxes: a tax only the list could give is refused naming the list', async () => {
        const p = await plan({ Taxes: shape('Taxes') });
        expect(p.errors).toContain("Tax G.S.T. cannot be checked: Unleashed's Taxes list could not be read.");
        expect(p.payload).toBeNull();
    });
});

describe('the sales order group in a plan', () => {
    const base = opportunitySnapshotSchema.parse({
        opportunityId: '006000000000001AAA',
        currencyIsoCode: 'NZD',
        account: { id: '001000000000001AAA', name: 'Acme', customerCode: 'ACME' },
        warehouseCode: 'MAIN',
        taxCode: 'G.S.T.',
        lines: [{ lineId: '00k000000000001', productCode: 'SKU1', quantity: 1, unitPrice: '10' }]
    });

    async function plan(salesOrderGroup: string, fail: Record<string, UnleashedError> = {}) {
        const ref = await loadReference(fakeClient(fail));
        return planOrder(
            { ...base, salesOrderGroup },
            {
                orgId: '00D000000000001AAA',
                ...ref,
                products: new Map([
                    [
                        'SKU1',
                        {
                            code: 'SKU1',
                            guid: 'p1',
                            description: null,
                            obsolete: false,
                            sellable: true,
                            salesTaxCode: null,
                            salesTaxRate: null
                        }
                    ]
                ]),
                customer: { guid: 'c-1', code: 'ACME', name: 'Acme', currencyCode: 'NZD', obsolete: false },
                settings: { rounding: 'half-away-from-zero', unitPriceDecimals: 2 },
                today: '2026-12-04'
            }
        );
    }

    it('a live group is sent as Unleashed spells it', async () => {
        const p = await plan(' retail');
        expect(p.errors).toEqual([]);
        expect(p.payload).toMatchObject({ SalesOrderGroup: 'Retail' });
    });

    it.each(['Wholesale', 'Trade Show 2024'])(
        '"%s" (unknown or obsolete) blocks the send in plain words',
        async (g) => {
            const p = await plan(g);
            expect(p.errors).toEqual([
                `Sales order group "${g}" is not a sales order group in Unleashed (or it is obsolete there): choose another, or run the import from Unleashed again.`
            ]);
            expect(p.payload).toBeNull();
        }
    );

    it('an unreadable SalesOrderGroups list: a warning naming it, the group sent unchecked', async () => {
        const p = await plan('Wholesale', {
            SalesOrderGroups: new UnleashedError({
                kind: 'http',
                status: 404,
                message: 'Not found',
                method: 'GET',
                path: '/SalesOrderGroups/1',
                retryable: false
            })
        });
        expect(p.errors).toEqual([]);
        expect(p.warnings).toEqual([
            "Unleashed's SalesOrderGroups list could not be read (Not found); the sales order group is sent unchecked (Unleashed checks it)."
        ]);
        expect(p.payload).toMatchObject({ SalesOrderGroup: 'Wholesale' });
    });
});
