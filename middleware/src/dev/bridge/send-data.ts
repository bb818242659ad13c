import Decimal from 'decimal.js';
import type { SendRecordsInput } from '../../sync/sends/records';
import { soqlString } from '../../salesforce/soql';
import { AuraError, auraDatetime } from './aura';
import type { ApexContext } from './context';
import { mappedValues } from './field-mappings';
import { isBlank, isObject } from './json';

/**
 * What a send needs, read as the package reads it (UnleashedOpportunityData, the selectors, the
 * settings, the reference data): the records the middleware's /v1/sends routes take (SendRecords,
 * middleware/src/sync/sends/records.ts), as stored and with nothing decided. Defaults, checks and
 * messages are the middleware's.
 */

type Row = Record<string, unknown>;
type Records = SendRecordsInput;

const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const number = (v: unknown): number | null => (typeof v === 'number' ? v : null);

// As UnleashedOpportunitySelector: standard fields a profile may hide. Optional ones are left out
// when unreadable (and named in `omittedFields`); a required one stops the send with a message.
const OPTIONAL_ACCOUNT_FIELDS = [
    'Phone',
    'BillingStreet',
    'BillingCity',
    'BillingState',
    'BillingPostalCode',
    'BillingCountry',
    'ShippingStreet',
    'ShippingCity',
    'ShippingState',
    'ShippingPostalCode',
    'ShippingCountry'
];
const OPTIONAL_CONTACT_FIELDS = ['Email', 'Phone'];
const REQUIRED_LINE_FIELDS = ['Quantity', 'UnitPrice', 'Discount'];
const CONTACT_LIMIT = 50;
const OBJECT_LABELS: Record<string, string> = {
    Opportunity: 'Opportunity',
    Account: 'Account',
    Contact: 'Contact',
    OpportunityLineItem: 'Opportunity Product'
};
// The labels Salesforce's describe gives these standard fields (the simulator's describe derives
// labels from API names).
const STANDARD_LABELS: Record<string, string> = {
    'Opportunity.Amount': 'Amount',
    'Account.Phone': 'Account Phone',
    ...Object.fromEntries(
        ['Billing', 'Shipping'].flatMap((kind) => [
            [`Account.${kind}Street`, `${kind} Street`],
            [`Account.${kind}City`, `${kind} City`],
            [`Account.${kind}State`, `${kind} State/Province`],
            [`Account.${kind}PostalCode`, `${kind} Zip/Postal Code`],
            [`Account.${kind}Country`, `${kind} Country`]
        ])
    ),
    'Account.PersonEmail': 'Email',
    'Account.FirstName': 'First Name',
    'Account.LastName': 'Last Name',
    'Contact.Email': 'Email',
    'Contact.Phone': 'Business Phone',
    'OpportunityLineItem.Description': 'Line Description',
    'OpportunityLineItem.Quantity': 'Quantity',
    'OpportunityLineItem.UnitPrice': 'Sales Price',
    'OpportunityLineItem.Discount': 'Discount'
};

const OPPORTUNITY_FIELDS = [
    'Id',
    'Name',
    'CloseDate',
    'AccountId',
    'Account.Name',
    'Account.Unleashed_Customer_Code__c',
    'Account.Unleashed_Currency__c',
    'Account.Unleashed_Do_Not_Send__c',
    'Account.Unleashed_Do_Not_Send_Reason__c',
    'Account.Unleashed_Default_Warehouse__r.Warehouse_Code__c',
    'Account.Unleashed_Default_Sales_Person__r.Email__c',
    'Account.Unleashed_Default_Delivery_Method__r.Name',
    'Account.Unleashed_Sales_Order_Group__c',
    'Account.Unleashed_Deliver_To__c',
    'Unleashed_Warehouse__r.Warehouse_Code__c',
    'Unleashed_Tax__r.Tax_Code__c',
    'Unleashed_Sales_Person__r.Email__c',
    'Unleashed_Delivery_Method__r.Name',
    'Unleashed_Order_Status_To_Create__c',
    'Unleashed_Required_Date__c',
    'Unleashed_Delivery_Name__c',
    'Unleashed_Delivery_Street__c',
    'Unleashed_Delivery_Suburb__c',
    'Unleashed_Delivery_City__c',
    'Unleashed_Delivery_Region__c',
    'Unleashed_Delivery_Country__c',
    'Unleashed_Delivery_Postal_Code__c',
    'Unleashed_Comments__c',
    'Unleashed_Freight__c',
    'Unleashed_Order_Guid__c',
    'Unleashed_Order_Number__c',
    'Unleashed_Order_Status__c',
    'Unleashed_Last_Sent__c'
];

