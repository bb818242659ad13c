/**
 * The demo account: small, readable, and shaped to exercise every rule the client must handle
 * (prefix matches, obsolete products, null tiers, a duplicate tax code, a product with no stock
 * transaction, negative availability, a customer in another currency).
 */
import Decimal from 'decimal.js';
import { guidFor } from '../ids';
import { ArrayCatalog } from './catalog';
import type { Customer, Product } from './records';
import {
    TIER_NAMES,
    address,
    companies,
    currencies,
    day,
    deliveryMethods,
    salesOrderGroups,
    salesPersons,
    taxes,
    tiers,
    warehouse
} from './seed-common';
import type { SeedData } from './state';
import { MapStockSource } from './stock';

interface ProductSpec {
    code: string;
    desc: string;
    price: string;
    /** Wholesale and Distributor tier values; null = no price on that tier. */
    tiers: [string | null, string | null];
    tax?: 'G.S.T.' | 'NO GST' | null;
    obsolete?: boolean;
    notes?: string;
    group: string;
}

const PRODUCTS: ProductSpec[] = [
    {
        code: 'WIDGET-BLUE',
        desc: 'Blue widget',
        price: '19.99',
        tiers: ['17.50', '15.00'],
        group: 'Widgets',
        notes: 'Our best seller.'
    },
    {
        code: 'WIDGET-BLUE-XL',
        desc: 'Blue widget, extra large',
        price: '24.99',
        tiers: ['21.90', null],
        group: 'Widgets'
    },
    {
        code: 'WIDGET-BLUE-OLD',
        desc: 'Blue widget (old model)',
        price: '9.99',
        tiers: [null, null],
        group: 'Widgets',
        obsolete: true
    },
    { code: 'WIDGET-RED', desc: 'Red widget', price: '19.99', tiers: ['17.50', '15.00'], group: 'Widgets' },
    { code: 'WIDGET-GREEN', desc: 'Green widget', price: '21.45', tiers: ['18.95', null], group: 'Widgets' },
    {
        code: 'WIDGET-GREEN-XL',
        desc: 'Green widget, extra large',
        price: '26.45',
        tiers: [null, null],
        group: 'Widgets'
    },
    {
        code: 'GADGET-100',
        desc: 'Gadget 100',
        price: '149.00',
        tiers: ['129.00', '119.00'],
        group: 'Gadgets',
        notes: 'Includes a 12 month warranty.'
    },
    {
        code: 'GADGET-200',
        desc: 'Gadget 200',
        price: '249.00',
        tiers: ['219.00', '199.00'],
        group: 'Gadgets'
    },
    {
        code: 'GADGET-300',
        desc: 'Gadget 300 (pre-order)',
        price: '349.00',
        tiers: ['309.00', null],
        group: 'Gadgets',
        notes: 'New: no stock movements yet.'
    },
    { code: 'GIZMO-A', desc: 'Gizmo type A', price: '4.35', tiers: ['3.90', '3.50'], group: 'Gizmos' },
    {
        code: 'GIFT-CARD-50',
        desc: 'Gift card $50',
        price: '50.00',
        tiers: [null, null],
        group: 'Gift cards',
        tax: 'NO GST'
    },
    {
        code: 'SPROCKET-10',
        desc: 'Sprocket, 10 teeth',
        price: '2.15',
        tiers: ['1.95', '1.80'],
        group: 'Sprockets'
    },
    {
        code: 'SPROCKET-12',
        desc: 'Sprocket, 12 teeth',
        price: '2.45',
        tiers: ['2.20', '2.05'],
        group: 'Sprockets'
    },
    {
        code: 'SPROCKET-16',
        desc: 'Sprocket, 16 teeth',
        price: '2.95',
        tiers: ['2.65', null],
        group: 'Sprockets'
    },
    { code: 'BOLT-M6', desc: 'Bolt M6 x 30', price: '0.35', tiers: ['0.30', '0.25'], group: 'Fasteners' },
    { code: 'BOLT-M8', desc: 'Bolt M8 x 40', price: '0.55', tiers: ['0.48', '0.42'], group: 'Fasteners' },
    { code: 'BOLT-M10', desc: 'Bolt M10 x 50', price: '0.85', tiers: ['0.75', '0.66'], group: 'Fasteners' },
    { code: 'NUT-M6', desc: 'Nut M6', price: '0.12', tiers: ['0.10', '0.08'], group: 'Fasteners' },
    { code: 'NUT-M8', desc: 'Nut M8', price: '0.15', tiers: ['0.13', '0.11'], group: 'Fasteners' },
    { code: 'WASHER-M6', desc: 'Washer M6', price: '0.05', tiers: [null, null], group: 'Fasteners' },
    {
        code: 'WASHER-M8',
        desc: 'Washer M8 (discontinued)',
        price: '0.07',
        tiers: [null, null],
        group: 'Fasteners',
        obsolete: true
    },
    { code: 'CABLE-1M', desc: 'Cable, 1 m', price: '7.50', tiers: ['6.75', '6.00'], group: 'Cables' },
    { code: 'CABLE-2M', desc: 'Cable, 2 m', price: '11.25', tiers: ['10.10', '9.00'], group: 'Cables' },
    { code: 'CABLE-5M', desc: 'Cable, 5 m', price: '22.50', tiers: ['20.25', null], group: 'Cables' },
    {
        code: 'PANEL-SOLAR-100W',
        desc: 'Solar panel 100 W',
        price: '189.00',
        tiers: ['169.00', '155.00'],
        group: 'Solar',
        notes: 'Ships flat-packed.'
    },
    {
        code: 'PANEL-SOLAR-200W',
        desc: 'Solar panel 200 W',
        price: '329.00',
        tiers: ['299.00', '279.00'],
        group: 'Solar'
    },
    {
        code: 'BATTERY-12V',
        desc: 'Battery 12 V 100 Ah',
        price: '299.00',
        tiers: ['269.00', null],
        group: 'Power'
    },
    {
        code: 'BATTERY-24V',
        desc: 'Battery 24 V 100 Ah',
        price: '549.00',
        tiers: ['499.00', null],
        group: 'Power',
        notes: 'Oversold: more allocated than on hand.'
    },
    {
        code: 'SERVICE-CALL',
        desc: 'Service call-out fee',
        price: '85.00',
        tiers: [null, null],
        group: 'Services',
        tax: null
    },
    {
        code: 'LEGACY-PUMP',
        desc: 'Legacy pump',
        price: '99.00',
        tiers: [null, null],
        group: 'Legacy',
        obsolete: true
    }
];

