import { Decimal } from 'decimal.js';
import { ExactDecimal, formatMoney, type RoundingMode } from '../../money/decimal';
import { HttpProblem } from '../../problem';
import { LockTimeoutError } from '../../store/sql';
import { parseUnleashedDate } from '../../unleashed/dates';
import { isUnleashedError } from '../../unleashed/errors';
import {
    CustomerSchema,
    decimalField,
    SalesOrderSchema,
    type UnleashedSalesOrder
} from '../../unleashed/schemas';
import type { UnleashedClient } from '../../unleashed/types';
import type { UnleashedCatalog } from '../catalog';
import { customerGuidFor, orderGuidFor } from '../ids';
import type { StockService } from '../stock';
import { unleashedProblem } from '../unleashed-problem';
import { type CustomerInfo, type OrderPlan, planOrder, type PlanSettings } from './plan';
import { differencesFromPlan, isTotalsRefusal, totalsRefusalHint } from './readback';
import type { OrderView, PreviewAnswer, SendAnswer } from './answers';
import type { OpportunitySnapshot } from './snapshot';

/**
 * Preview and send of a sales order. Exactly once: the order GUID is derived from the org and the
 * Opportunity, sends of one Opportunity run one at a time (a lock shared by every middleware
 * instance), and an order that exists after a lost answer is found and reported, never duplicated.
 */

/** Serialises work on one key across instances (the store's advisory locks). */
export interface Locks {
    withLock<T>(key: string, fn: () => Promise<T>): Promise<T>;
}

export interface TenantRef {
    orgId: string;
}

/** Remembers which Opportunity an order belongs to, so its status can flow back (sync/status). */
export interface SentOrderLog {
    record(
        orgId: string,
        o: { orderGuid: string; opportunityId: string; orderNumber: string | null; status: string }
    ): Promise<void>;
    /** The order this org sent under that GUID, or null. */
    get(orgId: string, orderGuid: string): Promise<object | null>;
}

const ZERO = new ExactDecimal(0);
/** Orders of one record Unleashed may have deleted before a send refuses to make another. */
const MAX_ORDER_GENERATIONS = 20;

export class SalesOrderService {
    constructor(
        private readonly deps: {
            catalog: UnleashedCatalog;
            stock: StockService;
            locks: Locks;
            settings: PlanSettings;
            sentOrders?: SentOrderLog;
            today?: () => string;
        }
    ) {}

    async preview(
        tenant: TenantRef,
        client: UnleashedClient,
        s: OpportunitySnapshot
    ): Promise<PreviewAnswer> {
        const { plan, existing } = await this.plan(tenant, client, s, true);
        return {
            orderGuid: plan.orderGuid,
            lines: plan.lines.map((l) => ({
                lineNumber: l.lineNumber,
                lineId: l.lineId,
                productCode: l.productCode,
                description: l.description,
                quantity: l.quantity.toString(),
                unitPrice: l.unitPrice.toString(),
                discountPercent: l.discountPercent.toString(),
                taxCode: l.taxCode,
                taxRate: l.taxRate.toString(),
                lineTotal: this.money(l.lineTotal),
                lineTax: this.money(l.lineTax)
            })),
            subTotal: this.money(plan.subTotal),
            taxTotal: this.money(plan.taxTotal),
            total: this.money(plan.total),
            currencyCode: plan.currencyCode,
            customer: plan.customer
                ? { mode: plan.customer.mode, code: plan.customer.code, name: plan.customer.name }
                : null,
            existingOrder: existing
                ? { orderNumber: existing.OrderNumber ?? null, status: existing.OrderStatus ?? '' }
                : null,
            warnings: plan.warnings,
            errors: plan.errors
        };
    }