/**
 * UnleashedFieldAccess: which of an object's fields the running user may read
 * (BridgeOrg.unreadableFields), labelled as the describe labels them.
 */
class FieldAccess {
    private labels: Map<string, string> | null = null;

    constructor(
        private readonly ctx: ApexContext,
        private readonly sobject: string
    ) {}

    readable(field: string): boolean {
        const hidden = this.ctx.org.unreadableFields ?? [];
        return !hidden.some((f) => f.toLowerCase() === `${this.sobject}.${field}`.toLowerCase());
    }

    /** "Object Field", without repeating the object when the field's label starts with it. */
    async labelOf(field: string): Promise<string> {
        const objectLabel = OBJECT_LABELS[this.sobject] ?? this.sobject;
        let label = STANDARD_LABELS[`${this.sobject}.${field}`];
        if (!label) {
            this.labels ??= new Map(
                (await this.ctx.org.data.describeFields(this.sobject)).map((f) => [
                    f.name.toLowerCase(),
                    f.label
                ])
            );
            label = this.labels.get(field.toLowerCase()) ?? field;
        }
        return label.startsWith(`${objectLabel} `) ? label : `${objectLabel} ${label}`;
    }

    async readableOnly(prefix: string, names: string[], omitted: string[]): Promise<string[]> {
        const kept: string[] = [];
        for (const name of names) {
            if (this.readable(name)) kept.push(prefix + name);
            else omitted.push(await this.labelOf(name));
        }
        return kept;
    }

    async required(prefix: string, names: string[]): Promise<string[]> {
        const missing: string[] = [];
        for (const name of names)
            if (!this.readable(name)) missing.push(`${await this.labelOf(name)} (${name})`);
        if (missing.length > 0)
            throw new AuraError(
                `You cannot read ${missing.join(', ')}, which sending this order needs. Ask your administrator for read access to ${missing.length === 1 ? 'that field.' : 'those fields.'}`
            );
        return names.map((n) => prefix + n);
    }
}

/** The Opportunity's id and name, for the dialog of an org that is not connected. */
export async function opportunityHeader(
    ctx: ApexContext,
    opportunityId: string | null
): Promise<{ id: string; name: string | null }> {
    const rows = opportunityId
        ? await ctx.org.data.query(
              `SELECT Id, Name FROM Opportunity WHERE Id = ${soqlString(opportunityId)} WITH USER_MODE LIMIT 1`
          )
        : [];
    const row = rows[0];
    if (!row || !opportunityId) notFound();
    return { id: opportunityId, name: text(row.Name) };
}

function notFound(): never {
    throw new AuraError('The Opportunity was not found, or you do not have access to it.');
}

const address = (row: Row | null | undefined, kind: 'Billing' | 'Shipping') => ({
    street: text(row?.[`${kind}Street`]),
    city: text(row?.[`${kind}City`]),
    region: text(row?.[`${kind}State`]),
    postalCode: text(row?.[`${kind}PostalCode`]),
    country: text(row?.[`${kind}Country`])
});

const lookupValue = (row: Row, relationship: string, field: string) => {
    const parent = row[relationship];
    return isObject(parent) ? text(parent[field]) : null;
};

/**
 * UnleashedOpportunityData.load: every record a send needs, as SendRecords. The package reads the
 * lines in a child subquery of the same SOQL; the simulator's SOQL has no subqueries, so they come
 * from a second query with the same filter and order.
 */
