import { AuraError, auraDatetime } from './aura';
import type { ApexContext } from './context';
import { apexText, isBlank, isObject, objects, str, urlEncode } from './json';
import { MiddlewareError } from './middleware-client';
import { fulfilmentOf } from './fulfilment';
import { soqlString } from '../../salesforce/soql';

/** UnleashedOrderController.getOrder: the Opportunity's sales order as Unleashed has it now. */

interface OrderStateRow {
    Id: string;
    Unleashed_Order_Guid__c: string | null;
    Unleashed_Order_Number__c: string | null;
    Unleashed_Last_Sent__c: string | null;
    [k: string]: unknown;
}

export async function getOrder(ctx: ApexContext, opportunityId: string | null): Promise<unknown> {
    const rows = opportunityId
        ? await ctx.org.data.query<OrderStateRow>(
              `SELECT Id, Name, Unleashed_Order_Guid__c, Unleashed_Order_Number__c, Unleashed_Order_Status__c, Unleashed_Last_Sent__c, Unleashed_Last_Error__c FROM Opportunity WHERE Id = ${soqlString(opportunityId)} WITH USER_MODE LIMIT 1`
          )
        : [];
    const opp = rows[0];
    if (!opp) throw new AuraError('The Opportunity was not found, or you do not have access to it.');
    const view: Record<string, unknown> = {
        hasOrder: !isBlank(opp.Unleashed_Order_Guid__c),
        lastSent: auraDatetime(opp.Unleashed_Last_Sent__c),
        lines: []
    };
    if (!view.hasOrder) return view;
    Object.assign(view, await fulfilmentOf(ctx, opp.Id));
    let answer: unknown;
    try {
        answer = await ctx.middleware.get(
            `/v1/sales-orders/${urlEncode(opp.Unleashed_Order_Guid__c as string)}`
        );
    } catch (err) {
        if (!(err instanceof MiddlewareError)) throw err;
        const reason =
            err.status === 404
                ? `Unleashed has no sales order ${apexText(opp.Unleashed_Order_Number__c)} any more.`
                : err.message;
        throw new AuraError(`The sales order could not be read: ${reason}`);
    }
    if (!isObject(answer)) return view;
    for (const key of [
        'orderGuid',
        'orderNumber',
        'status',
        'orderDate',
        'requiredDate',
        'subTotal',
        'taxTotal',
        'total',
        'currencyCode',
        'warehouseCode',
        'customerCode'
    ]) {
        view[key] = str(answer, key);
    }
    view.lines = objects(answer, 'lines').map((row) => ({
        lineNumber: str(row, 'lineNumber'),
        productCode: str(row, 'productCode'),
        description: str(row, 'description'),
        quantity: str(row, 'quantity'),
        unitPrice: str(row, 'unitPrice'),
        lineTotal: str(row, 'lineTotal'),
        lineTax: str(row, 'lineTax')
    }));
    return view;
}
