import type { ImportJobCounts } from '../../store/types';

/**
 * The import's vocabulary: entity names (shared with the Apex controller and the LWC), the options
 * a job carries, and the checkpoint written after every page so a restarted worker resumes.
 */

/** In the order they run: taxes come before products (the product's tax lookup needs them). */
export const IMPORT_ENTITIES = [
    'warehouses',
    'taxes',
    'salesPersons',
    'deliveryMethods',
    'salesOrderGroups',
    'products',
    'priceTiers',
    'customers'
] as const;

export type ImportEntity = (typeof IMPORT_ENTITIES)[number];

export function isImportEntity(v: string): v is ImportEntity {
    return (IMPORT_ENTITIES as readonly string[]).includes(v);
}

export interface ImportOptions {
    fullReimport: boolean;
    createMissingAccounts: boolean;
}

export type Counts = ImportJobCounts;

export const zeroCounts = (): Counts => ({ created: 0, updated: 0, unchanged: 0, failed: 0 });

export function addCounts(a: Counts, b: Counts): Counts {
    return {
        created: a.created + b.created,
        updated: a.updated + b.updated,
        unchanged: a.unchanged + b.unchanged,
        failed: a.failed + b.failed
    };
}

/** One record-level failure, kept with its reason. */
export interface RecordFailure {
    entity: string;
    key: string;
    reason: string;
}