export async function gatherSendRecords(ctx: ApexContext, opportunityId: string | null): Promise<Records> {
    const data = ctx.org.data;
    const omitted: string[] = [];
    const oppAccess = new FieldAccess(ctx, 'Opportunity');
    const accountAccess = new FieldAccess(ctx, 'Account');
    const lineAccess = new FieldAccess(ctx, 'OpportunityLineItem');
    const amountReadable = oppAccess.readable('Amount');
    if (!amountReadable) omitted.push(await oppAccess.labelOf('Amount'));
    const oppFields = [
        ...OPPORTUNITY_FIELDS,
        ...(amountReadable ? ['Amount'] : []),
        ...(await accountAccess.readableOnly('Account.', OPTIONAL_ACCOUNT_FIELDS, omitted))
    ];
    const lineFields = [
        'Id',
        ...(await lineAccess.required('', REQUIRED_LINE_FIELDS)),
        ...(await lineAccess.readableOnly('', ['Description'], omitted)),
        'Unleashed_Tax_Code__c',
        'Product2.Name',
        'Product2.Unleashed_Product_Code__c',
        'Product2.Unleashed_Guid__c'
    ];
    const rows = opportunityId
        ? await data.query(
              `SELECT ${oppFields.join(', ')} FROM Opportunity WHERE Id = ${soqlString(opportunityId)} WITH USER_MODE LIMIT 1`
          )
        : [];
    const opp = rows[0];
    if (!opp || !opportunityId) notFound();
    const lines = await data.query(
        `SELECT ${lineFields.join(', ')} FROM OpportunityLineItem WHERE OpportunityId = ${soqlString(opportunityId)} WITH USER_MODE ORDER BY CreatedDate ASC, Id ASC`
    );
    const extra = await readOptional(ctx, opportunityId, omitted);
    const accountId = text(opp.AccountId);
    const account = isObject(opp.Account) ? opp.Account : null;
    const isPersonAccount = extra.account?.IsPersonAccount === true;
    const settings = ctx.org.settings;
    return {
        opportunity: {
            id: opportunityId,
            name: text(opp.Name),
            amount: amountReadable ? number(opp.Amount) : null,
            amountReadable,
            closeDate: text(opp.CloseDate),
            currencyIsoCode: text(extra.opportunity.CurrencyIsoCode) ?? ctx.org.user.defaultCurrency,
            freight: number(opp.Unleashed_Freight__c),
            stored: {
                warehouseCode: lookupValue(opp, 'Unleashed_Warehouse__r', 'Warehouse_Code__c'),
                taxCode: lookupValue(opp, 'Unleashed_Tax__r', 'Tax_Code__c'),
                salesPersonEmail: lookupValue(opp, 'Unleashed_Sales_Person__r', 'Email__c'),
                deliveryMethod: lookupValue(opp, 'Unleashed_Delivery_Method__r', 'Name'),
                orderStatus: text(opp.Unleashed_Order_Status_To_Create__c),
                requiredDate: text(opp.Unleashed_Required_Date__c),
                comments: text(opp.Unleashed_Comments__c),
                deliveryAddress: {
                    name: text(opp.Unleashed_Delivery_Name__c),
                    street: text(opp.Unleashed_Delivery_Street__c),
                    suburb: text(opp.Unleashed_Delivery_Suburb__c),
                    city: text(opp.Unleashed_Delivery_City__c),
                    region: text(opp.Unleashed_Delivery_Region__c),
                    postalCode: text(opp.Unleashed_Delivery_Postal_Code__c),
                    country: text(opp.Unleashed_Delivery_Country__c)
                }
            },
            order: {
                guid: text(opp.Unleashed_Order_Guid__c),
                number: text(opp.Unleashed_Order_Number__c),
                status: text(opp.Unleashed_Order_Status__c),
                lastSent: auraDatetime(opp.Unleashed_Last_Sent__c)
            }
        },
        account:
            accountId && account
                ? {
                      id: accountId,
                      name: text(account.Name),
                      isPersonAccount,
                      firstName: text(extra.account?.FirstName),
                      lastName: text(extra.account?.LastName),
                      email: text(extra.account?.PersonEmail),
                      phone: text(account.Phone),
                      customerCode: text(account.Unleashed_Customer_Code__c),
                      unleashedCurrency: text(account.Unleashed_Currency__c),
                      currencyIsoCode: text(extra.account?.CurrencyIsoCode),
                      doNotSend: account.Unleashed_Do_Not_Send__c === true,
                      doNotSendReason: text(account.Unleashed_Do_Not_Send_Reason__c),
                      billingAddress: address(account, 'Billing'),
                      shippingAddress: address(account, 'Shipping'),
                      contacts: isPersonAccount ? [] : await contacts(ctx, opportunityId, accountId, omitted),
                      defaults: accountDefaults(account)
                  }
                : null,
        lines: lines.map((l) => {
            const product = isObject(l.Product2) ? l.Product2 : {};
            return {
                lineId: String(l.Id),
                productName: text(product.Name),
                productCode: text(product.Unleashed_Product_Code__c),
                productGuid: text(product.Unleashed_Guid__c),
                description: text(l.Description),
                quantity: number(l.Quantity),
                unitPrice: number(l.UnitPrice),
                discountPercent: number(l.Discount),
                taxCode: text(l.Unleashed_Tax_Code__c)
            };
        }),
        settings: {
            defaultWarehouseCode: settings.Default_Warehouse_Code__c ?? null,
            defaultOrderStatus: settings.Default_Order_Status__c ?? null,
            freightProductCode: settings.Freight_Product_Code__c ?? null,
            orderDateSource: settings.Order_Date_Source__c ?? null,
            largeQuantity: settings.Large_Quantity__c ?? null,
            largeTotal: settings.Large_Order_Total__c ?? null
        },
        numbering: extra.numbering,
        reference: await reference(ctx),
        user: { email: ctx.org.user.email },
        // UnleashedMappedValues.of: the field mappings the package ships, read for this Opportunity.
        mapped: await mappedValues(ctx, 'Opportunity', opportunityId, accountId),
        omittedFields: omitted
    };
}

