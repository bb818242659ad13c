import { randomUUID } from 'node:crypto';
import type { ImportJobRepo } from '../../store/jobs';
import type { ImportJob } from '../../store/types';
import type { ImportRunLog, ImportRunner, RunOutcome, StopSignal } from './runner';

/**
 * The in-process import worker: polls the store for a queued job (or one whose worker stopped
 * writing), claims it with FOR UPDATE SKIP LOCKED, so any number of workers in any number of
 * instances share the queue without running a job twice, and runs it. Stopping lets the page in
 * progress finish and checkpoint, then puts the job back in the queue for the next start.
 */

export interface ImportWorkerOptions {
    workerId: string;
    /** Gap between polls of an empty queue. */
    pollMs: number;
    /** A running job whose worker has not written for this long is taken over. */
    staleAfterSeconds: number;
    /** How often a running job's heartbeat is refreshed while a long page is written. */
    heartbeatMs: number;
}

/**
 * The heartbeat runs on its own timer while pages are written, so a job goes stale only when its
 * process is gone: a middleware killed without a graceful stop has its job taken over (by itself
 * once restarted, or by another instance) after 90 seconds (IMPORT_TAKEOVER_SECONDS).
 */
export const DEFAULT_WORKER_OPTIONS: Omit<ImportWorkerOptions, 'workerId'> = {
    pollMs: 1000,
    staleAfterSeconds: 90,
    heartbeatMs: 15_000
};

/**
 * Worker timings for a takeover delay (IMPORT_TAKEOVER_SECONDS): the heartbeat beats at least six
 * times within it, so only a job whose instance is gone goes stale.
 */
export function workerTimingsFor(
    takeoverSeconds: number
): Pick<ImportWorkerOptions, 'staleAfterSeconds' | 'heartbeatMs'> {
    return {
        staleAfterSeconds: takeoverSeconds,
        heartbeatMs: Math.min(DEFAULT_WORKER_OPTIONS.heartbeatMs, Math.floor((takeoverSeconds * 1000) / 6))
    };
}

export class ImportWorker {
    readonly opts: ImportWorkerOptions;
    private running: Promise<void> | null = null;
    private signal = { stopping: false, killed: false };
    private wakeUp: (() => void) | null = null;
    /** Called after every checkpointed page (tests stop the worker part-way through). */
    onPage: ((job: ImportJob) => void) | null = null;
    /** The job being run, if any. */
    current: ImportJob | null = null;

    constructor(
        private readonly jobs: ImportJobRepo,
        private readonly runner: ImportRunner,
        private readonly log: ImportRunLog,
        opts: Partial<ImportWorkerOptions> = {}
    ) {
        this.opts = { ...DEFAULT_WORKER_OPTIONS, workerId: `worker-${randomUUID()}`, ...opts };
    }

    get started(): boolean {
        return this.running !== null;
    }

    /** Starts polling; a no-op when already started. */
    start(): void {
        if (this.running) return;
        this.signal = { stopping: false, killed: false };
        this.running = this.loop().finally(() => {
            this.running = null;
        });
    }

    /** Polls now instead of at the next interval (a job was just queued). */
    wake(): void {
        this.wakeUp?.();
    }

    /** Finishes the page in progress, checkpoints, returns the job to the queue and stops polling. */
    async stop(): Promise<void> {
        this.signal.stopping = true;
        this.wake();
        await this.running;
        this.signal = { stopping: false, killed: false };
    }

    /**
     * Stops at once without another write to Salesforce or the store, as a crash would: the job stays
     * "running" until its heartbeat is stale and another worker takes it over. For tests.
     */
    async kill(): Promise<void> {
        this.signal.killed = true;
        this.signal.stopping = true;
        this.wake();
        await this.running;
        this.signal = { stopping: false, killed: false };
    }

    /** Claims and runs one job; false when the queue had none. */
    async runOnce(): Promise<boolean> {
        const job = await this.jobs.claimNext(this.opts.workerId, {
            staleAfterSeconds: this.opts.staleAfterSeconds
        });
        if (!job) return false;
        await this.runJob(job);
        return true;
    }

    private async loop(): Promise<void> {
        while (!this.signal.stopping) {
            let worked = false;
            try {
                worked = await this.runOnce();
            } catch (err) {
                this.log.error({ err: (err as Error).message }, 'import worker: claiming a job failed');
            }
            if (worked || this.signal.stopping) continue;
            await new Promise<void>((resolve) => {
                const timer = setTimeout(resolve, this.opts.pollMs);
                timer.unref?.();
                this.wakeUp = () => {
                    clearTimeout(timer);
                    resolve();
                };
            });
            this.wakeUp = null;
        }
    }

    private async runJob(job: ImportJob): Promise<RunOutcome> {
        this.current = job;
        const signal: StopSignal = this.signal;
        const beat = setInterval(() => {
            if (signal.killed) return;
            this.jobs.update(job.id, {}).catch(() => undefined);
        }, this.opts.heartbeatMs);
        beat.unref?.();
        try {
            this.log.info(
                { jobId: job.id, orgId: job.orgId, worker: this.opts.workerId },
                'import job claimed'
            );
            return await this.runner.run(job, signal, () => this.onPage?.(job));
        } catch (err) {
            // The runner records failures on the job itself; this is a failure to do even that.
            this.log.error({ jobId: job.id, err: (err as Error).message }, 'import job could not be run');
            return 'finished';
        } finally {
            clearInterval(beat);
            this.current = null;
        }
    }
}
