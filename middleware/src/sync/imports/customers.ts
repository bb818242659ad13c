import { SalesforceError } from '../../salesforce/errors';
import type { SalesforceWriter, SObjectRecord } from '../../salesforce/types';
import {
    CustomerSchema,
    type UnleashedCustomer,
    type UnleashedCustomerAddress
} from '../../unleashed/schemas';
import type { Query } from '../../unleashed/types';
import { accountsNamed, nameKey } from './account-names';
import type { EntityUnit, RunContext } from './context';
import { currencyPlan, type CurrencyPlan } from './currency';
import { describeIssues, parseItem } from './items';
import { planRecords, type Desired } from './plan';
import { keyOf, queryIn, upsertAll } from './salesforce-io';
import { clipText, type Tally } from './tally';
import type { ImportEntity } from './types';

/**
 * Customers -> Accounts. A customer is matched to an Account by customer code (exactly, case
 * included), then by customer GUID, and the match gets the Unleashed fields (code, GUID, currency,
 * sell price tier). A customer that matches two different Accounts, or an Account whose code
 * differs only in case, is reported and left alone. When the job asks for it ("create missing
 * accounts"), a customer still without an Account is linked to the one Account of the same name
 * that no customer is linked to (see account-names.ts), reported when there are two or more, and
 * only created when there is none; never for obsolete customers.
 */

const CODE = 'Unleashed_Customer_Code__c';
const GUID = 'Unleashed_Customer_Guid__c';
const LINK_FIELDS = [CODE, GUID, 'Unleashed_Currency__c', 'Unleashed_Sell_Price_Tier__c'];

type Account = SObjectRecord & { Id: string; Name: string | null; IsPersonAccount?: boolean };

/** How many candidate Accounts an ambiguity message names before "and N more". */
const NAMED_CANDIDATES = 5;

/** Whether the org has Person Accounts (Account.IsPersonAccount exists only then). */
async function hasPersonAccounts(writer: SalesforceWriter): Promise<boolean> {
    try {
        await writer.query('SELECT Id, IsPersonAccount FROM Account LIMIT 1');
        return true;
    } catch (err) {
        if (err instanceof SalesforceError && err.code === 'INVALID_FIELD') return false;
        throw err;
    }
}

const describeAccount = (a: Account) =>
    `"${a.Name ?? ''}" (${a.Id}${a.IsPersonAccount === true ? ', Person Account' : ''})`;

function describeAccounts(accounts: Account[]): string {
    const named = accounts.slice(0, NAMED_CANDIDATES).map(describeAccount).join(', ');
    const more = accounts.length - NAMED_CANDIDATES;
    return more > 0 ? `${named} and ${more} more` : named;
}

function address(a: UnleashedCustomerAddress | undefined, prefix: 'Billing' | 'Shipping'): SObjectRecord {
    if (!a) return {};
    const street = [a.StreetAddress, a.StreetAddress2].filter((s) => s && s.trim()).join('\n');
    return {
        [`${prefix}Street`]: clipText(street, 255),
        [`${prefix}City`]: clipText(a.City ?? a.Suburb, 40),
        [`${prefix}State`]: clipText(a.Region, 80),
        [`${prefix}PostalCode`]: clipText(a.PostalCode, 20),
        [`${prefix}Country`]: clipText(a.Country, 80)
    };
}

const addressOf = (c: UnleashedCustomer, ...types: string[]) => {
    for (const t of types) {
        const a = c.Addresses?.find((x) => keyOf(x.AddressType) === keyOf(t));
        if (a) return a;
    }
    return undefined;
};

export const customerListQuery = (since: string | null): Query => (since ? { modifiedSince: since } : {});

export class CustomerUnit implements EntityUnit {
    readonly entities: ImportEntity[] = ['customers'];
    readonly resource = 'Customers';
    readonly query: Query;
    readonly paged = true;
    private currency: CurrencyPlan | null = null;
    private personAccounts = false;
    /**
     * Accounts this run linked by name, with the customer (GUID key) each went to. Pages are written
     * in parallel: a page that read an Account as unlinked before another page's link landed must
     * not link it to a second customer.
     */
    private readonly nameLinks = new Map<string, string>();

    constructor(
        private readonly ctx: RunContext,
        since: string | null
    ) {
        this.query = customerListQuery(since);
    }

    async prepare(): Promise<void> {
        if (this.ctx.options.createMissingAccounts) {
            [this.currency, this.personAccounts] = await Promise.all([
                currencyPlan(this.ctx.sf.writer, this.ctx.company.baseCurrency),
                hasPersonAccounts(this.ctx.sf.writer)
            ]);
        }
    }

