import type { FastifyInstance, FastifyReply } from 'fastify';
import { AuraError, idParam, toAura } from './bridge/aura';
import { bindingFor } from './bridge/bindings';
import { apexContext, type ApexContext } from './bridge/context';
import { isObject } from './bridge/json';
import type { BridgeOrg } from './bridge/org';
import { soqlString } from '../salesforce/soql';

/**
 * The preview's dev bridge (never part of the product): `POST /__bridge/apex/<Class>/<method>` does
 * what the package's @AuraEnabled method does, against the Salesforce simulator and the middleware,
 * and answers the same DTO; an AuraHandledException comes back as 400 `{message}`, anything else as
 * 500. `GET /__bridge/records` and `/__bridge/record/:id` feed the preview's record pages.
 */

export interface BridgeOptions {
    org: BridgeOrg;
    fetchImpl?: typeof fetch;
    now?: () => Date;
    /** The Unleashed simulator, for the demo's "in Unleashed" controls (place, ship, invoice). */
    unleashedSimUrl?: string;
}

/** What the demo's controls do in the Unleashed simulator, as a warehouse user would in Unleashed. */
const UNLEASHED_ACTIONS: Record<string, { path: string; body: Record<string, unknown> }> = {
    place: { path: 'status', body: { status: 'Placed' } },
    ship: { path: 'ship', body: { courier: 'NZ Post', trackingNumber: 'NZ400000000001', complete: true } },
    invoice: { path: 'invoice', body: { dueInDays: 20 } }
};

function fail(reply: FastifyReply, err: unknown): FastifyReply {
    if (err instanceof AuraError) return reply.code(400).send({ message: err.message });
    const message = err instanceof Error ? err.message : String(err);
    return reply.code(500).send({ message });
}

const money = (v: unknown, currency: unknown) =>
    typeof v === 'number' ? `${typeof currency === 'string' ? `${currency} ` : ''}${v.toFixed(2)}` : null;

async function records(ctx: ApexContext): Promise<unknown> {
    const [accounts, opportunities, orders, products] = await Promise.all([
        ctx.org.data.query(
            'SELECT Id, Name, BillingCity, ShippingCity, Unleashed_Customer_Code__c FROM Account ORDER BY Name'
        ),
        ctx.org.data.query(
            'SELECT Id, Name, Amount, CurrencyIsoCode, Account.Name, Unleashed_Order_Number__c FROM Opportunity ORDER BY Name'
        ),
        ctx.org.data.query(
            'SELECT Id, Name, OrderNumber, PoNumber, TotalAmount, CurrencyIsoCode, Account.Name, Unleashed_Order_Number__c FROM Order ORDER BY OrderNumber'
        ),
        ctx.org.data.query('SELECT Id, Name, Unleashed_Product_Code__c FROM Product2 ORDER BY Name')
    ]);
    return {
        accounts: accounts.map((a) => ({
            id: a.Id,
            name: a.Name,
            detail: [a.BillingCity ?? a.ShippingCity, a.Unleashed_Customer_Code__c ?? 'no Unleashed code']
                .filter(Boolean)
                .join(', ')
        })),
        orders: orders.map((o) => ({
            id: o.Id,
            name: orderTitle(o),
            detail: [
                isObject(o.Account) ? o.Account.Name : null,
                o.PoNumber ? `PO ${String(o.PoNumber)}` : null,
                money(o.TotalAmount, o.CurrencyIsoCode),
                o.Unleashed_Order_Number__c
            ]
                .filter(Boolean)
                .join(', ')
        })),
        opportunities: opportunities.map((o) => ({
            id: o.Id,
            name: o.Name,
            detail: [
                isObject(o.Account) ? o.Account.Name : null,
                money(o.Amount, o.CurrencyIsoCode),
                o.Unleashed_Order_Number__c
            ]
                .filter(Boolean)
                .join(', ')
        })),
        products: products.map((p) => ({
            id: p.Id,
            name: p.Name,
            detail: p.Unleashed_Product_Code__c ?? 'no Unleashed code'
        }))
    };
}

/** Salesforce titles an Order by its name, or by its number when it has none. */
const orderTitle = (o: Record<string, unknown>) =>
    typeof o.Name === 'string' && o.Name.trim() !== '' ? o.Name : `Order ${String(o.OrderNumber)}`;