    async send(tenant: TenantRef, client: UnleashedClient, s: OpportunitySnapshot): Promise<SendAnswer> {
        // One lock per Opportunity, whichever generation of its order this send makes.
        return this.sendAlone(orderGuidFor(tenant.orgId, s.opportunityId), async () => {
            const { plan, existing } = await this.plan(tenant, client, s, false);
            const orderGuid = plan.orderGuid;
            if (plan.errors.length > 0 || !plan.payload || !plan.customer) {
                throw new HttpProblem(422, 'The order cannot be sent', plan.errors.join(' '), {
                    errors: plan.errors
                });
            }
            let customerCreated = false;
            if (plan.customer.mode === 'create') {
                try {
                    await client.post(`/Customers/${plan.customer.guid}`, plan.customer.payload);
                    customerCreated = true;
                } catch (err) {
                    throw unleashedProblem(err, `Creating customer ${plan.customer.code}`);
                }
            }
            let saved: UnleashedSalesOrder;
            let created = false;
            if (existing) {
                const name = existing.OrderNumber ?? orderGuid;
                try {
                    await client.put(`/SalesOrders/${orderGuid}`, plan.payload, SalesOrderSchema);
                } catch (err) {
                    throw this.refusal(err, `Updating sales order ${name}`, plan);
                }
                // Whether PUT replaces lines is unconfirmed: read back what Unleashed kept.
                saved = await this.readBack(client, orderGuid, `Reading back sales order ${name}`);
            } else {
                saved = await this.create(client, orderGuid, plan);
                created = true;
                // An answer without a status is read back: the requested one is never assumed.
                if (!saved.OrderStatus) {
                    saved = await this.readBack(client, orderGuid, 'Reading back the new sales order');
                }
            }
            const orderNumber = saved.OrderNumber ?? null;
            const status = saved.OrderStatus ?? 'Unknown';
            // Stock checks must see the allocation this order made (stock-mirror.ts).
            this.deps.stock.orderWritten(
                tenant.orgId,
                status,
                plan.lines.flatMap((l) => (l.productGuid ? [l.productGuid] : [])),
                `sales order ${orderNumber ?? orderGuid}`
            );
            // Best effort: the order exists either way, and the next send records it again.
            await this.deps.sentOrders
                ?.record(tenant.orgId, { orderGuid, opportunityId: s.opportunityId, orderNumber, status })
                .catch(() => undefined);
            if (existing) {
                const differences = differencesFromPlan(saved, plan);
                if (differences.length > 0) {
                    throw new HttpProblem(
                        409,
                        'Unleashed kept a different order',
                        `Unleashed accepted the update of sales order ${orderNumber ?? orderGuid} but kept other lines or totals: ${differences.join('; ')}. ` +
                            'The header (dates, delivery, comments) was updated; the lines were not. Change the lines on the Parked order in Unleashed, or ask your Unleashed administrator; sending again will not change them.',
                        { differences, orderGuid, orderNumber, orderStatus: status }
                    );
                }
            }
            const warnings: string[] = [];
            if (status !== s.orderStatus) {
                warnings.push(
                    `Unleashed stored the order as ${status}, not ${s.orderStatus} as sent; change its status in Unleashed if needed.`
                );
            }
            return {
                orderGuid,
                orderNumber,
                status,
                subTotal: this.money(plan.subTotal),
                taxTotal: this.money(plan.taxTotal),
                total: this.money(plan.total),
                customerCode: plan.customer.code,
                customerCreated,
                created,
                warnings
            };
        });
    }

    /** One send of an Opportunity at a time; a send elsewhere that holds on too long is a 409 to retry. */
    private async sendAlone<T>(orderGuid: string, fn: () => Promise<T>): Promise<T> {
        try {
            return await this.deps.locks.withLock(`order:${orderGuid}`, fn);
        } catch (err) {
            if (err instanceof LockTimeoutError) {
                throw new HttpProblem(
                    409,
                    'This Opportunity is being sent already',
                    'Another send of this Opportunity is still running. Nothing was changed; try again in a moment.'
                );
            }
            throw err;
        }
    }