/** The Account's own defaults, as UnleashedSendRecords.accountDefaults gathers them. */
function accountDefaults(account: Record<string, unknown>) {
    const related = (name: string, field: string) => {
        const r = account[name];
        return isObject(r) ? text(r[field]) : null;
    };
    const deliverTo = text(account.Unleashed_Deliver_To__c);
    return {
        warehouseCode: related('Unleashed_Default_Warehouse__r', 'Warehouse_Code__c'),
        salesPersonEmail: related('Unleashed_Default_Sales_Person__r', 'Email__c'),
        deliveryMethod: related('Unleashed_Default_Delivery_Method__r', 'Name'),
        salesOrderGroup: text(account.Unleashed_Sales_Order_Group__c),
        deliverTo: deliverTo === null ? null : (deliverTo.toLowerCase() as 'shipping' | 'billing')
    };
}

/** DisplayType names as Apex writes them, for the simulator's describe types. */
const APEX_TYPES: Record<string, string> = { int: 'INTEGER' };
// Describe types an order number can be read from: STRING, INTEGER, LONG, DOUBLE.
const NUMBER_FIELD_TYPES = new Set(['string', 'int', 'long', 'double']);

/**
 * Fields that exist only in multi-currency or Person Account orgs, and the order number field with
 * what the describe says about it, read by a separate query.
 */
async function readOptional(ctx: ApexContext, opportunityId: string, omitted: string[]) {
    const fields = ['Id'];
    const { multiCurrency, personAccounts } = ctx.org.features;
    if (multiCurrency) fields.push('CurrencyIsoCode', 'Account.CurrencyIsoCode');
    if (personAccounts)
        fields.push(
            'Account.IsPersonAccount',
            ...(await new FieldAccess(ctx, 'Account').readableOnly(
                'Account.',
                ['PersonEmail', 'FirstName', 'LastName'],
                omitted
            ))
        );
    const numbering = await describeNumbering(ctx);
    const numberField = numbering && !numbering.settingIssue ? numbering.fieldName : null;
    // SOQL refuses a field selected twice, and field names are not case sensitive.
    if (numberField && !fields.some((f) => f.toLowerCase() === numberField.toLowerCase()))
        fields.push(numberField);
    const rows = await ctx.org.data.query(
        `SELECT ${fields.join(', ')} FROM Opportunity WHERE Id = ${soqlString(opportunityId)} LIMIT 1`
    );
    const row = rows[0] ?? {};
    if (numbering && numberField) numbering.value = orderNumberText(row[numberField]);
    return {
        opportunity: row,
        account: isObject(row.Account) ? row.Account : null,
        numbering
    };
}

type Numbering = NonNullable<Records['numbering']>;

/** UnleashedOrderNumber: the Order Number Field setting against the Opportunity describe. */
async function describeNumbering(ctx: ApexContext): Promise<Numbering | null> {
    const settings = ctx.org.settings;
    const configured = settings.Order_Number_Field__c;
    if (settings.Use_Opportunity_Number__c !== true || isBlank(configured)) return null;
    const numbering: Numbering = {
        // The field's default value: a setting never saved reads as its defaults.
        prefix: settings.Order_Number_Prefix__c ?? 'SF-',
        fieldName: configured!.trim(),
        fieldLabel: null,
        value: null,
        settingIssue: null
    };
    const fields = await ctx.org.data.describeFields('Opportunity');
    const field = fields.find((f) => f.name.toLowerCase() === configured!.trim().toLowerCase());
    if (!field) {
        numbering.settingIssue = { kind: 'not-a-field', configured, label: null, type: null };
        return numbering;
    }
    numbering.fieldName = field.name;
    numbering.fieldLabel = field.label;
    const type = APEX_TYPES[field.type] ?? field.type.toUpperCase();
    if (!NUMBER_FIELD_TYPES.has(field.type))
        numbering.settingIssue = { kind: 'wrong-type', configured: field.name, label: field.label, type };
    else if (!new FieldAccess(ctx, 'Opportunity').readable(field.name))
        numbering.settingIssue = { kind: 'unreadable', configured: field.name, label: field.label, type };
    return numbering;
}

