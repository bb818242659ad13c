import type Decimal from 'decimal.js';
import type { SeedName } from '../types';
import { ArrayCatalog, type ProductCatalog } from './catalog';
import type {
    Company,
    Currency,
    Customer,
    DeliveryMethod,
    Product,
    SalesOrder,
    SalesOrderGroup,
    SalesPerson,
    Tax,
    Warehouse
} from './records';
import { FulfilmentBook } from './fulfilment';
import { StockBook, type StockSource } from './stock';

/** Everything a seed provides. */
export interface SeedData {
    warehouses: Warehouse[];
    taxes: Tax[];
    salesPersons: SalesPerson[];
    deliveryMethods: DeliveryMethod[];
    salesOrderGroups: SalesOrderGroup[];
    currencies: Currency[];
    companies: Company[];
    customers: Customer[];
    products: ProductCatalog;
    stock: StockSource;
    /** Names of SellPriceTier1..10, in order. */
    tierNames: string[];
}

const lower = (s: string): string => s.toLowerCase();

/** The simulator's in-memory account: reference data, customers, products, stock and orders. */
export class SimState {
    readonly warehouses: Warehouse[];
    readonly taxes: Tax[];
    readonly salesPersons: SalesPerson[];
    readonly deliveryMethods: DeliveryMethod[];
    readonly salesOrderGroups: SalesOrderGroup[];
    readonly currencies: Currency[];
    readonly companies: Company[];
    readonly customers: Customer[];
    readonly products: ProductCatalog;
    readonly stock: StockBook;
    readonly tierNames: string[];
    readonly orders: SalesOrder[] = [];
    /** Sales shipments and invoices (state/fulfilment.ts). */
    readonly fulfilment = new FulfilmentBook();
    private orderSeq = 0;

    constructor(
        readonly seed: SeedName,
        data: SeedData
    ) {
        this.warehouses = data.warehouses;
        this.taxes = data.taxes;
        this.salesPersons = data.salesPersons;
        this.deliveryMethods = data.deliveryMethods;
        this.salesOrderGroups = data.salesOrderGroups;
        this.currencies = data.currencies;
        this.companies = data.companies;
        this.customers = data.customers;
        this.products = data.products;
        this.tierNames = data.tierNames;
        this.stock = new StockBook(data.stock, data.warehouses.length);
    }

    /**
     * Adds a product to an account seeded from an array (demo, empty), with stock on hand per
     * warehouse code; tests use it for codes the seeds do not have.
     */
    addProduct(p: Product, onHand: Record<string, Decimal> = {}): void {
        if (!(this.products instanceof ArrayCatalog)) throw new TypeError('this seed cannot take products');
        if (this.products.indexOfCode(p.ProductCode) >= 0) throw new TypeError(`${p.ProductCode} exists`);
        const i = this.products.add(p);
        for (const [code, qty] of Object.entries(onHand)) {
            const w = this.warehouseIndexByCode(code);
            if (w < 0) throw new TypeError(`no warehouse ${code}`);
            this.stock.adjust(i, w, { onHand: qty }, p.LastModifiedOn.getTime());
        }
    }

    get baseCurrencyCode(): string {
        return this.companies[0]?.BaseCurrencyCode ?? 'NZD';
    }

    warehouseIndexByCode(code: string): number {
        return this.warehouses.findIndex((w) => lower(w.WarehouseCode) === lower(code));
    }

    warehouseIndexByGuid(guid: string): number {
        return this.warehouses.findIndex((w) => lower(w.Guid) === lower(guid));
    }

    defaultWarehouseIndex(): number {
        const i = this.warehouses.findIndex((w) => w.IsDefault && !w.Obsolete);
        return i >= 0 ? i : this.warehouses.findIndex((w) => !w.Obsolete);
    }

    /** A tax usable on sales: the revenue entry of a code that may also exist for expenses. */
    revenueTax(code: string): Tax | undefined {
        return this.taxes.find((t) => lower(t.TaxCode) === lower(code) && t.CanApplyToRevenue && !t.Obsolete);
    }

    currency(code: string): Currency | undefined {
        return this.currencies.find((c) => lower(c.CurrencyCode) === lower(code));
    }

    customerByGuid(guid: string): Customer | undefined {
        return this.customers.find((c) => lower(c.Guid) === lower(guid));
    }

    customerByCode(code: string): Customer | undefined {
        return this.customers.find((c) => lower(c.CustomerCode) === lower(code));
    }

    salesPerson(ref: { Guid?: unknown; Email?: unknown; FullName?: unknown }): SalesPerson | undefined {
        const eq = (a: string, b: unknown): boolean => typeof b === 'string' && lower(a) === lower(b);
        return this.salesPersons.find(
            (s) =>
                (ref.Guid != null && eq(s.Guid, ref.Guid)) ||
                (ref.Guid == null && ref.Email != null && eq(s.Email, ref.Email)) ||
                (ref.Guid == null && ref.Email == null && eq(s.FullName, ref.FullName))
        );
    }

    /** A group by name, ignoring case, obsolete or not. */
    salesOrderGroup(name: string): SalesOrderGroup | undefined {
        return this.salesOrderGroups.find((g) => lower(g.GroupName) === lower(name.trim()));
    }

    orderByGuid(guid: string): SalesOrder | undefined {
        return this.orders.find((o) => lower(o.Guid) === lower(guid));
    }

    orderByNumber(orderNumber: string): SalesOrder | undefined {
        return this.orders.find((o) => lower(o.OrderNumber) === lower(orderNumber));
    }

    /** SO-00000001, SO-00000002, ... skipping numbers a client already chose. */
    nextOrderNumber(): string {
        for (;;) {
            this.orderSeq += 1;
            const candidate = `SO-${String(this.orderSeq).padStart(8, '0')}`;
            if (!this.orderByNumber(candidate)) return candidate;
        }
    }

    counts(): Record<string, number> {
        return {
            products: this.products.size,
            warehouses: this.warehouses.length,
            taxes: this.taxes.length,
            salesPersons: this.salesPersons.length,
            deliveryMethods: this.deliveryMethods.length,
            salesOrderGroups: this.salesOrderGroups.length,
            currencies: this.currencies.length,
            companies: this.companies.length,
            customers: this.customers.length,
            salesOrders: this.orders.length,
            salesShipments: this.fulfilment.shipments.length,
            salesInvoices: this.fulfilment.invoices.length
        };
    }
}
