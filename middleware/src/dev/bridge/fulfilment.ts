import type { ApexContext } from './context';
import { soqlString } from '../../salesforce/soql';

/**
 * The order's shipments and invoices as the package keeps them (UnleashedFulfilmentSelector and
 * UnleashedFulfilmentMapper): Unleashed_Shipment__c and Unleashed_Invoice__c rows of the record.
 */

type Row = Record<string, unknown>;

const textOf = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const money = (v: unknown): string | null => (v === null || v === undefined ? null : Number(v).toFixed(2));

function linesOf(json: unknown): unknown[] {
    try {
        const parsed: unknown = typeof json === 'string' && json.trim() !== '' ? JSON.parse(json) : null;
        if (!Array.isArray(parsed)) return [];
        return parsed
            .filter((l): l is Row => typeof l === 'object' && l !== null)
            .map((l) => ({
                lineNumber: textOf(l.lineNumber),
                orderLineNumber: textOf(l.orderLineNumber),
                productCode: textOf(l.productCode),
                quantity: textOf(l.quantity)
            }));
    } catch {
        return [];
    }
}

export async function fulfilmentOf(
    ctx: ApexContext,
    recordId: string
): Promise<{ shipments: unknown[]; invoices: unknown[] }> {
    const lookup = recordId.startsWith('801') ? 'Order__c' : 'Opportunity__c';
    const where = `WHERE ${lookup} = ${soqlString(recordId)} WITH USER_MODE ORDER BY Name DESC LIMIT 200`;
    const shipments = await ctx.org.data.query<Row>(
        `SELECT Id, Name, Order_Number__c, Status__c, Dispatch_Date__c, Courier__c, Tracking_Number__c, Tracking_Url__c, Lines__c FROM Unleashed_Shipment__c ${where}`
    );
    const invoices = await ctx.org.data.query<Row>(
        `SELECT Id, Name, Order_Number__c, Status__c, Invoice_Date__c, Due_Date__c, Currency__c, Sub_Total__c, Tax_Total__c, Total__c FROM Unleashed_Invoice__c ${where}`
    );
    return {
        shipments: shipments.map((s) => ({
            id: s.Id,
            shipmentNumber: textOf(s.Name),
            orderNumber: textOf(s.Order_Number__c),
            status: textOf(s.Status__c),
            dispatchDate: textOf(s.Dispatch_Date__c),
            courier: textOf(s.Courier__c),
            trackingNumber: textOf(s.Tracking_Number__c),
            trackingUrl: textOf(s.Tracking_Url__c),
            lines: linesOf(s.Lines__c)
        })),
        invoices: invoices.map((i) => ({
            id: i.Id,
            invoiceNumber: textOf(i.Name),
            orderNumber: textOf(i.Order_Number__c),
            status: textOf(i.Status__c),
            invoiceDate: textOf(i.Invoice_Date__c),
            dueDate: textOf(i.Due_Date__c),
            currencyCode: textOf(i.Currency__c),
            subTotal: money(i.Sub_Total__c),
            taxTotal: money(i.Tax_Total__c),
            total: money(i.Total__c)
        }))
    };
}
