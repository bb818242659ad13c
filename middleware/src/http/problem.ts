import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { HttpProblem } from '../problem';

export { HttpProblem };

export interface ProblemBody {
    type: string;
    title: string;
    status: number;
    detail?: string;
    [key: string]: unknown;
}

export function sendProblem(reply: FastifyReply, body: ProblemBody): FastifyReply {
    return reply.code(body.status).type('application/problem+json').send(body);
}

/** Problem bodies for every error: validation (400, with each field and reason), our own, 404, 500. */
export const problemPlugin = fp(
    async (app: FastifyInstance) => {
        app.setErrorHandler((error: FastifyError | HttpProblem, request, reply) => {
            if (error instanceof HttpProblem) {
                if (error.status >= 500) request.log.error({ err: error }, error.title);
                return sendProblem(reply, {
                    type: 'about:blank',
                    title: error.title,
                    status: error.status,
                    ...(error.detail ? { detail: error.detail } : {}),
                    ...error.extras
                });
            }
            if (hasZodFastifySchemaValidationErrors(error)) {
                const where = (error as FastifyError).validationContext ?? 'request';
                const invalid = error.validation.map((v) => ({
                    field: [
                        where,
                        ...String(v.instancePath ?? '')
                            .split('/')
                            .filter(Boolean)
                    ].join('.'),
                    reason: v.message ?? 'is invalid'
                }));
                return sendProblem(reply, {
                    type: 'about:blank',
                    title: 'Invalid request',
                    status: 400,
                    detail: invalid.map((i) => `${i.field}: ${i.reason}`).join('; '),
                    invalidParams: invalid
                });
            }
            const fe = error as FastifyError;
            const status = fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 600 ? fe.statusCode : 500;
            if (status >= 500) {
                request.log.error({ err: error }, 'unhandled error');
                // Never a stack trace or internal message to callers.
                return sendProblem(reply, { type: 'about:blank', title: 'Internal error', status });
            }
            return sendProblem(reply, {
                type: 'about:blank',
                title: status === 413 ? 'Request body too large' : 'Bad request',
                status,
                detail: fe.message
            });
        });

        app.setNotFoundHandler((request, reply) =>
            sendProblem(reply, {
                type: 'about:blank',
                title: 'Not found',
                status: 404,
                detail: `No route ${request.method} ${request.url.split('?')[0]}`
            })
        );
    },
    { name: 'problem' }
);
