import Fastify, { type FastifyInstance } from 'fastify';
import helmet from '@fastify/helmet';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { AppConfig } from './config';
import { loggerOptions } from './logger';
import { problemPlugin } from './http/problem';
import { docsPlugin } from './http/docs';
import { healthRoutes, type ReadinessCheck } from './http/health';

/** What the app needs from outside; tests pass their own. */
export interface AppDeps {
    readinessChecks?: ReadinessCheck[];
}

/**
 * Builds the Fastify app without listening, so tests call it with `inject` and server.ts with
 * `listen`. One plugin per concern; routes validate with zod and answer problem+json on error.
 */
export async function buildApp(config: AppConfig, deps: AppDeps = {}): Promise<FastifyInstance> {
    const app = Fastify({
        logger: loggerOptions(config.LOG_LEVEL),
        bodyLimit: config.BODY_LIMIT_BYTES,
        trustProxy: config.TRUST_PROXY,
        // Our own ids in logs; never echo a caller's header into them.
        genReqId: () => crypto.randomUUID()
    });
    app.setValidatorCompiler(validatorCompiler);
    app.setSerializerCompiler(serializerCompiler);

    await app.register(problemPlugin);
    await app.register(helmet, {
        // /docs serves the Swagger UI, which needs inline scripts and styles.
        contentSecurityPolicy: false
    });
    await app.register(docsPlugin);
    await app.register(healthRoutes, { checks: deps.readinessChecks ?? [] });
    return app;
}
