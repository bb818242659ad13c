import { ImportAlreadyActiveError } from '../../store/jobs';
import type { ImportJob, Tenant } from '../../store/types';
import { ImportRunner, type ImportRunnerDeps, type ImportRunnerSettings } from './runner';
import { IMPORT_ENTITIES, type ImportEntity } from './types';
import { ImportWorker, type ImportWorkerOptions } from './worker';

/**
 * The import as the routes see it: start a job (or find the tenant's running one), read a job, and
 * the worker that runs the queue in this process.
 */

/** What the service needs is what its runner needs: it hands them on. */
export type ImportServiceDeps = ImportRunnerDeps;

export interface ImportServiceOptions {
    runner: ImportRunnerSettings;
    worker: Partial<ImportWorkerOptions>;
    /** Whether the app starts the worker when it is ready (off in tests, which drive it). */
    autoStart: boolean;
}

export interface StartImport {
    entities: ImportEntity[];
    fullReimport?: boolean;
    createMissingAccounts?: boolean;
}

/** A job as GET /v1/imports/{jobId} answers it. */
export interface ImportJobView {
    jobId: string;
    status: ImportJob['status'];
    entities: string[];
    fullReimport: boolean;
    createMissingAccounts: boolean;
    done: number;
    total: number;
    percent: number;
    counts: ImportJob['counts'];
    errors: ImportJob['errors'];
    /** Errors kept with their reasons (the first 1,000; `counts.failed` counts them all). */
    errorCount: number;
    startedAt: string | null;
    finishedAt: string | null;
    createdAt: string;
}

export function jobView(job: ImportJob): ImportJobView {
    const finished = job.finishedAt !== null;
    return {
        jobId: job.id,
        status: job.status,
        entities: job.entities,
        fullReimport: job.options.fullReimport === true,
        createMissingAccounts: job.options.createMissingAccounts === true,
        done: job.done,
        total: job.total,
        percent: finished ? 100 : job.total > 0 ? Math.min(99, Math.floor((job.done * 100) / job.total)) : 0,
        counts: job.counts,
        errors: job.errors,
        errorCount: job.errorCount,
        startedAt: job.startedAt?.toISOString() ?? null,
        finishedAt: job.finishedAt?.toISOString() ?? null,
        createdAt: job.createdAt.toISOString()
    };
}

export class ImportService {
    readonly runner: ImportRunner;
    readonly worker: ImportWorker;
    readonly autoStart: boolean;

    constructor(
        private readonly deps: ImportServiceDeps,
        opts: Partial<ImportServiceOptions> = {}
    ) {
        this.runner = new ImportRunner(deps, opts.runner);
        this.worker = new ImportWorker(deps.jobs, this.runner, deps.log, opts.worker);
        this.autoStart = opts.autoStart ?? true;
    }

    /**
     * Queues an import for the tenant; when one is already queued or running, that one is returned
     * (`created: false`). Both connections are checked first, so a job never starts without them.
     */
    async start(tenant: Tenant, req: StartImport): Promise<{ job: ImportJob; created: boolean }> {
        await this.deps.unleashedFor(tenant);
        await this.deps.salesforceFor(tenant);
        const active = await this.deps.jobs.running(tenant.orgId);
        if (active) return { job: active, created: false };
        // Kept in the order the import runs them.
        const entities = IMPORT_ENTITIES.filter((e) => req.entities.includes(e));
        try {
            const job = await this.deps.jobs.create(tenant.orgId, entities, {
                fullReimport: req.fullReimport === true,
                createMissingAccounts: req.createMissingAccounts === true
            });
            this.worker.wake();
            return { job, created: true };
        } catch (err) {
            if (err instanceof ImportAlreadyActiveError) return { job: err.job, created: false };
            throw err;
        }
    }

    get(orgId: string, jobId: string): Promise<ImportJob | null> {
        return this.deps.jobs.get(orgId, jobId);
    }
}
