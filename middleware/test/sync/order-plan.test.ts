import { Decimal } from 'decimal.js';
import { to18 } from '../../src/salesforce/ids';
import { customerGuidFor, orderGuidFor, uuidV5 } from '../../src/sync/ids';
import { planOrder, type PlanContext, type ProductInfo } from '../../src/sync/orders/plan';
import { opportunitySnapshotSchema, type OpportunitySnapshotInput } from '../../src/sync/orders/snapshot';

const ORG = '00D000000000001AAA';
const d = (v: string) => new Decimal(v);

function context(over: Partial<PlanContext> = {}): PlanContext {
    return {
        orgId: ORG,
        taxes: new Map([
            ['G.S.T.', { code: 'G.S.T.', rate: d('0.15'), obsolete: false }],
            ['NONE', { code: 'NONE', rate: d('0'), obsolete: false }],
            ['OLD', { code: 'OLD', rate: d('0.125'), obsolete: true }]
        ]),
        products: new Map<string, ProductInfo>([
            ['SKU1', product('SKU1')],
            ['SKU2', { ...product('SKU2'), salesTaxCode: 'NONE', salesTaxRate: d('0') }],
            ['GONE', { ...product('GONE'), obsolete: true }]
        ]),
        warehouses: new Map([
            ['W1', { code: 'W1', name: 'Main', obsolete: false }],
            ['W9', { code: 'W9', name: 'Closed', obsolete: true }]
        ]),
        currencies: new Map([
            ['NZD', { code: 'NZD', sellRate: d('1') }],
            ['AUD', { code: 'AUD', sellRate: d('0.92') }]
        ]),
        baseCurrency: 'NZD',
        salesPersons: new Map([
            [
                'sam@example.com',
                { guid: 'g-sam', fullName: 'Sam Seller', email: 'sam@example.com', obsolete: false }
            ]
        ]),
        deliveryMethods: new Map([['courier', 'Courier']]),
        customer: { guid: 'c-1', code: 'ACME', name: 'Acme', currencyCode: 'NZD', obsolete: false },
        settings: { rounding: 'half-away-from-zero', unitPriceDecimals: 2 },
        today: '2026-11-23',
        ...over
    };
}

function product(code: string) {
    return {
        code,
        guid: uuidV5(code),
        description: `${code} description`,
        obsolete: false,
        sellable: true,
        salesTaxCode: null,
        salesTaxRate: null
    };
}

function snapshot(over: Partial<OpportunitySnapshotInput> = {}) {
    const input: OpportunitySnapshotInput = {
        opportunityId: '006000000000001AAA',
        currencyIsoCode: 'NZD',
        account: { id: '001000000000001AAA', name: 'Acme', customerCode: 'ACME' },
        warehouseCode: 'W1',
        taxCode: 'G.S.T.',
        lines: [
            { lineId: '00k000000000001', productCode: 'SKU1', quantity: 3, unitPrice: '19.99' },
            { lineId: '00k000000000002', productCode: 'SKU2', quantity: '2', unitPrice: 5.005 }
        ],
        ...over
    };
    return opportunitySnapshotSchema.parse(input);
}

