import Decimal from 'decimal.js';
import { AuraError } from './aura';
import type { ApexContext } from './context';
import { decimalOf, isBlank, isObject } from './json';
import { OrderNumbering } from './order-number';
import { soqlString } from '../../salesforce/soql';
import type { OrgSettingsRecord } from './org';

/**
 * What a send needs, loaded as the package loads it (UnleashedOpportunityData, the selectors,
 * UnleashedSettingsService, UnleashedReferenceOptions, UnleashedSendContextBuilder.defaults):
 * the Opportunity with its account and lines, the effective settings, the imported reference data
 * as pick-list options, and the default choices.
 */

export const STATUS_PARKED = 'Parked';
export const STATUS_PLACED = 'Placed';

export interface Address {
    name: string | null;
    street: string | null;
    suburb: string | null;
    city: string | null;
    region: string | null;
    postalCode: string | null;
    country: string | null;
}

/** The dialog's choices, fields in the order Apex serialises them. */
export interface Choices {
    warehouseCode: string | null;
    customerCode: string | null;
    newCustomerCode: string | null;
    taxCode: string | null;
    salesPersonEmail: string | null;
    deliveryMethod: string | null;
    orderStatus: string | null;
    requiredDate: string | null;
    comments: string | null;
    deliveryAddress: Address | null;
}

const CHOICE_KEYS = [
    'warehouseCode',
    'customerCode',
    'newCustomerCode',
    'taxCode',
    'salesPersonEmail',
    'deliveryMethod',
    'orderStatus',
    'requiredDate',
    'comments'
] as const;
const ADDRESS_KEYS = ['name', 'street', 'suburb', 'city', 'region', 'postalCode', 'country'] as const;

export interface Settings {
    defaultWarehouseCode: string | null;
    defaultOrderStatus: string;
    freightProductCode: string | null;
    useOpportunityNumber: boolean;
    orderNumberPrefix: string;
    orderNumberField: string | null;
    orderDateSource: string;
    syncLogRetentionDays: number;
}

export function effectiveSettings(raw: OrgSettingsRecord): Settings {
    const blankToNull = (v: string | null | undefined) => (isBlank(v) ? null : (v as string).trim());
    return {
        defaultWarehouseCode: blankToNull(raw.Default_Warehouse_Code__c),
        defaultOrderStatus: raw.Default_Order_Status__c === STATUS_PLACED ? STATUS_PLACED : STATUS_PARKED,
        freightProductCode: blankToNull(raw.Freight_Product_Code__c),
        useOpportunityNumber: raw.Use_Opportunity_Number__c === true,
        orderNumberPrefix: raw.Order_Number_Prefix__c ?? 'SF-',
        orderNumberField: blankToNull(raw.Order_Number_Field__c),
        orderDateSource: raw.Order_Date_Source__c === 'CloseDate' ? 'CloseDate' : 'Today',
        syncLogRetentionDays: retentionDays(raw.Sync_Log_Retention_Days__c)
    };
}

// Blank or out of range (0 would purge everything) falls back to 90 days.
function retentionDays(days: number | null | undefined): number {
    return typeof days !== 'number' || days < 1 || days > 3650 ? 90 : Math.trunc(days);
}

// ---- records ----

export interface AccountRow {
    Id: string;
    Name: string | null;
    Phone: string | null;
    BillingStreet: string | null;
    BillingCity: string | null;
    BillingState: string | null;
    BillingPostalCode: string | null;
    BillingCountry: string | null;
    ShippingStreet: string | null;
    ShippingCity: string | null;
    ShippingState: string | null;
    ShippingPostalCode: string | null;
    ShippingCountry: string | null;
    Unleashed_Customer_Code__c: string | null;
    Unleashed_Currency__c: string | null;
    Unleashed_Do_Not_Send__c: boolean | null;
    Unleashed_Do_Not_Send_Reason__c: string | null;
}

