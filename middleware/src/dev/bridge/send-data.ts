import Decimal from 'decimal.js';
import type { SendRecordsInput } from '../../sync/sends/records';
import { soqlString } from '../../salesforce/soql';
import { AuraError, auraDatetime } from './aura';
import type { ApexContext } from './context';
import { mappedValues } from './field-mappings';
import { isBlank, isObject } from './json';
import type { OrgSettingsRecord } from './org';

/**
 * What a send needs, read as the package reads it (UnleashedSendRecords with the Opportunity or the
 * Order source, the selectors, the settings, the reference data): the records the middleware's
 * /v1/sends routes take (SendRecords, middleware/src/sync/sends/records.ts), as stored and with
 * nothing decided. Defaults, checks and messages are the middleware's.
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
const CONTACT_LIMIT = 50;
const OBJECT_LABELS: Record<string, string> = {
    Opportunity: 'Opportunity',
    Order: 'Order',
    Account: 'Account',
    Contact: 'Contact',
    OpportunityLineItem: 'Opportunity Product',
    OrderItem: 'Order Product'
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
    'OpportunityLineItem.Discount': 'Discount',
    'Order.TotalAmount': 'Order Amount',
    'Order.BillToContactId': 'Bill To Contact ID',
    'Order.ShipToContactId': 'Ship To Contact ID',
    'OrderItem.Description': 'Line Description',
    'OrderItem.Quantity': 'Quantity',
    'OrderItem.UnitPrice': 'Unit Price'
};

/** The objects a send starts from, by the key prefix of their ids (Apex: the id's SObjectType). */
export type SourceObject = 'Opportunity' | 'Order';
const SOURCE_BY_PREFIX: Record<string, SourceObject> = { '006': 'Opportunity', '801': 'Order' };

/** UnleashedSendRecords.objectNameOf: Opportunity, Order, or null for any other id. */
export function sourceObjectOf(recordId: string | null): SourceObject | null {
    return recordId ? (SOURCE_BY_PREFIX[recordId.slice(0, 3)] ?? null) : null;
}

const SOURCE_WORDS: Record<string, SourceObject> = {
    opportunity: 'Opportunity',
    opportunities: 'Opportunity',
    order: 'Order',
    orders: 'Order'
};

/**
 * UnleashedSettingsService.Settings.sendRefusal: why the Send From setting refuses a send from this
 * object, in one sentence; null when it allows it. Blank means Opportunity only; words are matched
 * without case, and anything else allows nothing.
 */
export function sendRefusal(settings: OrgSettingsRecord, source: SourceObject): string | null {
    const setting = isBlank(settings.Send_From__c) ? null : settings.Send_From__c!.trim();
    const allowed =
        setting === null
            ? new Set<SourceObject>(['Opportunity'])
            : new Set(
                  setting
                      .split(/[,;]/)
                      .map((w) => SOURCE_WORDS[w.trim().toLowerCase()])
                      .filter((w): w is SourceObject => w !== undefined)
              );
    if (allowed.has(source)) return null;
    const plural = source === 'Order' ? 'Orders' : 'Opportunities';
    return `Sending ${plural} to Unleashed is turned off in this org (the Unleashed setting Send From is ${setting === null ? 'blank, which means Opportunity only' : `"${setting}"`}); an administrator can add ${source} to it, separated by a comma, in Setup > Custom Settings > Unleashed Settings.`;
}

