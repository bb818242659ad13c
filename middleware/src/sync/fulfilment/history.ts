import { Decimal } from 'decimal.js';
import { z } from 'zod';
import { formatMoney, type RoundingMode } from '../../money/decimal';
import { HttpProblem } from '../../problem';
import type { Tenant } from '../../store/types';
import { parseUnleashedDate } from '../../unleashed/dates';
import { CustomerSchema, InvoiceSchema, SalesOrderSchema } from '../../unleashed/schemas';
import type { UnleashedClient } from '../../unleashed/types';
import { CoalescingCache } from '../cache';

/**
 * The customer's recent Unleashed sales orders and invoices from every channel, for the Account:
 * one page of each (newest first within the page; pages follow Unleashed's list order), read live and kept briefly so a
 * page opened by several reps at once costs one read. A page costs 3 calls (the customer, its
 * orders, its invoices). `customerCode` is a prefix filter in Unleashed, so rows of other customers
 * whose code merely starts the same are dropped.
 */

export const HISTORY_PAGE_SIZE = 20;

const row = {
    guid: z.string(),
    number: z.string().nullable(),
    status: z.string(),
    date: z.string().nullable().describe('YYYY-MM-DD (UTC)'),
    currency: z.string().nullable(),
    subTotal: z.string(),
    taxTotal: z.string(),
    total: z.string()
};

const listOf = <T extends z.ZodType>(item: T) =>
    z.object({
        items: z.array(item),
        numberOfItems: z.number().int().describe('in Unleashed, all pages'),
        numberOfPages: z.number().int()
    });

export const customerHistorySchema = z.object({
    customerCode: z.string(),
    customerName: z.string().nullable(),
    page: z.number().int(),
    pageSize: z.number().int(),
    orders: listOf(
        z.object({
            ...row,
            customStatus: z.string().nullable(),
            sentFromSalesforce: z
                .boolean()
                .describe('an order this org sent (others came from other channels)')
        })
    ),
    invoices: listOf(
        z.object({ ...row, orderNumber: z.string().nullable(), dueDate: z.string().nullable() })
    ),
    /** When the answer was read from Unleashed (it may be up to HISTORY_CACHE_SECONDS old). */
    readAt: z.string()
});
export type CustomerHistory = z.infer<typeof customerHistorySchema>;

const day = (v: string | null | undefined): string | null => {
    try {
        return (
            parseUnleashedDate(v ?? null)
                ?.toISOString()
                .slice(0, 10) ?? null
        );
    } catch {
        return null;
    }
};

export class CustomerHistoryService {
    private readonly cache: CoalescingCache<Omit<CustomerHistory, 'readAt'>>;

    constructor(
        private readonly deps: {
            cacheSeconds: number;
            rounding: RoundingMode;
            /** Whether this org sent the order with this GUID (marks the rows). */
            sentByOrg(orgId: string, orderGuids: string[]): Promise<Set<string>>;
            now?: () => number;
        }
    ) {
        this.cache = new CoalescingCache(2000, deps.now);
    }

    async history(
        tenant: Tenant,
        client: UnleashedClient,
        customerCode: string,
        page: number
    ): Promise<CustomerHistory> {
        const key = `${tenant.orgId}|${customerCode.toLowerCase()}|${page}`;
        const { value, storedAt } = await this.cache.get(key, this.deps.cacheSeconds * 1000, () =>
            this.read(tenant.orgId, client, customerCode, page)
        );
        return { ...value, readAt: new Date(storedAt).toISOString() };
    }

    /** Drops a tenant's cached pages (new credentials, disconnect). */
    invalidate(orgId: string): void {
        this.cache.invalidate(`${orgId}|`);
    }

    private async read(
        orgId: string,
        client: UnleashedClient,
        customerCode: string,
        page: number
    ): Promise<Omit<CustomerHistory, 'readAt'>> {
        const customer = await client.findByCode(
            'Customers',
            'customerCode',
            customerCode,
            (c) => c.CustomerCode,
            CustomerSchema
        );
        if (!customer) {
            throw new HttpProblem(
                404,
                'Customer not found in Unleashed',
                `Unleashed has no customer with the code "${customerCode}". Check the Account's Unleashed customer code.`
            );
        }
        const code = customer.CustomerCode ?? customerCode;
        const money = (v: number | null | undefined) =>
            formatMoney(new Decimal(v === null || v === undefined ? '0' : String(v)), this.deps.rounding);
        const orders = await client.getPage(
            'SalesOrders',
            page,
            { customerCode: code, pageSize: HISTORY_PAGE_SIZE },
            SalesOrderSchema
        );
        const invoices = await client.getPage(
            'Invoices',
            page,
            { customerCode: code, pageSize: HISTORY_PAGE_SIZE },
            InvoiceSchema
        );
        const mine = orders.items.filter((o) => o.Customer?.CustomerCode === code);
        const sent = await this.deps.sentByOrg(
            orgId,
            mine.map((o) => o.Guid.toLowerCase())
        );
        return {
            customerCode: code,
            customerName: customer.CustomerName ?? null,
            page,
            pageSize: HISTORY_PAGE_SIZE,
            orders: {
                items: mine
                    .map((o) => ({
                        guid: o.Guid.toLowerCase(),
                        number: o.OrderNumber ?? null,
                        status: o.OrderStatus ?? 'Unknown',
                        customStatus: o.CustomOrderStatus?.trim() || null,
                        date: day(o.OrderDate),
                        currency: o.Currency?.CurrencyCode ?? null,
                        subTotal: money(o.SubTotal),
                        taxTotal: money(o.TaxTotal),
                        total: money(o.Total),
                        sentFromSalesforce: sent.has(o.Guid.toLowerCase())
                    }))
                    .sort(newestFirst),
                numberOfItems: orders.pagination.NumberOfItems,
                numberOfPages: orders.pagination.NumberOfPages
            },
            invoices: {
                items: invoices.items
                    .filter(
                        (i) => i.Customer?.CustomerCode === undefined || i.Customer?.CustomerCode === code
                    )
                    .map((i) => ({
                        guid: i.Guid.toLowerCase(),
                        number: i.InvoiceNumber ?? null,
                        status: i.InvoiceStatus ?? 'Unknown',
                        date: day(i.InvoiceDate),
                        dueDate: day(i.DueDate),
                        orderNumber: i.OrderNumber ?? null,
                        currency: i.Currency?.CurrencyCode ?? null,
                        subTotal: money(i.SubTotal),
                        taxTotal: money(i.TaxTotal),
                        total: money(i.Total)
                    }))
                    .sort(newestFirst),
                numberOfItems: invoices.pagination.NumberOfItems,
                numberOfPages: invoices.pagination.NumberOfPages
            }
        };
    }
}

/**
 * The newest first within a page, whatever order Unleashed lists them in (its list order is not
 * documented; pages follow it): by date, then by number.
 */
function newestFirst(
    a: { date: string | null; number: string | null },
    b: { date: string | null; number: string | null }
): number {
    const byDate = (b.date ?? '').localeCompare(a.date ?? '');
    return byDate !== 0
        ? byDate
        : (b.number ?? '').localeCompare(a.number ?? '', undefined, { numeric: true });
}
