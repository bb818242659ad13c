import { AuraError } from '../../src/dev/bridge/aura';
import { bindingFor } from '../../src/dev/bridge/bindings';
import { apexContext } from '../../src/dev/bridge/context';
import { orgDataFor, type BridgeOrg } from '../../src/dev/bridge/org';
import { connectSalesforce } from '../../src/salesforce/connection';
import {
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    startSalesforceSim,
    type SalesforceSim
} from '../../src/sandbox/salesforce-sim';
import { SCHEMA } from '../../src/sandbox/salesforce-sim/schema';
import { resolveRefs, type ContractCase } from './cases';

/**
 * A contract case run against the preview's dev bridge: the case's records in the Salesforce
 * simulator (inserted as the Apex tests insert them), a middleware stand-in that records each request
 * and answers the case's answers in order, and the Apex method bound as the preview binds it.
 */

const MIDDLEWARE = 'http://middleware.contract.test';

export interface CaseRun {
    /** Method, path with query and body (parsed JSON, when there is one) of each request, in order. */
    sent: { method: string; path: string; body?: unknown }[];
    /** What the bound method returned, before Aura leaves out nulls (null when it threw). */
    result: unknown;
    /** The AuraHandledException's message (null when it returned). */
    error: string | null;
    /** Ids of the inserted records by the case's refs (`user.email`: the running user's email). */
    ids: Map<string, string>;
    /** The records afterwards, in the shape of the case's `expect.records` (null without it). */
    records: Record<string, Record<string, unknown>[]> | null;
}

export interface ContractOrg {
    run(c: ContractCase): Promise<CaseRun>;
    close(): Promise<void>;
}

export async function startContractOrg(): Promise<ContractOrg> {
    const sim = await startSalesforceSim({ seed: 'empty', host: '127.0.0.1', port: 0 });
    const conn = connectSalesforce({
        instanceUrl: sim.url,
        loginUrl: sim.url,
        apiVersion: '62.0',
        clientId: DEMO_CLIENT_ID,
        clientSecret: DEMO_CLIENT_SECRET,
        refreshToken: sim.issueRefreshToken()
    });
    const user = sim.users[0]!;
    const org: BridgeOrg = {
        orgId: sim.orgId,
        namespace: sim.namespace,
        middlewareUrl: MIDDLEWARE,
        orgDomainUrl: sim.url,
        orgLoginUrl: sim.url,
        user: {
            id: user.id,
            username: user.username,
            email: user.email,
            canManageConnection: true,
            defaultCurrency: 'NZD'
        },
        connection: {
            tenantSecret: Buffer.alloc(32, 7).toString('base64'),
            orgId: sim.orgId,
            connectedAt: '2026-12-01T00:00:00.000Z',
            connectedBy: user.username,
            companyName: 'Kiwi Outdoor Ltd',
            baseCurrency: 'NZD'
        },
        settings: {},
        features: { multiCurrency: true, personAccounts: true },
        data: orgDataFor(conn, sim.namespace)
    };
    return {
        run: (c) => runCase(sim, org, c),
        close: () => sim.close()
    };
}

// Objects inserted as they are, in this order, before and after the Opportunities they refer to.
const BEFORE_OPPORTUNITIES = [
    'Account',
    'Contact',
    'Unleashed_Warehouse__c',
    'Unleashed_Tax__c',
    'Unleashed_Sales_Person__c',
    'Unleashed_Delivery_Method__c'
];
const AFTER_OPPORTUNITIES = ['OpportunityContactRole', 'Unleashed_Shipment__c', 'Unleashed_Invoice__c'];
/** The custom setting: the org's settings, not a record. */
const SETTINGS = 'Unleashed_Settings__c';
const KNOWN = new Set([
    ...BEFORE_OPPORTUNITIES,
    ...AFTER_OPPORTUNITIES,
    SETTINGS,
    'Product2',
    'Opportunity',
    'OpportunityLineItem',
    'Order',
    'OrderItem'
]);

