import Decimal from 'decimal.js';
import { notFound } from '../errors';
import type { ApiContext, ResourceRoutes } from '../http/context';
import { paginate } from '../http/pagination';
import { startsWith } from '../http/query';
import type { Customer, Product } from '../state/records';
import type { SimState } from '../state/state';
import { roundCents } from '../money';

/** Indices of the products matching the list filters, in catalog order. */
function matchingProducts(ctx: ApiContext): number[] {
    const { query: q, state } = ctx;
    const catalog = state.products;
    const includeObsolete = q.bool('includeObsolete', false);
    const code = q.get('productCode');
    const description = q.get('productDescription');
    const since = q.date('modifiedSince');
    const ids = q.guidList('productId');
    const candidates = ids
        ? [...new Set(ids.map((g) => catalog.indexOfGuid(g)).filter((i) => i >= 0))].sort((a, b) => a - b)
        : null;
    // Only the filters actually given are evaluated: a scan of 100,000 generated products stays cheap.
    const checks: ((i: number) => boolean)[] = [];
    if (!includeObsolete) checks.push((i) => !catalog.obsolete(i));
    if (code !== undefined) checks.push((i) => startsWith(catalog.code(i), code));
    if (description !== undefined) checks.push((i) => startsWith(catalog.description(i), description));
    if (since !== undefined) checks.push((i) => catalog.modifiedMs(i) >= since);
    const out: number[] = [];
    const test = (i: number): void => {
        if (checks.every((check) => check(i))) out.push(i);
    };
    if (candidates) candidates.forEach(test);
    else for (let i = 0; i < catalog.size; i++) test(i);
    return out;
}

/** The customer's price: its tier's value (else the default price), less its discount. */
function customerSellPrice(state: SimState, p: Product, c: Customer, ctx: ApiContext): Decimal | null {
    const tierIndex = c.SellPriceTier ? state.tierNames.findIndex((n) => n === c.SellPriceTier) : -1;
    const tier =
        tierIndex >= 0
            ? (p[`SellPriceTier${tierIndex + 1}` as keyof Product] as Product['SellPriceTier1'])
            : null;
    const base = tier?.Value ?? p.DefaultSellPrice;
    if (base === null) return null;
    const discount = c.DiscountRate ?? new Decimal(0);
    return roundCents(base.times(new Decimal(1).minus(discount)), ctx.settings.rounding);
}

export const products: ResourceRoutes = {
    list(ctx, page) {
        const matches = matchingProducts(ctx);
        const customerCode = ctx.query.get('customerCode');
        const customer = customerCode ? ctx.state.customerByCode(customerCode) : undefined;
        return paginate(matches.length, page, ctx.query.pageSize(), (s, e) =>
            matches.slice(s, e).map((i) => {
                const p = ctx.state.products.product(i);
                return customerCode === undefined
                    ? p
                    : {
                          ...p,
                          CustomerSellPrice: customer ? customerSellPrice(ctx.state, p, customer, ctx) : null
                      };
            })
        );
    },
    get(ctx, guid) {
        const i = ctx.state.products.indexOfGuid(guid);
        if (i < 0) throw notFound(`Product with Guid ${guid} was not found.`);
        return ctx.state.products.product(i);
    }
};
