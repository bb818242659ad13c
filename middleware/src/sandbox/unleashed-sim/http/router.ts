import { SimError, notFound } from '../errors';
import { isGuid } from '../ids';
import { customers } from '../resources/customers';
import { invoices, salesShipments } from '../resources/fulfilment';
import { products } from '../resources/products';
import {
    companies,
    currencies,
    deliveryMethods,
    salesOrderGroups,
    salesPersons,
    taxes,
    warehouses
} from '../resources/reference';
import { salesOrders } from '../resources/sales-orders';
import { stockOnHand } from '../resources/stock-on-hand';
import type { ApiContext, ApiResult, ResourceRoutes } from './context';
import { parsePage } from './pagination';

/** Resources by lower-case name: Unleashed's paths are case-insensitive. */
const RESOURCES: Record<string, ResourceRoutes> = {
    products,
    stockonhand: stockOnHand,
    warehouses,
    taxes,
    salespersons: salesPersons,
    deliverymethods: deliveryMethods,
    salesordergroups: salesOrderGroups,
    currencies,
    companies,
    customers,
    salesorders: salesOrders,
    salesshipments: salesShipments,
    invoices
};

const notAllowed = (): SimError => new SimError(405, 'The requested method is not allowed.');

/** True for requests that change state (the ones timeoutAfterCommit applies to). */
export const isWrite = (method: string): boolean => method !== 'GET' && method !== 'HEAD';

/** Routes /{Resource}, /{Resource}/{page}, /{Resource}/{guid}, /{Resource}/{guid}/{action}. */
export function route(ctx: ApiContext, method: string, segments: string[]): ApiResult {
    const [name, second, third, ...rest] = segments;
    if (name?.toLowerCase() === 'webhooks' && ctx.webhooks)
        return ctx.webhooks.route(ctx, method, segments.slice(1));
    const resource = name === undefined ? undefined : RESOURCES[name.toLowerCase()];
    if (!resource || rest.length > 0) throw notFound();
    if (second === undefined || /^\d+$/.test(second)) {
        if (!resource.list) throw notFound();
        if (method !== 'GET') throw notAllowed();
        return { status: 200, body: resource.list(ctx, parsePage(second)) };
    }
    if (!isGuid(second)) throw notFound();
    if (third !== undefined) {
        if (!resource.action) throw notFound();
        return resource.action(ctx, method, second, third.toLowerCase());
    }
    if (method === 'GET') {
        if (!resource.get) throw notAllowed();
        return { status: 200, body: resource.get(ctx, second) };
    }
    if (!resource.write) throw notAllowed();
    return resource.write(ctx, method, second);
}