export interface OpportunityRow {
    Id: string;
    Name: string | null;
    Amount: number | null;
    AccountId: string | null;
    Account: Omit<AccountRow, 'Id'> | null;
    Unleashed_Warehouse__r: { Warehouse_Code__c?: string | null } | null;
    Unleashed_Tax__r: { Tax_Code__c?: string | null } | null;
    Unleashed_Sales_Person__r: { Email__c?: string | null } | null;
    Unleashed_Delivery_Method__r: { Name?: string | null } | null;
    Unleashed_Order_Status_To_Create__c: string | null;
    Unleashed_Required_Date__c: string | null;
    Unleashed_Delivery_Name__c: string | null;
    Unleashed_Delivery_Street__c: string | null;
    Unleashed_Delivery_Suburb__c: string | null;
    Unleashed_Delivery_City__c: string | null;
    Unleashed_Delivery_Region__c: string | null;
    Unleashed_Delivery_Country__c: string | null;
    Unleashed_Delivery_Postal_Code__c: string | null;
    Unleashed_Comments__c: string | null;
    Unleashed_Freight__c: number | null;
    Unleashed_Order_Guid__c: string | null;
    Unleashed_Order_Number__c: string | null;
    Unleashed_Order_Status__c: string | null;
    Unleashed_Last_Sent__c: string | null;
    [k: string]: unknown;
}

export interface OpportunityLineRow {
    Id: string;
    Quantity: number | null;
    UnitPrice: number | null;
    Discount: number | null;
    Description: string | null;
    Unleashed_Tax_Code__c: string | null;
    Product2: {
        Name?: string | null;
        Unleashed_Product_Code__c?: string | null;
        Unleashed_Guid__c?: string | null;
    } | null;
    [k: string]: unknown;
}

// As UnleashedOpportunitySelector: standard fields a profile may hide. Optional ones are left out
// when unreadable; a required one stops the send with a message naming it.
const OPTIONAL_OPPORTUNITY_FIELDS = ['Amount'];
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
const OPTIONAL_LINE_FIELDS = ['Description'];
const REQUIRED_LINE_FIELDS = ['Quantity', 'UnitPrice', 'Discount'];
const OBJECT_LABELS: Record<string, string> = {
    Opportunity: 'Opportunity',
    Account: 'Account',
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
    'OpportunityLineItem.Description': 'Line Description',
    'OpportunityLineItem.Quantity': 'Quantity',
    'OpportunityLineItem.UnitPrice': 'Sales Price',
    'OpportunityLineItem.Discount': 'Discount'
};

const ACCOUNT_FIELDS = [
    'Name',
    'Unleashed_Customer_Code__c',
    'Unleashed_Currency__c',
    'Unleashed_Do_Not_Send__c',
    'Unleashed_Do_Not_Send_Reason__c'
];