/** Inserts the case's records as the Apex tests do; answers each ref's id. */
function insertRecords(sim: SalesforceSim, c: ContractCase, ids: Map<string, string>): void {
    const unknown = Object.keys(c.records).filter((name) => !KNOWN.has(name));
    if (unknown.length > 0) throw new Error(`the harness cannot insert ${unknown.join(', ')}`);
    const insertAll = (sobject: string) => {
        for (const { ref: name, ...fields } of c.records[sobject] ?? []) {
            const id = sim.org.insertRaw(sobject, resolveRefs(fields, ids) as Record<string, unknown>);
            if (name) ids.set(name as string, id);
        }
    };
    BEFORE_OPPORTUNITIES.forEach(insertAll);
    const standard = sim.records('Pricebook2').find((p) => p.IsStandard === true)?.Id as string;
    const entries = new Map<string, string>();
    for (const { ref: name, ...fields } of c.records.Product2 ?? []) {
        const id = sim.org.insertRaw('Product2', { ...fields, IsActive: true, CurrencyIsoCode: 'NZD' });
        ids.set(name as string, id);
        entries.set(
            id,
            sim.org.insertRaw('PricebookEntry', {
                Pricebook2Id: standard,
                Product2Id: id,
                UnitPrice: 10,
                IsActive: true,
                CurrencyIsoCode: 'NZD',
                Name: fields.Name
            })
        );
    }
    for (const { ref: name, ...fields } of c.records.Opportunity ?? []) {
        const id = sim.org.insertRaw('Opportunity', {
            ...(resolveRefs(fields, ids) as Record<string, unknown>),
            CurrencyIsoCode: 'NZD',
            Pricebook2Id: standard
        });
        ids.set(name as string, id);
    }
    AFTER_OPPORTUNITIES.forEach(insertAll);
    // Salesforce Orders, on the standard price book as the Apex test inserts them.
    for (const { ref: name, ...fields } of c.records.Order ?? []) {
        const id = sim.org.insertRaw('Order', {
            Status: 'Draft',
            ...(resolveRefs(fields, ids) as Record<string, unknown>),
            CurrencyIsoCode: 'NZD',
            Pricebook2Id: standard
        });
        ids.set(name as string, id);
    }
    insertLines(
        sim,
        'OpportunityLineItem',
        'OpportunityId',
        c.records.OpportunityLineItem ?? [],
        ids,
        entries
    );
    insertLines(sim, 'OrderItem', 'OrderId', c.records.OrderItem ?? [], ids, entries);
}

/** Opportunity Products or Order Products, each on its product's standard price book entry. */
function insertLines(
    sim: SalesforceSim,
    sobject: 'OpportunityLineItem' | 'OrderItem',
    parentField: string,
    rows: Record<string, unknown>[],
    ids: Map<string, string>,
    entries: Map<string, string>
): void {
    const ref = (value: unknown) => resolveRefs(value, ids) as string;
    const lines = sim.org.tableByName(sobject);
    const api = (field: string) => lines.byName.get(field)!.apiName;
    // A bulk insert gives ascending ids, so Apex's ORDER BY CreatedDate, Id keeps the case's order.
    // The simulator compares ids without their case (an id ending "A" sorts with one ending "a"), so
    // each line gets its own second of CreatedDate instead.
    const created = Date.parse('2026-12-01T00:00:00.000Z');
    for (const [i, { ref: name, ...fields }] of rows.entries()) {
        const result = sim.org.create(lines, {
            [api(parentField)]: ref(fields[parentField]),
            [api('PricebookEntryId')]: entries.get(ref(fields.Product2Id)),
            [api('Quantity')]: fields.Quantity,
            [api('UnitPrice')]: fields.UnitPrice,
            ...Object.fromEntries(
                ['Discount', 'Description', 'Unleashed_Tax_Code__c']
                    .filter((f) => fields[f] !== undefined)
                    .map((f) => [api(f), fields[f]])
            )
        });
        if (!result.id) throw new Error(`line ${String(name)} was not saved: ${JSON.stringify(result)}`);
        ids.set(name as string, result.id);
        const row = sim.org.get(lines, result.id);
        if (row) row.CreatedDate = new Date(created + i * 1000).toISOString().replace('Z', '+0000');
    }
}

/** A record's fields by their names in the package (without the namespace). */
function plain(sim: SalesforceSim, row: Record<string, unknown>): Record<string, unknown> {
    const prefix = sim.namespace ? `${sim.namespace}__` : '';
    return Object.fromEntries(
        Object.entries(row).map(([k, v]) => [prefix && k.startsWith(prefix) ? k.slice(prefix.length) : k, v])
    );
}

