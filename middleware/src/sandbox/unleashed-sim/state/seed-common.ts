/** Reference data shared by the demo and large seeds. */
import Decimal from 'decimal.js';
import { guidFor } from '../ids';
import type {
    Address,
    Company,
    Currency,
    DeliveryMethod,
    Product,
    SalesOrderGroup,
    SalesPerson,
    SellPriceTier,
    Tax,
    Warehouse
} from './records';

export const SEED_EPOCH = Date.UTC(2025, 0, 15, 9, 30, 0);
export const day = (n: number): Date => new Date(SEED_EPOCH + n * 86_400_000);

export const TIER_NAMES = [
    'Retail',
    'Wholesale',
    'Distributor',
    ...Array.from({ length: 7 }, (_, i) => `Sell Price Tier ${i + 4}`)
];

export function taxes(): Tax[] {
    const tax = (
        code: string,
        desc: string,
        rate: string,
        rev: boolean,
        exp: boolean,
        suffix: string
    ): Tax => ({
        Guid: guidFor(`tax:${code}:${suffix}`),
        TaxCode: code,
        Description: desc,
        TaxRate: new Decimal(rate),
        CanApplyToRevenue: rev,
        CanApplyToExpenses: exp,
        Obsolete: false,
        LastModifiedOn: day(0)
    });
    return [
        // The same code twice, as Unleashed lists it: once for expenses, once for revenue.
        tax('G.S.T.', 'GST on Expenses', '0.15', false, true, 'expense'),
        tax('G.S.T.', 'GST on Income', '0.15', true, false, 'revenue'),
        tax('NO GST', 'No GST', '0', true, true, 'both'),
        tax('ZERO', 'Zero Rated (exports)', '0', true, false, 'revenue'),
        tax('IMPORT', 'GST on Imports', '0.15', false, true, 'expense')
    ];
}

export function currencies(): Currency[] {
    const cur = (code: string, desc: string, rate: string): Currency => ({
        Guid: guidFor(`currency:${code}`),
        CurrencyCode: code,
        Description: desc,
        DefaultSellRate: new Decimal(rate),
        DefaultBuyRate: new Decimal(rate),
        LastModifiedOn: day(0)
    });
    return [cur('NZD', 'New Zealand, Dollars', '1'), cur('AUD', 'Australia, Dollars', '0.9165')];
}

export function companies(name: string): Company[] {
    return [
        {
            Guid: guidFor(`company:${name}`),
            CompanyName: name,
            BaseCurrencyCode: 'NZD',
            DefaultTaxRate: new Decimal('0.15'),
            Country: 'New Zealand',
            LastModifiedOn: day(0)
        }
    ];
}

export function salesPersons(): SalesPerson[] {
    const sp = (name: string, email: string, obsolete = false): SalesPerson => ({
        Guid: guidFor(`salesperson:${email}`),
        FullName: name,
        Email: email,
        Obsolete: obsolete,
        LastModifiedOn: day(1)
    });
    return [
        sp('Sam Seller', 'sam.seller@example.com'),
        sp('Riley Rep', 'riley.rep@example.com'),
        sp('Olly Former', 'olly.former@example.com', true)
    ];
}

export function deliveryMethods(): DeliveryMethod[] {
    return ['Courier', 'Pickup', 'Freight'].map((name) => ({
        Guid: guidFor(`delivery:${name}`),
        Name: name,
        Obsolete: false,
        LastModifiedOn: day(1)
    }));
}

/** Three live groups and one obsolete, which orders may no longer use. */
export function salesOrderGroups(): SalesOrderGroup[] {
    const group = (name: string, obsolete = false): SalesOrderGroup => ({
        Guid: guidFor(`sales-order-group:${name}`),
        GroupName: name,
        Obsolete: obsolete,
        LastModifiedOn: day(1)
    });
    return [group('Trade'), group('Retail'), group('Online'), group('Trade Show 2024', true)];
}

export function warehouse(code: string, name: string, city: string, isDefault: boolean): Warehouse {
    return {
        Guid: guidFor(`warehouse:${code}`),
        WarehouseCode: code,
        WarehouseName: name,
        IsDefault: isDefault,
        Obsolete: false,
        StreetNo: '1',
        AddressLine1: `${name} Road`,
        AddressLine2: null,
        City: city,
        Region: city,
        Country: 'New Zealand',
        PostCode: '1010',
        PhoneNumber: null,
        LastModifiedOn: day(0)
    };
}

export function address(
    type: string,
    street: string,
    city: string,
    postCode: string,
    country = 'New Zealand'
): Address {
    return {
        AddressType: type,
        AddressName: `${type} address`,
        StreetAddress: street,
        StreetAddress2: null,
        Suburb: null,
        City: city,
        Region: city,
        Country: country,
        PostalCode: postCode,
        IsDefault: type === 'Physical'
    };
}

/** SellPriceTier1..10 with names; the values given for the first tiers, the rest null. */
export function tiers(
    values: (Decimal | null)[]
): Pick<
    Product,
    | 'SellPriceTier1'
    | 'SellPriceTier2'
    | 'SellPriceTier3'
    | 'SellPriceTier4'
    | 'SellPriceTier5'
    | 'SellPriceTier6'
    | 'SellPriceTier7'
    | 'SellPriceTier8'
    | 'SellPriceTier9'
    | 'SellPriceTier10'
> {
    const t = (i: number): SellPriceTier => ({
        Name: TIER_NAMES[i] ?? `Sell Price Tier ${i + 1}`,
        Value: values[i] ?? null
    });
    return {
        SellPriceTier1: t(0),
        SellPriceTier2: t(1),
        SellPriceTier3: t(2),
        SellPriceTier4: t(3),
        SellPriceTier5: t(4),
        SellPriceTier6: t(5),
        SellPriceTier7: t(6),
        SellPriceTier8: t(7),
        SellPriceTier9: t(8),
        SellPriceTier10: t(9)
    };
}