    async finish(): Promise<void> {
        // Accounts are never unlinked or touched when a customer is missing from a (delta) list.
    }

    private link(c: UnleashedCustomer): SObjectRecord {
        return {
            [CODE]: c.CustomerCode,
            [GUID]: c.Guid,
            Unleashed_Currency__c: clipText(c.Currency?.CurrencyCode, 3),
            Unleashed_Sell_Price_Tier__c: clipText(c.SellPriceTier, 80)
        };
    }

    private desiredLink(c: UnleashedCustomer, account: Account): Desired {
        return {
            key: account.Id,
            label: c.CustomerCode,
            entity: 'customers',
            record: { Id: account.Id, ...this.link(c) },
            memoKey: `customer:${keyOf(c.Guid)}`
        };
    }

    /**
     * For customers with no Account linked: the one unlinked Account of the same name to link, or
     * none (create one). Two or more such Accounts, or one Account whose name two customers of the
     * page share, are reported as ambiguous and the customers left out. One query per ~250 names.
     */
    private async byName(
        missing: UnleashedCustomer[],
        fields: string,
        tally: Tally
    ): Promise<({ customer: UnleashedCustomer; account: Account } | { customer: UnleashedCustomer })[]> {
        if (missing.length === 0) return [];
        const keyOfName = (c: UnleashedCustomer) => nameKey(c.CustomerName);
        const rows = await accountsNamed<Account>(this.ctx.sf.writer, {
            select: `SELECT ${fields}${this.personAccounts ? ', IsPersonAccount' : ''} FROM Account`,
            also: `${CODE} = null AND ${GUID} = null`,
            keys: missing.map(keyOfName)
        });
        const accounts = new Map<string, Account[]>();
        for (const a of rows) {
            const k = nameKey(a.Name);
            accounts.set(k, [...(accounts.get(k) ?? []), a]);
        }
        const sharing = new Map<string, UnleashedCustomer[]>();
        for (const c of missing) {
            const k = keyOfName(c);
            if (k) sharing.set(k, [...(sharing.get(k) ?? []), c]);
        }
        const out: ({ customer: UnleashedCustomer; account: Account } | { customer: UnleashedCustomer })[] =
            [];
        for (const c of missing) {
            const k = keyOfName(c);
            const guid = keyOf(c.Guid);
            // An Account another page of this run linked by name is linked, whatever the org said.
            const candidates = (accounts.get(k) ?? []).filter((a) => {
                const owner = this.nameLinks.get(keyOf(a.Id));
                return owner === undefined || owner === guid;
            });
            if (candidates.length === 0) {
                out.push({ customer: c });
            } else if (candidates.length > 1) {
                tally.fail(
                    'customers',
                    c.CustomerCode,
                    `ambiguous: ${candidates.length} Accounts without a customer are named "${c.CustomerName}": ${describeAccounts(candidates)}; nothing was linked or created. Put the customer code ${c.CustomerCode} on the right Account, then import again`
                );
            } else if (sharing.get(k)!.length > 1) {
                const codes = sharing.get(k)!.map((s) => s.CustomerCode);
                tally.fail(
                    'customers',
                    c.CustomerCode,
                    `ambiguous: Account ${describeAccount(candidates[0]!)} has the name of customers ${codes.join(', ')}; nothing was linked or created. Put the right customer code on the Account, then import again`
                );
            } else {
                this.nameLinks.set(keyOf(candidates[0]!.Id), guid);
                out.push({ customer: c, account: candidates[0]! });
            }
        }
        return out;
    }

    /** A new Account for a customer: business account, addresses, and its currency where the org has it. */
    private newAccount(c: UnleashedCustomer): SObjectRecord {
        const currency = c.Currency?.CurrencyCode?.toUpperCase();
        const plan = this.currency;
        const withCurrency =
            plan?.multiCurrency && currency && (!plan.active || plan.active.has(currency))
                ? { CurrencyIsoCode: currency }
                : {};
        return {
            ...this.link(c),
            Name: clipText(c.CustomerName, 255) ?? c.CustomerCode,
            Phone: clipText(c.PhoneNumber ?? c.MobileNumber, 40),
            ...address(addressOf(c, 'Postal', 'Physical'), 'Billing'),
            ...address(addressOf(c, 'Shipping', 'Physical', 'Postal'), 'Shipping'),
            ...withCurrency
        };
    }