function product(spec: ProductSpec, i: number): Product {
    const taxCode = spec.tax === undefined ? 'G.S.T.' : spec.tax;
    const dec = (v: string | null): Decimal | null => (v === null ? null : new Decimal(v));
    return {
        Guid: guidFor(`product:${spec.code}`),
        ProductCode: spec.code,
        ProductDescription: spec.desc,
        Barcode: `94000000${String(1000 + i)}`,
        Notes: spec.notes ?? null,
        DefaultSellPrice: new Decimal(spec.price),
        ...tiers([new Decimal(spec.price), dec(spec.tiers[0]), dec(spec.tiers[1])]),
        UnitOfMeasure: { Guid: guidFor('uom:EA'), Name: 'EA' },
        ProductGroup: { Guid: guidFor(`group:${spec.group}`), GroupName: spec.group },
        Obsolete: spec.obsolete ?? false,
        IsSellable: true,
        TaxableSales: taxCode !== null,
        XeroSalesTaxCode: taxCode,
        XeroSalesTaxRate: taxCode === null ? null : new Decimal(taxCode === 'G.S.T.' ? '0.15' : '0'),
        ImageUrl: i % 4 === 0 ? `https://images.example.com/products/${spec.code}.png` : null,
        Images:
            i % 4 === 0
                ? [{ Url: `https://images.example.com/products/${spec.code}.png`, IsDefault: true }]
                : [],
        CreatedOn: day(0),
        LastModifiedOn: day(10 + i * 7)
    };
}

function customer(
    code: string,
    name: string,
    opts: Partial<Customer> & { addresses?: Customer['Addresses']; currency?: 'NZD' | 'AUD' }
): Customer {
    const currency = opts.currency ?? 'NZD';
    const { addresses, currency: _c, ...rest } = opts;
    return {
        Guid: guidFor(`customer:${code}`),
        CustomerCode: code,
        CustomerName: name,
        Currency: {
            Guid: guidFor(`currency:${currency}`),
            CurrencyCode: currency,
            Description: currency === 'NZD' ? 'New Zealand, Dollars' : 'Australia, Dollars'
        },
        Email: null,
        ContactFirstName: null,
        ContactLastName: null,
        PhoneNumber: null,
        MobileNumber: null,
        Website: null,
        Notes: null,
        GSTVATNumber: null,
        Addresses: addresses ?? [],
        SellPriceTier: null,
        DiscountRate: null,
        Taxable: true,
        TaxCode: 'G.S.T.',
        Obsolete: false,
        CreatedOn: day(2),
        CreatedBy: 'admin@demo.example.com',
        LastModifiedOn: day(30),
        LastModifiedBy: 'admin@demo.example.com',
        ...rest
    };
}