// UnleashedSourceFields.ACCOUNT and UNLEASHED: the same on an Opportunity and an Order.
const SHARED_FIELDS = [
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

/** A gathered source record's own facts (SendRecords.opportunity before the shared fields). */
interface SourceFacts {
    id: string;
    name: string | null;
    amount: number | null;
    amountReadable: boolean;
    closeDate: string | null;
}

/**
 * What only one object knows how to read (UnleashedSendSource: UnleashedOpportunitySource and
 * UnleashedOrderSource): its own fields, its lines, its contact candidates. The Account's fields and
 * the package's Unleashed_* fields are the same on both.
 */
interface SendSource {
    /**
     * The record with the shared fields and its readable optional ones (null when not visible), and
     * the fields of its lines: the package reads both in one query, so a line field the user may not
     * read stops the send even before the record is found.
     */
    find(ctx: ApexContext, id: string, omitted: string[]): Promise<{ row: Row | null; lineFields: string[] }>;
    facts(ctx: ApexContext, row: Row): SourceFacts;
    lines(ctx: ApexContext, id: string, lineFields: string[]): Promise<Records['lines']>;
    contacts(ctx: ApexContext, row: Row, omitted: string[]): Promise<Contacts>;
}

type Contacts = NonNullable<Records['account']>['contacts'];

const line = (l: Row, discountPercent: number | null): Records['lines'][number] => {
    const product = isObject(l.Product2) ? l.Product2 : {};
    return {
        lineId: String(l.Id),
        productName: text(product.Name),
        productCode: text(product.Unleashed_Product_Code__c),
        productGuid: text(product.Unleashed_Guid__c),
        description: text(l.Description),
        quantity: number(l.Quantity),
        // The sales price before any discount; the middleware applies the discount.
        unitPrice: number(l.UnitPrice),
        discountPercent,
        taxCode: text(l.Unleashed_Tax_Code__c)
    };
};

/** The fields of each line (UnleashedSourceFields.LINE with the required and readable optional ones). */
async function lineFieldsOf(
    ctx: ApexContext,
    object: 'OpportunityLineItem' | 'OrderItem',
    required: string[],
    omitted: string[]
): Promise<string[]> {
    const access = new FieldAccess(ctx, object);
    return [
        'Id',
        'Unleashed_Tax_Code__c',
        'Product2Id',
        'Product2.Name',
        'Product2.Unleashed_Product_Code__c',
        'Product2.Unleashed_Guid__c',
        ...(await access.required('', required)),
        ...(await access.readableOnly('', ['Description'], omitted))
    ];
}

/**
 * The lines in the order the package's child subquery reads them (the simulator's SOQL has no
 * subqueries: a second query with the same filter and order).
 */
function readLines(
    ctx: ApexContext,
    object: string,
    parentField: string,
    parentId: string,
    fields: string[]
) {
    return ctx.org.data.query(
        `SELECT ${fields.join(', ')} FROM ${object} WHERE ${parentField} = ${soqlString(parentId)} WITH USER_MODE ORDER BY CreatedDate ASC, Id ASC`
    );
}

/** UnleashedOpportunitySource with UnleashedOpportunitySelector. */
const OPPORTUNITY: SendSource = {
    async find(ctx, id, omitted) {
        const oppAccess = new FieldAccess(ctx, 'Opportunity');
        const amountReadable = oppAccess.readable('Amount');
        if (!amountReadable) omitted.push(await oppAccess.labelOf('Amount'));
        const fields = [
            'Id',
            'Name',
            'CloseDate',
            'AccountId',
            ...SHARED_FIELDS,
            ...(amountReadable ? ['Amount'] : []),
            ...(await new FieldAccess(ctx, 'Account').readableOnly(
                'Account.',
                OPTIONAL_ACCOUNT_FIELDS,
                omitted
            ))
        ];
        const lineFields = await lineFieldsOf(
            ctx,
            'OpportunityLineItem',
            ['Quantity', 'UnitPrice', 'Discount'],
            omitted
        );
        const rows = await ctx.org.data.query(
            `SELECT ${fields.join(', ')} FROM Opportunity WHERE Id = ${soqlString(id)} WITH USER_MODE LIMIT 1`
        );
        return { row: rows[0] ?? null, lineFields };
    },
    facts(ctx, row) {
        const amountReadable = new FieldAccess(ctx, 'Opportunity').readable('Amount');
        return {
            id: String(row.Id),
            name: text(row.Name),
            amount: amountReadable ? number(row.Amount) : null,
            amountReadable,
            closeDate: text(row.CloseDate)
        };
    },
    async lines(ctx, id, lineFields) {
        const rows = await readLines(ctx, 'OpportunityLineItem', 'OpportunityId', id, lineFields);
        // The middleware applies the discount.
        return rows.map((l) => line(l, number(l.Discount)));
    },
    contacts: (ctx, row, omitted) => opportunityContacts(ctx, String(row.Id), String(row.AccountId), omitted)
};

// UnleashedOrderSelector: standard Order fields a profile may hide.
const OPTIONAL_ORDER_FIELDS = ['TotalAmount', 'BillToContactId', 'ShipToContactId'];

/**
 * UnleashedOrderSource with UnleashedOrderSelector: the Total Amount and the Order Start Date, the
 * Order Products at their Unit Price (no discount), the Bill To and Ship To contacts first. An Order
 * without a name goes by its Order Number.
 */
const ORDER: SendSource = {
    async find(ctx, id, omitted) {
        const fields = [
            'Id',
            'Name',
            'OrderNumber',
            'EffectiveDate',
            'AccountId',
            ...SHARED_FIELDS,
            ...(await new FieldAccess(ctx, 'Order').readableOnly('', OPTIONAL_ORDER_FIELDS, omitted)),
            ...(await new FieldAccess(ctx, 'Account').readableOnly(
                'Account.',
                OPTIONAL_ACCOUNT_FIELDS,
                omitted
            ))
        ];
        // An Order Product has no discount: its Unit Price is the price sold at.
        const lineFields = await lineFieldsOf(ctx, 'OrderItem', ['Quantity', 'UnitPrice'], omitted);
        const rows = await ctx.org.data.query(
            `SELECT ${fields.join(', ')} FROM Order WHERE Id = ${soqlString(id)} WITH USER_MODE LIMIT 1`
        );
        return { row: rows[0] ?? null, lineFields };
    },
    facts(ctx, row) {
        const amountReadable = new FieldAccess(ctx, 'Order').readable('TotalAmount');
        return {
            id: String(row.Id),
            name: isBlank(text(row.Name)) ? text(row.OrderNumber) : text(row.Name),
            amount: amountReadable ? number(row.TotalAmount) : null,
            amountReadable,
            closeDate: text(row.EffectiveDate)
        };
    },
    async lines(ctx, id, lineFields) {
        const rows = await readLines(ctx, 'OrderItem', 'OrderId', id, lineFields);
        return rows.map((l) => line(l, null));
    },
    contacts: (ctx, row, omitted) =>
        orderContacts(
            ctx,
            text(row.BillToContactId),
            text(row.ShipToContactId),
            String(row.AccountId),
            omitted
        )
};

const SOURCES: Record<SourceObject, SendSource> = { Opportunity: OPPORTUNITY, Order: ORDER };

function notFound(source: SourceObject): never {
    throw new AuraError(`The ${source} was not found, or you do not have access to it.`);
}

/**
 * UnleashedSendRecords.gather: every record a send from an Opportunity or an Order needs, as
 * SendRecords. Refused before any query for an id of another object, or of an object the Send From
 * setting leaves out.
 */
export async function gatherSendRecords(ctx: ApexContext, recordId: string | null): Promise<Records> {
    const sourceObject = sourceObjectOf(recordId);
    if (!recordId || !sourceObject)
        throw new AuraError(
            recordId === null
                ? 'The Opportunity was not found, or you do not have access to it.'
                : 'Send to Unleashed works on an Opportunity or an Order.'
        );
    const refusal = sendRefusal(ctx.org.settings, sourceObject);
    if (refusal !== null) throw new AuraError(refusal);
    const source = SOURCES[sourceObject];
    const omitted: string[] = [];
    const { row, lineFields } = await source.find(ctx, recordId, omitted);
    if (!row) notFound(sourceObject);
    const lines = await source.lines(ctx, recordId, lineFields);
    const extra = await readOptional(ctx, sourceObject, recordId, omitted);
    const accountId = text(row.AccountId);
    const account = isObject(row.Account) ? row.Account : null;
    const isPersonAccount = extra.account?.IsPersonAccount === true;
    const settings = ctx.org.settings;
    return {
        source: sourceObject,
        opportunity: {
            ...source.facts(ctx, row),
            currencyIsoCode: text(extra.record.CurrencyIsoCode) ?? ctx.org.user.defaultCurrency,
            freight: number(row.Unleashed_Freight__c),
            stored: {
                warehouseCode: lookupValue(row, 'Unleashed_Warehouse__r', 'Warehouse_Code__c'),
                taxCode: lookupValue(row, 'Unleashed_Tax__r', 'Tax_Code__c'),
                salesPersonEmail: lookupValue(row, 'Unleashed_Sales_Person__r', 'Email__c'),
                deliveryMethod: lookupValue(row, 'Unleashed_Delivery_Method__r', 'Name'),
                orderStatus: text(row.Unleashed_Order_Status_To_Create__c),
                requiredDate: text(row.Unleashed_Required_Date__c),
                comments: text(row.Unleashed_Comments__c),
                deliveryAddress: {
                    name: text(row.Unleashed_Delivery_Name__c),
                    street: text(row.Unleashed_Delivery_Street__c),
                    suburb: text(row.Unleashed_Delivery_Suburb__c),
                    city: text(row.Unleashed_Delivery_City__c),
                    region: text(row.Unleashed_Delivery_Region__c),
                    postalCode: text(row.Unleashed_Delivery_Postal_Code__c),
                    country: text(row.Unleashed_Delivery_Country__c)
                }
            },
            order: {
                guid: text(row.Unleashed_Order_Guid__c),
                number: text(row.Unleashed_Order_Number__c),
                status: text(row.Unleashed_Order_Status__c),
                lastSent: auraDatetime(row.Unleashed_Last_Sent__c)
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
                      // A Person Account is its own contact.
                      contacts: isPersonAccount ? [] : await source.contacts(ctx, row, omitted),
                      defaults: accountDefaults(account)
                  }
                : null,
        lines,
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
        // UnleashedMappedValues.of: the field mappings the package ships, read for this record.
        mapped: await mappedValues(ctx, sourceObject, recordId, accountId),
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
 * what the describe says about it, read by a separate query of the record sent.
 */
async function readOptional(ctx: ApexContext, source: SourceObject, recordId: string, omitted: string[]) {
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
    const numbering = await describeNumbering(ctx, source);
    const numberField = numbering && !numbering.settingIssue ? numbering.fieldName : null;
    // SOQL refuses a field selected twice, and field names are not case sensitive.
    if (numberField && !fields.some((f) => f.toLowerCase() === numberField.toLowerCase()))
        fields.push(numberField);
    const rows = await ctx.org.data.query(
        `SELECT ${fields.join(', ')} FROM ${source} WHERE Id = ${soqlString(recordId)} LIMIT 1`
    );
    const row = rows[0] ?? {};
    if (numbering && numberField) numbering.value = orderNumberText(row[numberField]);
    return {
        record: row,
        account: isObject(row.Account) ? row.Account : null,
        numbering
    };
}

type Numbering = NonNullable<Records['numbering']>;

/**
 * UnleashedOrderNumber: the number field the settings name for the object sent (Order Number Field
 * for an Opportunity; Order Number Field on Orders for an Order, blank meaning its OrderNumber)
 * against that object's describe.
 */
async function describeNumbering(ctx: ApexContext, source: SourceObject): Promise<Numbering | null> {
    const settings = ctx.org.settings;
    const onOrder = settings.Order_Number_Field_On_Order__c;
    const configured =
        source === 'Order'
            ? isBlank(onOrder)
                ? 'OrderNumber'
                : onOrder!.trim()
            : isBlank(settings.Order_Number_Field__c)
              ? null
              : settings.Order_Number_Field__c!.trim();
    if (settings.Use_Opportunity_Number__c !== true || configured === null) return null;
    const numbering: Numbering = {
        // The field's default value: a setting never saved reads as its defaults.
        prefix: settings.Order_Number_Prefix__c ?? 'SF-',
        fieldName: null,
        fieldLabel: null,
        value: null,
        settingIssue: null
    };
    const fields = await ctx.org.data.describeFields(source);
    const field = fields.find((f) => f.name.toLowerCase() === configured.toLowerCase());
    if (!field) {
        numbering.settingIssue = { kind: 'not-a-field', configured, label: null, type: null };
        return numbering;
    }
    const type = APEX_TYPES[field.type] ?? field.type.toUpperCase();
    if (!new FieldAccess(ctx, source).readable(field.name))
        numbering.settingIssue = { kind: 'unreadable', configured: field.name, label: field.label, type };
    else if (!NUMBER_FIELD_TYPES.has(field.type))
        numbering.settingIssue = { kind: 'wrong-type', configured: field.name, label: field.label, type };
    else {
        numbering.fieldName = field.name;
        numbering.fieldLabel = field.label;
    }
    return numbering;
}

/** A field value as order number text: numbers without a trailing ".0" or exponent. */
function orderNumberText(value: unknown): string | null {
    if (value === null || value === undefined) return null;
    if (typeof value === 'number') return new Decimal(String(value)).toFixed();
    return String(value);
}

/** Each contact once, at most 50, in the order added. */
function candidateList() {
    const seen = new Set<string>();
    const result: Contacts = [];
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
    return { result, add };
}

/** The Account's own contacts, newest first. */
function accountContacts(ctx: ApexContext, accountId: string, optional: string[]) {
    return ctx.org.data.query(
        `SELECT Id, FirstName, LastName${optional.map((f) => `, ${f}`).join('')} FROM Contact WHERE AccountId = ${soqlString(accountId)} WITH USER_MODE ORDER BY CreatedDate DESC LIMIT ${CONTACT_LIMIT}`
    );
}

/**
 * A business Account's contact candidates for an Opportunity: its contact roles first (primary
 * first), then the Account's contacts, newest first; at most 50, each contact once.
 */
async function opportunityContacts(
    ctx: ApexContext,
    opportunityId: string,
    accountId: string,
    omitted: string[]
): Promise<Contacts> {
    const optional = await new FieldAccess(ctx, 'Contact').readableOnly('', OPTIONAL_CONTACT_FIELDS, omitted);
    const roles = await ctx.org.data.query(
        `SELECT ContactId, IsPrimary, Role, Contact.FirstName, Contact.LastName${optional.map((f) => `, Contact.${f}`).join('')} FROM OpportunityContactRole WHERE OpportunityId = ${soqlString(opportunityId)} WITH USER_MODE ORDER BY IsPrimary DESC, CreatedDate ASC LIMIT ${CONTACT_LIMIT}`
    );
    const own = await accountContacts(ctx, accountId, optional);
    const { result, add } = candidateList();
    for (const r of roles)
        if (isObject(r.Contact)) add(r.ContactId, r.Contact, r.IsPrimary === true, text(r.Role));
    for (const c of own) add(c.Id, c, false, null);
    return result;
}

/**
 * UnleashedContactSelector.orderCandidates: an Order's Bill To contact first (as the primary one),
 * then its Ship To contact, then the Account's contacts; at most 50, each contact once.
 */
async function orderContacts(
    ctx: ApexContext,
    billToId: string | null,
    shipToId: string | null,
    accountId: string,
    omitted: string[]
): Promise<Contacts> {
    const optional = await new FieldAccess(ctx, 'Contact').readableOnly('', OPTIONAL_CONTACT_FIELDS, omitted);
    const named = [billToId, shipToId].filter((id): id is string => id !== null);
    const byId = new Map(
        (named.length === 0
            ? []
            : await ctx.org.data.query(
                  `SELECT Id, FirstName, LastName${optional.map((f) => `, ${f}`).join('')} FROM Contact WHERE Id IN (${named.map(soqlString).join(', ')}) WITH USER_MODE`
              )
        ).map((c) => [String(c.Id), c])
    );
    const { result, add } = candidateList();
    const billTo = billToId ? byId.get(billToId) : undefined;
    if (billTo) add(billToId, billTo, true, 'Bill To');
    const shipTo = shipToId ? byId.get(shipToId) : undefined;
    if (shipTo) add(shipToId, shipTo, false, 'Ship To');
    for (const c of await accountContacts(ctx, accountId, optional)) add(c.Id, c, false, null);
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
