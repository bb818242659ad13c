/**
 * Records as the simulator stores them: already in Unleashed's wire shape (PascalCase), with
 * Date values (sent as "/Date(ms)/") and Decimal values (sent as JSON numbers).
 */
import type Decimal from 'decimal.js';

export interface Warehouse {
    Guid: string;
    WarehouseCode: string;
    WarehouseName: string;
    IsDefault: boolean;
    Obsolete: boolean;
    StreetNo: string | null;
    AddressLine1: string | null;
    AddressLine2: string | null;
    City: string | null;
    Region: string | null;
    Country: string | null;
    PostCode: string | null;
    PhoneNumber: string | null;
    LastModifiedOn: Date;
}

export interface Tax {
    Guid: string;
    TaxCode: string;
    Description: string;
    TaxRate: Decimal;
    CanApplyToRevenue: boolean;
    CanApplyToExpenses: boolean;
    Obsolete: boolean;
    LastModifiedOn: Date;
}

export interface SalesPerson {
    Guid: string;
    FullName: string;
    Email: string;
    Obsolete: boolean;
    LastModifiedOn: Date;
}

export interface DeliveryMethod {
    Guid: string;
    Name: string;
    Obsolete: boolean;
    LastModifiedOn: Date;
}

/** A sales order group ("Sales Group" in Unleashed's settings); orders carry its name. */
export interface SalesOrderGroup {
    Guid: string;
    GroupName: string;
    Obsolete: boolean;
    LastModifiedOn: Date;
}

export interface Currency {
    Guid: string;
    CurrencyCode: string;
    Description: string;
    DefaultSellRate: Decimal;
    DefaultBuyRate: Decimal;
    LastModifiedOn: Date;
}

export interface Company {
    Guid: string;
    CompanyName: string;
    BaseCurrencyCode: string;
    DefaultTaxRate: Decimal;
    Country: string;
    LastModifiedOn: Date;
}

export interface Address {
    AddressType: string | null;
    AddressName: string | null;
    StreetAddress: string | null;
    StreetAddress2: string | null;
    Suburb: string | null;
    City: string | null;
    Region: string | null;
    Country: string | null;
    PostalCode: string | null;
    IsDefault: boolean;
}

export interface CurrencyRef {
    Guid: string;
    CurrencyCode: string;
    Description: string;
}

export interface Customer {
    Guid: string;
    CustomerCode: string;
    CustomerName: string;
    Currency: CurrencyRef;
    Email: string | null;
    ContactFirstName: string | null;
    ContactLastName: string | null;
    PhoneNumber: string | null;
    MobileNumber: string | null;
    Website: string | null;
    Notes: string | null;
    GSTVATNumber: string | null;
    Addresses: Address[];
    SellPriceTier: string | null;
    DiscountRate: Decimal | null;
    Taxable: boolean;
    TaxCode: string | null;
    Obsolete: boolean;
    CreatedOn: Date;
    CreatedBy: string;
    LastModifiedOn: Date;
    LastModifiedBy: string;
}

export interface SellPriceTier {
    Name: string;
    Value: Decimal | null;
}

export interface Product {
    Guid: string;
    ProductCode: string;
    ProductDescription: string;
    Barcode: string | null;
    Notes: string | null;
    DefaultSellPrice: Decimal | null;
    SellPriceTier1: SellPriceTier;
    SellPriceTier2: SellPriceTier;
    SellPriceTier3: SellPriceTier;
    SellPriceTier4: SellPriceTier;
    SellPriceTier5: SellPriceTier;
    SellPriceTier6: SellPriceTier;
    SellPriceTier7: SellPriceTier;
    SellPriceTier8: SellPriceTier;
    SellPriceTier9: SellPriceTier;
    SellPriceTier10: SellPriceTier;
    UnitOfMeasure: { Guid: string; Name: string } | null;
    ProductGroup: { Guid: string; GroupName: string } | null;
    Obsolete: boolean;
    IsSellable: boolean;
    TaxableSales: boolean;
    XeroSalesTaxCode: string | null;
    XeroSalesTaxRate: Decimal | null;
    ImageUrl: string | null;
    Images: { Url: string; IsDefault: boolean }[];
    CreatedOn: Date;
    LastModifiedOn: Date;
    /** Filled only when the list was asked with customerCode. */
    CustomerSellPrice?: Decimal | null;
}

export interface SalesOrderLine {
    Guid: string;
    LineNumber: number;
    LineType: string | null;
    Product: { Guid: string; ProductCode: string; ProductDescription: string } | null;
    DueDate: Date | null;
    OrderQuantity: Decimal;
    UnitPrice: Decimal;
    DiscountRate: Decimal;
    LineTotal: Decimal;
    TaxRate: Decimal;
    LineTax: Decimal;
    LineTaxCode: string | null;
    Comments: string | null;
    LastModifiedOn: Date;
}

export type OrderStatus = 'Parked' | 'Placed' | 'Backordered' | 'Completed' | 'Deleted';

export interface SalesOrder {
    Guid: string;
    OrderNumber: string;
    OrderDate: Date;
    RequiredDate: Date | null;
    CompletedDate: Date | null;
    OrderStatus: OrderStatus;
    /** The account's own status name on top of OrderStatus (customOrderStatus filter), when set. */
    CustomOrderStatus?: string | null;
    Customer: { Guid: string; CustomerCode: string; CustomerName: string };
    Warehouse: { Guid: string; WarehouseCode: string; WarehouseName: string };
    Currency: CurrencyRef;
    ExchangeRate: Decimal;
    Tax: { Guid: string; TaxCode: string; Description: string; TaxRate: Decimal };
    TaxRate: Decimal;
    DeliveryMethod: string | null;
    SalesPerson: { Guid: string; FullName: string; Email: string } | null;
    DeliveryName: string | null;
    DeliveryStreetAddress: string | null;
    DeliveryStreetAddress2: string | null;
    DeliverySuburb: string | null;
    DeliveryCity: string | null;
    DeliveryRegion: string | null;
    DeliveryCountry: string | null;
    DeliveryPostCode: string | null;
    DeliveryInstruction: string | null;
    Comments: string | null;
    CustomerRef: string | null;
    SourceId: string | null;
    SalesOrderGroup: string | null;
    SubTotal: Decimal;
    TaxTotal: Decimal;
    Total: Decimal;
    SalesOrderLines: SalesOrderLine[];
    CreatedOn: Date;
    CreatedBy: string;
    LastModifiedOn: Date;
    LastModifiedBy: string;
}

/** One stock cell: a product in a warehouse that has had at least one transaction. */
export interface StockCell {
    onHand: Decimal;
    allocated: Decimal;
    onPurchase: Decimal;
    avgCost: Decimal;
    modifiedMs: number;
}
