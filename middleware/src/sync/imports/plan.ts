import type { SObjectRecord } from '../../salesforce/types';
import { keyOf } from './salesforce-io';
import { changedFields, type ClassMemo, type Tally, type WriteClass } from './tally';

/**
 * Planning a set of records against what Salesforce has: records it lacks are created, records
 * that differ are updated, records already equal are counted unchanged and never sent.
 */

export interface Desired {
    /** The external id value the record is upserted by. */
    key: string;
    /** Shown in errors (a code or a name). */
    label: string;
    entity: string;
    record: SObjectRecord;
    /** Remembered under this key instead of prefix + key (when one record has two ways in). */
    memoKey?: string;
}

export interface Planned extends Desired {
    cls: WriteClass;
    /** The existing record's Id, when there is one. */
    id: string | null;
}

/**
 * Splits `desired` into records to write (with their class) and counts the unchanged ones.
 * `existing` is keyed by keyOf(external id); `memoPrefix` makes memo keys unique within the job.
 */
export function planRecords(
    desired: Desired[],
    existing: Map<string, SObjectRecord>,
    memo: ClassMemo,
    memoPrefix: string,
    tally: Tally
): Planned[] {
    const out: Planned[] = [];
    for (const d of desired) {
        const before = existing.get(keyOf(d.key));
        const observed = !before
            ? 'created'
            : changedFields(d.record, before).length
              ? 'updated'
              : 'unchanged';
        const cls = memo.classify(d.memoKey ?? `${memoPrefix}:${keyOf(d.key)}`, observed);
        if (observed === 'unchanged') tally.add(cls);
        else
            out.push({
                ...d,
                cls: cls === 'unchanged' ? observed : cls,
                id: before ? String(before.Id) : null
            });
    }
    return out;
}
