import type { Connection } from 'jsforce';
import { createSalesforceWriter } from '../../salesforce/writer';
import { applyNamespace, namespaceRecord, removeNamespace } from '../../salesforce/namespace';
import type { SObjectRecord, UpsertResult } from '../../salesforce/types';
import { ApexFault } from './aura';

/**
 * The org the bridge stands in for: its records (reached through the REST API with jsforce, names
 * written without the namespace as the package's Apex writes them) and what only Apex can read
 * there: the running user, the protected connection setting and the Unleashed settings. A real org
 * keeps those in custom settings the REST API cannot read, so the bridge holds them itself.
 */

export interface OrgUser {
    id: string;
    username: string;
    email: string;
    /** Holds the custom permission Unleashed_Manage_Connection. */
    canManageConnection: boolean;
    /** UserInfo.getDefaultCurrency(). */
    defaultCurrency: string;
}

/** The protected hierarchy setting Unleashed_Connection__c (org defaults). */
export interface OrgConnection {
    tenantSecret: string | null;
    /** Org_Id__c: the org the secret was delivered to (a sandbox copy keeps the original org's). */
    orgId: string | null;
    connectedAt: string | null;
    connectedBy: string | null;
    companyName: string | null;
    baseCurrency: string | null;
}

/** Unleashed_Settings__c as stored (blank fields take the documented defaults). */
export interface OrgSettingsRecord {
    Default_Warehouse_Code__c?: string | null;
    Default_Order_Status__c?: string | null;
    Freight_Product_Code__c?: string | null;
    Use_Opportunity_Number__c?: boolean | null;
    Order_Number_Prefix__c?: string | null;
    Order_Date_Source__c?: string | null;
    Sync_Log_Retention_Days__c?: number | null;
    Order_Number_Field__c?: string | null;
    /** "Confirm line quantities from" (blank: the middleware's default). */
    Large_Quantity__c?: number | null;
    /** "Confirm order totals from" (blank: the middleware's default). */
    Large_Order_Total__c?: number | null;
    /** The objects sends are allowed from: "Opportunity", "Order" or both, by comma (blank: Opportunity). */
    Send_From__c?: string | null;
    /** The Order field order numbers come from (blank: OrderNumber). */
    Order_Number_Field_On_Order__c?: string | null;
}

/** Record access in the running user's name. */
export interface OrgData {
    query<T extends SObjectRecord = SObjectRecord>(soql: string): Promise<T[]>;
    /** Inserts one record; returns its id. A refusal throws as a DmlException would. */
    create(sobject: string, record: SObjectRecord): Promise<string>;
    /** Updates one record by Id; a refusal throws as a DmlException would. */
    update(sobject: string, record: SObjectRecord & { Id: string }): Promise<void>;
    /** Upsert by external id; per-record results (Database.upsert with allOrNone false). */
    upsert(sobject: string, externalIdField: string, records: SObjectRecord[]): Promise<UpsertResult[]>;
    /** The object's fields as its describe gives them (names without the namespace). */
    describeFields(sobject: string): Promise<{ name: string; label: string; type: string }[]>;
}

export interface BridgeOrg {
    orgId: string;
    /** The package namespace in this org ('' without one); Apex's UnleashedNamespace.prefix(). */
    namespace: string;
    /** The Named Credential Unleashed_Middleware's URL, or null when it has none. */
    middlewareUrl: string | null;
    /** Url.getOrgDomainUrl(): where the connect flow sends the browser back to. */
    orgDomainUrl: string;
    /**
     * Url.getOrgDomainUrl() as the login host of the connect flow. One host in an org; in the demo the
     * preview serves the pages and the Salesforce simulator the login, so they differ.
     */
    orgLoginUrl: string;
    user: OrgUser;
    connection: OrgConnection;
    settings: OrgSettingsRecord;
    /** Fields that exist only in some orgs (multi-currency, Person Accounts). */
    features: { multiCurrency: boolean; personAccounts: boolean };
    /** 'Object.Field' names the running user may not read (field-level security); none when absent. */
    unreadableFields?: readonly string[];
    data: OrgData;
}

/** A DmlException's message: the first error of the failed save. */
export class DmlError extends ApexFault {
    constructor(
        message: string,
        readonly dmlMessage: string
    ) {
        super(message);
        this.name = 'DmlError';
    }
}

interface JsforceSaveResult {
    id?: string;
    success?: boolean;
    errors?: { message?: string; statusCode?: string }[];
}

function dmlFailure(op: string, err: unknown): DmlError {
    const e = err as { errorCode?: string; message?: string };
    const message = e.message ?? String(err);
    return new DmlError(
        `${op} failed. First exception: ${e.errorCode ?? 'FIELD_CUSTOM_VALIDATION_EXCEPTION'}, ${message}`,
        message
    );
}

function checkSave(op: string, result: JsforceSaveResult): string {
    if (result.success === false || !result.id) {
        const first = result.errors?.[0];
        const message = first?.message ?? 'the record was not saved';
        throw new DmlError(
            `${op} failed. First exception: ${first?.statusCode ?? 'UNKNOWN'}, ${message}`,
            message
        );
    }
    return result.id;
}

/** Org data through a jsforce connection; custom names get the namespace on the way out. */
export function orgDataFor(conn: Connection, namespace: string): OrgData {
    const writer = createSalesforceWriter(conn, { namespace });
    return {
        query: (soql) => writer.query(soql),
        async create(sobject, record) {
            let result: JsforceSaveResult;
            try {
                result = (await conn
                    .sobject(applyNamespace(sobject, namespace))
                    .create(namespaceRecord(record, namespace))) as JsforceSaveResult;
            } catch (err) {
                throw dmlFailure('Insert', err);
            }
            return checkSave('Insert', result);
        },
        async update(sobject, record) {
            let result: JsforceSaveResult;
            try {
                result = (await conn
                    .sobject(applyNamespace(sobject, namespace))
                    .update(namespaceRecord(record, namespace) as { Id: string })) as JsforceSaveResult;
            } catch (err) {
                throw dmlFailure('Update', err);
            }
            checkSave('Update', result);
        },
        upsert: (sobject, externalIdField, records) => writer.upsert(sobject, externalIdField, records),
        async describeFields(sobject) {
            const described = await conn.sobject(applyNamespace(sobject, namespace)).describe();
            return described.fields.map((f) => ({
                name: removeNamespace(f.name, namespace),
                label: f.label,
                type: f.type
            }));
        }
    };
}
