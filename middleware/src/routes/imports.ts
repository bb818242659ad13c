import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { HttpProblem } from '../http/problem';
import type { Services } from '../services';
import {
    importJobViewSchema,
    importStartedSchema,
    jobView,
    startImportSchema
} from '../sync/imports/service';

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
                body: startImportSchema,
                response: { 200: importStartedSchema, 202: importStartedSchema }
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
                response: { 200: importJobViewSchema }
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