    async page(items: unknown[], tally: Tally): Promise<void> {
        const { ctx } = this;
        const customers: UnleashedCustomer[] = [];
        const codes = new Map<string, number>();
        items.forEach((raw, i) => {
            tally.done += 1;
            const item = parseItem(CustomerSchema, raw);
            if (!item.ok) {
                tally.fail('customers', item.label ?? `#${i + 1}`, describeIssues(item.issues));
                return;
            }
            if (!item.value.CustomerCode.trim()) {
                tally.fail('customers', item.value.Guid, 'the customer has no customer code');
                return;
            }
            customers.push(item.value);
            const k = keyOf(item.value.CustomerCode);
            codes.set(k, (codes.get(k) ?? 0) + 1);
        });
        if (customers.length === 0) return;

        const fields = `Id, Name, ${LINK_FIELDS.join(', ')}`;
        const select = `SELECT ${fields} FROM Account`;
        const [byCodeRows, byGuidRows] = await Promise.all([
            queryIn<Account>(ctx.sf.writer, {
                select,
                field: CODE,
                values: customers.map((c) => c.CustomerCode)
            }),
            queryIn<Account>(ctx.sf.writer, { select, field: GUID, values: customers.map((c) => c.Guid) })
        ]);
        const byCode = new Map(byCodeRows.map((a) => [keyOf(a[CODE]), a]));
        const byGuid = new Map(byGuidRows.map((a) => [keyOf(a[GUID]), a]));
        const name = (a: Account) => `"${a.Name ?? ''}" (${a.Id})`;

        const links: Desired[] = [];
        const existing = new Map<string, SObjectRecord>();
        const creates: Desired[] = [];
        const claimed = new Map<string, string>();
        const missing: UnleashedCustomer[] = [];
        for (const c of customers) {
            const label = c.CustomerCode;
            if (codes.get(keyOf(c.CustomerCode))! > 1) {
                tally.fail(
                    'customers',
                    label,
                    'another customer on the same page has this code (Salesforce ignores case in codes)'
                );
                continue;
            }
            const codeHit = byCode.get(keyOf(c.CustomerCode));
            const guidHit = byGuid.get(keyOf(c.Guid));
            if (codeHit && String(codeHit[CODE]) !== c.CustomerCode) {
                tally.fail(
                    'customers',
                    label,
                    `ambiguous: Account ${name(codeHit)} has the customer code "${String(codeHit[CODE])}", which differs from "${c.CustomerCode}" in case only`
                );
                continue;
            }
            if (codeHit && guidHit && codeHit.Id !== guidHit.Id) {
                tally.fail(
                    'customers',
                    label,
                    `ambiguous: the customer code matches Account ${name(codeHit)} but the customer GUID matches Account ${name(guidHit)}`
                );
                continue;
            }
            const match = codeHit ?? guidHit;
            if (match) {
                const other = claimed.get(match.Id);
                if (other) {
                    tally.fail(
                        'customers',
                        label,
                        `ambiguous: Account ${name(match)} also matches customer ${other}`
                    );
                    continue;
                }
                claimed.set(match.Id, c.CustomerCode);
                links.push(this.desiredLink(c, match));
                existing.set(keyOf(match.Id), match);
            } else if (ctx.options.createMissingAccounts && c.Obsolete !== true) {
                missing.push(c);
            } else {
                // Not linked and not created: nothing to write.
                tally.add('unchanged');
            }
        }
        for (const found of await this.byName(missing, fields, tally)) {
            if ('account' in found) {
                links.push(this.desiredLink(found.customer, found.account));
                existing.set(keyOf(found.account.Id), found.account);
            } else {
                creates.push({
                    key: found.customer.Guid,
                    label: found.customer.CustomerCode,
                    entity: 'customers',
                    record: this.newAccount(found.customer),
                    memoKey: `customer:${keyOf(found.customer.Guid)}`
                });
            }
        }
        const plannedLinks = planRecords(links, existing, tally.memo, 'account', tally);
        const plannedCreates = planRecords(creates, new Map(), tally.memo, 'new-account', tally);
        if (plannedLinks.length === 0 && plannedCreates.length === 0) return;
        await tally.beforeWrites();
        const [linked, created] = await Promise.all([
            upsertAll(
                ctx.sf.writer,
                'Account',
                'Id',
                plannedLinks.map((p) => p.record),
                ctx.write
            ),
            // By GUID: a repeated attempt finds the Account an earlier attempt created.
            upsertAll(
                ctx.sf.writer,
                'Account',
                GUID,
                plannedCreates.map((p) => p.record),
                ctx.write
            )
        ]);
        plannedLinks.forEach((p, i) => tally.result(p.entity, p.label, p.cls, linked[i]));
        plannedCreates.forEach((p, i) => tally.result(p.entity, p.label, p.cls, created[i]));
    }
}