async function record(ctx: ApexContext, id: string): Promise<unknown> {
    if (id.startsWith('001')) {
        const [a] = await ctx.org.data.query(
            `SELECT Id, Name, Phone, BillingCity, BillingCountry, ShippingCity, ShippingCountry, CurrencyIsoCode, Unleashed_Customer_Code__c FROM Account WHERE Id = ${soqlString(id)} LIMIT 1`
        );
        if (!a) return null;
        return {
            id: a.Id,
            objectApiName: 'Account',
            objectLabel: 'Account',
            name: a.Name,
            highlights: [
                { label: 'Phone', value: a.Phone },
                {
                    label: 'City',
                    value: [a.BillingCity ?? a.ShippingCity, a.BillingCountry ?? a.ShippingCountry]
                        .filter(Boolean)
                        .join(', ')
                },
                { label: 'Currency', value: a.CurrencyIsoCode },
                { label: 'Unleashed Customer Code', value: a.Unleashed_Customer_Code__c }
            ]
        };
    }
    if (id.startsWith('801')) {
        const [o] = await ctx.org.data.query(
            `SELECT Id, Name, OrderNumber, PoNumber, Status, EffectiveDate, TotalAmount, CurrencyIsoCode, Account.Name, Unleashed_Order_Number__c, Unleashed_Order_Status__c FROM Order WHERE Id = ${soqlString(id)} LIMIT 1`
        );
        if (!o) return null;
        return {
            id: o.Id,
            objectApiName: 'Order',
            objectLabel: 'Order',
            name: orderTitle(o),
            highlights: [
                { label: 'Account', value: isObject(o.Account) ? o.Account.Name : null },
                { label: 'PO Number', value: o.PoNumber },
                { label: 'Order Amount', value: money(o.TotalAmount, o.CurrencyIsoCode) },
                { label: 'Status', value: o.Status },
                { label: 'Order Start Date', value: o.EffectiveDate },
                { label: 'Unleashed Order', value: o.Unleashed_Order_Number__c },
                { label: 'Unleashed Status', value: o.Unleashed_Order_Status__c }
            ]
        };
    }
    if (id.startsWith('006')) {
        const [o] = await ctx.org.data.query(
            `SELECT Id, Name, Amount, CurrencyIsoCode, StageName, CloseDate, Account.Name, Unleashed_Order_Number__c, Unleashed_Order_Status__c, Unleashed_Total__c FROM Opportunity WHERE Id = ${soqlString(id)} LIMIT 1`
        );
        if (!o) return null;
        return {
            id: o.Id,
            objectApiName: 'Opportunity',
            objectLabel: 'Opportunity',
            name: o.Name,
            highlights: [
                { label: 'Account', value: isObject(o.Account) ? o.Account.Name : null },
                { label: 'Amount', value: money(o.Amount, o.CurrencyIsoCode) },
                { label: 'Stage', value: o.StageName },
                { label: 'Close Date', value: o.CloseDate },
                { label: 'Unleashed Order', value: o.Unleashed_Order_Number__c },
                { label: 'Unleashed Status', value: o.Unleashed_Order_Status__c }
            ]
        };
    }
    if (id.startsWith('01t')) {
        const [p] = await ctx.org.data.query(
            `SELECT Id, Name, ProductCode, Family, IsActive, Unleashed_Product_Code__c FROM Product2 WHERE Id = ${soqlString(id)} LIMIT 1`
        );
        if (!p) return null;
        return {
            id: p.Id,
            objectApiName: 'Product2',
            objectLabel: 'Product',
            name: p.Name,
            highlights: [
                { label: 'Product Code', value: p.ProductCode },
                { label: 'Unleashed Product Code', value: p.Unleashed_Product_Code__c },
                { label: 'Family', value: p.Family },
                { label: 'Active', value: p.IsActive ? 'Yes' : 'No' }
            ]
        };
    }
    return null;
}

/** Fastify plugin with the bridge's routes (register without encapsulation prefix). */
export async function bridgeRoutes(app: FastifyInstance, opts: BridgeOptions): Promise<void> {
    const ctx = apexContext(opts.org, { fetchImpl: opts.fetchImpl, now: opts.now });

    app.post<{ Params: { cls: string; method: string }; Body: unknown }>(
        '/__bridge/apex/:cls/:method',
        async (request, reply) => {
            const { cls, method } = request.params;
            const binding = bindingFor(cls, method);
            if (!binding) {
                return reply
                    .code(404)
                    .send({ message: `No @AuraEnabled method ${cls}.${method} in the package` });
            }
            const params = request.body ?? {};
            if (!isObject(params))
                return reply.code(400).send({ message: 'Parameters must be a JSON object' });
            try {
                return reply.send(toAura(await binding(ctx, params)));
            } catch (err) {
                request.log.warn(
                    { cls, method, err: err instanceof Error ? err.message : String(err) },
                    'apex call failed'
                );
                return fail(reply, err);
            }
        }
    );

    // The demo only: play Unleashed's side of an order the record sent, so a user can watch it come back.
    app.post<{ Params: { id: string; action: string } }>(
        '/__bridge/demo/unleashed/:id/:action',
        async (request, reply) => {
            const action = UNLEASHED_ACTIONS[request.params.action];
            if (!action || !opts.unleashedSimUrl)
                return reply.code(404).send({ message: `No demo action ${request.params.action}` });
            try {
                const id = idParam({ id: request.params.id }, 'id');
                const sobject = id?.startsWith('801') ? 'Order' : 'Opportunity';
                const [row] = id
                    ? await ctx.org.data.query(
                          `SELECT Unleashed_Order_Guid__c FROM ${sobject} WHERE Id = ${soqlString(id)} LIMIT 1`
                      )
                    : [];
                const guid = row?.Unleashed_Order_Guid__c;
                if (typeof guid !== 'string' || guid === '')
                    return reply.code(400).send({ message: 'Send the record to Unleashed first.' });
                const res = await (opts.fetchImpl ?? fetch)(
                    `${opts.unleashedSimUrl}/__sim/orders/${guid}/${action.path}`,
                    {
                        method: 'POST',
                        headers: { 'content-type': 'application/json' },
                        body: JSON.stringify(action.body)
                    }
                );
                return reply.code(res.status).send(await res.json());
            } catch (err) {
                return fail(reply, err);
            }
        }
    );

    app.get('/__bridge/records', async (_request, reply) => {
        try {
            return reply.send(await records(ctx));
        } catch (err) {
            return fail(reply, err);
        }
    });

    app.get<{ Params: { id: string } }>('/__bridge/record/:id', async (request, reply) => {
        try {
            const id = idParam({ id: request.params.id }, 'id');
            const found = id ? await record(ctx, id) : null;
            if (!found) return reply.code(404).send({ message: `No record ${request.params.id}` });
            return reply.send(found);
        } catch (err) {
            return fail(reply, err);
        }
    });
}
