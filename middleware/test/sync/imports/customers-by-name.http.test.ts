import { randomUUID } from 'node:crypto';
import { records, startHarness, writeRequests, type Harness, type HarnessOptions } from './harness';

/**
 * "Create missing accounts" links a customer without an Account to the one unlinked Account of the
 * same name (case and spacing ignored) before it creates any, reports two or more instead of
 * guessing, never relinks an Account another customer has, and finds the Accounts in batched
 * queries. The demo org has "Beta Builders" unlinked; Unleashed has it as BETA.
 */

jest.setTimeout(60_000);

let h: Harness;
afterEach(() => h?.close());

const start = async (opts: HarnessOptions = {}) => {
    h = await startHarness(opts);
    return h;
};
const accounts = () => records(h.sfsim, 'Account');
const named = (name: string) => accounts().filter((a) => String(a.Name).toLowerCase() === name.toLowerCase());
const customer = (code: string) => h.usim.state.customerByCode(code)!;
const createMissing = (more: Record<string, unknown> = {}) =>
    h.importAll({ entities: ['customers'], createMissingAccounts: true, ...more });
/** A second Unleashed customer, like GAMMA but with its own code, GUID and name. */
const addCustomer = (code: string, name: string) =>
    h.usim.state.customers.push({
        ...customer('GAMMA'),
        Guid: randomUUID(),
        CustomerCode: code,
        CustomerName: name
    });
/** The SOQL statements the import sent that look Accounts up by name. */
const nameQueries = (from = 0) =>
    h.sfsim.requests
        .slice(from)
        .map((r) => r.soql ?? '')
        .filter((q) => q.includes('Name LIKE'));

it('links the one Account of the same name instead of creating a second, and a re-run does nothing new', async () => {
    await start();
    const original = named('Beta Builders')[0]!;
    const job = await createMissing();
    expect(job.errors).toEqual([]);
    // ACME and KANGA linked by code, BETA by name; ACME-SOUTH and GAMMA created; OLDCO is obsolete.
    expect(job.counts).toEqual({ created: 2, updated: 3, unchanged: 1, failed: 0 });
    expect(named('Beta Builders')).toEqual([
        expect.objectContaining({
            Id: original.Id,
            Unleashed_Customer_Code__c: 'BETA',
            Unleashed_Customer_Guid__c: customer('BETA').Guid,
            Unleashed_Currency__c: 'NZD',
            Unleashed_Sell_Price_Tier__c: 'Retail',
            // Linking writes the Unleashed fields only: the Account keeps its own address.
            BillingStreet: '40 Victoria Street'
        })
    ]);
    expect(accounts()).toHaveLength(6);
    // Three names looked up (ACME-SOUTH, BETA, GAMMA): one statement.
    expect(nameQueries()).toHaveLength(1);

    const mark = h.sfsim.requests.length;
    const again = await createMissing({ fullReimport: true });
    expect(again.counts).toEqual({ created: 0, updated: 0, unchanged: 6, failed: 0 });
    expect(writeRequests(h.sfsim, mark)).toBe(0);
    expect(nameQueries(mark)).toEqual([]);
    expect(accounts()).toHaveLength(6);
});

it('matches names whatever their case and spacing, Person Accounts included', async () => {
    await start();
    const beta = named('Beta Builders')[0]!;
    h.sfsim.org.update(h.sfsim.org.tableByName('Account'), String(beta.Id), { Name: 'BETA   builders' });
    customer('BETA').CustomerName = ' beta\u00a0Builders\t';
    // The demo org's Person Account, Jane Citizen.
    addCustomer('JANE', 'JANE  citizen');
    const person = accounts().find((a) => a.IsPersonAccount === true)!;

    const job = await createMissing();
    expect(job.errors).toEqual([]);
    const byId = new Map(accounts().map((a) => [a.Id, a]));
    expect(byId.get(beta.Id)).toMatchObject({ Name: 'BETA   builders', Unleashed_Customer_Code__c: 'BETA' });
    expect(byId.get(person.Id)).toMatchObject({
        Name: 'Jane Citizen',
        IsPersonAccount: true,
        Unleashed_Customer_Code__c: 'JANE',
        Unleashed_Customer_Guid__c: customer('JANE').Guid
    });
    expect(accounts()).toHaveLength(6);
});

