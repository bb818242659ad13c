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
import { resolveRefs, type ContractCase } from './cases';

/**
 * A contract case run against the preview's dev bridge: the case's records in the Salesforce
 * simulator (inserted as the Apex tests insert them), a middleware stand-in that records each request
 * and answers the case's answers in order, and the Apex method bound as the preview binds it.
 */

const MIDDLEWARE = 'http://middleware.contract.test';

export interface CaseRun {
    /** Method and path with query of each request the middleware received, in order. */
    sent: { method: string; path: string }[];
    /** What the bound method returned, before Aura leaves out nulls (null when it threw). */
    result: unknown;
    /** The AuraHandledException's message (null when it returned). */
    error: string | null;
    /** Ids of the inserted records by the case's refs. */
    ids: Map<string, string>;
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

/** Inserts the case's records as the Apex tests do; answers each ref's id. */
function insertRecords(sim: SalesforceSim, c: ContractCase): Map<string, string> {
    const ids = new Map<string, string>();
    const ref = (value: unknown) => resolveRefs(value, ids) as string;
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
            ...fields,
            CurrencyIsoCode: 'NZD',
            Pricebook2Id: standard
        });
        ids.set(name as string, id);
    }
    const lines = sim.org.tableByName('OpportunityLineItem');
    const api = (field: string) => lines.byName.get(field)!.apiName;
    // A bulk insert gives ascending ids, so Apex's ORDER BY CreatedDate, Id keeps the case's order.
    // The simulator compares ids without their case (an id ending "A" sorts with one ending "a"), so
    // each line gets its own second of CreatedDate instead.
    const created = Date.parse('2026-12-01T00:00:00.000Z');
    for (const [i, { ref: name, ...fields }] of (c.records.OpportunityLineItem ?? []).entries()) {
        const result = sim.org.create(lines, {
            [api('OpportunityId')]: ref(fields.OpportunityId),
            [api('PricebookEntryId')]: entries.get(ref(fields.Product2Id)),
            [api('Quantity')]: fields.Quantity,
            [api('UnitPrice')]: fields.UnitPrice
        });
        if (!result.id) throw new Error(`line ${String(name)} was not saved: ${JSON.stringify(result)}`);
        ids.set(name as string, result.id);
        const row = sim.org.get(lines, result.id);
        if (row) row.CreatedDate = new Date(created + i * 1000).toISOString().replace('Z', '+0000');
    }
    return ids;
}

async function runCase(sim: SalesforceSim, org: BridgeOrg, c: ContractCase): Promise<CaseRun> {
    const ids = insertRecords(sim, c);
    const sent: CaseRun['sent'] = [];
    const fetchImpl = (async (url: string | URL, init?: RequestInit) => {
        const answer = c.middleware[sent.length]?.answer;
        sent.push({ method: init?.method ?? 'GET', path: String(url).slice(MIDDLEWARE.length) });
        if (!answer) return new Response('{"title":"Unexpected request"}', { status: 500 });
        return new Response(JSON.stringify(answer.body), {
            status: answer.status,
            headers: {
                'content-type': answer.status >= 400 ? 'application/problem+json' : 'application/json'
            }
        });
    }) as typeof fetch;
    const binding = bindingFor(c.call.class, c.call.method);
    if (!binding) throw new Error(`the bridge binds no ${c.call.class}.${c.call.method}`);
    const params = resolveRefs(c.call.params, ids) as Record<string, unknown>;
    try {
        const result = await binding(apexContext(org, { fetchImpl }), params);
        return { sent, result, error: null, ids };
    } catch (err) {
        if (!(err instanceof AuraError)) throw err;
        return { sent, result: null, error: err.message, ids };
    }
}
