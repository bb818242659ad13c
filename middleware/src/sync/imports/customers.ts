import type { SObjectRecord } from '../../salesforce/types';
import {
    CustomerSchema,
    type UnleashedCustomer,
    type UnleashedCustomerAddress
} from '../../unleashed/schemas';
import type { Query } from '../../unleashed/types';
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
 * differs only in case, is reported and left alone. Accounts are only created when the job asks
 * for it ("create missing accounts"), never for obsolete customers.
 */

const CODE = 'Unleashed_Customer_Code__c';
const GUID = 'Unleashed_Customer_Guid__c';
const LINK_FIELDS = [CODE, GUID, 'Unleashed_Currency__c', 'Unleashed_Sell_Price_Tier__c'];

type Account = SObjectRecord & { Id: string; Name: string | null };

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

    constructor(
        private readonly ctx: RunContext,
        since: string | null
    ) {
        this.query = customerListQuery(since);
    }

    async prepare(): Promise<void> {
        if (this.ctx.options.createMissingAccounts) {
            this.currency = await currencyPlan(this.ctx.sf.writer, this.ctx.company.baseCurrency);
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

        const select = `SELECT Id, Name, ${LINK_FIELDS.join(', ')} FROM Account`;
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
                links.push({
                    key: match.Id,
                    label,
                    entity: 'customers',
                    record: { Id: match.Id, ...this.link(c) },
                    memoKey: `customer:${keyOf(c.Guid)}`
                });
                existing.set(keyOf(match.Id), match);
            } else if (ctx.options.createMissingAccounts && c.Obsolete !== true) {
                creates.push({
                    key: c.Guid,
                    label,
                    entity: 'customers',
                    record: this.newAccount(c),
                    memoKey: `customer:${keyOf(c.Guid)}`
                });
            } else {
                // Not linked and not created: nothing to write.
                tally.add('unchanged');
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
