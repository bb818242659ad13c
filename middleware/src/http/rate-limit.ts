import type { FastifyInstance, FastifyRequest } from 'fastify';
import rateLimit from '@fastify/rate-limit';

export type RateLimitVerdict =
    { allowed: true; remaining: number } | { allowed: false; retryAfterSeconds: number };

/** The shared window a tenant's signed requests are counted in (store rate_windows). */
export function tenantRateKey(orgId: string): string {
    return `tenant:${orgId}`;
}

/** What a count in the shared window means for a budget of `perMinute`. */
export function rateVerdict(
    window: { count: number; resetInSeconds: number },
    perMinute: number
): RateLimitVerdict {
    if (window.count <= perMinute) return { allowed: true, remaining: perMinute - window.count };
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(window.resetInSeconds)) };
}

/**
 * A per-key request budget per minute, counted in this instance's memory by @fastify/rate-limit (the
 * per-IP limit on OAuth starts). A tenant's signed requests are counted in the store instead, across
 * every instance, in the same statement that claims the nonce (http/auth.ts, store/nonces.ts), so N
 * instances never give a tenant N times its budget.
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
