/**
 * Read-only reference lists: Warehouses, Taxes, SalesPersons, DeliveryMethods, SalesOrderGroups,
 * Currencies, Companies.
 */
import { notFound } from '../errors';
import type { ApiContext, ResourceRoutes } from '../http/context';
import { paginateArray } from '../http/pagination';
import { sameText, startsWith } from '../http/query';
import type { SimState } from '../state/state';

interface WithGuid {
    Guid: string;
}

function readOnlyList<T extends WithGuid>(
    what: string,
    items: (s: SimState) => T[],
    filter: (ctx: ApiContext) => (item: T) => boolean = () => () => true
): ResourceRoutes {
    return {
        list(ctx, page) {
            const keep = filter(ctx);
            return paginateArray(items(ctx.state).filter(keep), page, ctx.query.pageSize());
        },
        get(ctx, guid) {
            const found = items(ctx.state).find((i) => i.Guid.toLowerCase() === guid.toLowerCase());
            if (!found) throw notFound(`${what} with Guid ${guid} was not found.`);
            return found;
        }
    };
}

export const warehouses = readOnlyList(
    'Warehouse',
    (s) => s.warehouses,
    (ctx) => {
        const code = ctx.query.get('warehouseCode');
        const name = ctx.query.get('warehouseName');
        return (w) =>
            startsWith(w.WarehouseCode, code) && (name === undefined || startsWith(w.WarehouseName, name));
    }
);

export const taxes = readOnlyList(
    'Tax',
    (s) => s.taxes,
    (ctx) => {
        const revenue =
            ctx.query.get('canApplyToRevenue') === undefined
                ? undefined
                : ctx.query.bool('canApplyToRevenue', true);
        const expenses =
            ctx.query.get('canApplyToExpenses') === undefined
                ? undefined
                : ctx.query.bool('canApplyToExpenses', true);
        const code = ctx.query.get('taxCode');
        return (t) =>
            (revenue === undefined || t.CanApplyToRevenue === revenue) &&
            (expenses === undefined || t.CanApplyToExpenses === expenses) &&
            sameText(t.TaxCode, code);
    }
);

export const salesPersons = readOnlyList('Sales person', (s) => s.salesPersons);
const methods = readOnlyList('Delivery method', (s) => s.deliveryMethods);
/** Items name the method `Name` or `DeliveryMethodName`, per setting. */
function renamed(ctx: ApiContext, value: unknown): unknown {
    if (ctx.settings.deliveryMethodNameField === 'Name') return value;
    const rename = (m: { Name: string }) => {
        const { Name, ...rest } = m;
        return { ...rest, DeliveryMethodName: Name };
    };
    const page = value as { Items?: { Name: string }[] };
    if (Array.isArray(page.Items)) return { ...page, Items: page.Items.map(rename) };
    return rename(value as { Name: string });
}
export const deliveryMethods: ResourceRoutes = {
    list: (ctx, page) => renamed(ctx, methods.list!(ctx, page)),
    get: (ctx, guid) => renamed(ctx, methods.get!(ctx, guid))
};
const groups = readOnlyList('Sales order group', (s) => s.salesOrderGroups);
/** Items name the group `GroupName`, `Name` or `SalesOrderGroupName`, per setting. */
function groupNamed(ctx: ApiContext, value: unknown): unknown {
    const field = ctx.settings.salesOrderGroupNameField;
    if (field === 'GroupName') return value;
    const rename = (g: { GroupName: string }) => {
        const { GroupName, ...rest } = g;
        return { ...rest, [field]: GroupName };
    };
    const page = value as { Items?: { GroupName: string }[] };
    if (Array.isArray(page.Items)) return { ...page, Items: page.Items.map(rename) };
    return rename(value as { GroupName: string });
}
function listed(ctx: ApiContext): void {
    if (ctx.settings.salesOrderGroupsList === 'absent') throw notFound();
}
export const salesOrderGroups: ResourceRoutes = {
    list(ctx, page) {
        listed(ctx);
        return groupNamed(ctx, groups.list!(ctx, page));
    },
    get(ctx, guid) {
        listed(ctx);
        return groupNamed(ctx, groups.get!(ctx, guid));
    }
};
export const currencies = readOnlyList('Currency', (s) => s.currencies);
export const companies = readOnlyList('Company', (s) => s.companies);
