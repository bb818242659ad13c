import type { Decimal } from 'decimal.js';
import { z } from 'zod';
import { parseDecimal } from '../money/decimal';
import { parseUnleashedDate } from './dates';

/**
 * Shapes of Unleashed responses (docs/unleashed-api.md). Objects are loose: unknown fields are kept, so
 * nothing Unleashed adds is lost. Only the identity of a record (its Guid and code) is required;
 * every other field is nullish, because real responses carry nulls and omit fields freely. Dates
 * stay strings ("/Date(ms)/"): read them with dateField. Money stays a JSON number: read it with
 * decimalField, which takes the number's exact decimal text.
 */

const str = z.string().nullish();
const num = z.number().nullish();
const bool = z.boolean().nullish();
/** "/Date(ms)/" or ISO text. */
const date = z.string().nullish();

export const PaginationSchema = z.looseObject({
    NumberOfItems: z.number().int().min(0),
    PageSize: z.number().int().min(0),
    PageNumber: z.number().int().min(0),
    NumberOfPages: z.number().int().min(0)
});

/** A list page; items are validated one by one so an error can name the item. */
export const PageEnvelopeSchema = z.looseObject({
    Pagination: PaginationSchema,
    Items: z.array(z.unknown())
});

// Small references that appear inside other records.
const CurrencyRefSchema = z.looseObject({ CurrencyCode: str, Description: str, Guid: str });
const WarehouseRefSchema = z.looseObject({ WarehouseCode: str, WarehouseName: str, Guid: str });
const TaxRefSchema = z.looseObject({ TaxCode: str, Description: str, TaxRate: num, Guid: str });
const SalesPersonRefSchema = z.looseObject({ FullName: str, Email: str, Guid: str });
const CustomerRefSchema = z.looseObject({ CustomerCode: str, CustomerName: str, Guid: str });
const ProductRefSchema = z.looseObject({ ProductCode: str, ProductDescription: str, Guid: str });

/** Tier prices: `Value` is unconfirmed as number or decimal text, so both are accepted. */
export const SellPriceTierSchema = z.looseObject({
    Name: str,
    Value: z.union([z.number(), z.string()]).nullish()
});

export const ProductSchema = z.looseObject({
    Guid: z.string(),
    ProductCode: z.string(),
    ProductDescription: str,
    Barcode: str,
    Notes: str,
    DefaultSellPrice: num,
    CustomerSellPrice: num,
    SellPriceTier1: SellPriceTierSchema.nullish(),
    SellPriceTier2: SellPriceTierSchema.nullish(),
    SellPriceTier3: SellPriceTierSchema.nullish(),
    SellPriceTier4: SellPriceTierSchema.nullish(),
    SellPriceTier5: SellPriceTierSchema.nullish(),
    SellPriceTier6: SellPriceTierSchema.nullish(),
    SellPriceTier7: SellPriceTierSchema.nullish(),
    SellPriceTier8: SellPriceTierSchema.nullish(),
    SellPriceTier9: SellPriceTierSchema.nullish(),
    SellPriceTier10: SellPriceTierSchema.nullish(),
    UnitOfMeasure: z.looseObject({ Name: str, Guid: str }).nullish(),
    ProductGroup: z.looseObject({ GroupName: str, Guid: str }).nullish(),
    Obsolete: bool,
    IsSellable: bool,
    TaxableSales: bool,
    XeroSalesTaxCode: str,
    XeroSalesTaxRate: num,
    ImageUrl: str,
    Images: z.array(z.looseObject({ Url: str, IsDefault: bool })).nullish(),
    LastModifiedOn: date,
    CreatedOn: date
});
export type UnleashedProduct = z.infer<typeof ProductSchema>;

export const StockOnHandSchema = z.looseObject({
    ProductGuid: z.string(),
    ProductCode: str,
    ProductDescription: str,
    /** Empty on the all-warehouse totals. */
    WarehouseCode: str,
    Warehouse: str,
    WarehouseId: str,
    QtyOnHand: num,
    AllocatedQty: num,
    /** On hand - allocated + assemblable; can be negative. */
    AvailableQty: num,
    OnPurchase: num,
    AvgCost: num,
    TotalCost: num,
    LastModifiedOn: date
});
export type UnleashedStockOnHand = z.infer<typeof StockOnHandSchema>;

