import type { Decimal } from 'decimal.js';
import type { Connection } from 'jsforce';
import type { SalesforceWriter } from '../../salesforce/types';
import type { Query, UnleashedClient } from '../../unleashed/types';
import type { WriteOptions } from './salesforce-io';
import type { Tally } from './tally';
import type { ImportEntity, ImportOptions } from './types';

/** One org's Salesforce edge: the jsforce connection, the writer over it, the package namespace. */
export interface SalesforceEdge {
    conn: Connection;
    writer: SalesforceWriter;
    namespace: string;
}

/** Facts about the Unleashed company, read once per run. */
export interface CompanyFacts {
    baseCurrency: string | null;
    /** A fraction (0.15), as Unleashed gives it. */
    defaultTaxRate: Decimal | null;
}

/** What every entity's import works with during one run of a job. */
export interface RunContext {
    jobId: string;
    orgId: string;
    client: UnleashedClient;
    sf: SalesforceEdge;
    options: ImportOptions;
    write: WriteOptions;
    company: CompanyFacts;
    now(): Date;
}

/**
 * One unit of work over one Unleashed list: products and price tiers share a unit, since both read
 * the same product pages. Reference lists are small and read whole (`paged: false`), so records
 * that disappeared from Unleashed can be marked obsolete after the last page.
 */
export interface EntityUnit {
    readonly entities: ImportEntity[];
    readonly resource: string;
    readonly query: Query;
    readonly paged: boolean;
    /** Loads what the pages need (lookups, price books); called before the first page of a run. */
    prepare(): Promise<void>;
    page(items: unknown[], tally: Tally): Promise<void>;
    /** After the last page (reference lists: marks what Unleashed no longer lists). */
    finish(tally: Tally): Promise<void>;
}
