import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { HttpProblem } from '../http/problem';
import type { Services } from '../services';
import { jobView } from '../sync/imports/service';
import { IMPORT_ENTITIES } from '../sync/imports/types';

const counts = z.object({
    created: z.number().int(),
    updated: z.number().int(),
    unchanged: z.number().int(),
    failed: z.number().int()
});

const jobState = z.object({
    jobId: z.string(),
    status: z.enum(['queued', 'running', 'succeeded', 'completed_with_errors', 'failed']),
    entities: z.array(z.string()),
    fullReimport: z.boolean(),
    createMissingAccounts: z.boolean(),
    done: z.number().int(),
    total: z.number().int(),
    percent: z.number().int(),
    counts,
    errors: z.array(z.object({ entity: z.string(), key: z.string(), reason: z.string() })),
    errorCount: z.number().int(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
    createdAt: z.string()
});

const started = z.object({ jobId: z.string(), status: jobState.shape.status });

/**
 * POST /v1/imports starts an import from Unleashed (202), or answers the org's import already
 * queued or running (200); GET /v1/imports/{jobId} reads one of the org's jobs.
 */
export async function importRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
    const { services } = opts;
    const r = app.withTypeProvider<ZodTypeProvider>();

    r.post(
        '/v1/imports',
        {
            schema: {
                tags: ['imports'],
                summary: 'Start importing reference data, products, price tiers and customers from Unleashed',
                body: z.object({
                    entities: z
                        .array(z.enum(IMPORT_ENTITIES))
                        .min(1, 'choose at least one of ' + IMPORT_ENTITIES.join(', '))
                        .refine((list) => new Set(list).size === list.length, 'each entity at most once'),
                    fullReimport: z.boolean().optional(),
                    createMissingAccounts: z.boolean().optional()
                }),
                response: { 200: started, 202: started }
            }
        },
        async (request, reply) => {
            const { job, created } = await services.imports.start(request.tenant, request.body);
            return reply.code(created ? 202 : 200).send({ jobId: job.id, status: job.status });
        }
    );

    r.get(
        '/v1/imports/:jobId',
        {
            schema: {
                tags: ['imports'],
                summary: 'Progress, counts and record errors of an import job',
                params: z.object({ jobId: z.string().max(64) }),
                response: { 200: jobState }
            }
        },
        async (request) => {
            const job = await services.imports.get(request.tenant.orgId, request.params.jobId);
            // Another org's job is as unknown as a job that never existed.
            if (!job)
                throw new HttpProblem(404, 'Import job not found', `No import job ${request.params.jobId}.`);
            return jobView(job);
        }
    );

    // The worker runs with the app: started when it is ready, stopped (page finished, job queued
    // again for the next start) when it closes.
    if (services.imports.autoStart) {
        app.addHook('onReady', async () => services.imports.worker.start());
        app.addHook('onClose', async () => services.imports.worker.stop());
    }
}
