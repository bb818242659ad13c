/**
 * The Salesforce edge as the rules see it. API names are written without the namespace prefix
 * ('Unleashed_Warehouse__c'); the edge applies the tenant's prefix ('unleashed__Unleashed_Warehouse__c').
 */

export type SObjectRecord = Record<string, unknown>;

export interface UpsertResult {
    /** Index into the input array. */
    index: number;
    success: boolean;
    created: boolean;
    id: string | null;
    errors: { statusCode: string; message: string; fields: string[] }[];
}

/** Per-call overrides of the writer's own settings (an import tunes them to its page sizes). */
export interface WriteCallOptions {
    /** Above this many records one Bulk API 2.0 job; at or below, sObject Collections. */
    bulkThreshold?: number;
    bulkPollIntervalMs?: number;
    bulkPollTimeoutMs?: number;
}

export interface SalesforceWriter {
    /**
     * Upsert by an external id field: sObject Collections (200 a call) for small sets, Bulk API 2.0
     * above the threshold. A re-run with the same data creates nothing. One result per input record,
     * in input order; a record without an external id, or sharing one (case-insensitively) with
     * another record of the call, fails on its own without being sent. Throws SalesforceError when
     * the whole call fails (limits, session, unknown field).
     */
    upsert(
        sobject: string,
        externalIdField: string,
        records: SObjectRecord[],
        call?: WriteCallOptions
    ): Promise<UpsertResult[]>;
    /**
     * Insert records that have no external id to upsert by: sObject Collections (200 a call) up to
     * the bulk threshold, one Bulk API 2.0 insert job above it. `identityFields` tell the records
     * apart (bulk results come back in any order). One result per record, in input order. Not safe
     * to repeat blindly: callers re-read what exists before they retry.
     */
    insert(
        sobject: string,
        records: SObjectRecord[],
        identityFields: string[],
        call?: WriteCallOptions
    ): Promise<UpsertResult[]>;
    /**
     * SOQL query, all pages; names in the SOQL are prefixed by the edge, and the records come back
     * without the prefix and without `attributes` blocks.
     */
    query<T extends SObjectRecord = SObjectRecord>(soql: string): Promise<T[]>;
    /** POST to the package's Apex REST resource (path under /services/apexrest/<ns>/). */
    apexRest<T = unknown>(path: string, body: unknown): Promise<T>;
}