const OPPORTUNITY_FIELDS = [
    'Id',
    'Name',
    'CloseDate',
    'AccountId',
    ...ACCOUNT_FIELDS.map((f) => `Account.${f}`),
    'Unleashed_Warehouse__c',
    'Unleashed_Warehouse__r.Warehouse_Code__c',
    'Unleashed_Tax__c',
    'Unleashed_Tax__r.Tax_Code__c',
    'Unleashed_Sales_Person__c',
    'Unleashed_Sales_Person__r.Email__c',
    'Unleashed_Delivery_Method__c',
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

export interface OpportunityData {
    opp: OpportunityRow;
    account: AccountRow | null;
    lines: OpportunityLineRow[];
    settings: Settings;
    currencyIsoCode: string;
    accountCurrency: string | null;
    isPersonAccount: boolean;
    accountEmail: string | null;
    accountFirstName: string | null;
    accountLastName: string | null;
    numbering: OrderNumbering;
    /** The order number from the Opportunity (null: Unleashed numbers the order) and what stops it. */
    orderNumber: string | null;
    orderNumberProblem: string | null;
    /** Labels of the optional fields the user may not read, left out ("Account Phone"). */
    omittedFields: string[];
}

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

/** Fields left out of a query read as null, as Apex reads them through getPopulatedFieldsAsMap. */
function nullsFor(record: Record<string, unknown> | null | undefined, names: string[]): void {
    if (!record) return;
    for (const name of names) if (record[name] === undefined) record[name] = null;
}

/**
 * UnleashedOpportunityData.load. The package reads the lines in a child subquery of the same
 * SOQL; the simulator's SOQL has no subqueries, so they come from a second query with the same
 * filter and order.
 */
export async function loadOpportunity(
    ctx: ApexContext,
    opportunityId: string | null
): Promise<OpportunityData> {
    const data = ctx.org.data;
    const omitted: string[] = [];
    const lineAccess = new FieldAccess(ctx, 'OpportunityLineItem');
    const oppFields = [
        ...OPPORTUNITY_FIELDS,
        ...(await new FieldAccess(ctx, 'Opportunity').readableOnly('', OPTIONAL_OPPORTUNITY_FIELDS, omitted)),
        ...(await new FieldAccess(ctx, 'Account').readableOnly('Account.', OPTIONAL_ACCOUNT_FIELDS, omitted))
    ];
    const lineFields = [
        'Id',
        ...(await lineAccess.required('', REQUIRED_LINE_FIELDS)),
        ...(await lineAccess.readableOnly('', OPTIONAL_LINE_FIELDS, omitted)),
        'Unleashed_Tax_Code__c',
        'Product2Id',
        'Product2.Name',
        'Product2.Unleashed_Product_Code__c',
        'Product2.Unleashed_Guid__c'
    ];
    const rows = opportunityId
        ? await data.query<OpportunityRow>(
              `SELECT ${oppFields.join(', ')} FROM Opportunity WHERE Id = ${soqlString(opportunityId)} WITH USER_MODE LIMIT 1`
          )
        : [];
    const opp = rows[0];
    if (!opp || !opportunityId) {
        throw new AuraError('The Opportunity was not found, or you do not have access to it.');
    }
    const lines = await data.query<OpportunityLineRow>(
        `SELECT ${lineFields.join(', ')} FROM OpportunityLineItem WHERE OpportunityId = ${soqlString(opportunityId)} WITH USER_MODE ORDER BY CreatedDate ASC, Id ASC`
    );
    nullsFor(opp, OPTIONAL_OPPORTUNITY_FIELDS);
    nullsFor(opp.Account, OPTIONAL_ACCOUNT_FIELDS);
    for (const line of lines) nullsFor(line, OPTIONAL_LINE_FIELDS);
    const settings = effectiveSettings(ctx.org.settings);
    const result: OpportunityData = {
        opp,
        account: opp.AccountId && opp.Account ? { ...opp.Account, Id: opp.AccountId } : null,
        lines,
        settings,
        currencyIsoCode: ctx.org.user.defaultCurrency,
        accountCurrency: null,
        isPersonAccount: false,
        accountEmail: null,
        accountFirstName: null,
        accountLastName: null,
        numbering: await OrderNumbering.resolve(ctx, settings),
        orderNumber: null,
        orderNumberProblem: null,
        omittedFields: omitted
    };
    await readOptional(ctx, opportunityId, result);
    return result;
}

// Fields that exist only in multi-currency or Person Account orgs, and the order number field, read
// by a separate query.
async function readOptional(ctx: ApexContext, opportunityId: string, data: OpportunityData): Promise<void> {
    const fields = ['Id'];
    const { multiCurrency, personAccounts } = ctx.org.features;
    if (multiCurrency) fields.push('CurrencyIsoCode', 'Account.CurrencyIsoCode');
    if (personAccounts)
        fields.push(
            'Account.IsPersonAccount',
            ...(await new FieldAccess(ctx, 'Account').readableOnly(
                'Account.',
                ['PersonEmail', 'FirstName', 'LastName'],
                data.omittedFields
            ))
        );
    // SOQL refuses a field selected twice, and field names are not case sensitive.
    const numberField = data.numbering.fieldName;
    if (numberField && !fields.some((f) => f.toLowerCase() === numberField.toLowerCase()))
        // The admin chose this field for order numbers: the order cannot be numbered without it.
        fields.push(...(await new FieldAccess(ctx, 'Opportunity').required('', [numberField])));
    const rows = await ctx.org.data.query(
        `SELECT ${fields.join(', ')} FROM Opportunity WHERE Id = ${soqlString(opportunityId)} LIMIT 1`
    );
    const row = rows[0];
    if (!row) {
        data.orderNumberProblem = data.numbering.problem;
        return;
    }
    if (typeof row.CurrencyIsoCode === 'string') data.currencyIsoCode = row.CurrencyIsoCode;
    const numberValue = data.numbering.inUse() && numberField ? row[numberField] : null;
    data.orderNumber = data.numbering.numberFor(numberValue);
    data.orderNumberProblem = data.numbering.problemFor(numberValue);
    const account = row.Account;
    if (!isObject(account)) return;
    const text = (v: unknown) => (typeof v === 'string' ? v : null);
    data.isPersonAccount = account.IsPersonAccount === true;
    data.accountEmail = text(account.PersonEmail);
    data.accountFirstName = text(account.FirstName);
    data.accountLastName = text(account.LastName);
    data.accountCurrency = text(account.CurrencyIsoCode);
}

export function customerCurrency(data: OpportunityData): string {
    if (data.account && !isBlank(data.account.Unleashed_Currency__c))
        return data.account.Unleashed_Currency__c as string;
    return !isBlank(data.accountCurrency) ? (data.accountCurrency as string) : data.currencyIsoCode;
}

export function freight(data: OpportunityData): Decimal {
    return decimalOf(data.opp.Unleashed_Freight__c) ?? new Decimal(0);
}

export function hasOrder(data: OpportunityData): boolean {
    return !isBlank(data.opp.Unleashed_Order_Guid__c);
}

export function orderEditable(data: OpportunityData): boolean {
    return (
        !hasOrder(data) ||
        isBlank(data.opp.Unleashed_Order_Status__c) ||
        data.opp.Unleashed_Order_Status__c === STATUS_PARKED
    );
}

// ---- reference data ----

interface WarehouseRow {
    Id: string;
    Name: string;
    Warehouse_Code__c: string;
    Is_Default__c: boolean;
    City__c: string | null;
    Region__c: string | null;
    Country__c: string | null;
    [k: string]: unknown;
}
interface TaxRow {
    Id: string;
    Name: string;
    Tax_Code__c: string;
    Tax_Rate__c: number | null;
    Is_Default__c: boolean;
    [k: string]: unknown;
}
interface SalesPersonRow {
    Id: string;
    Name: string;
    Email__c: string;
    [k: string]: unknown;
}
interface DeliveryMethodRow {
    Id: string;
    Name: string;
    [k: string]: unknown;
}

export interface Option {
    value: string | null;
    label: string | null;
    detail: string | null;
    isDefault: boolean;
}

const option = (value: string | null, label: string | null, detail: string | null): Option => ({
    value,
    label,
    detail: isBlank(detail) ? null : detail,
    isDefault: false
});

/** UnleashedReferenceOptions: the active reference data, read once per request. */
export class ReferenceOptions {
    private constructor(
        private readonly ctx: ApexContext,
        private readonly settings: Settings,
        readonly warehouses: WarehouseRow[],
        readonly taxes: TaxRow[],
        readonly salesPersons: SalesPersonRow[],
        readonly deliveryMethods: DeliveryMethodRow[]
    ) {}

    static async load(ctx: ApexContext, settings: Settings): Promise<ReferenceOptions> {
        const q = ctx.org.data.query.bind(ctx.org.data);
        const [warehouses, taxes, salesPersons, deliveryMethods] = await Promise.all([
            q<WarehouseRow>(
                'SELECT Id, Name, Warehouse_Code__c, Is_Default__c, City__c, Region__c, Country__c FROM Unleashed_Warehouse__c WHERE Obsolete__c = FALSE AND Warehouse_Code__c != NULL WITH USER_MODE ORDER BY Name LIMIT 2000'
            ),
            q<TaxRow>(
                'SELECT Id, Name, Tax_Code__c, Description__c, Tax_Rate__c, Tax_Rate_Fraction__c, Is_Default__c FROM Unleashed_Tax__c WHERE Obsolete__c = FALSE AND Tax_Code__c != NULL WITH USER_MODE ORDER BY Name LIMIT 2000'
            ),
            q<SalesPersonRow>(
                'SELECT Id, Name, Email__c FROM Unleashed_Sales_Person__c WHERE Obsolete__c = FALSE AND Email__c != NULL WITH USER_MODE ORDER BY Name LIMIT 2000'
            ),
            q<DeliveryMethodRow>(
                'SELECT Id, Name FROM Unleashed_Delivery_Method__c WHERE Obsolete__c = FALSE WITH USER_MODE ORDER BY Name LIMIT 2000'
            )
        ]);
        return new ReferenceOptions(ctx, settings, warehouses, taxes, salesPersons, deliveryMethods);
    }

    warehouseOptions(): Option[] {
        const preferred = this.defaultWarehouseCode();
        return this.warehouses.map((row) => {
            const place = [row.City__c, row.Region__c, row.Country__c].filter((p) => !isBlank(p)).join(', ');
            return {
                ...option(row.Warehouse_Code__c, row.Name, place),
                isDefault: row.Warehouse_Code__c === preferred
            };
        });
    }

    taxOptions(): Option[] {
        return this.taxes.map((row) => {
            const rate = decimalOf(row.Tax_Rate__c);
            return {
                ...option(row.Tax_Code__c, row.Name, rate ? `${rate.toFixed()}%` : null),
                isDefault: row.Is_Default__c
            };
        });
    }

    salesPersonOptions(): Option[] {
        const me = this.ctx.org.user.email.toLowerCase();
        return this.salesPersons.map((row) => ({
            ...option(row.Email__c, row.Name, row.Email__c),
            isDefault: row.Email__c.toLowerCase() === me
        }));
    }

    deliveryMethodOptions(): Option[] {
        return this.deliveryMethods.map((row) => option(row.Name, row.Name, null));
    }

    defaultWarehouseCode(): string | null {
        if (this.settings.defaultWarehouseCode !== null) return this.settings.defaultWarehouseCode;
        const marked = this.warehouses.find((w) => w.Is_Default__c);
        if (marked) return marked.Warehouse_Code__c;
        return this.warehouses.length === 1 ? (this.warehouses[0]?.Warehouse_Code__c ?? null) : null;
    }

    defaultTaxCode(): string | null {
        return this.taxes.find((t) => t.Is_Default__c)?.Tax_Code__c ?? null;
    }

    defaultSalesPersonEmail(): string | null {
        return this.salesPersonOptions().find((o) => o.isDefault)?.value ?? null;
    }

    /** The lookups for the chosen codes (codes the org does not know leave the lookup empty). */
    lookups(choices: Choices): Record<string, string | null> {
        let warehouse: string | null = null;
        let tax: string | null = null;
        let salesPerson: string | null = null;
        let deliveryMethod: string | null = null;
        for (const row of this.warehouses)
            if (row.Warehouse_Code__c === choices.warehouseCode) warehouse = row.Id;
        for (const row of this.taxes) if (row.Tax_Code__c === choices.taxCode) tax = row.Id;
        for (const row of this.salesPersons)
            if (row.Email__c === choices.salesPersonEmail) salesPerson = row.Id;
        for (const row of this.deliveryMethods)
            if (row.Name === choices.deliveryMethod) deliveryMethod = row.Id;
        return {
            Unleashed_Warehouse__c: warehouse,
            Unleashed_Tax__c: tax,
            Unleashed_Sales_Person__c: salesPerson,
            Unleashed_Delivery_Method__c: deliveryMethod
        };
    }
}

// ---- choices ----

export function emptyChoices(): Choices {
    return {
        warehouseCode: null,
        customerCode: null,
        newCustomerCode: null,
        taxCode: null,
        salesPersonEmail: null,
        deliveryMethod: null,
        orderStatus: null,
        requiredDate: null,
        comments: null,
        deliveryAddress: null
    };
}

function textValue(v: unknown, field: string): string | null {
    if (v === null || v === undefined) return null;
    if (typeof v === 'object') {
        throw new AuraError(
            `The order choices are not valid JSON: Expected String but found an object for ${field}`
        );
    }
    return String(v);
}

function readAddress(v: unknown): Address | null {
    if (v === null || v === undefined) return null;
    if (!isObject(v)) {
        throw new AuraError('The order choices are not valid JSON: Expected an object for deliveryAddress');
    }
    const out = {} as Address;
    for (const k of ADDRESS_KEYS) out[k] = textValue(v[k], k);
    return out;
}

/** UnleashedSendController.parseChoices: blank means "use the defaults"; bad JSON is a clear error. */
export function parseChoices(choicesJson: string | null): Choices {
    if (isBlank(choicesJson)) return emptyChoices();
    let parsed: unknown;
    try {
        parsed = JSON.parse(choicesJson as string);
    } catch (err) {
        throw new AuraError(`The order choices are not valid JSON: ${(err as Error).message}`);
    }
    if (parsed === null) return emptyChoices();
    if (!isObject(parsed)) throw new AuraError('The order choices are not valid JSON: Expected an object');
    const out = emptyChoices();
    for (const k of CHOICE_KEYS) out[k] = textValue(parsed[k], k);
    out.deliveryAddress = readAddress(parsed.deliveryAddress);
    return out;
}

function firstNonBlank(first: string | null | undefined, second: string | null): string | null {
    return !isBlank(first) ? (first as string) : second;
}

export function proposedCustomerCode(account: AccountRow | null): string | null {
    if (!account) return null;
    const letters = account.Name === null ? '' : account.Name.toUpperCase().replace(/[^A-Z0-9]/g, '');
    return isBlank(letters) ? account.Id : letters.slice(0, 20);
}

function address(name: string | null, parts: (string | null)[]): Address {
    return {
        name,
        street: parts[0] ?? null,
        suburb: null,
        city: parts[1] ?? null,
        region: parts[2] ?? null,
        postalCode: parts[3] ?? null,
        country: parts[4] ?? null
    };
}

export function shippingAddress(account: AccountRow | null): Address | null {
    if (!account) return null;
    return address(account.Name, [
        account.ShippingStreet,
        account.ShippingCity,
        account.ShippingState,
        account.ShippingPostalCode,
        account.ShippingCountry
    ]);
}

export function billingAddress(account: AccountRow | null): Address | null {
    if (!account) return null;
    return address(account.Name, [
        account.BillingStreet,
        account.BillingCity,
        account.BillingState,
        account.BillingPostalCode,
        account.BillingCountry
    ]);
}

function hasDeliveryAddress(opp: OpportunityRow): boolean {
    return (
        !isBlank(opp.Unleashed_Delivery_Street__c) ||
        !isBlank(opp.Unleashed_Delivery_City__c) ||
        !isBlank(opp.Unleashed_Delivery_Name__c)
    );
}

function deliveryAddress(opp: OpportunityRow): Address {
    const result = address(opp.Unleashed_Delivery_Name__c, [
        opp.Unleashed_Delivery_Street__c,
        opp.Unleashed_Delivery_City__c,
        opp.Unleashed_Delivery_Region__c,
        opp.Unleashed_Delivery_Postal_Code__c,
        opp.Unleashed_Delivery_Country__c
    ]);
    result.suburb = opp.Unleashed_Delivery_Suburb__c;
    return result;
}

/** The choices the dialog starts with: the Opportunity's own, then the settings, then Unleashed's defaults. */
export function defaultChoices(data: OpportunityData, refs: ReferenceOptions): Choices {
    const opp = data.opp;
    const customerCode = data.account?.Unleashed_Customer_Code__c ?? null;
    return {
        warehouseCode: firstNonBlank(
            opp.Unleashed_Warehouse__r?.Warehouse_Code__c,
            refs.defaultWarehouseCode()
        ),
        customerCode,
        newCustomerCode: isBlank(customerCode) ? proposedCustomerCode(data.account) : null,
        taxCode: firstNonBlank(opp.Unleashed_Tax__r?.Tax_Code__c, refs.defaultTaxCode()),
        salesPersonEmail: firstNonBlank(
            opp.Unleashed_Sales_Person__r?.Email__c,
            refs.defaultSalesPersonEmail()
        ),
        deliveryMethod: opp.Unleashed_Delivery_Method__r?.Name ?? null,
        orderStatus: firstNonBlank(opp.Unleashed_Order_Status_To_Create__c, data.settings.defaultOrderStatus),
        requiredDate: opp.Unleashed_Required_Date__c ?? null,
        comments: opp.Unleashed_Comments__c,
        deliveryAddress: hasDeliveryAddress(opp) ? deliveryAddress(opp) : shippingAddress(data.account)
    };
}

/** UnleashedSendContextBuilder.withDefaults: every blank choice taken from the defaults. */
export function withDefaults(given: Choices, defaults: Choices): Choices {
    const result: Choices = { ...defaults };
    for (const k of CHOICE_KEYS) {
        const v = given[k];
        if (v !== null && v.trim() !== '') result[k] = v;
    }
    if (given.deliveryAddress !== null) result.deliveryAddress = given.deliveryAddress;
    // An explicit existing customer code means no new customer is wanted.
    if (!isBlank(given.customerCode) && isBlank(given.newCustomerCode)) result.newCustomerCode = null;
    return result;
}
