import type { ZodType } from 'zod';
import { MoneyInputError } from '../../src/money/decimal';
import {
    CompanySchema,
    CurrencySchema,
    CustomerSchema,
    dateField,
    decimalField,
    DeliveryMethodSchema,
    PageEnvelopeSchema,
    ProductSchema,
    SalesOrderSchema,
    SalesPersonSchema,
    sellPriceTiers,
    StockOnHandSchema,
    TaxSchema,
    WarehouseSchema
} from '../../src/unleashed/schemas';

const GUID = '5d2a8c3e-7f5b-4e0e-9d8e-1a2b3c4d5e6f';

const product = {
    Guid: GUID,
    ProductCode: 'WIDGET-01',
    ProductDescription: 'Blue widget',
    Barcode: null,
    Notes: null,
    DefaultSellPrice: 22.88,
    SellPriceTier1: { Name: 'Retail', Value: 25.5 },
    SellPriceTier2: { Name: 'Trade', Value: '19.9900' },
    SellPriceTier3: { Name: 'Sell Price Tier 3', Value: null },
    SellPriceTier4: { Name: 'Sell Price Tier 4', Value: '' },
    UnitOfMeasure: { Guid: GUID, Name: 'EA' },
    ProductGroup: null,
    Obsolete: false,
    IsSellable: true,
    TaxableSales: true,
    XeroSalesTaxCode: 'OUTPUT2',
    XeroSalesTaxRate: 0.15,
    ImageUrl: null,
    Images: [{ Url: 'https://img.example/1.png', IsDefault: true }],
    LastModifiedOn: '/Date(1413424319073)/',
    Width: 12,
    AttributeSet: { SetName: 'x' }
};

const customer = {
    Guid: GUID,
    CustomerCode: 'ACME',
    CustomerName: 'Acme Ltd',
    Currency: { CurrencyCode: 'NZD', Description: 'New Zealand, Dollars', Guid: GUID },
    Email: null,
    ContactFirstName: 'Ana',
    ContactLastName: null,
    PhoneNumber: null,
    Addresses: [
        {
            AddressType: 'Postal',
            AddressName: null,
            StreetAddress: '1 Queen St',
            Suburb: null,
            City: 'Auckland',
            Region: null,
            Country: 'New Zealand',
            PostalCode: '1010'
        }
    ],
    SellPriceTier: 'Trade',
    DiscountRate: 0,
    Taxable: true,
    TaxCode: 'G.S.T.',
    Obsolete: false,
    LastModifiedOn: '/Date(1413424319073+1300)/'
};

const order = {
    Guid: GUID,
    OrderNumber: 'SO-00000123',
    OrderDate: '/Date(1413424319073)/',
    RequiredDate: null,
    OrderStatus: 'Parked',
    Customer: { CustomerCode: 'ACME', CustomerName: 'Acme Ltd', Guid: GUID },
    Warehouse: { WarehouseCode: 'MAIN', WarehouseName: 'Main', Guid: GUID },
    Currency: { CurrencyCode: 'NZD', Guid: GUID },
    ExchangeRate: 1,
    Tax: { TaxCode: 'G.S.T.', TaxRate: 0.15 },
    TaxRate: 0.15,
    DeliveryMethod: 'Courier',
    SalesPerson: null,
    Comments: null,
    SourceId: 'SF-006000000000001',
    SubTotal: 68.64,
    TaxTotal: 10.3,
    Total: 78.94,
    SalesOrderLines: [
        {
            LineNumber: 1,
            LineType: null,
            Product: { ProductCode: 'WIDGET-01', Guid: GUID },
            OrderQuantity: 3,
            UnitPrice: 22.88,
            DiscountRate: 0,
            LineTotal: 68.64,
            TaxRate: 0.15,
            LineTax: 10.3,
            LineTaxCode: null,
            Comments: null,
            DueDate: '/Date(1413424319073)/',
            Guid: GUID
        },
        { LineNumber: 2, LineType: 'Comment', Product: null, Comments: 'Leave at door', Guid: GUID }
    ],
    XeroTaxCode: 'OUTPUT2'
};

const samples: [string, ZodType, Record<string, unknown>][] = [
    ['Products', ProductSchema, product],
    [
        'StockOnHand',
        StockOnHandSchema,
        {
            ProductGuid: GUID,
            ProductCode: 'WIDGET-01',
            WarehouseCode: null,
            Warehouse: null,
            WarehouseId: null,
            QtyOnHand: 10,
            AllocatedQty: 12,
            AvailableQty: -2,
            OnPurchase: 0,
            AvgCost: 11.2345,
            LastModifiedOn: '/Date(1413424319073)/'
        }
    ],
    [
        'Warehouses',
        WarehouseSchema,
        {
            Guid: GUID,
            WarehouseCode: 'MAIN',
            WarehouseName: 'Main',
            IsDefault: true,
            Obsolete: false,
            City: null
        }
    ],
    [
        'Taxes',
        TaxSchema,
        {
            Guid: GUID,
            TaxCode: 'G.S.T.',
            Description: 'GST',
            TaxRate: 0.15,
            CanApplyToRevenue: true,
            CanApplyToExpenses: false
        }
    ],
    [
        'SalesPersons',
        SalesPersonSchema,
        { Guid: GUID, FullName: 'Sam Sales', Email: 'sam@example.com', Obsolete: false }
    ],
    ['DeliveryMethods', DeliveryMethodSchema, { Guid: GUID, Name: 'Courier', Obsolete: false }],
    [
        'Currencies',
        CurrencySchema,
        { Guid: GUID, CurrencyCode: 'NZD', Description: 'NZ Dollar', DefaultSellRate: 1 }
    ],
    ['Companies', CompanySchema, { CompanyName: 'Demo Co', BaseCurrencyCode: 'NZD', DefaultTaxRate: 0.15 }],
    ['Customers', CustomerSchema, customer],
    ['SalesOrders', SalesOrderSchema, order]
];