    /**
     * The order as Unleashed holds it now, for the org that sent it. Another org's order on the same
     * Unleashed account (or one entered in Unleashed) is not this org's to read: null, as if absent.
     */
    async getOrder(tenant: TenantRef, client: UnleashedClient, orderGuid: string): Promise<OrderView | null> {
        if (this.deps.sentOrders && !(await this.deps.sentOrders.get(tenant.orgId, orderGuid.toLowerCase())))
            return null;
        const o = await this.fetchOrder(client, orderGuid);
        if (!o) return null;
        return {
            orderGuid,
            orderNumber: o.OrderNumber ?? null,
            status: o.OrderStatus ?? '',
            orderDate: isoDate(o.OrderDate),
            requiredDate: isoDate(o.RequiredDate),
            currencyCode: o.Currency?.CurrencyCode ?? null,
            warehouseCode: o.Warehouse?.WarehouseCode ?? null,
            customerCode: o.Customer?.CustomerCode ?? null,
            subTotal: this.money(decimalField(o.SubTotal, 'SubTotal') ?? ZERO),
            taxTotal: this.money(decimalField(o.TaxTotal, 'TaxTotal') ?? ZERO),
            total: this.money(decimalField(o.Total, 'Total') ?? ZERO),
            lines: (o.SalesOrderLines ?? []).map((l, i) => ({
                lineNumber: l.LineNumber ?? i + 1,
                productCode: l.Product?.ProductCode ?? null,
                description: l.Comments ?? l.Product?.ProductDescription ?? null,
                quantity: (decimalField(l.OrderQuantity, 'OrderQuantity') ?? ZERO).toString(),
                unitPrice: (decimalField(l.UnitPrice, 'UnitPrice') ?? ZERO).toString(),
                lineTotal: this.money(decimalField(l.LineTotal, 'LineTotal') ?? ZERO),
                lineTax: this.money(decimalField(l.LineTax, 'LineTax') ?? ZERO)
            }))
        };
    }

    /**
     * POST with the derived GUID. If the answer is lost (timeout after Unleashed committed) the
     * client's retry meets "already exists", or we give up: either way, look the GUID up — if the
     * order is there, it is ours and was created exactly once.
     */
    private async create(
        client: UnleashedClient,
        orderGuid: string,
        plan: OrderPlan
    ): Promise<UnleashedSalesOrder> {
        try {
            return await client.post(`/SalesOrders/${orderGuid}`, plan.payload, SalesOrderSchema);
        } catch (err) {
            const maybeCommitted =
                isUnleashedError(err) && (err.status === 0 || err.status === 400 || err.status >= 500);
            if (maybeCommitted) {
                const found = await this.fetchOrder(client, orderGuid).catch(() => null);
                if (found) return found;
            }
            throw this.refusal(err, 'Creating the sales order', plan);
        }
    }

    /** A refused write; when Unleashed refused the money, which lines the midpoint rule changes. */
    private refusal(err: unknown, doing: string, plan: OrderPlan): HttpProblem {
        const problem = unleashedProblem(err, doing);
        if (!isUnleashedError(err) || err.status !== 400 || !isTotalsRefusal(err.message)) return problem;
        const hint = totalsRefusalHint(plan, this.deps.settings.rounding);
        return new HttpProblem(
            problem.status,
            'Unleashed refused the order totals',
            `${problem.detail} ${hint}`,
            {
                ...problem.extras,
                moneyRounding: this.deps.settings.rounding
            }
        );
    }

    private async readBack(
        client: UnleashedClient,
        orderGuid: string,
        doing: string
    ): Promise<UnleashedSalesOrder> {
        try {
            const o = await this.fetchOrder(client, orderGuid);
            if (o) return o;
        } catch (err) {
            throw unleashedProblem(err, doing);
        }
        throw new HttpProblem(
            502,
            'Unleashed failed',
            `${doing}: Unleashed does not show the order it just accepted.`
        );
    }

