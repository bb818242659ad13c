import Fastify, { type FastifyInstance, type RouteOptions } from 'fastify';
import helmet from '@fastify/helmet';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { AppConfig } from './config';
import { loggerOptions } from './logger';
import { clientErrorHandler, frameworkErrors, problemPlugin } from './http/problem';
import { docsPlugin } from './http/docs';
import { healthRoutes, type ReadinessCheck } from './http/health';
import { signedRequestsPlugin, type SignedRequestsOptions } from './http/auth';
import { connectionRoutes } from './routes/connection';
import { customerRoutes } from './routes/customers';
import { importRoutes } from './routes/imports';
import { oauthRoutes } from './routes/oauth';
import { salesOrderRoutes } from './routes/sales-orders';
import { sendRoutes } from './routes/sends';
import { stockRoutes } from './routes/stock';
import { webhookRoutes } from './routes/webhooks';
import { createServices, type Services } from './services';
import { logSelfHostedDelivery, modeNotices } from './sync/connect';

/** What the app needs from outside; tests pass their own. */
export interface AppDeps {
    /** Built from the config (and closed with the app) when not given. */
    services?: Services;
    readinessChecks?: ReadinessCheck[];
    /** Overrides of the request-signing check (tests move the clock). */
    auth?: Partial<Omit<SignedRequestsOptions, 'store'>>;
    /** Where logs go (tests capture them); stdout by default. */
    logStream?: NodeJS.WritableStream;
    /** Sees every route as it is added (the fuzz suite enumerates them this way). */
    onRoute?: (route: RouteOptions) => void;
}

/**
 * TRUST_PROXY as Fastify takes it. This Fastify trusts no one for a bare number, so a hop count
 * becomes a function: the nearest `hops` addresses (the socket peer first) are proxies.
 */
function trustProxyOption(
    value: AppConfig['TRUST_PROXY']
): string | false | ((a: string, hop: number) => boolean) {
    return typeof value === 'number' ? (_address, hop) => hop < value : value;
}

/** `/connector/v1/stock?x` -> `/v1/stock?x` for base path `/connector`; other URLs unchanged. */
export function withoutBasePath(url: string, basePath: string): string {
    if (!basePath || !url.startsWith(basePath)) return url;
    const rest = url.slice(basePath.length);
    if (rest === '') return '/';
    if (rest.startsWith('?')) return `/${rest}`;
    return rest.startsWith('/') ? rest : url;
}

/**
 * Builds the Fastify app without listening, so tests call it with `inject` and server.ts with
 * `listen`. One plugin per concern; routes validate with zod and answer problem+json on error.
 */
export async function buildApp(config: AppConfig, deps: AppDeps = {}): Promise<FastifyInstance> {
    const logger = loggerOptions(config.LOG_LEVEL);
    const app = Fastify({
        logger: deps.logStream ? { ...logger, stream: deps.logStream } : logger,
        bodyLimit: config.BODY_LIMIT_BYTES,
        trustProxy: trustProxyOption(config.TRUST_PROXY),
        // A client trickling its request (slowloris) is cut off instead of holding a connection.
        requestTimeout: config.REQUEST_TIMEOUT_MS,
        connectionTimeout: config.CONNECTION_TIMEOUT_MS,
        // Node enforces the larger of the two timeouts below as the whole-request limit, so the
        // headers get no longer than the request; it checks them on this interval (30 s by default).
        http: {
            headersTimeout: Math.min(60000, config.REQUEST_TIMEOUT_MS),
            connectionsCheckingInterval: Math.min(30000, Math.ceil(config.REQUEST_TIMEOUT_MS / 4))
        },
        // Behind a proxy that forwards the Named Credential's path prefix, every route (and the
        // request signature, which Apex computes over the path after that prefix) sees the path
        // without it.
        rewriteUrl: (req) => withoutBasePath(req.url ?? '/', config.PUBLIC_BASE_PATH),
        // Errors raised before routing still answer problem+json.
        frameworkErrors,
        clientErrorHandler,
        // Our own ids in logs; never echo a caller's header into them.
        genReqId: () => crypto.randomUUID()
    });
    if (deps.onRoute) app.addHook('onRoute', deps.onRoute);
    app.setValidatorCompiler(validatorCompiler);
    app.setSerializerCompiler(serializerCompiler);

    const services = deps.services ?? (await createServices(config));
    if (!deps.services) {
        app.addHook('onClose', () => services.close());
        // Background work belongs to the process that owns the services (tests drive it themselves).
        app.addHook('onReady', async () => services.statusSync.poller.start(app.log));
        // In the background: an org that cannot be reached must not hold up start-up.
        app.addHook('onReady', async () => {
            void services.deliverSelfHostedSecret().then((result) => logSelfHostedDelivery(app.log, result));
        });
    }
    for (const note of modeNotices(config)) app.log[note.level](note.message);

    await app.register(problemPlugin);
    await app.register(helmet, {
        // /docs serves the Swagger UI, which needs inline scripts and styles.
        contentSecurityPolicy: false
    });
    await app.register(docsPlugin);
    await app.register(healthRoutes, {
        checks: [{ name: 'store', check: () => services.store.ping() }, ...(deps.readinessChecks ?? [])]
    });
    // Every /v1 route is signed by the org (docs/architecture.md); nothing runs before that check.
    await app.register(signedRequestsPlugin, {
        store: services.store,
        rateLimitPerMinute: config.RATE_LIMIT_PER_MINUTE,
        failuresPerIpPerMinute: config.AUTH_FAILURES_PER_IP_PER_MINUTE,
        ...deps.auth
    });
    await app.register(stockRoutes, { services });
    await app.register(salesOrderRoutes, { services });
    await app.register(customerRoutes, { services });
    await app.register(sendRoutes, { services });
    await app.register(connectionRoutes, { services });
    await app.register(importRoutes, { services });
    // Browser-facing, outside /v1: the admin arrives from the org's Setup page.
    await app.register(oauthRoutes, { services });
    // Outside /v1 too: Unleashed signs these with its own scheme.
    await app.register(webhookRoutes, { services });
    return app;
}
