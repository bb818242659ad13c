import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../app';
import { testConfig } from '../config';
import { signRequest } from '../http/auth';
import { DEMO_API_ID, DEMO_API_KEY, startUnleashedSim } from '../sandbox/unleashed-sim';
import type { SeedName, UnleashedSim } from '../sandbox/unleashed-sim';
import { createServices, type Services } from '../services';
import { openStore } from '../store';
import { createUnleashedClient } from '../unleashed/client';
import type { UnleashedClient } from '../unleashed/types';

/**
 * What the benchmarks share: the real middleware listening on loopback with one tenant connected
 * to an Unleashed simulator, signed HTTP calls the way Apex makes them, a plain Unleashed client
 * for baselines, and small timing and output utilities.
 */

export const BENCH_ORG_ID = '00D5g000004BENCHA1';

/** `--name value` options, each a number with a default; anything else is an error. */
export function numberOptions<K extends string>(
    args: string[],
    defaults: Record<K, number>
): Record<K, number> {
    const out = { ...defaults };
    for (let i = 0; i < args.length; i++) {
        const flag = args[i]!;
        const name = flag.replace(/^--/, '') as K;
        const value = Number(args[i + 1]);
        if (
            !flag.startsWith('--') ||
            !(name in defaults) ||
            args[i + 1] === undefined ||
            !Number.isFinite(value)
        ) {
            throw new Error(
                `bad option "${flag}": use ${Object.keys(defaults)
                    .map((k) => `--${k} N`)
                    .join(' ')}`
            );
        }
        out[name] = value;
        i++;
    }
    return out;
}

export interface SignedAnswer {
    status: number;
    body: unknown;
    text: string;
    ms: number;
}

export interface BenchStack {
    sim: UnleashedSim;
    services: Services;
    orgId: string;
    /** A signed call to the listening middleware, timed from send to the last byte read. */
    call(method: 'GET' | 'POST', pathWithQuery: string, body?: unknown): Promise<SignedAnswer>;
    close(): Promise<void>;
}

/** The middleware over real HTTP on loopback, its tenant connected to a fresh simulator. */
export async function startBenchStack(opts: {
    seed: SeedName;
    latencyMs: number;
    stockCacheSeconds: number;
    /** One clock for the simulator and the middleware's stock reads (a modelled month). */
    clock?: () => number;
    /** Settings beyond the benchmark's own. */
    config?: Record<string, string>;
}): Promise<BenchStack> {
    const sim = await startUnleashedSim({
        seed: opts.seed,
        faults: { latencyMs: opts.latencyMs },
        ...(opts.clock ? { clock: opts.clock } : {})
    });
    const config = testConfig({
        UNLEASHED_BASE_URL: sim.url,
        STOCK_CACHE_SECONDS: String(opts.stockCacheSeconds),
        RATE_LIMIT_PER_MINUTE: '10000000',
        UNLEASHED_TIMEOUT_MS: '60000',
        ...opts.config
    });
    const store = await openStore({
        dataDir: 'memory://',
        masterKey: Buffer.from(config.MASTER_KEY, 'base64')
    });
    const services = await createServices(config, {
        store,
        ...(opts.clock ? { stockNow: opts.clock } : {})
    });
    const secret = randomBytes(32);
    await store.tenants.upsert({
        orgId: BENCH_ORG_ID,
        tenantSecret: secret,
        unleashed: { apiId: DEMO_API_ID, apiKey: DEMO_API_KEY }
    });
    const app: FastifyInstance = await buildApp(config, { services });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

    return {
        sim,
        services,
        orgId: BENCH_ORG_ID,
        async call(method, pathWithQuery, body) {
            const payload = body === undefined ? undefined : JSON.stringify(body);
            const start = performance.now();
            const headers = signRequest({
                orgId: BENCH_ORG_ID,
                secret,
                method,
                pathWithQuery,
                body: payload
            });
            if (payload !== undefined) headers['content-type'] = 'application/json';
            const res = await fetch(base + pathWithQuery, { method, headers, body: payload });
            const text = await res.text();
            const ms = performance.now() - start;
            let parsed: unknown = undefined;
            try {
                parsed = JSON.parse(text);
            } catch {
                // Left undefined: callers check the status first.
            }
            return { status: res.status, body: parsed, text, ms };
        },
        async close() {
            await app.close();
            await store.close();
            await sim.close();
        }
    };
}

/** A second simulator of the same seed and latency, and a plain client for a baseline on it. */
export async function startBaseline(opts: {
    seed: SeedName;
    latencyMs: number;
}): Promise<{ sim: UnleashedSim; client: UnleashedClient }> {
    const sim = await startUnleashedSim({ seed: opts.seed, faults: { latencyMs: opts.latencyMs } });
    const client = createUnleashedClient({
        baseUrl: sim.url,
        credentials: { apiId: DEMO_API_ID, apiKey: DEMO_API_KEY },
        clientType: 'bench/baseline',
        queryEncoding: 'sign-decoded',
        timeoutMs: 60_000,
        maxRetries: 0
    });
    return { sim, client };
}

export async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
    const start = performance.now();
    const value = await fn();
    return { value, ms: performance.now() - start };
}

/**
 * Runs `tasks` as `chains` sequences in parallel, each strictly one task after another. Returns the
 * elapsed time and the summed time of the chains: what a single sequential loop over every task
 * takes, since the tasks wait on the simulator's latency and do not compete with each other.
 */
export async function inChains(
    tasks: (() => Promise<void>)[],
    chains: number
): Promise<{ wallMs: number; sequentialMs: number }> {
    const n = Math.max(1, Math.min(chains, tasks.length));
    const size = Math.ceil(tasks.length / n);
    const start = performance.now();
    const times = await Promise.all(
        Array.from({ length: n }, async (_, c) => {
            const begin = performance.now();
            for (const task of tasks.slice(c * size, (c + 1) * size)) await task();
            return performance.now() - begin;
        })
    );
    return { wallMs: performance.now() - start, sequentialMs: times.reduce((a, b) => a + b, 0) };
}

/** Chains needed to keep a sequential baseline of `calls` calls under `budgetMs` of elapsed time. */
export function chainsFor(calls: number, latencyMs: number, budgetMs: number): number {
    return Math.max(1, Math.ceil((calls * (latencyMs + 2)) / budgetMs));
}

/** Nearest-rank percentile of a list of numbers. */
export function percentile(values: number[], p: number): number {
    if (values.length === 0) return NaN;
    const sorted = [...values].sort((a, b) => a - b);
    const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
    return sorted[rank - 1]!;
}

export const round1 = (n: number): number => Math.round(n * 10) / 10;
export const round2 = (n: number): number => Math.round(n * 100) / 100;

/** A human line, before the JSON line. */
export function say(line: string): void {
    process.stdout.write(`${line}\n`);
}

/** The figures, as one JSON line (the last line a benchmark prints). */
export function emit(figures: Record<string, unknown>): void {
    process.stdout.write(`${JSON.stringify(figures)}\n`);
}

/** Fails the benchmark when a result is wrong: timings of wrong answers mean nothing. */
export function check(ok: boolean, what: string): void {
    if (!ok) throw new Error(`benchmark check failed: ${what}`);
}
