import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
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

/** Titles and details for Fastify's own 4xx errors, which otherwise say little ("Bad request"). */
function frameworkProblem(error: FastifyError, status: number, request: FastifyRequest): ProblemBody {
    const title = STATUS_CODES[status] ?? 'Bad request';
    switch (error.code) {
        case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
            return {
                type: 'about:blank',
                title: 'Unsupported media type',
                status,
                detail: `Content-Type ${JSON.stringify(String(request.headers['content-type'] ?? '').slice(0, 100))} is not accepted here; send application/json`
            };
        case 'FST_ERR_CTP_BODY_TOO_LARGE':
            return {
                type: 'about:blank',
                title: 'Request body too large',
                status,
                detail: `The body is larger than the ${request.routeOptions.bodyLimit ?? 'configured'} bytes this server accepts (BODY_LIMIT_BYTES)`
            };
        case 'FST_ERR_BAD_URL':
            return {
                type: 'about:blank',
                title: 'Bad request',
                status,
                detail: 'The URL is not validly percent-encoded'
            };
        case 'FST_ERR_MAX_PARAM_LENGTH':
            return {
                type: 'about:blank',
                title: 'URI too long',
                status,
                detail: 'A path segment is longer than any accepted value'
            };
        default:
            return { type: 'about:blank', title, status, detail: error.message || title };
    }
}

/** Fastify's errors raised before routing (bad percent-encoding, an overlong path parameter). */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
    const status =
        error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400;
    void sendProblem(reply, frameworkProblem(error, status, request));
}

/**
 * Errors Node's HTTP parser raises before Fastify sees a request (malformed HTTP, headers too large,
 * a request not received within REQUEST_TIMEOUT_MS): answered as problem+json on the raw socket,
 * then the connection is closed.
 */
export function clientErrorHandler(
    this: FastifyInstance,
    error: Error & { code?: string },
    socket: Socket
): void {
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const [status, title, detail] =
        error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
            ? [408, 'Request timeout', 'The request was not received in time (REQUEST_TIMEOUT_MS)']
            : error.code === 'HPE_HEADER_OVERFLOW'
              ? [
                    431,
                    'Request headers too large',
                    'The request line and headers exceed what this server accepts'
                ]
              : [400, 'Bad request', 'The request is not valid HTTP/1.1'];
    this.log.debug({ code: error.code, status }, 'client error');
    if (socket.writable) {
        const body = JSON.stringify({ type: 'about:blank', title, status, detail });
        socket.write(
            `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/problem+json\r\n` +
                `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`
        );
    }
    socket.destroy();
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
            return sendProblem(reply, frameworkProblem(fe, status, request));
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
