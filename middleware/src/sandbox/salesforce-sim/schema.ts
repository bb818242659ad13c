/**
 * The simulated org's schema: the standard objects and fields the connector touches, plus the
 * package's custom objects and fields (as in force-app/main/default/objects). Names are written WITHOUT
 * the namespace prefix; the org adds it for API names when it runs namespaced. The simulator knows
 * only these fields, so a misspelt or unprefixed name is refused as INVALID_FIELD, as an org would.
 */

export type FieldType =
    | 'id'
    | 'string'
    | 'textarea'
    | 'email'
    | 'url'
    | 'phone'
    | 'boolean'
    | 'double'
    | 'int'
    | 'currency'
    | 'percent'
    | 'date'
    | 'datetime'
    | 'picklist'
    | 'reference';

export interface FieldDef {
    type: FieldType;
    /** Part of the package (prefixed in a namespaced org) rather than a standard field. */
    custom: boolean;
    /** Maximum length of text fields. */
    length?: number;
    /** Digits before the decimal point plus scale, for numbers. */
    precision?: number;
    scale?: number;
    externalId?: boolean;
    unique?: boolean;
    /** Unique text fields compare case-insensitively unless this is set (the org default). */
    caseSensitive?: boolean;
    /** Must have a value when a record is created. */
    required?: boolean;
    /** Set by the org (system fields, formulas, roll-ups); writing it is refused. */
    readOnly?: boolean;
    /** For references: the target object (unprefixed name). */
    referenceTo?: string;
    /** For references: the relationship name used in SOQL paths and external-id references. */
    relationshipName?: string;
    picklist?: string[];
    /** Only the listed picklist values are accepted (custom picklists in the package are restricted). */
    restricted?: boolean;
    /** Set on create only; an update that names it is refused. */
    createOnly?: boolean;
    /** Value put in on create when none is given. */
    defaultValue?: string | number | boolean;
}

export interface ObjectDef {
    name: string;
    label: string;
    keyPrefix: string;
    custom: boolean;
    fields: Record<string, FieldDef>;
    /** Auto-number format of the Name field, e.g. 'IMP-{00000}'. */
    autoNumber?: string;
    /** The field the auto-number goes into when it is not Name (Order's OrderNumber). */
    autoNumberField?: string;
}

// Small builders keep the tables below readable.
const std = (type: FieldType, extra: Partial<FieldDef> = {}): FieldDef => ({ type, custom: false, ...extra });
const cst = (type: FieldType, extra: Partial<FieldDef> = {}): FieldDef => ({ type, custom: true, ...extra });
const text = (length: number, extra: Partial<FieldDef> = {}): FieldDef => cst('string', { length, ...extra });
const extIdUnique = (length: number): FieldDef => text(length, { externalId: true, unique: true });
const checkbox = (): FieldDef => cst('boolean', { defaultValue: false });
const longText = (length: number): FieldDef => cst('textarea', { length });
const lookup = (name: string, referenceTo: string): FieldDef =>
    cst('reference', { referenceTo, relationshipName: name.replace(/__c$/, '__r') });
const stdLookup = (referenceTo: string, relationshipName: string, extra: Partial<FieldDef> = {}): FieldDef =>
    std('reference', { referenceTo, relationshipName, ...extra });
const picklist = (values: string[], extra: Partial<FieldDef> = {}): FieldDef =>
    cst('picklist', { picklist: values, restricted: true, ...extra });

/** Fields every object has, set by the org. */
function systemFields(): Record<string, FieldDef> {
    return {
        Id: std('id', { readOnly: true }),
        CreatedDate: std('datetime', { readOnly: true }),
        LastModifiedDate: std('datetime', { readOnly: true }),
        SystemModstamp: std('datetime', { readOnly: true }),
        CreatedById: stdLookup('User', 'CreatedBy', { readOnly: true }),
        LastModifiedById: stdLookup('User', 'LastModifiedBy', { readOnly: true }),
        IsDeleted: std('boolean', { readOnly: true })
    };
}

const address = (prefix: string): Record<string, FieldDef> => ({
    [`${prefix}Street`]: std('textarea', { length: 255 }),
    [`${prefix}City`]: std('string', { length: 40 }),
    [`${prefix}State`]: std('string', { length: 80 }),
    [`${prefix}PostalCode`]: std('string', { length: 20 }),
    [`${prefix}Country`]: std('string', { length: 80 })
});

const currencyIso = (): FieldDef => std('picklist', { picklist: ['NZD', 'AUD', 'USD', 'GBP', 'EUR'] });

