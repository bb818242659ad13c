import { ImportAlreadyActiveError } from '../../store/jobs';
import { z } from 'zod';
import { HttpProblem } from '../../problem';
import type { ImportJob, Tenant } from '../../store/types';
import { ImportRunner, type ImportRunnerDeps, type ImportRunnerSettings } from './runner';
import { IMPORT_ENTITIES } from './types';
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

/** What POST /v1/imports asks for (the route's body). */
export const startImportSchema = z.object({
    // Names are checked by start() so that an admin reads one plain sentence, the same from Apex
    // and from the preview (docs/architecture.md, "One home for every rule").
    entities: z
        .array(z.string().max(60))
        .max(50)
        .describe(`What to import, in any order: ${IMPORT_ENTITIES.join(', ')}`),
    fullReimport: z.boolean().optional(),
    createMissingAccounts: z.boolean().optional()
});
export type StartImport = z.infer<typeof startImportSchema>;

// jobView() assigns the store's status to it: a status the store adds fails to compile there.
const jobStatusSchema = z.enum(['queued', 'running', 'succeeded', 'completed_with_errors', 'failed']);
/** The job POST /v1/imports started or found running. */
export const importStartedSchema = z.object({ jobId: z.string(), status: jobStatusSchema });

/** A job as GET /v1/imports/{jobId} answers it. */
export const importJobViewSchema = z.object({
    jobId: z.string(),
    status: jobStatusSchema,
    entities: z.array(z.string()),
    fullReimport: z.boolean(),
    createMissingAccounts: z.boolean(),
    done: z.number().int(),
    total: z.number().int(),
    percent: z.number().int(),
    counts: z.object({
        created: z.number().int(),
        updated: z.number().int(),
        unchanged: z.number().int(),
        failed: z.number().int()
    }),
    errors: z.array(z.object({ entity: z.string(), key: z.string(), reason: z.string() })),
    /** Errors kept with their reasons (the first 1,000; `counts.failed` counts them all). */
    errorCount: z.number().int(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
    createdAt: z.string()
});
export type ImportJobView = z.infer<typeof importJobViewSchema>;

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
        const unknown = [
            ...new Set(req.entities.filter((e) => !(IMPORT_ENTITIES as readonly string[]).includes(e)))
        ];
        if (unknown.length > 0)
            throw new HttpProblem(
                400,
                'Unknown import entities',
                `Unknown import entities: ${unknown.join(', ')}. Use ${IMPORT_ENTITIES.join(', ')}.`,
                { unknownEntities: unknown }
            );
        if (req.entities.length === 0)
            throw new HttpProblem(400, 'Nothing to import', 'Choose at least one thing to import.');
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