function customers(): Customer[] {
    return [
        customer('ACME', 'Acme Ltd', {
            Email: 'orders@acme.example.com',
            ContactFirstName: 'Ada',
            ContactLastName: 'Acme',
            PhoneNumber: '+64 9 555 0100',
            SellPriceTier: 'Wholesale',
            addresses: [
                address('Postal', 'PO Box 100', 'Auckland', '1140'),
                address('Physical', '12 Queen Street', 'Auckland', '1010'),
                address('Shipping', 'Dock 4, 80 Quay Street', 'Auckland', '1010')
            ],
            LastModifiedOn: day(40)
        }),
        customer('ACME-SOUTH', 'Acme South Ltd', {
            Email: 'south@acme.example.com',
            ContactFirstName: 'Sid',
            addresses: [address('Physical', '5 Cashel Street', 'Christchurch', '8011')],
            LastModifiedOn: day(41)
        }),
        customer('BETA', 'Beta Builders', {
            ContactLastName: 'Builder',
            SellPriceTier: 'Retail',
            DiscountRate: new Decimal('0.05'),
            addresses: [
                address('Physical', '7 Lambton Quay', 'Wellington', '6011'),
                address('Postal', 'PO Box 7', 'Wellington', '6140')
            ],
            LastModifiedOn: day(60)
        }),
        customer('KANGA', 'Kangaroo Traders Pty Ltd', {
            currency: 'AUD',
            Email: 'buy@kanga.example.com.au',
            Taxable: false,
            TaxCode: 'ZERO',
            SellPriceTier: 'Distributor',
            addresses: [address('Physical', '1 George Street', 'Sydney', '2000', 'Australia')],
            LastModifiedOn: day(90)
        }),
        customer('GAMMA', 'Gamma Gardens', {
            ContactFirstName: 'Gina',
            ContactLastName: 'Gamma',
            Taxable: false,
            TaxCode: 'NO GST',
            LastModifiedOn: day(120)
        }),
        customer('OLDCO', 'Old Company (closed)', { Obsolete: true, Email: 'closed@old.example.com' })
    ];
}

export function demoSeed(): SeedData {
    const warehouses = [
        warehouse('MAIN', 'Main Warehouse', 'Auckland', true),
        warehouse('WLG', 'Wellington Store', 'Wellington', false),
        warehouse('CHC', 'Christchurch Depot', 'Christchurch', false)
    ];
    const specs = PRODUCTS;
    const catalog = new ArrayCatalog(specs.map(product));
    const stock = new MapStockSource();
    const d = (n: number): Decimal => new Decimal(n);
    specs.forEach((spec, p) => {
        if (spec.code === 'GADGET-300') return; // never had a transaction: absent from StockOnHand
        warehouses.forEach((_w, w) => {
            if (spec.obsolete && w > 0) return;
            if (w === 2 && p % 3 === 0) return; // not every product is stocked everywhere
            const onHand = spec.obsolete ? 0 : 10 + ((p * 37 + w * 11) % 90);
            const allocated = spec.obsolete ? 0 : (p * 7 + w * 3) % 10;
            stock.set(p, w, {
                onHand: d(onHand),
                allocated: d(allocated),
                onPurchase: d(w === 0 ? (p % 4) * 5 : 0),
                avgCost: new Decimal(spec.price).times('0.55').toDecimalPlaces(4),
                modifiedMs: day(20 + p + w).getTime()
            });
        });
        if (spec.code === 'BATTERY-24V') {
            stock.set(p, 0, {
                onHand: d(2),
                allocated: d(5),
                onPurchase: d(10),
                avgCost: new Decimal('301.95'),
                modifiedMs: day(70).getTime()
            });
        }
    });
    return {
        warehouses,
        taxes: taxes(),
        salesPersons: salesPersons(),
        deliveryMethods: deliveryMethods(),
        salesOrderGroups: salesOrderGroups(),
        currencies: currencies(),
        companies: companies('Demo Company Ltd'),
        customers: customers(),
        products: catalog,
        stock,
        tierNames: TIER_NAMES
    };
}

export function emptySeed(): SeedData {
    return {
        warehouses: [],
        taxes: [],
        salesPersons: [],
        deliveryMethods: [],
        salesOrderGroups: [],
        // Even an empty account has its company and base currency.
        currencies: currencies(),
        companies: companies('Empty Company Ltd'),
        customers: [],
        products: new ArrayCatalog([]),
        stock: new MapStockSource(),
        tierNames: TIER_NAMES
    };
}