/** A field value as order number text: numbers without a trailing ".0" or exponent. */
function orderNumberText(value: unknown): string | null {
    if (value === null || value === undefined) return null;
    if (typeof value === 'number') return new Decimal(String(value)).toFixed();
    return String(value);
}

/**
 * A business Account's contact candidates: the Opportunity's contact roles first (primary first),
 * then the Account's contacts, newest first; at most 50, each contact once.
 */
async function contacts(ctx: ApexContext, opportunityId: string, accountId: string, omitted: string[]) {
    const access = new FieldAccess(ctx, 'Contact');
    const optional = await access.readableOnly('', OPTIONAL_CONTACT_FIELDS, omitted);
    const roles = await ctx.org.data.query(
        `SELECT ContactId, IsPrimary, Role, Contact.FirstName, Contact.LastName${optional.map((f) => `, Contact.${f}`).join('')} FROM OpportunityContactRole WHERE OpportunityId = ${soqlString(opportunityId)} WITH USER_MODE ORDER BY IsPrimary DESC, CreatedDate ASC LIMIT ${CONTACT_LIMIT}`
    );
    const own = await ctx.org.data.query(
        `SELECT Id, FirstName, LastName${optional.map((f) => `, ${f}`).join('')} FROM Contact WHERE AccountId = ${soqlString(accountId)} WITH USER_MODE ORDER BY CreatedDate DESC LIMIT ${CONTACT_LIMIT}`
    );
    const seen = new Set<string>();
    const result: NonNullable<Records['account']>['contacts'] = [];
    const add = (id: unknown, c: Row, isPrimary: boolean, role: string | null) => {
        if (seen.has(String(id)) || result.length >= CONTACT_LIMIT) return;
        seen.add(String(id));
        result.push({
            firstName: text(c.FirstName),
            lastName: text(c.LastName),
            email: text(c.Email),
            phone: text(c.Phone),
            isPrimary,
            role
        });
    };
    for (const r of roles)
        if (isObject(r.Contact)) add(r.ContactId, r.Contact, r.IsPrimary === true, text(r.Role));
    for (const c of own) add(c.Id, c, false, null);
    return result;
}

/** UnleashedReferenceDataSelector: the active imported reference records. */
async function reference(ctx: ApexContext): Promise<Records['reference']> {
    const q = ctx.org.data.query.bind(ctx.org.data);
    const [warehouses, taxes, salesPersons, deliveryMethods, salesOrderGroups] = await Promise.all([
        q(
            'SELECT Id, Name, Warehouse_Code__c, Is_Default__c, City__c, Region__c, Country__c FROM Unleashed_Warehouse__c WHERE Obsolete__c = FALSE AND Warehouse_Code__c != NULL WITH USER_MODE ORDER BY Name LIMIT 2000'
        ),
        q(
            'SELECT Id, Name, Tax_Code__c, Tax_Rate__c, Is_Default__c FROM Unleashed_Tax__c WHERE Obsolete__c = FALSE AND Tax_Code__c != NULL WITH USER_MODE ORDER BY Name LIMIT 2000'
        ),
        q(
            'SELECT Id, Name, Email__c FROM Unleashed_Sales_Person__c WHERE Obsolete__c = FALSE AND Email__c != NULL WITH USER_MODE ORDER BY Name LIMIT 2000'
        ),
        q(
            'SELECT Id, Name FROM Unleashed_Delivery_Method__c WHERE Obsolete__c = FALSE WITH USER_MODE ORDER BY Name LIMIT 2000'
        ),
        q(
            'SELECT Id, Name FROM Unleashed_Sales_Order_Group__c WHERE Obsolete__c = FALSE WITH USER_MODE ORDER BY Name LIMIT 2000'
        )
    ]);
    return {
        warehouses: warehouses.map((w) => ({
            id: String(w.Id),
            code: String(w.Warehouse_Code__c),
            name: text(w.Name),
            place: [w.City__c, w.Region__c, w.Country__c].filter((p) => !isBlank(text(p))).join(', ') || null,
            isDefault: w.Is_Default__c === true
        })),
        taxes: taxes.map((t) => ({
            id: String(t.Id),
            code: String(t.Tax_Code__c),
            name: text(t.Name),
            rate: number(t.Tax_Rate__c),
            isDefault: t.Is_Default__c === true
        })),
        salesPersons: salesPersons.map((p) => ({
            id: String(p.Id),
            email: String(p.Email__c),
            name: text(p.Name)
        })),
        deliveryMethods: deliveryMethods.map((d) => ({ id: String(d.Id), name: String(d.Name) })),
        salesOrderGroups: salesOrderGroups.map((g) => ({ id: String(g.Id), name: String(g.Name) }))
    };
}