export const WarehouseSchema = z.looseObject({
    Guid: z.string(),
    WarehouseCode: z.string(),
    WarehouseName: str,
    IsDefault: bool,
    Obsolete: bool,
    StreetNo: str,
    AddressLine1: str,
    AddressLine2: str,
    City: str,
    Region: str,
    Country: str,
    PostCode: str,
    LastModifiedOn: date
});
export type UnleashedWarehouse = z.infer<typeof WarehouseSchema>;

export const TaxSchema = z.looseObject({
    Guid: str,
    TaxCode: z.string(),
    Description: str,
    /** A fraction: 0.15 is 15 %. */
    TaxRate: num,
    CanApplyToRevenue: bool,
    CanApplyToExpenses: bool,
    Obsolete: bool,
    LastModifiedOn: date
});
export type UnleashedTax = z.infer<typeof TaxSchema>;

export const SalesPersonSchema = z.looseObject({
    Guid: z.string(),
    FullName: str,
    Email: str,
    Obsolete: bool,
    LastModifiedOn: date
});
export type UnleashedSalesPerson = z.infer<typeof SalesPersonSchema>;

/**
 * Shape from public clients only; the official page was not seen. One names the method `Name`,
 * another `DeliveryMethodName`: both are accepted (deliveryMethodName in sync/reference-data.ts).
 */
export const DeliveryMethodSchema = z.looseObject({
    Guid: str,
    Name: str,
    DeliveryMethodName: str,
    Obsolete: bool,
    LastModifiedOn: date
});
export type UnleashedDeliveryMethod = z.infer<typeof DeliveryMethodSchema>;

/**
 * SalesOrderGroups: shape from public clients only, which disagree on the name field (`Name`,
 * `SalesOrderGroupName`; `GroupName` is taken too); all are accepted (salesOrderGroupName in
 * sync/reference-data.ts). A missing `Obsolete` means live.
 */
export const SalesOrderGroupSchema = z.looseObject({
    Guid: str,
    GroupName: str,
    Name: str,
    SalesOrderGroupName: str,
    Obsolete: bool,
    LastModifiedOn: date
});
export type UnleashedSalesOrderGroup = z.infer<typeof SalesOrderGroupSchema>;

export const CurrencySchema = z.looseObject({
    Guid: str,
    CurrencyCode: z.string(),
    Description: str,
    DefaultSellRate: num,
    DefaultBuyRate: num,
    LastModifiedOn: date
});
export type UnleashedCurrency = z.infer<typeof CurrencySchema>;

/** Shape from a public client only. */
export const CompanySchema = z.looseObject({
    Guid: str,
    CompanyName: str,
    BaseCurrencyCode: str,
    DefaultTaxRate: num
});
export type UnleashedCompany = z.infer<typeof CompanySchema>;

export const CustomerAddressSchema = z.looseObject({
    /** Postal, Physical or Shipping. */
    AddressType: str,
    AddressName: str,
    StreetAddress: str,
    StreetAddress2: str,
    Suburb: str,
    City: str,
    Region: str,
    Country: str,
    PostalCode: str,
    IsDefault: bool
});
export type UnleashedCustomerAddress = z.infer<typeof CustomerAddressSchema>;

export const CustomerSchema = z.looseObject({
    Guid: z.string(),
    CustomerCode: z.string(),
    CustomerName: str,
    Currency: CurrencyRefSchema.nullish(),
    Email: str,
    ContactFirstName: str,
    ContactLastName: str,
    PhoneNumber: str,
    MobileNumber: str,
    Addresses: z.array(CustomerAddressSchema).nullish(),
    /** A tier name such as "Sell Price Tier 2". */
    SellPriceTier: str,
    DiscountRate: num,
    Taxable: bool,
    TaxCode: str,
    TaxRate: num,
    SalesPerson: SalesPersonRefSchema.nullish(),
    DeliveryMethod: str,
    Obsolete: bool,
    LastModifiedOn: date,
    CreatedOn: date
});
export type UnleashedCustomer = z.infer<typeof CustomerSchema>;

export const SalesOrderLineSchema = z.looseObject({
    Guid: str,
    LineNumber: num,
    /** Null for product lines; comment lines exist. */
    LineType: str,
    Product: ProductRefSchema.nullish(),
    OrderQuantity: num,
    UnitPrice: num,
    DiscountRate: num,
    LineTotal: num,
    TaxRate: num,
    LineTax: num,
    LineTaxCode: str,
    Comments: str,
    DueDate: date,
    LastModifiedOn: date
});
export type UnleashedSalesOrderLine = z.infer<typeof SalesOrderLineSchema>;