function object(
    name: string,
    label: string,
    keyPrefix: string,
    custom: boolean,
    fields: Record<string, FieldDef>,
    autoNumber?: string
): ObjectDef {
    const all: Record<string, FieldDef> = { ...systemFields(), ...fields };
    return { name, label, keyPrefix, custom, fields: all, ...(autoNumber ? { autoNumber } : {}) };
}

/** A custom object: Name is text (required) unless it is an auto-number. */
function customObject(
    name: string,
    label: string,
    keyPrefix: string,
    fields: Record<string, FieldDef>,
    autoNumber?: string
): ObjectDef {
    const nameField = autoNumber
        ? std('string', { length: 80, readOnly: true })
        : std('string', { length: 80, required: true });
    return object(
        name,
        label,
        keyPrefix,
        true,
        { Name: nameField, OwnerId: stdLookup('User', 'Owner'), ...fields },
        autoNumber
    );
}

/** The package's fields on Opportunity and Order alike (the same API names on both). */
function unleashedOrderFields(): Record<string, FieldDef> {
    return {
        Unleashed_Warehouse__c: lookup('Unleashed_Warehouse__c', 'Unleashed_Warehouse__c'),
        Unleashed_Tax__c: lookup('Unleashed_Tax__c', 'Unleashed_Tax__c'),
        Unleashed_Sales_Person__c: lookup('Unleashed_Sales_Person__c', 'Unleashed_Sales_Person__c'),
        Unleashed_Delivery_Method__c: lookup('Unleashed_Delivery_Method__c', 'Unleashed_Delivery_Method__c'),
        Unleashed_Order_Status_To_Create__c: picklist(['Parked', 'Placed'], { defaultValue: 'Parked' }),
        Unleashed_Required_Date__c: cst('date'),
        Unleashed_Delivery_Name__c: text(255),
        Unleashed_Delivery_Street__c: text(255),
        Unleashed_Delivery_Suburb__c: text(255),
        Unleashed_Delivery_City__c: text(255),
        Unleashed_Delivery_Region__c: text(255),
        Unleashed_Delivery_Country__c: text(255),
        Unleashed_Delivery_Postal_Code__c: text(20),
        Unleashed_Comments__c: longText(32768),
        Unleashed_Freight__c: cst('currency', { precision: 16, scale: 2 }),
        Unleashed_Order_Guid__c: extIdUnique(36),
        Unleashed_Order_Number__c: text(40),
        Unleashed_Order_Status__c: text(40),
        Unleashed_Custom_Status__c: text(80),
        Unleashed_Status_Changed__c: cst('datetime'),
        Unleashed_Sub_Total__c: cst('currency', { precision: 16, scale: 2 }),
        Unleashed_Tax_Total__c: cst('currency', { precision: 16, scale: 2 }),
        Unleashed_Total__c: cst('currency', { precision: 16, scale: 2 }),
        Unleashed_Last_Sent__c: cst('datetime'),
        Unleashed_Last_Error__c: longText(32768)
    };
}

