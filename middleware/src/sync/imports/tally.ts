import { Decimal } from 'decimal.js';
import type { SObjectRecord, UpsertResult } from '../../salesforce/types';
import { failureReason } from './salesforce-io';
import { zeroCounts, type Counts, type RecordFailure } from './types';

/**
 * What a page did to Salesforce, record by record: created, updated, unchanged (nothing written)
 * or failed with its reason. Written records are classed when they are planned, against what
 * Salesforce had before the first attempt: the class is remembered (and kept in the checkpoint), so
 * a retried or resumed page that finds its own earlier writes still counts them as they were.
 */

export type WriteClass = 'created' | 'updated';

/** Remembered classes of records planned for writing, by a key unique within the job. */
export class ClassMemo {
    private readonly byKey: Map<string, WriteClass>;

    constructor(entries: [string, WriteClass][] = []) {
        this.byKey = new Map(entries);
    }

    /** The class to count for a record observed as `observed` now. */
    classify(key: string, observed: WriteClass | 'unchanged'): WriteClass | 'unchanged' {
        const earlier = this.byKey.get(key);
        if (earlier) return earlier;
        if (observed !== 'unchanged') this.byKey.set(key, observed);
        return observed;
    }

    /** The class remembered for a record, if it was planned for writing earlier. */
    get(key: string): WriteClass | undefined {
        return this.byKey.get(key);
    }

    /** Forgets a planned record (its plan was replaced). */
    forget(key: string): void {
        this.byKey.delete(key);
    }

    get size(): number {
        return this.byKey.size;
    }

    entries(): [string, WriteClass][] {
        return [...this.byKey.entries()];
    }
}

/** What the runner gives a page besides its tally: when to persist its plan, and whether to go on. */
export interface PageHooks {
    /** Called once the page has planned its writes, before it makes them (persists the memo). */
    beforeWrites(): Promise<void>;
    /** Throws when the worker was killed: called between dependent writes, as a crash could strike. */
    alive(): void;
}

const NO_HOOKS: PageHooks = { beforeWrites: async () => undefined, alive: () => undefined };

/** One attempt at one page: its counts and failures, the classes it planned, the runner's hooks. */
export class Tally {
    readonly counts: Counts = zeroCounts();
    readonly failures: RecordFailure[] = [];
    /** Unleashed records read (the progress bar's unit). */
    done = 0;

    constructor(
        readonly memo: ClassMemo = new ClassMemo(),
        private readonly hooks: PageHooks = NO_HOOKS
    ) {}

    beforeWrites(): Promise<void> {
        return this.hooks.beforeWrites();
    }

    alive(): void {
        this.hooks.alive();
    }

    add(cls: WriteClass | 'unchanged', n = 1): void {
        this.counts[cls] += n;
    }

    fail(entity: string, key: string, reason: string): void {
        this.counts.failed += 1;
        this.failures.push({ entity, key, reason });
    }

    /** Counts a write's result: its planned class when it worked, a failure otherwise. */
    result(entity: string, key: string, cls: WriteClass, r: UpsertResult | undefined): boolean {
        if (r?.success) {
            this.add(cls);
            return true;
        }
        this.fail(entity, key, r ? failureReason(r.errors) : 'Salesforce returned no result for this record');
        return false;
    }
}

const isEmpty = (v: unknown) => v === null || v === undefined || v === '';

const asNumber = (v: unknown): Decimal | null => {
    if (Decimal.isDecimal(v)) return v;
    if (typeof v === 'number' && Number.isFinite(v)) return new Decimal(String(v));
    if (typeof v === 'string' && /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(v.trim()))
        return new Decimal(v.trim());
    return null;
};

/** Whether Salesforce's value already is the one we would write. */
export function sameValue(desired: unknown, existing: unknown): boolean {
    if (isEmpty(desired) || isEmpty(existing)) {
        // A checkbox is never null in Salesforce: an unset one reads false.
        if (typeof desired === 'boolean' || typeof existing === 'boolean')
            return (desired === true) === (existing === true);
        return isEmpty(desired) && isEmpty(existing);
    }
    if (typeof desired === 'boolean' || typeof existing === 'boolean') return desired === existing;
    if (typeof desired === 'number' || Decimal.isDecimal(desired) || typeof existing === 'number') {
        const a = asNumber(desired);
        const b = asNumber(existing);
        return a !== null && b !== null && a.equals(b);
    }
    return String(desired) === String(existing);
}

/** Fields of `desired` whose value differs from the existing record's. */
export function changedFields(desired: SObjectRecord, existing: SObjectRecord): string[] {
    return Object.keys(desired).filter((k) => !sameValue(desired[k], existing[k]));
}

/** Text cut to a field's length (Salesforce refuses longer text rather than cutting it). */
export function clipText(v: string | null | undefined, max: number): string | null {
    if (v === null || v === undefined) return null;
    const t = v.trim();
    if (t === '') return null;
    return t.length > max ? t.slice(0, max) : t;
}