describe('deterministic ids', () => {
    it('computes RFC 9562 UUID v5 (DNS namespace vector)', () => {
        expect(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe(
            '2ed6657d-e927-568b-95e1-2665a8aea6a2'
        );
    });
    it('maps 15 and 18 character ids to the same order GUID', () => {
        expect(to18('0015000000Gv7qJ')).toBe('0015000000Gv7qJAAR');
        expect(orderGuidFor(ORG, '0065000000Gv7qJ')).toBe(orderGuidFor(ORG, '0065000000Gv7qJAAR'));
        expect(orderGuidFor(ORG, '0065000000Gv7qJ')).not.toBe(
            orderGuidFor('00D000000000002AAA', '0065000000Gv7qJ')
        );
        expect(customerGuidFor(ORG, '0015000000Gv7qJ')).not.toBe(orderGuidFor(ORG, '0015000000Gv7qJ'));
    });
});

describe('snapshot validation', () => {
    it('names the field and reason of bad input', () => {
        const r = opportunitySnapshotSchema.safeParse({
            ...snapshot(),
            lines: [{ lineId: 'x', productCode: 'SKU1', quantity: '-1', unitPrice: 'abc' }]
        });
        expect(r.success).toBe(false);
        const issues = r.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
        expect(issues).toEqual(
            expect.arrayContaining([
                'lines.0.quantity: must be greater than 0',
                'lines.0.unitPrice: must be a decimal number, got "abc"'
            ])
        );
    });
    it('rejects an empty order and a malformed id', () => {
        const r = opportunitySnapshotSchema.safeParse({ ...snapshot(), opportunityId: '001xyz', lines: [] });
        expect(r.error!.issues.map((i) => i.path.join('.'))).toEqual(['opportunityId', 'lines']);
    });
});

describe('planOrder', () => {
    it('computes lines and totals as Unleashed does; the product tax wins over the order tax', () => {
        const plan = planOrder(snapshot(), context());
        expect(plan.errors).toEqual([]);
        expect(plan.lines.map((l) => [l.taxCode, l.lineTotal.toFixed(2), l.lineTax.toFixed(2)])).toEqual([
            ['G.S.T.', '59.97', '9.00'], // 59.97 x 0.15 = 8.9955 -> 9.00
            ['NONE', '10.01', '0.00'] // 2 x 5.005 = 10.01
        ]);
        expect([plan.subTotal, plan.taxTotal, plan.total].map((x) => x.toFixed(2))).toEqual([
            '69.98',
            '9.00',
            '78.98'
        ]);
        const p = plan.payload!;
        expect(p).toMatchObject({
            Guid: orderGuidFor(ORG, '006000000000001AAA'),
            OrderStatus: 'Parked',
            Customer: { CustomerCode: 'ACME', Guid: 'c-1' },
            Warehouse: { WarehouseCode: 'W1' },
            Currency: { CurrencyCode: 'NZD' },
            Tax: { TaxCode: 'G.S.T.' },
            SubTotal: 69.98,
            TaxTotal: 9,
            Total: 78.98
        });
        expect((p.SalesOrderLines as Record<string, unknown>[])[1]).toMatchObject({
            LineNumber: 2,
            OrderQuantity: 2,
            UnitPrice: 5.005,
            DiscountRate: 0,
            LineTotal: 10.01,
            LineTax: 0,
            LineTaxCode: 'NONE'
        });
    });

    it('puts a discount into the unit price and respects the rounding mode at a midpoint', () => {
        const s = snapshot({
            lines: [{ lineId: 'a', productCode: 'SKU1', quantity: 1, unitPrice: '0.25', discountPercent: 10 }]
        });
        // 0.25 x 0.9 = 0.225: half away from zero -> 0.23, half even -> 0.22.
        expect(planOrder(s, context()).lines[0]!.unitPrice.toString()).toBe('0.23');
        const even = planOrder(s, context({ settings: { rounding: 'half-even', unitPriceDecimals: 2 } }));
        expect(even.lines[0]!.unitPrice.toString()).toBe('0.22');
    });

    it('names every blocking problem and builds no payload', () => {
        const plan = planOrder(
            snapshot({
                warehouseCode: 'W9',
                taxCode: 'OLD',
                salesPersonEmail: 'nobody@example.com',
                deliveryMethod: 'Drone',
                lines: [
                    { lineId: 'a', productCode: 'GONE', quantity: 1, unitPrice: 1 },
                    { lineId: 'b', productCode: 'NOPE', quantity: 1, unitPrice: 1, taxCode: 'VAT' }
                ]
            }),
            context()
        );
        expect(plan.payload).toBeNull();
        expect(plan.errors).toEqual([
            'Warehouse W9 is inactive (obsolete) in Unleashed.',
            'Tax OLD is obsolete in Unleashed.',
            'Salesperson nobody@example.com does not exist in Unleashed.',
            'Delivery method "Drone" does not exist in Unleashed.',
            'Line 1 (GONE): product GONE is obsolete in Unleashed.',
            'Line 2 (NOPE): product NOPE does not exist in Unleashed.',
            'Line 2 (NOPE): tax VAT is not a sales tax in Unleashed.'
        ]);
    });

    it('refuses a currency Unleashed lacks and a customer in another currency', () => {
        expect(planOrder(snapshot({ currencyIsoCode: 'JPY' }), context()).errors).toContain(
            "Currency JPY is not set up in Unleashed; add it there or change the Opportunity's currency."
        );
        const aud = planOrder(snapshot({ currencyIsoCode: 'AUD' }), context());
        expect(aud.errors).toEqual([
            'Customer ACME trades in NZD in Unleashed but the Opportunity is in AUD.'
        ]);
    });

    it('proposes a new customer in the Opportunity currency, with a Person Account contact', () => {
        const s = snapshot({
            currencyIsoCode: 'AUD',
            account: {
                id: '001000000000002AAA',
                name: 'Jane Q Public',
                isPersonAccount: true,
                email: 'jane@example.com',
                billingAddress: { street: '1 Queen St', city: 'Auckland', country: 'New Zealand' }
            },
            newCustomerCode: 'JANE01'
        });
        const plan = planOrder(s, context({ customer: null }));
        expect(plan.errors).toEqual([]);
        expect(plan.customer).toMatchObject({ mode: 'create', code: 'JANE01' });
        const c = (plan.customer as { payload: Record<string, unknown> }).payload;
        expect(c).toMatchObject({
            Guid: customerGuidFor(ORG, '001000000000002AAA'),
            CustomerCode: 'JANE01',
            CustomerName: 'Jane Q Public',
            Currency: { CurrencyCode: 'AUD' },
            Email: 'jane@example.com',
            ContactFirstName: 'Jane Q',
            ContactLastName: 'Public'
        });
        expect(plan.payload).toMatchObject({ Currency: { CurrencyCode: 'AUD' }, ExchangeRate: 0.92 });
    });

    it('never takes over another customer that happens to have the code', () => {
        const s = snapshot({ account: { id: '001000000000003AAA', name: 'Other' }, newCustomerCode: 'ACME' });
        expect(planOrder(s, context()).errors[0]).toMatch(/already used by "Acme"/);
    });

    it('reuses the customer an earlier send created, found by its derived GUID', () => {
        const guid = customerGuidFor(ORG, '001000000000003AAA');
        const s = snapshot({
            account: { id: '001000000000003AAA', name: 'Other', email: 'o@example.com' },
            newCustomerCode: 'OTHER'
        });
        const plan = planOrder(
            s,
            context({
                customer: { guid, code: 'OTHER', name: 'Other', currencyCode: 'NZD', obsolete: false }
            })
        );
        expect(plan.errors).toEqual([]);
        expect(plan.customer).toEqual({ mode: 'existing', guid, code: 'OTHER', name: 'Other' });
    });

    it('refuses changes once the order is past Parked, and warns while Parked', () => {
        expect(
            planOrder(snapshot(), context({ existingOrder: { status: 'Placed', orderNumber: 'SO-1' } }))
                .errors
        ).toEqual(['The order is Placed in Unleashed and can no longer be changed from Salesforce.']);
        const parked = planOrder(
            snapshot(),
            context({ existingOrder: { status: 'Parked', orderNumber: 'SO-1' } })
        );
        expect(parked.errors).toEqual([]);
        expect(parked.warnings).toContain(
            'The order SO-1 is Parked in Unleashed: sending updates it in place.'
        );
    });

    it('warns about stock shortfalls in the chosen warehouse without blocking', () => {
        const plan = planOrder(snapshot(), context({ available: new Map([['SKU1', d('1')]]) }));
        expect(plan.errors).toEqual([]);
        expect(plan.warnings).toEqual([
            'SKU1: 3 ordered, 1 available in W1 (short by 2).',
            'SKU2: 2 ordered, 0 available in W1 (short by 2).'
        ]);
    });
});
