import type { FastifyInstance, FastifyRequest } from 'fastify';
import rateLimit from '@fastify/rate-limit';

export type RateLimitVerdict =
    { allowed: true; remaining: number } | { allowed: false; retryAfterSeconds: number };

/** A counter of hits per key and fixed window, shared by every instance (the store's rate_windows). */
export interface SharedRateCounter {
    hit(key: string, windowSeconds: number): Promise<{ count: number; resetInSeconds: number }>;
}

/**
 * A per-key request budget per minute (keys are org ids). With a shared counter (the store) the
 * budget holds across every instance behind the balancer: one atomic upsert per request, so N
 * instances never give a tenant N times its budget. Without one (the per-IP limit on OAuth starts),
 * @fastify/rate-limit counts in this instance's memory.
 */
export async function createTenantRateLimit(
    app: FastifyInstance,
    perMinute: number,
    keyOf: (request: FastifyRequest) => string,
    shared?: SharedRateCounter
): Promise<(request: FastifyRequest) => Promise<RateLimitVerdict>> {
    if (shared) {
        return async (request) => {
            const { count, resetInSeconds } = await shared.hit(`tenant:${keyOf(request)}`, 60);
            if (count <= perMinute) return { allowed: true, remaining: perMinute - count };
            return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(resetInSeconds)) };
        };
    }
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
