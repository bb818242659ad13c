import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';

export interface ReadinessCheck {
    name: string;
    check(): Promise<void>;
}

/** Liveness (the process answers) and readiness (every dependency it needs answers). */
export async function healthRoutes(app: FastifyInstance, opts: { checks: ReadinessCheck[] }): Promise<void> {
    const r = app.withTypeProvider<ZodTypeProvider>();
    r.get(
        '/healthz',
        {
            schema: {
                tags: ['health'],
                summary: 'Liveness',
                response: { 200: z.object({ status: z.literal('ok') }) }
            }
        },
        async () => ({ status: 'ok' as const })
    );
    const readyBody = z.object({
        status: z.enum(['ready', 'not ready']),
        checks: z.record(z.string(), z.string())
    });
    r.get(
        '/readyz',
        {
            schema: {
                tags: ['health'],
                summary: 'Readiness: the store and other dependencies answer',
                response: { 200: readyBody, 503: readyBody }
            }
        },
        async (request, reply) => {
            const checks: Record<string, string> = {};
            let ok = true;
            for (const c of opts.checks) {
                try {
                    await c.check();
                    checks[c.name] = 'ok';
                } catch (err) {
                    ok = false;
                    // The cause (host, port, user) is for the operator's log, not for anyone who can reach /readyz.
                    checks[c.name] = 'unavailable';
                    request.log.error({ err, check: c.name }, 'readiness check failed');
                }
            }
            return reply.code(ok ? 200 : 503).send({ status: ok ? 'ready' : 'not ready', checks });
        }
    );
}