it('reports two Accounts of the same name, naming the customer and both, and creates nothing for it', async () => {
    await start();
    const first = named('Beta Builders')[0]!;
    const second = h.sfsim.org.insertRaw('Account', { Name: 'beta  BUILDERS' });
    const job = await createMissing();
    expect(job.status).toBe('completed_with_errors');
    expect(job.counts).toMatchObject({ created: 2, failed: 1 });
    expect(job.errors).toEqual([
        {
            entity: 'customers',
            key: 'BETA',
            reason: `ambiguous: 2 Accounts without a customer are named "Beta Builders": "Beta Builders" (${String(first.Id)}), "beta  BUILDERS" (${second}); nothing was linked or created. Put the customer code BETA on the right Account, then import again`
        }
    ]);
    const betas = named('Beta Builders').concat(named('beta  BUILDERS'));
    expect(betas).toHaveLength(2);
    for (const a of betas) expect(a.Unleashed_Customer_Code__c ?? null).toBeNull();

    // The import's result, its progress record and the Sync Log entry all carry it.
    const view = (await h.call('GET', `/v1/imports/${job.id}`)).json();
    expect(view.errors).toEqual(job.errors);
    const [imp] = records(h.sfsim, 'Unleashed_Import_Job__c');
    expect(JSON.parse(String(imp!.Error_Summary__c))).toEqual(job.errors);
    const [log] = records(h.sfsim, 'Unleashed_Sync_Log__c');
    expect(log).toMatchObject({ Operation__c: 'Import', Status__c: 'Error' });
    expect(JSON.parse(String(log!.Error_Text__c))).toEqual(job.errors);

    // Again: the same report, still nothing created.
    const again = await createMissing({ fullReimport: true });
    expect(again.errors).toEqual(job.errors);
    expect(again.counts).toMatchObject({ created: 0, failed: 1 });
    expect(accounts()).toHaveLength(7);
});

it('reports one Account whose name two customers of a page share', async () => {
    await start();
    addCustomer('BETA2', 'BETA BUILDERS');
    const job = await createMissing();
    expect(Object.fromEntries(job.errors.map((e) => [e.key, e.reason]))).toEqual({
        BETA: expect.stringMatching(
            /^ambiguous: Account "Beta Builders" \(001\w+\) has the name of customers BETA, BETA2;/
        ),
        BETA2: expect.stringMatching(/customers BETA, BETA2; nothing was linked or created/)
    });
    expect(named('Beta Builders')).toHaveLength(1);
    expect(named('Beta Builders')[0]!.Unleashed_Customer_Code__c ?? null).toBeNull();
});

it('never relinks an Account linked to another customer', async () => {
    await start();
    const table = h.sfsim.org.tableByName('Account');
    const beta = named('Beta Builders')[0]!;
    const otherGuid = randomUUID();
    h.sfsim.org.update(table, String(beta.Id), {
        [`${h.namespace}__Unleashed_Customer_Guid__c`]: otherGuid
    });
    const job = await createMissing();
    expect(job.errors).toEqual([]);
    const betas = named('Beta Builders');
    expect(betas).toHaveLength(2);
    expect(betas.find((a) => a.Id === beta.Id)).toMatchObject({
        Unleashed_Customer_Code__c: null,
        Unleashed_Customer_Guid__c: otherGuid
    });
    // BETA got an Account of its own.
    expect(betas.find((a) => a.Id !== beta.Id)).toMatchObject({
        Unleashed_Customer_Code__c: 'BETA',
        Unleashed_Customer_Guid__c: customer('BETA').Guid
    });
});

it('links an Account to one customer only when pages of the same name are written at once', async () => {
    // One customer a page, six pages written at a time: BETA and BETA2 are on different pages.
    await start({ imports: { runner: { pageSize: 1 } } });
    addCustomer('BETA2', 'Beta Builders');
    // Next to BETA in the list, and a slower org: both pages read the Account before either writes.
    const list = h.usim.state.customers;
    list.splice(list.indexOf(customer('BETA')) + 1, 0, list.pop()!);
    h.sfsim.settings.latencyMs = 40;
    const original = named('Beta Builders')[0]!;
    const job = await createMissing();
    expect(job.errors).toEqual([]);
    const betas = named('Beta Builders');
    expect(betas).toHaveLength(2);
    const codes = betas.map((a) => a.Unleashed_Customer_Code__c).sort();
    expect(codes).toEqual(['BETA', 'BETA2']);
    const kept = betas.find((a) => a.Id === original.Id)!;
    expect(kept.Unleashed_Customer_Guid__c).toBe(customer(String(kept.Unleashed_Customer_Code__c)).Guid);
});

it('looks names up in one statement per few hundred customers, never one per customer', async () => {
    await start();
    for (let i = 0; i < 700; i++) addCustomer(`NEW-${i}`, `New Customer ${i} O'Brien & 100% Sons_Ltd`);
    h.sfsim.org.insertRaw('Account', { Name: "new customer 5 o'brien & 100% sons_ltd" });
    const job = await createMissing();
    expect(job.errors).toEqual([]);
    expect(job.counts).toMatchObject({ created: 701, failed: 0 });
    const queries = nameQueries();
    expect(queries.length).toBeGreaterThanOrEqual(2);
    expect(queries.length).toBeLessThanOrEqual(6);
    expect(named("new customer 5 o'brien & 100% sons_ltd")[0]).toMatchObject({
        Unleashed_Customer_Code__c: 'NEW-5'
    });
    // The escaped % and _ matched only themselves: "New Customer 50 ..." did not take NEW-5's Account.
    expect(named("New Customer 50 O'Brien & 100% Sons_Ltd")).toEqual([
        expect.objectContaining({ Unleashed_Customer_Code__c: 'NEW-50' })
    ]);
});
