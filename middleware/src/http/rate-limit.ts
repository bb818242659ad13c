import type { FastifyInstance, FastifyRequest } from 'fastify';
import rateLimit from '@fastify/rate-limit';

export type RateLimitVerdict =
    { allowed: true; remaining: number } | { allowed: false; retryAfterSeconds: number };

/**
 * A per-key request budget per minute (keys are org ids), counted by @fastify/rate-limit's store.
 * The count lives in this instance's memory: with N instances behind a balancer a tenant gets up
 * to N times the budget, which is the intent (it protects each instance, not a contract).
 */
export async function createTenantRateLimit(
    app: FastifyInstance,
    perMinute: number,
    keyOf: (request: FastifyRequest) => string
): Promise<(request: FastifyRequest) => Promise<RateLimitVerdict>> {
    if (!app.hasDecorator('createRateLimit')) {
        // global: false, so no route gets the plugin's own hook; we call the limiter after auth.
        await app.register(rateLimit, { global: false });
    }
    const limiter = app.createRateLimit({ max: perMinute, timeWindow: 60_000, keyGenerator: keyOf });
    return async (request) => {
        const r = await limiter(request);
        if (r.isAllowed) return { allowed: true, remaining: perMinute };
        if (!r.isExceeded) return { allowed: true, remaining: r.remaining };
        return { allowed: false, retryAfterSeconds: Math.max(1, r.ttlInSeconds) };
    };
}
