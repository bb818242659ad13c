import type { ImportJobStatus } from '../../store/types';
import type { SalesforceWriter } from '../../salesforce/types';
import type { Counts, RecordFailure } from './types';

/**
 * Pushes a job's progress to Salesforce as `import.progress` events (docs/datamodel.md), which the
 * package turns into its Unleashed_Import_Job__c record and progress bar: at most one event per
 * interval while the job runs, and always the last one. Events go out one after another in the
 * background; a failed delivery is logged and never fails the import.
 */

export interface ProgressSnapshot {
    jobId: string;
    status: ImportJobStatus;
    entities: string[];
    done: number;
    total: number;
    counts: Counts;
    errors: RecordFailure[];
    startedAt: Date | null;
    finishedAt: Date | null;
}

/** Error_Summary__c holds a JSON array of errors; it is a long text of 131,072 characters. */
const SUMMARY_MAX = 100_000;

export function errorSummary(errors: RecordFailure[]): string | null {
    if (errors.length === 0) return null;
    const shown: RecordFailure[] = [];
    let size = 2;
    for (const e of errors) {
        const text = JSON.stringify(e);
        if (size + text.length + 1 > SUMMARY_MAX) break;
        shown.push(e);
        size += text.length + 1;
    }
    return JSON.stringify(shown);
}

export function progressEvent(s: ProgressSnapshot): Record<string, unknown> {
    return {
        type: 'import.progress',
        jobId: s.jobId,
        status: s.status,
        entities: s.entities,
        done: s.done,
        total: s.total,
        counts: s.counts,
        errorSummary: errorSummary(s.errors),
        startedAt: s.startedAt?.toISOString() ?? null,
        finishedAt: s.finishedAt?.toISOString() ?? null
    };
}

export interface ProgressLog {
    warn(obj: object, msg: string): void;
}

export class ProgressReporter {
    private last = Number.NEGATIVE_INFINITY;
    private chain: Promise<void> = Promise.resolve();
    /** Events delivered (for tests and the benchmark). */
    sent = 0;

    constructor(
        private readonly writer: SalesforceWriter,
        private readonly intervalMs: number,
        private readonly log: ProgressLog,
        private readonly clock: () => number = Date.now
    ) {}

    /** Sends the snapshot unless one went out less than the interval ago (`force` always sends). */
    report(snapshot: () => ProgressSnapshot, force = false): void {
        const now = this.clock();
        if (!force && now - this.last < this.intervalMs) return;
        this.last = now;
        const event = progressEvent(snapshot());
        this.chain = this.chain.then(async () => {
            try {
                const answer = await this.writer.apexRest<{
                    results?: { ok?: boolean; error?: string | null }[];
                }>('/events', { events: [event] });
                const refused = answer?.results?.find((r) => r.ok === false);
                if (refused)
                    this.log.warn(
                        { jobId: event.jobId, error: refused.error },
                        'import progress event refused'
                    );
                else this.sent += 1;
            } catch (err) {
                this.log.warn(
                    { jobId: event.jobId, err: (err as Error).message },
                    'import progress event not delivered'
                );
            }
        });
    }

    /** Waits for the events already queued. */
    flush(): Promise<void> {
        return this.chain;
    }
}
