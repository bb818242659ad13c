import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import Decimal from 'decimal.js';
import { startDemo, type DemoStack } from '../../src/dev/start-demo';
import { DEMO_API_ID, DEMO_API_KEY } from '../../src/sandbox/unleashed-sim';

/**
 * The dev bridge against the real stack (both simulators, the middleware on in-memory PGlite): each
 * bound Apex method answers the DTO the package's Apex answers and leaves the same records behind.
 */

jest.setTimeout(60_000);

let stack: DemoStack;
let previewDir: string;

const ACME_OPP = 'Acme - widget restock';
const BETA_OPP = 'Beta Builders - fit-out';
const JANE_OPP = 'Jane Citizen - home order';

type Answer = { status: number; body: any }; // eslint-disable-line @typescript-eslint/no-explicit-any

async function apex(cls: string, method: string, params: Record<string, unknown> = {}): Promise<Answer> {
    const res = await fetch(`${stack.urls.preview}/__bridge/apex/${cls}/${method}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(params)
    });
    return { status: res.status, body: await res.json() };
}

async function ok(cls: string, method: string, params: Record<string, unknown> = {}) {
    const answer = await apex(cls, method, params);
    if (answer.status !== 200)
        throw new Error(`${cls}.${method}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body;
}

function recordNamed(sobject: string, name: string): Record<string, unknown> {
    const found = stack.salesforce.records(sobject).find((r) => r.Name === name);
    if (!found) throw new Error(`no ${sobject} ${name}`);
    return found;
}

const field = (record: Record<string, unknown>, name: string) => record[`unleashed__${name}`];

/** Expected stock of a product in the Unleashed simulator, per warehouse code. */
function simStock(code: string): Map<string, { onHand: string; allocated: string; available: string }> {
    const state = stack.unleashed.state;
    const p = state.products.indexOfCode(code);
    const out = new Map<string, { onHand: string; allocated: string; available: string }>();
    state.warehouses.forEach((w, i) => {
        const cell = state.stock.cell(p, i);
        if (!cell) return;
        out.set(w.WarehouseCode, {
            onHand: cell.onHand.toString(),
            allocated: cell.allocated.toString(),
            available: cell.onHand.minus(cell.allocated).toString()
        });
    });
    return out;
}

/** A loopback port nothing listens on (taken, then released). */
async function closedPort(): Promise<number> {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const address = server.address();
    await new Promise((r) => server.close(r));
    return typeof address === 'object' && address ? address.port : 0;
}

beforeAll(async () => {
    previewDir = mkdtempSync(join(tmpdir(), 'preview-'));
    writeFileSync(join(previewDir, 'index.html'), '<!doctype html><title>preview</title>');
    stack = await startDemo({ dataDir: 'memory://', previewDir, logLevel: 'silent' });
});

afterAll(async () => {
    await stack?.close();
    rmSync(previewDir, { recursive: true, force: true });
});

describe('stock', () => {
    it('shows a product’s stock per warehouse exactly as the Unleashed simulator holds it', async () => {
        const product = recordNamed('Product2', 'Blue widget');
        const view = await ok('UnleashedStockController', 'getProductStock', { productId: product.Id });
        expect(view.connected).toBe(true);
        expect(typeof view.asOf).toBe('string');
        const expected = simStock('WIDGET-BLUE');
        expect(expected.size).toBeGreaterThan(0);
        for (const [code, q] of expected) {
            const row = view.warehouses.find((w: { warehouseCode: string }) => w.warehouseCode === code);
            expect(row).toBeDefined();
            expect(String(row.onHand)).toBe(q.onHand);
            expect(String(row.allocated)).toBe(q.allocated);
            expect(String(row.available)).toBe(q.available);
        }
    });

    it('says when a product has no Unleashed code, without calling the middleware', async () => {
        const product = recordNamed('Product2', 'Product without an Unleashed code');
        const view = await ok('UnleashedStockController', 'getProductStock', { productId: product.Id });
        expect(view.message).toBe(
            'This product has no Unleashed product code, so Unleashed has no stock for it.'
        );
        expect(view.warehouses).toEqual([]);
    });

    it('totals an Opportunity’s distinct products per warehouse and marks lines without a code', async () => {
        const opp = recordNamed('Opportunity', BETA_OPP);
        const view = await ok('UnleashedStockController', 'getOpportunityStock', { opportunityId: opp.Id });
        expect(view.lines.map((l: { productCode?: string }) => l.productCode ?? null)).toEqual([
            'CABLE-2M',
            'BOLT-M6',
            null
        ]);
        expect(view.lines[2]).toMatchObject({ hasCode: false, known: false });
        const cable = simStock('CABLE-2M');
        const bolt = simStock('BOLT-M6');
        for (const total of view.warehouses) {
            const sum = new Decimal(cable.get(total.warehouseCode)?.available ?? 0).plus(
                bolt.get(total.warehouseCode)?.available ?? 0
            );
            expect(String(total.available)).toBe(sum.toString());
        }
    });

    it('answers an unknown record as the Apex error message with status 400', async () => {
        const answer = await apex('UnleashedStockController', 'getProductStock', {
            productId: '01t5g0000009999AAA'
        });
        expect(answer).toEqual({
            status: 400,
            body: { message: 'The product was not found, or you do not have access to it.' }
        });
        const bad = await apex('UnleashedStockController', 'getProductStock', { productId: 'not-an-id' });
        expect(bad.status).toBe(400);
        expect(bad.body.message).toBe('Invalid id: not-an-id');
    });
});

describe('send to Unleashed', () => {
    it('starts from the org’s defaults and lists what blocks a send', async () => {
        const acme = recordNamed('Opportunity', ACME_OPP);
        const context = await ok('UnleashedSendController', 'getSendContext', { opportunityId: acme.Id });
        expect(context.defaults).toMatchObject({
            warehouseCode: 'MAIN',
            customerCode: 'ACME',
            taxCode: 'G.S.T.',
            orderStatus: 'Parked'
        });
        expect(context.defaults.newCustomerCode).toBeUndefined();
        expect(context.blocking).toEqual([]);
        expect(context.warehouses.map((w: { value: string }) => w.value)).toEqual(['CHC', 'MAIN', 'WLG']);

        const beta = recordNamed('Opportunity', BETA_OPP);
        const blocked = await ok('UnleashedSendController', 'getSendContext', { opportunityId: beta.Id });
        expect(blocked.account.proposedCustomerCode).toBe('BETABUILDERS');
        // The middleware's words, from the records the bridge gathered.
        expect(blocked.blocking).toEqual([
            'These products have no Unleashed product code: Product without an Unleashed code. Import products from Unleashed, or enter the code on the Product.'
        ]);
        // The business Account's contact comes from the Opportunity's primary contact role, and
        // Unleashed's customer of the same name is offered.
        expect(blocked.account.contactName).toBe('Ben Baxter, ben.baxter@betabuilders.example');
        expect(blocked.account.email).toBe('ben.baxter@betabuilders.example');
        expect(blocked.account.customerMatches).toEqual([
            expect.objectContaining({ code: 'BETA', name: 'Beta Builders', matchedBy: 'name' })
        ]);
        const refused = await apex('UnleashedSendController', 'sendOrder', {
            opportunityId: beta.Id,
            choicesJson: '{}'
        });
        expect(refused.status).toBe(400);
        expect(refused.body.message).toBe(blocked.blocking[0]);
    });

    it('previews, sends once, records the outcome, and updates the Parked order on a second send', async () => {
        const opp = recordNamed('Opportunity', ACME_OPP);
        const choicesJson = JSON.stringify({
            warehouseCode: 'WLG',
            deliveryMethod: 'Courier',
            comments: 'Leave at door'
        });
        const preview = await ok('UnleashedSendController', 'previewOrder', {
            opportunityId: opp.Id,
            choicesJson
        });
        expect(preview).toMatchObject({
            subTotal: '448.85',
            taxTotal: '67.33',
            total: '516.18',
            currencyCode: 'NZD'
        });
        expect(preview.amountDiffers).toBe(false);
        expect(preview.lines).toHaveLength(3);

        const first = await ok('UnleashedSendController', 'sendOrder', {
            opportunityId: opp.Id,
            choicesJson
        });
        expect(first).toMatchObject({ success: true, created: true, status: 'Parked', total: preview.total });
        expect(first.orderNumber).toMatch(/^SO-\d+$/);

        const saved = stack.salesforce.records('Opportunity').find((r) => r.Id === opp.Id)!;
        expect(field(saved, 'Unleashed_Order_Number__c')).toBe(first.orderNumber);
        expect(field(saved, 'Unleashed_Order_Guid__c')).toBe(first.orderGuid);
        expect(field(saved, 'Unleashed_Total__c')).toBe(516.18);
        expect(field(saved, 'Unleashed_Comments__c')).toBe('Leave at door');
        const wlg = stack.salesforce
            .records('Unleashed_Warehouse__c')
            .find((w) => field(w, 'Warehouse_Code__c') === 'WLG');
        expect(field(saved, 'Unleashed_Warehouse__c')).toBe(wlg?.Id);

        const orders = stack.unleashed.state.orders.filter((o) => o.Guid === first.orderGuid);
        expect(orders).toHaveLength(1);
        expect(orders[0]?.Total.toFixed(2)).toBe('516.18');

        const second = await ok('UnleashedSendController', 'sendOrder', {
            opportunityId: opp.Id,
            choicesJson: '{}'
        });
        expect(second).toMatchObject({ success: true, created: false, orderNumber: first.orderNumber });
        expect(stack.unleashed.state.orders.filter((o) => o.Guid === first.orderGuid)).toHaveLength(1);

        const logs = await ok('UnleashedSyncLogController', 'getSyncLogs', {
            limitSize: 10,
            status: 'Success'
        });
        const forOpp = logs.filter((l: { recordId: string }) => l.recordId === opp.Id);
        expect(forOpp.map((l: { operation: string }) => l.operation)).toEqual(['Update Order', 'Send Order']);
        expect(forOpp[1].requestSummary).toBe(
            `Opportunity ${opp.Id}: 3 line(s), warehouse WLG, customer ACME, status Parked, currency NZD -> ${first.orderNumber} Parked`
        );

        const order = await ok('UnleashedOrderController', 'getOrder', { opportunityId: opp.Id });
        expect(order).toMatchObject({
            hasOrder: true,
            orderNumber: first.orderNumber,
            warehouseCode: 'WLG',
            total: '516.18'
        });

        // The demo's "in Unleashed" controls play the warehouse's side of the order just sent.
        const demo = (action: string) =>
            fetch(`${stack.urls.preview}/__bridge/demo/unleashed/${opp.Id}/${action}`, { method: 'POST' });
        expect((await demo('place')).status).toBe(200);
        expect(stack.unleashed.state.orders.find((o) => o.Guid === first.orderGuid)?.OrderStatus).toBe(
            'Placed'
        );
        expect((await demo('ship')).ok).toBe(true);
        expect((await demo('teleport')).status).toBe(404);
    });

    it('records a refused send for a retry, and the retry sends it', async () => {
        const opp = recordNamed('Opportunity', JANE_OPP);
        stack.unleashed.setFaults({ failRate5xx: 1 });
        let failed;
        try {
            failed = await ok('UnleashedSendController', 'sendOrder', {
                opportunityId: opp.Id,
                choicesJson: '{}'
            });
        } finally {
            stack.unleashed.setFaults({ failRate5xx: 0 });
        }
        expect(failed.success).toBe(false);
        expect(failed.errorMessage).toEqual(expect.any(String));
        const saved = stack.salesforce.records('Opportunity').find((r) => r.Id === opp.Id)!;
        expect(field(saved, 'Unleashed_Last_Error__c')).toBe(failed.errorMessage);

        const errors = await ok('UnleashedSyncLogController', 'getSyncLogs', { status: 'Error' });
        const row = errors.find((l: { id: string }) => l.id === failed.syncLogId);
        expect(row).toMatchObject({ operation: 'Send Order', status: 'Error', canRetry: true, attempts: 1 });

        const retried = await ok('UnleashedSyncLogController', 'retrySync', { logId: row.id });
        expect(retried).toMatchObject({
            operation: 'Send Order',
            status: 'Success',
            attempts: 2,
            canRetry: false
        });
        const jane = stack.unleashed.state.orders.filter((o) => o.Customer.CustomerCode === 'JANECITIZEN');
        expect(jane).toHaveLength(1);
    });

    it('retries a Salesforce Order’s failed send on the Order, and refuses Orders Send From leaves out', async () => {
        const order = stack.salesforce.records('Order').find((r) => r.PoNumber === 'PO-4471')!;
        const orderId = String(order.Id);
        const settings = stack.org.settings;
        try {
            stack.org.settings = { ...settings, Send_From__c: null };
            const refused = await apex('UnleashedSendController', 'sendOrder', {
                opportunityId: orderId,
                choicesJson: '{}'
            });
            expect(refused).toEqual({
                status: 400,
                body: {
                    message:
                        'Sending Orders to Unleashed is turned off in this org (the Unleashed setting Send From is blank, which means Opportunity only); an administrator can add Order to it, separated by a comma, in Setup > Custom Settings > Unleashed Settings.'
                }
            });
        } finally {
            stack.org.settings = settings;
        }

        stack.unleashed.setFaults({ failRate5xx: 1 });
        let failed;
        try {
            failed = await ok('UnleashedSendController', 'sendOrder', {
                opportunityId: orderId,
                choicesJson: '{}'
            });
        } finally {
            stack.unleashed.setFaults({ failRate5xx: 0 });
        }
        expect(failed.success).toBe(false);
        const saved = () => stack.salesforce.records('Order').find((r) => r.Id === orderId)!;
        expect(field(saved(), 'Unleashed_Last_Error__c')).toBe(failed.errorMessage);
        const log = stack.salesforce.records('Unleashed_Sync_Log__c').find((l) => l.Id === failed.syncLogId)!;
        expect([field(log, 'Order__c'), field(log, 'Opportunity__c'), field(log, 'Record_Id__c')]).toEqual([
            orderId,
            null,
            orderId
        ]);

        const retried = await ok('UnleashedSyncLogController', 'retrySync', { logId: failed.syncLogId });
        expect(retried).toMatchObject({ operation: 'Send Order', status: 'Success', attempts: 2 });
        const sent = stack.unleashed.state.orders.filter((o) => o.CustomerRef === 'PO-4471');
        expect(sent).toHaveLength(1);
        expect(field(saved(), 'Unleashed_Order_Guid__c')).toBe(sent[0]!.Guid);
        expect(field(saved(), 'Unleashed_Last_Error__c')).toBeNull();
    });

    it('gathers the Account’s own defaults, which the dialog starts from before the org’s', async () => {
        const opp = recordNamed('Opportunity', BETA_OPP);
        const wlg = stack.salesforce
            .records('Unleashed_Warehouse__c')
            .find((w) => field(w, 'Warehouse_Code__c') === 'WLG')!;
        const accountId = String(opp.AccountId);
        const before = await ok('UnleashedSendController', 'getSendContext', { opportunityId: opp.Id });
        expect(before.defaults.warehouseCode).not.toBe('WLG');
        expect(before.defaults.deliveryAddress).not.toEqual(before.billingAddress);
        await stack.org.data.update('Account', {
            Id: accountId,
            Unleashed_Default_Warehouse__c: String(wlg.Id),
            Unleashed_Deliver_To__c: 'Billing'
        });
        try {
            const context = await ok('UnleashedSendController', 'getSendContext', { opportunityId: opp.Id });
            expect(context.defaults.warehouseCode).toBe('WLG');
            expect(context.defaults.deliveryAddress).toEqual(context.billingAddress);
        } finally {
            await stack.org.data.update('Account', {
                Id: accountId,
                Unleashed_Default_Warehouse__c: null,
                Unleashed_Deliver_To__c: null
            });
        }
    });

    it('takes the order number from the Opportunity field the settings name, or says what is wrong', async () => {
        const opp = recordNamed('Opportunity', ACME_OPP);
        const blocking = async () =>
            (await ok('UnleashedSendController', 'getSendContext', { opportunityId: opp.Id }))
                .blocking as string[];
        try {
            stack.org.settings = {
                Use_Opportunity_Number__c: true,
                Order_Number_Field__c: 'No_Such_Field__c'
            };
            expect(await blocking()).toEqual([
                expect.stringContaining(
                    'The Unleashed setting Order Number Field is "No_Such_Field__c", which is not a field on Opportunity.'
                )
            ]);
            stack.org.settings = { Use_Opportunity_Number__c: true, Order_Number_Field__c: 'closedate' };
            expect(await blocking()).toEqual([
                expect.stringContaining('names the Opportunity field CloseDate, which is a date field.')
            ]);
            stack.org.settings = {
                Use_Opportunity_Number__c: true,
                Order_Number_Field__c: 'Name',
                Order_Number_Prefix__c: 'OPP-'
            };
            expect(await blocking()).toEqual([]);
            const preview = await apex('UnleashedSendController', 'previewOrder', {
                opportunityId: opp.Id,
                choicesJson: '{}'
            });
            expect(preview.status).toBe(200);
        } finally {
            stack.org.settings = {};
        }
    });

    it('leaves out optional fields the user cannot read, and names a required one', async () => {
        const opp = recordNamed('Opportunity', ACME_OPP);
        try {
            stack.org.unreadableFields = ['Account.Phone', 'Account.BillingCity', 'Opportunity.Amount'];
            const context = await ok('UnleashedSendController', 'getSendContext', { opportunityId: opp.Id });
            // Aura leaves null properties out of the answer.
            expect(context.account.phone).toBeUndefined();
            expect(context.billingAddress.city).toBeUndefined();
            expect(context.billingAddress.street).toBe('1 Queen Street');
            expect(context.amount).toBeUndefined();
            const preview = await ok('UnleashedSendController', 'previewOrder', {
                opportunityId: opp.Id,
                choicesJson: '{}'
            });
            expect(preview.amountDiffers).toBe(false);
            expect(preview.warnings).toContain(
                'Left out because you cannot read them: Opportunity Amount, Account Phone, Account Billing City.'
            );

            stack.org.unreadableFields = ['OpportunityLineItem.Discount'];
            const refused = await apex('UnleashedSendController', 'sendOrder', {
                opportunityId: opp.Id,
                choicesJson: '{}'
            });
            expect(refused.status).toBe(400);
            expect(refused.body.message).toBe(
                'You cannot read Opportunity Product Discount (Discount), which sending this order needs. Ask your administrator for read access to that field.'
            );
        } finally {
            stack.org.unreadableFields = [];
        }
    });

    it('explains bad choices instead of sending', async () => {
        const opp = recordNamed('Opportunity', ACME_OPP);
        const bad = await apex('UnleashedSendController', 'previewOrder', {
            opportunityId: opp.Id,
            choicesJson: '{oops'
        });
        expect(bad.status).toBe(400);
        expect(bad.body.message).toMatch(/^The order choices are not valid JSON: /);
        const date = await apex('UnleashedSendController', 'previewOrder', {
            opportunityId: opp.Id,
            choicesJson: JSON.stringify({ requiredDate: '2026-02-30' })
        });
        expect(date.body.message).toContain('The required date must be a date written as yyyy-MM-dd.');
    });
});

describe('admin', () => {
    it('shows the connection with the month’s quota', async () => {
        const state = await ok('UnleashedSetupController', 'getSetupState');
        expect(state).toMatchObject({ canManage: true, middlewareConnected: true, unleashedConnected: true });
        expect(state.quota.limit).toBe(125000);
        expect(state.quota.used).toBeGreaterThan(0);
        // As the middleware worked it out: the share used and what polling costs a day.
        expect(state.quota.percent).toBe(Math.round((state.quota.used * 1000) / 125000) / 10);
        expect(state.quota.pollingCallsPerDay).toBeGreaterThan(0);
        expect(state.connectUrl).toContain(
            `${stack.urls.middleware}/oauth/salesforce/start?orgId=${stack.org.orgId}`
        );
        // The org's own login host (in the demo, the Salesforce simulator).
        expect(new URL(state.connectUrl).searchParams.get('loginUrl')).toBe(stack.urls.salesforce);
        // Aura leaves null properties out.
        expect(state.needsReconnect).toBe(false);
        expect(state).not.toHaveProperty('copiedFromOrgId');
    });

    it('passes on Unleashed’s refusal of wrong credentials and keeps the working ones', async () => {
        const answer = await apex('UnleashedSetupController', 'saveUnleashedCredentials', {
            apiId: '11111111-2222-4333-8444-555555555555',
            apiKey: 'this-is-not-the-key-of-that-account-at-all'
        });
        expect(answer.status).toBe(400);
        expect(answer.body.message).toMatch(/^Unleashed did not accept the API credentials: /);
        const state = await ok('UnleashedSetupController', 'getSetupState');
        expect(state.unleashedConnected).toBe(true);
    });

    it('refuses an unknown import entity with the middleware’s words, and an unknown log filter', async () => {
        const answer = await apex('UnleashedImportController', 'startImport', {
            entities: ['warehouses', 'widgets'],
            fullReimport: false,
            createMissingAccounts: false
        });
        expect(answer).toEqual({
            status: 400,
            body: {
                message:
                    'The import could not be started: Unknown import entities: widgets. Use warehouses, taxes, salesPersons, deliveryMethods, salesOrderGroups, products, priceTiers, customers.'
            }
        });
        const logs = await apex('UnleashedSyncLogController', 'getSyncLogs', { status: 'Maybe' });
        expect(logs.body.message).toBe('The status filter must be Success, Error or All.');
        const state = await ok('UnleashedImportController', 'getImportState');
        expect(state.entities.map((e: { name: string }) => e.name)).toEqual([
            'warehouses',
            'taxes',
            'salesPersons',
            'deliveryMethods',
            'salesOrderGroups',
            'products',
            'priceTiers',
            'customers'
        ]);
        expect(state.canImport).toBe(true);
    });

    it('tells the user when the middleware cannot be reached', async () => {
        const saved = stack.org.middlewareUrl;
        stack.org.middlewareUrl = `http://127.0.0.1:${await closedPort()}`;
        try {
            const product = recordNamed('Product2', 'Blue widget');
            const answer = await apex('UnleashedStockController', 'getProductStock', {
                productId: product.Id
            });
            expect(answer.status).toBe(400);
            expect(answer.body.message).toBe(
                'Stock is not available right now: The Unleashed connector service could not be reached: Connection refused'
            );
        } finally {
            stack.org.middlewareUrl = saved;
        }
    });

    it('disconnects: the middleware forgets the org and the org its secret', async () => {
        const state = await ok('UnleashedSetupController', 'disconnect');
        expect(state).toMatchObject({ middlewareConnected: false, unleashedConnected: false });
        expect(await stack.middleware.inject({ method: 'GET', url: '/healthz' })).toHaveProperty(
            'statusCode',
            200
        );
        const stock = await ok('UnleashedStockController', 'getProductStock', {
            productId: recordNamed('Product2', 'Blue widget').Id
        });
        expect(stock).toEqual({
            connected: false,
            message:
                'Unleashed is not connected yet. An administrator can connect it on the Unleashed Admin tab.',
            warehouses: [],
            lines: []
        });
    });
});

describe('connection setting', () => {
    it('is the org’s own: a connection.secret event delivered to the org connects the preview again', async () => {
        const secret = Buffer.alloc(32, 9).toString('base64');
        const answer = await stack.salesforce.apex.handle('POST', `/${stack.salesforce.namespace}/events`, {
            events: [{ type: 'connection.secret', secret, companyName: 'Demo Company', baseCurrency: 'NZD' }]
        });
        expect(answer.body).toEqual({ results: [{ index: 0, ok: true, error: null, retry: false }] });
        const state = await ok('UnleashedSetupController', 'getSetupState');
        expect(state).toMatchObject({
            middlewareConnected: true,
            companyName: 'Demo Company',
            baseCurrency: 'NZD'
        });
        // The middleware forgot this org at the disconnect, so it refuses the new secret's signature.
        expect(state.message).toMatch(
            /^The Unleashed connector service does not accept this org's connection any more \(.+\)\. Connect again/
        );
        expect(state.needsReconnect).toBe(true);
    });

    it('a copy of another org’s connection (a refreshed sandbox) is named, never used, and asks to connect', async () => {
        const production = '00D000000000001AAA';
        stack.salesforce.apex.connection!.orgId = production;
        const state = await ok('UnleashedSetupController', 'getSetupState');
        expect(state).toMatchObject({
            middlewareConnected: false,
            copiedFromOrgId: production,
            needsReconnect: true
        });
        expect(state.message).toContain(`connection of org ${production}`);
        const stock = await ok('UnleashedStockController', 'getProductStock', {
            productId: recordNamed('Product2', 'Blue widget').Id
        });
        expect(stock.connected).toBe(false);
        // The send dialog says so without asking the middleware, and nothing can be sent.
        const opp = recordNamed('Opportunity', ACME_OPP);
        const context = await ok('UnleashedSendController', 'getSendContext', { opportunityId: opp.Id });
        expect(context).toMatchObject({
            opportunityId: opp.Id,
            opportunityName: ACME_OPP,
            blocking: [
                'Unleashed is not connected yet. An administrator can connect it on the Unleashed Admin tab.'
            ]
        });
        const refused = await apex('UnleashedSendController', 'sendOrder', { opportunityId: opp.Id });
        expect(refused).toEqual({ status: 400, body: { message: context.blocking[0] } });
    });
});

describe('connect flow', () => {
    it('connects the org again from the admin tab’s Connect link, then takes the Unleashed credentials', async () => {
        const before = await ok('UnleashedSetupController', 'getSetupState');
        // The browser's trip: middleware start -> the org's authorize page -> the middleware's callback.
        expect(before.copiedFromOrgId).toBe('00D000000000001AAA');
        let url: string = before.connectUrl;
        const visited: string[] = [];
        // The middleware's connect cookie, as the browser keeps it for the middleware's host.
        let cookie = '';
        for (let hop = 0; hop < 5 && !url.startsWith(stack.urls.preview); hop++) {
            const toMiddleware = url.startsWith(stack.urls.middleware);
            const res = await fetch(url, {
                redirect: 'manual',
                headers: toMiddleware && cookie ? { cookie } : {}
            });
            const set = res.headers.get('set-cookie');
            if (toMiddleware && set) cookie = set.split(';')[0]!;
            visited.push(`${res.status} ${new URL(url).pathname}`);
            const location = res.headers.get('location');
            if (res.status !== 302 || !location) throw new Error(`${url}: ${res.status} ${await res.text()}`);
            url = new URL(location, url).toString();
        }
        expect(visited).toEqual([
            '302 /oauth/salesforce/start',
            '302 /services/oauth2/authorize',
            '302 /oauth/salesforce/callback'
        ]);
        expect(new URL(url).pathname).toBe(`/lightning/n/${stack.salesforce.namespace}__Unleashed_Admin`);

        expect(cookie).toMatch(/^unleashed-connect=/);

        const connected = await ok('UnleashedSetupController', 'getSetupState');
        expect(connected).toMatchObject({
            middlewareConnected: true,
            unleashedConnected: false,
            needsReconnect: false
        });
        expect(connected).not.toHaveProperty('copiedFromOrgId');
        expect(stack.salesforce.apex.connection!.orgId).toBe(stack.org.orgId);
        expect(connected.message).toBe('Enter the Unleashed API id and key to finish connecting.');

        const saved = await ok('UnleashedSetupController', 'saveUnleashedCredentials', {
            apiId: DEMO_API_ID,
            apiKey: DEMO_API_KEY
        });
        expect(saved).toMatchObject({ middlewareConnected: true, unleashedConnected: true });
        expect(saved.companyName).toEqual(expect.any(String));
        const stock = await ok('UnleashedStockController', 'getProductStock', {
            productId: recordNamed('Product2', 'Blue widget').Id
        });
        expect(stock.connected).toBe(true);
        expect(stock.warehouses.length).toBeGreaterThan(0);
    });
});

describe('record pages', () => {
    it('lists the org’s Opportunities and Products and describes one record', async () => {
        const list = (await (await fetch(`${stack.urls.preview}/__bridge/records`)).json()) as {
            opportunities: { id: string; name: string }[];
            products: { id: string; name: string }[];
        };
        expect(list.opportunities.map((o) => o.name)).toContain(ACME_OPP);
        expect(list.products.map((p) => p.name)).toContain('Blue widget');
        const id = list.opportunities.find((o) => o.name === ACME_OPP)!.id;
        const record = (await (await fetch(`${stack.urls.preview}/__bridge/record/${id}`)).json()) as {
            name: string;
            objectLabel: string;
        };
        expect(record).toMatchObject({ name: ACME_OPP, objectLabel: 'Opportunity' });
        const missing = await fetch(`${stack.urls.preview}/__bridge/record/0065g0000009999AAA`);
        expect(missing.status).toBe(404);
    });
});