    private async plan(
        tenant: TenantRef,
        client: UnleashedClient,
        s: OpportunitySnapshot,
        withStock: boolean
    ): Promise<{ plan: OrderPlan; existing: UnleashedSalesOrder | null }> {
        const tenantKey = tenant.orgId;
        try {
            const [ref, products, current, customer, stock] = await Promise.all([
                this.deps.catalog.referenceData(tenantKey, client),
                this.deps.catalog.productsByCode(tenantKey, client, s.lines),
                this.currentOrder(tenant, client, s.opportunityId),
                this.findCustomer(tenant, client, s),
                withStock
                    ? this.deps.stock
                          .getStock(tenantKey, client, {
                              productCodes: [...new Set(s.lines.map((l) => l.productCode))],
                              warehouseCodes: [s.warehouseCode]
                          })
                          .catch(() => null)
                    : Promise.resolve(null)
            ]);
            let available: Map<string, Decimal> | undefined;
            if (stock) {
                available = new Map();
                for (const p of stock.products) {
                    const w = p.warehouses.find((x) => x.warehouseCode === s.warehouseCode);
                    if (p.known) available.set(p.productCode, new Decimal(w?.available ?? '0'));
                }
            }
            const existing = current.existing;
            const plan = planOrder(s, {
                orgId: tenant.orgId,
                ...ref,
                products,
                customer,
                available,
                orderGuid: current.orderGuid,
                replacesDeleted: current.replacesDeleted,
                existingOrder: existing
                    ? { status: existing.OrderStatus ?? 'Unknown', orderNumber: existing.OrderNumber ?? null }
                    : null,
                settings: this.deps.settings,
                today: this.deps.today?.() ?? new Date().toISOString().slice(0, 10)
            });
            return { plan, existing };
        } catch (err) {
            throw unleashedProblem(err, 'Reading from Unleashed');
        }
    }

    /**
     * The Opportunity's order now: its first GUID, or after a Deleted order the next GUID of its chain
     * (orderGuidFor's generation), with the order Unleashed holds under it, if any.
     */
    private async currentOrder(
        tenant: TenantRef,
        client: UnleashedClient,
        opportunityId: string
    ): Promise<{ orderGuid: string; existing: UnleashedSalesOrder | null; replacesDeleted: string | null }> {
        let replacesDeleted: string | null = null;
        for (let generation = 0; generation < MAX_ORDER_GENERATIONS; generation++) {
            const orderGuid = orderGuidFor(tenant.orgId, opportunityId, generation);
            const existing = await this.fetchOrder(client, orderGuid);
            if (!existing || existing.OrderStatus !== 'Deleted')
                return { orderGuid, existing, replacesDeleted };
            replacesDeleted = existing.OrderNumber ?? orderGuid;
        }
        throw new HttpProblem(
            409,
            'Too many deleted orders',
            `Unleashed deleted ${MAX_ORDER_GENERATIONS} sales orders of this record; send it from a new one.`
        );
    }

    /** The Account's customer: by its code (exact), else the one an earlier send created, else a code clash. */
    private async findCustomer(
        tenant: TenantRef,
        client: UnleashedClient,
        s: OpportunitySnapshot
    ): Promise<CustomerInfo | null> {
        const byCode = (code: string) =>
            client.findByCode('Customers', 'customerCode', code, (c) => c.CustomerCode, CustomerSchema, {
                includeObsolete: true
            });
        if (s.account.customerCode) return toCustomer(await byCode(s.account.customerCode));
        const ours = await this.getOrNull(() =>
            client.get(`/Customers/${customerGuidFor(tenant.orgId, s.account.id)}`, undefined, CustomerSchema)
        );
        if (ours) return toCustomer(ours);
        return s.newCustomerCode ? toCustomer(await byCode(s.newCustomerCode)) : null;
    }

    private fetchOrder(client: UnleashedClient, orderGuid: string): Promise<UnleashedSalesOrder | null> {
        return this.getOrNull(() => client.get(`/SalesOrders/${orderGuid}`, undefined, SalesOrderSchema));
    }

    private async getOrNull<T>(fn: () => Promise<T>): Promise<T | null> {
        try {
            return await fn();
        } catch (err) {
            if (isUnleashedError(err) && err.status === 404) return null;
            throw err;
        }
    }

    private money(d: Decimal): string {
        return formatMoney(d, this.deps.settings.rounding as RoundingMode);
    }
}

function toCustomer(c: import('../../unleashed/schemas').UnleashedCustomer | null): CustomerInfo | null {
    if (!c) return null;
    return {
        guid: String(c.Guid),
        code: c.CustomerCode,
        name: c.CustomerName ?? c.CustomerCode,
        currencyCode: c.Currency?.CurrencyCode ?? null,
        obsolete: c.Obsolete === true
    };
}

function isoDate(v: string | null | undefined): string | null {
    const d = parseUnleashedDate(v ?? null);
    return d ? d.toISOString().slice(0, 10) : null;
}