export const SCHEMA: ObjectDef[] = [
    object('User', 'User', '005', false, {
        Username: std('string', { length: 80, required: true }),
        Name: std('string', { length: 121, readOnly: true }),
        FirstName: std('string', { length: 40 }),
        LastName: std('string', { length: 80, required: true }),
        Email: std('email', { length: 128, required: true }),
        IsActive: std('boolean', { defaultValue: true })
    }),
    object('Account', 'Account', '001', false, {
        // Name is required for business accounts; Person Accounts take FirstName/LastName instead.
        Name: std('string', { length: 255 }),
        FirstName: std('string', { length: 40 }),
        LastName: std('string', { length: 80 }),
        IsPersonAccount: std('boolean', { readOnly: true }),
        PersonEmail: std('email', { length: 80 }),
        Phone: std('phone', { length: 40 }),
        Website: std('url', { length: 255 }),
        AccountNumber: std('string', { length: 40 }),
        Description: std('textarea', { length: 32000 }),
        CurrencyIsoCode: currencyIso(),
        OwnerId: stdLookup('User', 'Owner'),
        ...address('Billing'),
        ...address('Shipping'),
        Unleashed_Customer_Code__c: extIdUnique(50),
        Unleashed_Customer_Guid__c: extIdUnique(36),
        Unleashed_Currency__c: text(3),
        Unleashed_Sell_Price_Tier__c: text(80),
        Unleashed_Do_Not_Send__c: checkbox(),
        Unleashed_Do_Not_Send_Reason__c: text(255),
        Unleashed_Default_Warehouse__c: lookup('Unleashed_Default_Warehouse__c', 'Unleashed_Warehouse__c'),
        Unleashed_Default_Sales_Person__c: lookup(
            'Unleashed_Default_Sales_Person__c',
            'Unleashed_Sales_Person__c'
        ),
        Unleashed_Default_Delivery_Method__c: lookup(
            'Unleashed_Default_Delivery_Method__c',
            'Unleashed_Delivery_Method__c'
        ),
        Unleashed_Sales_Order_Group__c: text(100),
        Unleashed_Deliver_To__c: picklist(['Shipping', 'Billing'])
    }),
    object('Contact', 'Contact', '003', false, {
        AccountId: stdLookup('Account', 'Account'),
        FirstName: std('string', { length: 40 }),
        LastName: std('string', { length: 80, required: true }),
        Name: std('string', { length: 121, readOnly: true }),
        Email: std('email', { length: 80 }),
        Phone: std('phone', { length: 40 }),
        OwnerId: stdLookup('User', 'Owner')
    }),
    object('Product2', 'Product', '01t', false, {
        Name: std('string', { length: 255, required: true }),
        ProductCode: std('string', { length: 255 }),
        Description: std('textarea', { length: 4000 }),
        Family: std('picklist', { picklist: ['None', 'Hardware', 'Software', 'Service'] }),
        IsActive: std('boolean', { defaultValue: false }),
        QuantityUnitOfMeasure: std('picklist', { picklist: ['Each', 'Box', 'Kg', 'Metre'] }),
        CurrencyIsoCode: currencyIso(),
        Unleashed_Product_Code__c: extIdUnique(100),
        Unleashed_Guid__c: extIdUnique(36),
        Unleashed_Sales_Tax__c: lookup('Unleashed_Sales_Tax__c', 'Unleashed_Tax__c'),
        Unleashed_Notes__c: longText(32768),
        Unleashed_Image_Url__c: cst('url', { length: 255 }),
        Unleashed_Obsolete__c: checkbox(),
        Unleashed_Last_Imported__c: cst('datetime')
    }),
    object('Pricebook2', 'Price Book', '01s', false, {
        Name: std('string', { length: 255, required: true }),
        Description: std('string', { length: 255 }),
        IsActive: std('boolean', { defaultValue: false }),
        IsStandard: std('boolean', { readOnly: true })
    }),
    object('PricebookEntry', 'Price Book Entry', '01u', false, {
        Name: std('string', { length: 255, readOnly: true }),
        ProductCode: std('string', { length: 255, readOnly: true }),
        Pricebook2Id: stdLookup('Pricebook2', 'Pricebook2', { required: true, createOnly: true }),
        Product2Id: stdLookup('Product2', 'Product2', { required: true, createOnly: true }),
        UnitPrice: std('currency', { precision: 18, scale: 2, required: true }),
        UseStandardPrice: std('boolean', { defaultValue: false }),
        IsActive: std('boolean', { defaultValue: false }),
        CurrencyIsoCode: currencyIso()
    }),
    object('Opportunity', 'Opportunity', '006', false, {
        Name: std('string', { length: 120, required: true }),
        AccountId: stdLookup('Account', 'Account'),
        StageName: std('picklist', {
            required: true,
            picklist: ['Prospecting', 'Qualification', 'Proposal', 'Negotiation', 'Closed Won', 'Closed Lost']
        }),
        CloseDate: std('date', { required: true }),
        // A roll-up of the line items once the opportunity has products.
        Amount: std('currency', { precision: 18, scale: 2 }),
        Probability: std('percent', { precision: 3, scale: 0 }),
        Description: std('textarea', { length: 32000 }),
        CurrencyIsoCode: currencyIso(),
        Pricebook2Id: stdLookup('Pricebook2', 'Pricebook2'),
        HasOpportunityLineItem: std('boolean', { readOnly: true }),
        OwnerId: stdLookup('User', 'Owner'),
        ...unleashedOrderFields()
    }),
    object('OpportunityContactRole', 'Opportunity Contact Role', '00K', false, {
        OpportunityId: stdLookup('Opportunity', 'Opportunity', { required: true, createOnly: true }),
        ContactId: stdLookup('Contact', 'Contact', { required: true }),
        IsPrimary: std('boolean', { defaultValue: false }),
        Role: std('picklist', {
            picklist: [
                'Business User',
                'Decision Maker',
                'Economic Buyer',
                'Economic Decision Maker',
                'Evaluator',
                'Executive Sponsor',
                'Influencer',
                'Technical Buyer',
                'Billing Contact',
                'Other'
            ]
        })
    }),
    object('OpportunityLineItem', 'Opportunity Product', '00k', false, {
        Name: std('string', { length: 376, readOnly: true }),
        OpportunityId: stdLookup('Opportunity', 'Opportunity', { required: true, createOnly: true }),
        PricebookEntryId: stdLookup('PricebookEntry', 'PricebookEntry', { required: true, createOnly: true }),
        Product2Id: stdLookup('Product2', 'Product2', { readOnly: true }),
        ProductCode: std('string', { length: 255, readOnly: true }),
        Quantity: std('double', { precision: 12, scale: 2, required: true }),
        UnitPrice: std('currency', { precision: 18, scale: 2, required: true }),
        // Up to 100.00 % (the describe gives precision 5, scale 2).
        Discount: std('percent', { precision: 5, scale: 2 }),
        TotalPrice: std('currency', { precision: 18, scale: 2, readOnly: true }),
        Description: std('string', { length: 255 }),
        SortOrder: std('int', { precision: 9, scale: 0 }),
        CurrencyIsoCode: std('picklist', { readOnly: true }),
        Unleashed_Tax_Code__c: text(50)
    }),
    // A Salesforce Order (Orders enabled): the package's Unleashed_* fields are the Opportunity's.
    {
        ...object('Order', 'Order', '801', false, {
            Name: std('string', { length: 80 }),
            AccountId: stdLookup('Account', 'Account', { required: true }),
            EffectiveDate: std('date', { required: true }),
            Status: std('picklist', {
                required: true,
                picklist: ['Draft', 'Activated'],
                defaultValue: 'Draft'
            }),
            OrderNumber: std('string', { length: 30, readOnly: true }),
            PoNumber: std('string', { length: 80 }),
            Description: std('textarea', { length: 32000 }),
            BillToContactId: stdLookup('Contact', 'BillToContact'),
            ShipToContactId: stdLookup('Contact', 'ShipToContact'),
            Pricebook2Id: stdLookup('Pricebook2', 'Pricebook2'),
            // A roll-up of the Order Products.
            TotalAmount: std('currency', { precision: 18, scale: 2, readOnly: true }),
            CurrencyIsoCode: currencyIso(),
            OwnerId: stdLookup('User', 'Owner'),
            ...unleashedOrderFields()
        }),
        // OrderNumber is the Order's auto-number ("00000001"); its Name is the rep's own, often blank.
        autoNumber: '{00000000}',
        autoNumberField: 'OrderNumber'
    },
    object('OrderItem', 'Order Product', '802', false, {
        OrderId: stdLookup('Order', 'Order', { required: true, createOnly: true }),
        PricebookEntryId: stdLookup('PricebookEntry', 'PricebookEntry', { required: true, createOnly: true }),
        Product2Id: stdLookup('Product2', 'Product2', { readOnly: true }),
        OrderItemNumber: std('string', { length: 10, readOnly: true }),
        Quantity: std('double', { precision: 12, scale: 2, required: true }),
        UnitPrice: std('currency', { precision: 18, scale: 2, required: true }),
        ListPrice: std('currency', { precision: 18, scale: 2, readOnly: true }),
        TotalPrice: std('currency', { precision: 18, scale: 2, readOnly: true }),
        Description: std('string', { length: 255 }),
        CurrencyIsoCode: std('picklist', { readOnly: true }),
        Unleashed_Tax_Code__c: text(50)
    }),
    customObject('Unleashed_Warehouse__c', 'Unleashed Warehouse', 'a01', {
        Unleashed_Guid__c: extIdUnique(36),
        Warehouse_Code__c: extIdUnique(15),
        Is_Default__c: checkbox(),
        Obsolete__c: checkbox(),
        Address_Line_1__c: text(255),
        Address_Line_2__c: text(255),
        City__c: text(255),
        Region__c: text(255),
        Country__c: text(255),
        Post_Code__c: text(20)
    }),
    customObject('Unleashed_Tax__c', 'Unleashed Tax', 'a02', {
        Unleashed_Guid__c: extIdUnique(36),
        Tax_Code__c: text(50, { externalId: true }),
        Description__c: text(255),
        Tax_Rate__c: cst('percent', { precision: 7, scale: 4 }),
        Tax_Rate_Fraction__c: text(20),
        Can_Apply_To_Revenue__c: checkbox(),
        Is_Default__c: checkbox(),
        Obsolete__c: checkbox()
    }),
    customObject('Unleashed_Sales_Person__c', 'Unleashed Sales Person', 'a03', {
        Unleashed_Guid__c: extIdUnique(36),
        Email__c: cst('email', { length: 80, externalId: true, unique: true }),
        Obsolete__c: checkbox()
    }),
    customObject('Unleashed_Delivery_Method__c', 'Unleashed Delivery Method', 'a04', {
        Unleashed_Guid__c: extIdUnique(36),
        Obsolete__c: checkbox()
    }),
    customObject('Unleashed_Sales_Order_Group__c', 'Unleashed Sales Order Group', 'a0G', {
        Unleashed_Guid__c: extIdUnique(36),
        Obsolete__c: checkbox()
    }),
    customObject(
        'Unleashed_Import_Job__c',
        'Unleashed Import Job',
        'a05',
        {
            Job_Id__c: extIdUnique(36),
            Entities__c: text(255),
            Status__c: picklist(['Queued', 'Running', 'Succeeded', 'Completed With Errors', 'Failed']),
            Done__c: cst('double', { precision: 18, scale: 0 }),
            Total__c: cst('double', { precision: 18, scale: 0 }),
            Created_Count__c: cst('double', { precision: 18, scale: 0 }),
            Updated_Count__c: cst('double', { precision: 18, scale: 0 }),
            Unchanged_Count__c: cst('double', { precision: 18, scale: 0 }),
            Failed_Count__c: cst('double', { precision: 18, scale: 0 }),
            Started_At__c: cst('datetime'),
            Finished_At__c: cst('datetime'),
            Error_Summary__c: longText(131072),
            Full_Reimport__c: checkbox()
        },
        'IMP-{00000}'
    ),
    customObject(
        'Unleashed_Sync_Log__c',
        'Unleashed Sync Log',
        'a06',
        {
            Operation__c: picklist([
                'Send Order',
                'Update Order',
                'Order Status',
                'Fulfilment',
                'Import',
                'Connect',
                'Stock'
            ]),
            Status__c: picklist(['Success', 'Error']),
            Record_Id__c: text(18),
            Opportunity__c: lookup('Opportunity__c', 'Opportunity'),
            Order__c: lookup('Order__c', 'Order'),
            Import_Job__c: lookup('Import_Job__c', 'Unleashed_Import_Job__c'),
            Request_Summary__c: longText(32768),
            Error_Text__c: longText(32768),
            Attempts__c: cst('double', { precision: 4, scale: 0 }),
            Occurred_At__c: cst('datetime'),
            Retry_Payload__c: longText(131072)
        },
        'LOG-{000000}'
    ),
    // Shipments and invoices of sent orders, kept from order.shipment / order.invoice events (apex.ts).
    customObject('Unleashed_Shipment__c', 'Unleashed Shipment', 'a07', {
        ...fulfilmentFields(),
        Dispatch_Date__c: cst('date'),
        Courier__c: text(100),
        Tracking_Number__c: text(100),
        Tracking_Url__c: cst('url', { length: 255 }),
        Lines__c: longText(131072),
        Notified__c: checkbox()
    }),
    customObject('Unleashed_Invoice__c', 'Unleashed Invoice', 'a08', {
        ...fulfilmentFields(),
        Invoice_Date__c: cst('date'),
        Due_Date__c: cst('date'),
        Currency__c: text(3),
        Sub_Total__c: cst('double', { precision: 16, scale: 2 }),
        Tax_Total__c: cst('double', { precision: 16, scale: 2 }),
        Total__c: cst('double', { precision: 16, scale: 2 })
    })
];

/** The fields shipments and invoices share: their GUID, the record the order was sent from, its Account. */
function fulfilmentFields(): Record<string, FieldDef> {
    return {
        Unleashed_Guid__c: extIdUnique(36),
        Opportunity__c: lookup('Opportunity__c', 'Opportunity'),
        Account__c: lookup('Account__c', 'Account'),
        Order_Guid__c: text(36),
        Order_Number__c: text(40),
        Status__c: text(40),
        Changed_At__c: cst('datetime')
    };
}

/** Names are custom (namespaced in a managed package) when they end in one of these suffixes. */
export const CUSTOM_SUFFIX = /__(c|r|mdt|e|x|b)$/;
