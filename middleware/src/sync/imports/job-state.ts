import type { ImportJobRepo } from '../../store/jobs';
import type { ImportJob, ImportJobStatus } from '../../store/types';
import type { ProgressReporter, ProgressSnapshot } from './progress';
import { ClassMemo, Tally, type WriteClass } from './tally';
import { addCounts, type Counts, type ImportEntity, type RecordFailure } from './types';

/**
 * The state of one running import job, in one place: the job row, its checkpoint, the running
 * totals and the errors shown. Every change goes through `commit` or a page's `beforeWrites`, and
 * is saved to the job row in order: the row is the only state that survives the worker.
 */

/** Resume point and running totals, stored on the job after every page. */
export interface Checkpoint {
    v: 1;
    /** When the job first ran: the next incremental run asks for changes since then. */
    startedAt: string;
    company: { baseCurrency: string | null; defaultTaxRate: string | null };
    units: string[];
    since: Record<string, string | null>;
    /** Index into `units` of the unit in progress, and its next page. */
    unit: number;
    page: number;
    failedBy: Record<string, number>;
    /** Errors stored in full so far (the first 1,000; later ones are only counted). */
    errorsStored: number;
    /** Units whose list was empty when the job started (an incremental run with no changes). */
    empty: string[];
    /** Classes planned by pages in progress, kept before they write. */
    pending: { unit: number; page: number; memo: [string, WriteClass][] }[] | null;
}

/** How the worker asks a running job to stop: at the next page boundary, or at once. */
export interface StopSignal {
    /** Stop after the page in progress, leaving the job to be resumed. */
    readonly stopping: boolean;
    /** Stop without another write (a crash stand-in for tests): no checkpoint, no release. */
    readonly killed: boolean;
}

export class JobKilled extends Error {
    constructor() {
        super('import worker killed');
        this.name = 'JobKilled';
    }
}

/** Failures kept with their reasons; the rest are counted only. */
export const ERRORS_KEPT = 1000;
/** Errors carried in a progress event. */
export const ERRORS_SHOWN = 100;

/** The errors a job's progress events start from: those it already had. */
export const shownErrors = (job: ImportJob): RecordFailure[] => [...job.errors].slice(0, ERRORS_SHOWN);

export class JobState {
    /** Running totals; written with every checkpoint. */
    readonly totals: { done: number; total: number; counts: Counts };
    /** The entity of the unit in progress, named in the job's error when the job fails. */
    current: ImportEntity | null = null;
    /** Checkpoint writes, one after another (see `save`). */
    private saving: Promise<unknown> = Promise.resolve();

    constructor(
        private readonly jobs: ImportJobRepo,
        public job: ImportJob,
        public cp: Checkpoint,
        readonly shown: RecordFailure[],
        readonly progress: ProgressReporter,
        readonly signal: StopSignal
    ) {
        this.totals = { done: job.done, total: job.total, counts: { ...job.counts } };
    }

    /** The progress event of the job as it is when the event goes out. */
    snapshot(status: ImportJobStatus, finishedAt: Date | null = null): () => ProgressSnapshot {
        return () => ({
            jobId: this.job.id,
            status,
            entities: this.job.entities,
            done: this.totals.done,
            total: this.totals.total,
            counts: this.totals.counts,
            errors: this.shown,
            startedAt: this.job.startedAt,
            finishedAt
        });
    }

    /**
     * Queues a checkpoint write carrying the state as it is when it runs: pages in flight plan (and
     * persist their memos) out of order, commits happen in page order.
     */
    save(): Promise<void> {
        const next = this.saving.then(async () => {
            this.job = await this.jobs.update(this.job.id, {
                done: this.totals.done,
                total: this.totals.total,
                counts: { ...this.totals.counts },
                checkpoint: { ...this.cp }
            });
        });
        this.saving = next.catch(() => undefined);
        return next;
    }

    /** Resolves once every queued checkpoint write has ended. */
    settled(): Promise<unknown> {
        return this.saving;
    }

    /** A page's tally, remembering what an interrupted attempt at it had planned. */
    tallyFor(u: number, page: number): Tally {
        const { signal } = this;
        const memo = new ClassMemo(this.pendingOf(u, page)?.memo ?? []);
        return new Tally(memo, {
            beforeWrites: async () => {
                if (signal.killed) throw new JobKilled();
                const others = (this.cp.pending ?? []).filter((p) => p.unit !== u || p.page !== page);
                this.cp = { ...this.cp, pending: [...others, { unit: u, page, memo: memo.entries() }] };
                await this.save();
            },
            alive: () => {
                if (signal.killed) throw new JobKilled();
            }
        });
    }

    /** Applies a page's tally and checkpoints. */
    async commit(
        tally: Tally,
        next: Partial<Checkpoint>,
        entities: ImportEntity[],
        page?: [number, number],
        addToTotal = 0
    ): Promise<void> {
        const { totals } = this;
        const keep = tally.failures.slice(0, Math.max(0, ERRORS_KEPT - this.cp.errorsStored));
        if (keep.length) await this.jobs.appendErrors(this.job.id, keep);
        for (const f of keep) if (this.shown.length < ERRORS_SHOWN) this.shown.push(f);
        // The checkpoint is read after the append: a page in flight may have recorded its memo meanwhile.
        const failedBy = { ...this.cp.failedBy };
        for (const f of tally.failures) failedBy[f.entity] = (failedBy[f.entity] ?? 0) + 1;
        // A failure counted without a row (none today) still blocks the watermark.
        if (tally.counts.failed > tally.failures.length && entities[0])
            failedBy[entities[0]] = (failedBy[entities[0]] ?? 0) + 1;
        const pending = page
            ? (this.cp.pending ?? []).filter((p) => p.unit !== page[0] || p.page !== page[1])
            : this.cp.pending;
        this.cp = {
            ...this.cp,
            ...next,
            failedBy,
            errorsStored: this.cp.errorsStored + keep.length,
            pending
        };
        totals.done += tally.done;
        totals.total = Math.max(totals.total + addToTotal, totals.done);
        totals.counts = addCounts(totals.counts, tally.counts);
        await this.save();
        this.progress.report(this.snapshot('running'));
    }

    private pendingOf(u: number, page: number) {
        return (this.cp.pending ?? []).find((p) => p.unit === u && p.page === page);
    }
}