describe('schemas', () => {
    it.each(samples)(
        '%s: accepts a realistic record with nulls and keeps unknown fields',
        (_name, schema, sample) => {
            const withExtra = { ...sample, SomethingNew: { Nested: [1, 2] } };
            expect(schema.parse(withExtra)).toEqual(withExtra);
        }
    );

    it.each(samples)('%s: accepts a record with only its identity', (_name, schema, sample) => {
        const identity = Object.fromEntries(
            Object.entries(sample).filter(([k]) => /^(Guid|ProductGuid|\w+Code|Name|CompanyName)$/.test(k))
        );
        expect(schema.safeParse(identity).success).toBe(true);
    });

    it('requires the identity fields and names them', () => {
        const r = ProductSchema.safeParse({ ...product, ProductCode: null, Guid: undefined });
        expect(r.success).toBe(false);
        expect(r.error?.issues.map((i) => i.path.join('.')).sort()).toEqual(['Guid', 'ProductCode']);
        expect(CustomerSchema.safeParse({ ...customer, CustomerCode: undefined }).success).toBe(false);
        expect(SalesOrderSchema.safeParse({ ...order, Guid: 5 }).success).toBe(false);
    });

    it('rejects wrong types deep inside, with the path', () => {
        const bad = { ...order, SalesOrderLines: [{ ...order.SalesOrderLines[0], UnitPrice: 'twenty' }] };
        const r = SalesOrderSchema.safeParse(bad);
        expect(r.error?.issues[0]?.path).toEqual(['SalesOrderLines', 0, 'UnitPrice']);
        const addr = CustomerSchema.safeParse({ ...customer, Addresses: [{ City: 7 }] });
        expect(addr.error?.issues[0]?.path).toEqual(['Addresses', 0, 'City']);
        expect(
            ProductSchema.safeParse({ ...product, SellPriceTier5: { Name: 'x', Value: true } }).success
        ).toBe(false);
    });

    it('validates the page envelope', () => {
        const ok = {
            Pagination: { NumberOfItems: 0, PageSize: 200, PageNumber: 0, NumberOfPages: 0 },
            Items: []
        };
        expect(PageEnvelopeSchema.parse(ok)).toEqual(ok);
        expect(
            PageEnvelopeSchema.safeParse({ ...ok, Pagination: { ...ok.Pagination, PageSize: -1 } }).success
        ).toBe(false);
        expect(PageEnvelopeSchema.safeParse({ Pagination: ok.Pagination }).success).toBe(false);
    });
});

describe('field readers', () => {
    it('dateField reads /Date(ms)/ and names a bad field', () => {
        const p = ProductSchema.parse(product);
        expect(dateField(p.LastModifiedOn, 'LastModifiedOn')?.toISOString()).toBe('2014-10-16T01:51:59.073Z');
        expect(dateField(CustomerSchema.parse(customer).LastModifiedOn, 'x')?.getTime()).toBe(1413424319073);
        expect(dateField(null, 'RequiredDate')).toBeNull();
        expect(() => dateField('soon', 'RequiredDate')).toThrow(
            'RequiredDate: not an Unleashed date: "soon"'
        );
    });

    it('decimalField keeps the exact decimal of a JSON number', () => {
        expect(decimalField(22.88, 'DefaultSellPrice')?.toFixed()).toBe('22.88');
        expect(decimalField(0.1 + 0.2, 'x')?.toFixed()).toBe('0.30000000000000004');
        expect(decimalField(null, 'x')).toBeNull();
        expect(decimalField(undefined, 'x')).toBeNull();
        expect(() => decimalField('abc', 'UnitPrice')).toThrow(MoneyInputError);
    });

    it('sellPriceTiers lists all ten tiers with exact values', () => {
        const tiers = sellPriceTiers(ProductSchema.parse(product));
        expect(tiers).toHaveLength(10);
        expect(tiers.slice(0, 5).map((t) => [t.tier, t.name, t.value?.toFixed() ?? null])).toEqual([
            [1, 'Retail', '25.5'],
            [2, 'Trade', '19.99'],
            [3, 'Sell Price Tier 3', null],
            [4, 'Sell Price Tier 4', null],
            [5, null, null]
        ]);
        expect(tiers[9]).toEqual({ tier: 10, name: null, value: null });
    });

    it('sellPriceTiers names the product and tier of a malformed value', () => {
        const p = ProductSchema.parse({ ...product, SellPriceTier7: { Name: 'x', Value: 'n/a' } });
        expect(() => sellPriceTiers(p)).toThrow(
            /WIDGET-01 SellPriceTier7\.Value must be a decimal number, got "n\/a"/
        );
    });
});