export const SalesOrderSchema = z.looseObject({
    Guid: z.string(),
    OrderNumber: str,
    OrderDate: date,
    RequiredDate: date,
    CompletedDate: date,
    OrderStatus: str,
    /** The account's own status name, when it uses custom statuses (customOrderStatus filter). */
    CustomOrderStatus: str,
    Customer: CustomerRefSchema.nullish(),
    Warehouse: WarehouseRefSchema.nullish(),
    Currency: CurrencyRefSchema.nullish(),
    ExchangeRate: num,
    Tax: TaxRefSchema.nullish(),
    TaxRate: num,
    DeliveryMethod: str,
    SalesPerson: SalesPersonRefSchema.nullish(),
    DeliveryName: str,
    DeliveryStreetAddress: str,
    DeliveryStreetAddress2: str,
    DeliverySuburb: str,
    DeliveryCity: str,
    DeliveryRegion: str,
    DeliveryCountry: str,
    DeliveryPostCode: str,
    DeliveryInstruction: str,
    Comments: str,
    CustomerRef: str,
    SourceId: str,
    SalesOrderGroup: str,
    DiscountRate: num,
    SubTotal: num,
    TaxTotal: num,
    Total: num,
    SalesOrderLines: z.array(SalesOrderLineSchema).nullish(),
    LastModifiedOn: date,
    CreatedOn: date
});
export type UnleashedSalesOrder = z.infer<typeof SalesOrderSchema>;

// Readers for the fields kept raw above.

/** A date field as a Date (null when absent); a malformed value names the field. */
export function dateField(value: string | null | undefined, field: string): Date | null {
    try {
        return parseUnleashedDate(value);
    } catch (e) {
        throw new TypeError(`${field}: ${(e as Error).message}`);
    }
}

/** A money or quantity field as an exact Decimal (null when absent). */
export function decimalField(value: number | string | null | undefined, field: string): Decimal | null {
    if (value === null || value === undefined) return null;
    return parseDecimal(value, field);
}

export interface SellPriceTier {
    /** 1..10 */
    tier: number;
    name: string | null;
    value: Decimal | null;
}

/** The product's ten tier prices, in order; a tier Unleashed left out comes back with nulls. */
export function sellPriceTiers(p: UnleashedProduct): SellPriceTier[] {
    const out: SellPriceTier[] = [];
    for (let tier = 1; tier <= 10; tier++) {
        const t = p[`SellPriceTier${tier}` as 'SellPriceTier1'];
        const raw = t?.Value;
        out.push({
            tier,
            name: t?.Name ?? null,
            // Blank text means "no price", as null does.
            value:
                typeof raw === 'string' && raw.trim() === ''
                    ? null
                    : decimalField(raw, `${p.ProductCode} SellPriceTier${tier}.Value`)
        });
    }
    return out;
}

/**
 * Sales shipments (`GET /SalesShipments`): field names from Unleashed's page and a public client's
 * model. The courier is `ShippingCompany` there; `Courier` is read too (unconfirmed, docs/unleashed-api.md).
 */
export const SalesShipmentLineSchema = z.looseObject({
    Guid: str,
    LineNumber: num,
    SalesOrderLineNumber: num,
    Product: ProductRefSchema.nullish(),
    ShipmentQty: num
});

export const SalesShipmentSchema = z.looseObject({
    Guid: z.string(),
    ShipmentNumber: str,
    OrderGuid: str,
    OrderNumber: str,
    ShipmentStatus: str,
    DispatchDate: date,
    ShippingCompany: str,
    Courier: str,
    TrackingNumber: str,
    Customer: CustomerRefSchema.nullish(),
    Warehouse: WarehouseRefSchema.nullish(),
    SalesShipmentLines: z.array(SalesShipmentLineSchema).nullish(),
    LastModifiedOn: date,
    CreatedOn: date
});
export type UnleashedSalesShipment = z.infer<typeof SalesShipmentSchema>;

/** Sales invoices (`GET /Invoices`); linked to their order by OrderNumber (the documented filter). */
export const InvoiceSchema = z.looseObject({
    Guid: z.string(),
    InvoiceNumber: str,
    OrderNumber: str,
    SalesOrderGuid: str,
    InvoiceStatus: str,
    InvoiceDate: date,
    DueDate: date,
    Customer: CustomerRefSchema.nullish(),
    Currency: CurrencyRefSchema.nullish(),
    SubTotal: num,
    TaxTotal: num,
    Total: num,
    LastModifiedOn: date,
    CreatedOn: date
});
export type UnleashedInvoice = z.infer<typeof InvoiceSchema>;