const pick = (row: Record<string, unknown>, keys: string[]) =>
    Object.fromEntries(keys.map((k) => [k, row[k] ?? null]));

/**
 * The records afterwards as the case expects them: for each expected row with a `ref`, that record's
 * listed fields; for the rows without one, every record of the object the call created.
 */
function recordsAfter(
    sim: SalesforceSim,
    expected: Record<string, Record<string, unknown>[]>,
    ids: Map<string, string>,
    before: Map<string, Set<string>>
): Record<string, Record<string, unknown>[]> {
    const out: Record<string, Record<string, unknown>[]> = {};
    for (const [sobject, rows] of Object.entries(expected)) {
        const all = sim.records(sobject).map((r) => plain(sim, r));
        const created = all.filter((r) => !before.get(sobject)?.has(String(r.Id)));
        const newKeys = [...new Set(rows.filter((r) => !('ref' in r)).flatMap((r) => Object.keys(r)))];
        out[sobject] = [
            ...rows
                .filter((r) => 'ref' in r)
                .map(({ ref: name, ...fields }) => {
                    const found = all.find((r) => r.Id === ids.get(name as string)) ?? {};
                    return { ref: name, ...pick(found, Object.keys(fields)) };
                }),
            ...created.map((r) => pick(r, newKeys))
        ];
    }
    return out;
}

/** Removes every record written since `before` (its ids by object): each case starts in a clean org. */
function restore(sim: SalesforceSim, before: Map<string, Set<string>>): void {
    for (const { name } of SCHEMA) {
        const table = sim.org.tableByName(name);
        for (const id of [...table.rows.keys()])
            if (!before.get(name)?.has(id) && sim.org.get(table, id)) sim.org.delete(table, id);
    }
}

async function runCase(sim: SalesforceSim, org: BridgeOrg, c: ContractCase): Promise<CaseRun> {
    const initial = new Map(SCHEMA.map(({ name }) => [name, new Set(sim.org.tableByName(name).rows.keys())]));
    try {
        return await runInOrg(sim, org, c);
    } finally {
        restore(sim, initial);
    }
}

async function runInOrg(sim: SalesforceSim, org: BridgeOrg, c: ContractCase): Promise<CaseRun> {
    const ids = new Map<string, string>([['user.email', org.user.email]]);
    insertRecords(sim, c, ids);
    org.settings = { ...(c.records[SETTINGS]?.[0] ?? {}) };
    delete (org.settings as Record<string, unknown>).ref;
    const expected = c.expect.records ?? null;
    const before = new Map(
        Object.keys(expected ?? {}).map((sobject) => [
            sobject,
            new Set(sim.records(sobject).map((r) => String(r.Id)))
        ])
    );
    const sent: CaseRun['sent'] = [];
    const fetchImpl = (async (url: string | URL, init?: RequestInit) => {
        const answer = c.middleware[sent.length]?.answer;
        const body =
            typeof init?.body === 'string' && init.body !== ''
                ? (JSON.parse(init.body) as unknown)
                : undefined;
        sent.push({
            method: init?.method ?? 'GET',
            path: String(url).slice(MIDDLEWARE.length),
            ...(body === undefined ? {} : { body })
        });
        if (!answer) return new Response('{"title":"Unexpected request"}', { status: 500 });
        return new Response(JSON.stringify(resolveRefs(answer.body, ids)), {
            status: answer.status,
            headers: {
                'content-type': answer.status >= 400 ? 'application/problem+json' : 'application/json'
            }
        });
    }) as typeof fetch;
    const binding = bindingFor(c.call.class, c.call.method);
    if (!binding) throw new Error(`the bridge binds no ${c.call.class}.${c.call.method}`);
    const params = resolveRefs(c.call.params, ids) as Record<string, unknown>;
    const after = () => (expected ? recordsAfter(sim, expected, ids, before) : null);
    try {
        const result = await binding(apexContext(org, { fetchImpl }), params);
        return { sent, result, error: null, ids, records: after() };
    } catch (err) {
        if (!(err instanceof AuraError)) throw err;
        return { sent, result: null, error: err.message, ids, records: after() };
    }
}
