import { AuraError } from './aura';
import type { ApexContext } from './context';
import { isObject, objects, str, urlEncode } from './json';
import { MiddlewareError } from './middleware-client';
import { soqlString } from '../../salesforce/soql';

/** UnleashedAccountHistoryController.getHistory: one page of the customer's Unleashed history. */

const MAX_PAGE = 1000;

export async function getHistory(
    ctx: ApexContext,
    accountId: string | null,
    page: number | null
): Promise<unknown> {
    const wanted = page ?? 1;
    if (!Number.isInteger(wanted) || wanted < 1 || wanted > MAX_PAGE)
        throw new AuraError(`page must be a whole number from 1 to ${MAX_PAGE}.`);
    const rows = accountId
        ? await ctx.org.data.query<{ Unleashed_Customer_Code__c: string | null }>(
              `SELECT Id, Unleashed_Customer_Code__c FROM Account WHERE Id = ${soqlString(accountId)} WITH USER_MODE LIMIT 1`
          )
        : [];
    const account = rows[0];
    if (!account) throw new AuraError('The Account was not found, or you do not have access to it.');
    const code = account.Unleashed_Customer_Code__c;
    const view: Record<string, unknown> = {
        customerCode: code ?? null,
        hasCustomerCode: !!code && code.trim() !== '',
        page: wanted,
        orders: [],
        invoices: []
    };
    if (!view.hasCustomerCode) return view;
    let answer: unknown;
    try {
        answer = await ctx.middleware.get(`/v1/customers/${urlEncode(code!)}/history?page=${wanted}`);
    } catch (err) {
        if (!(err instanceof MiddlewareError)) throw err;
        if (err.status === 404) {
            view.message = `Unleashed has no customer with the code ${code}.`;
            return view;
        }
        throw new AuraError(`The Unleashed history could not be read: ${err.message}`);
    }
    if (!isObject(answer)) return view;
    const count = (list: unknown, key: string) => {
        const v = isObject(list) ? list[key] : undefined;
        return typeof v === 'number' ? v : null;
    };
    const row = (r: Record<string, unknown>) => ({
        guid: str(r, 'guid'),
        documentNumber: str(r, 'number'),
        status: str(r, 'status'),
        documentDate: str(r, 'date'),
        currencyCode: str(r, 'currency'),
        subTotal: str(r, 'subTotal'),
        taxTotal: str(r, 'taxTotal'),
        total: str(r, 'total')
    });
    view.customerName = str(answer, 'customerName');
    view.pageSize = typeof answer.pageSize === 'number' ? answer.pageSize : null;
    view.readAt = str(answer, 'readAt');
    view.orderCount = count(answer.orders, 'numberOfItems');
    view.orderPages = count(answer.orders, 'numberOfPages');
    view.invoiceCount = count(answer.invoices, 'numberOfItems');
    view.invoicePages = count(answer.invoices, 'numberOfPages');
    view.orders = objects(isObject(answer.orders) ? answer.orders : {}, 'items').map((r) => ({
        ...row(r),
        customStatus: str(r, 'customStatus'),
        sentFromSalesforce: r.sentFromSalesforce === true
    }));
    view.invoices = objects(isObject(answer.invoices) ? answer.invoices : {}, 'items').map((r) => ({
        ...row(r),
        orderNumber: str(r, 'orderNumber'),
        dueDate: str(r, 'dueDate')
    }));
    return view;
}
