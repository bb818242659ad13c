import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { buildApp } from '../app';
import { testConfig } from '../config';
import { signRequest } from '../http/auth';
import { DEMO_API_ID, DEMO_API_KEY, startUnleashedSim } from '../sandbox/unleashed-sim';
import { createServices } from '../services';
import { openStore, storeConfigFrom } from '../store';
import { startBenchPostgres } from './postgres';
import { opportunityLines, snapshot } from './push';
import { check, emit, numberOptions, percentile, round2, say } from './support';

/**
 * `npm run bench -- serve [--seconds 5] [--connections 16]`
 *
 * What one middleware process serves per CPU core: signed cached stock reads (GET /v1/stock, the
 * answer cached) and order previews (POST /v1/sales-orders/preview of a 20-line Opportunity, reference
 * data and products cached; the preview still asks Unleashed for the order and the customer), on
 * the embedded store (PGlite) and on PostgreSQL, with one instance and with two. Every middleware
 * runs in its own process, and so does the load generator (closed loop, `--connections` requests in
 * flight, spread over the instances); the CPU time the instances used is read from /proc, so
 * "requests per core" is requests divided by the instances' CPU seconds. The baseline, measured in
 * the same run, is the unsigned GET /healthz on the same instances: the floor of the HTTP stack.
 */

const ORG = '00D5g000004SERVEA1';
const CHILD = 'SERVE_BENCH_TASK';
const LINES = 20;

interface ServerTask {
    role: 'server';
    unleashedUrl: string;
    databaseUrl: string | null;
    secret: string;
}
interface LoadTask {
    role: 'load';
    urls: string[];
    kind: Kind;
    seconds: number;
    connections: number;
    secret: string;
    body: string;
}
type Kind = 'health' | 'stock' | 'preview';

interface LoadResult {
    requests: number;
    errors: number;
    seconds: number;
    p50Ms: number;
    p99Ms: number;
}

export async function run(args: string[]): Promise<void> {
    const task = process.env[CHILD] ? (JSON.parse(process.env[CHILD]) as ServerTask | LoadTask) : null;
    if (task?.role === 'server') return server(task);
    if (task?.role === 'load') return load(task);
    const opt = numberOptions(args, { seconds: 5, connections: 16 });
    const sim = await startUnleashedSim({ seed: 'large' });
    const pg = await startBenchPostgres();
    const secret = randomBytes(32).toString('base64');
    const lines = opportunityLines(sim, LINES);
    const body = JSON.stringify(snapshot('0065g00000SERVE1AA', lines, true, null));
    const codes = lines.map((l) => l.productCode).join(',');
    const stockPath = `/v1/stock?productCodes=${codes}`;
    const results: Record<string, unknown>[] = [];
    try {
        const stores: ('embedded' | 'postgres')[] = pg ? ['embedded', 'postgres'] : ['embedded'];
        if (!pg) say('serve: no PostgreSQL server binaries here: the embedded store only');
        let n = 0;
        for (const store of stores) {
            for (const instances of [1, 2]) {
                const databaseUrl = store === 'postgres' ? await pg!.createDatabase(`serve${++n}`) : null;
                const servers = [];
                // One at a time: the first creates the schema the second then finds.
                for (let i = 0; i < instances; i++) {
                    servers.push(
                        await startServer({ role: 'server', unleashedUrl: sim.url, databaseUrl, secret })
                    );
                }
                try {
                    const urls = servers.map((s) => s.url);
                    // Warm every instance: the stock answer and the preview's reference data are cached.
                    for (const url of urls) {
                        check((await signed(url, 'GET', stockPath, secret)) === 200, 'warm stock');
                        const status = await signed(url, 'POST', '/v1/sales-orders/preview', secret, body);
                        check(status === 200, `warm preview answered ${status}`);
                    }
                    const row: Record<string, unknown> = { store, instances };
                    for (const kind of ['health', 'stock', 'preview'] as const) {
                        const cpu0 = servers.map((s) => cpuSeconds(s.proc.pid!));
                        const r = await runLoad({
                            role: 'load',
                            urls,
                            kind,
                            seconds: opt.seconds,
                            connections: opt.connections,
                            secret,
                            body: kind === 'preview' ? body : kind === 'stock' ? stockPath : '/healthz'
                        });
                        const cpu = servers.reduce((a, s, i) => a + cpuSeconds(s.proc.pid!) - cpu0[i]!, 0);
                        check(r.errors === 0, `${store} x${instances} ${kind}: ${r.errors} errors`);
                        row[kind] = {
                            requestsPerSecond: Math.round(r.requests / r.seconds),
                            requestsPerCore: Math.round(r.requests / cpu),
                            cpuSeconds: round2(cpu),
                            p50Ms: r.p50Ms,
                            p99Ms: r.p99Ms
                        };
                        say(`${store} x${instances} ${kind}: ${JSON.stringify(row[kind])}`);
                    }
                    results.push(row);
                } finally {
                    for (const s of servers) s.proc.kill('SIGTERM');
                }
            }
        }
    } finally {
        await sim.close();
        await pg?.stop();
    }
    const find = (store: string, instances: number) =>
        results.find((r) => r.store === store && r.instances === instances) as
            Record<Kind, { requestsPerSecond: number; requestsPerCore: number; p99Ms: number }> | undefined;
    const main = find('postgres', 1) ? 'postgres' : 'embedded';
    const one = find(main, 1)!;
    const two = find(main, 2)!;
    emit({
        bench: 'serve',
        seconds: opt.seconds,
        connections: opt.connections,
        cores: (await import('node:os')).availableParallelism(),
        runs: results,
        ratios: {
            stockPerCoreVsHealthz: round2(one.stock.requestsPerCore / one.health.requestsPerCore),
            previewPerCoreVsHealthz: round2(one.preview.requestsPerCore / one.health.requestsPerCore),
            twoInstancesVsOne: round2(two.stock.requestsPerSecond / one.stock.requestsPerSecond)
        },
        goal: {
            store: main,
            stockPerCore: { goal: 2000, measured: one.stock.requestsPerCore },
            stockP99Ms: { goal: 10, measured: one.stock.p99Ms },
            twoInstancesVsOne: {
                goal: 2,
                measured: round2(two.stock.requestsPerSecond / one.stock.requestsPerSecond)
            }
        }
    });
}

/** utime + stime of a process, in seconds (Linux /proc; clock ticks of 100 Hz). */
function cpuSeconds(pid: number): number {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
}

function child(task: ServerTask | LoadTask): ChildProcess {
    return spawn(process.execPath, [join(__dirname, 'run.js'), 'serve'], {
        env: { ...process.env, [CHILD]: JSON.stringify(task) },
        stdio: ['ignore', 'pipe', 'inherit']
    });
}

/** A middleware in its own process; resolves once it listens. */
function startServer(task: ServerTask): Promise<{ url: string; proc: ChildProcess }> {
    const proc = child(task);
    return new Promise((resolve, reject) => {
        let out = '';
        proc.stdout!.on('data', (d: Buffer) => {
            out += d.toString('utf8');
            const m = /listening (\d+)/.exec(out);
            if (m) resolve({ url: `http://127.0.0.1:${m[1]}`, proc });
        });
        proc.on('exit', (code) =>
            reject(new Error(`a middleware exited with ${code} before listening: ${out}`))
        );
    });
}

function runLoad(task: LoadTask): Promise<LoadResult> {
    const proc = child(task);
    return new Promise((resolve, reject) => {
        let out = '';
        proc.stdout!.on('data', (d: Buffer) => (out += d.toString('utf8')));
        proc.on('exit', (code) => {
            try {
                if (code !== 0) throw new Error(`exit ${code}`);
                resolve(JSON.parse(out.trim().split('\n').pop()!) as LoadResult);
            } catch (err) {
                reject(new Error(`the load generator failed (${(err as Error).message}): ${out}`));
            }
        });
    });
}

async function signed(base: string, method: 'GET' | 'POST', path: string, secret: string, body?: string) {
    const headers = signRequest({ orgId: ORG, secret, method, pathWithQuery: path, body });
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(base + path, { method, headers, body });
    await res.arrayBuffer();
    return res.status;
}

async function server(task: ServerTask): Promise<void> {
    const config = testConfig({
        UNLEASHED_BASE_URL: task.unleashedUrl,
        STOCK_CACHE_SECONDS: '300',
        RATE_LIMIT_PER_MINUTE: '100000000',
        LOG_LEVEL: 'silent',
        ...(task.databaseUrl ? { DATABASE_URL: task.databaseUrl } : {})
    });
    const store = await openStore(storeConfigFrom(config));
    const services = await createServices(config, { store });
    await store.tenants.upsert({
        orgId: ORG,
        tenantSecret: Buffer.from(task.secret, 'base64'),
        unleashed: { apiId: DEMO_API_ID, apiKey: DEMO_API_KEY }
    });
    const app = await buildApp(config, { services });
    await app.listen({ host: '127.0.0.1', port: 0 });
    process.stdout.write(`listening ${(app.server.address() as AddressInfo).port}\n`);
    process.once('SIGTERM', () => {
        void app.close().finally(() => process.exit(0));
    });
}

/** Closed loop: `connections` workers, each sending its next request when the last one answered. */
async function load(task: LoadTask): Promise<void> {
    const times: number[] = [];
    let errors = 0;
    const end = performance.now() + task.seconds * 1000;
    let next = 0;
    const one = async (): Promise<void> => {
        const base = task.urls[next++ % task.urls.length]!;
        const start = performance.now();
        let status: number;
        if (task.kind === 'health') {
            const res = await fetch(`${base}/healthz`);
            await res.arrayBuffer();
            status = res.status;
        } else if (task.kind === 'stock') {
            status = await signed(base, 'GET', task.body, task.secret);
        } else {
            status = await signed(base, 'POST', '/v1/sales-orders/preview', task.secret, task.body);
        }
        times.push(performance.now() - start);
        if (status !== 200) errors++;
    };
    const started = performance.now();
    await Promise.all(
        Array.from({ length: task.connections }, async () => {
            while (performance.now() < end) await one();
        })
    );
    const seconds = (performance.now() - started) / 1000;
    const result: LoadResult = {
        requests: times.length,
        errors,
        seconds: round2(seconds),
        p50Ms: round2(percentile(times, 50)),
        p99Ms: round2(percentile(times, 99))
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
    process.exit(0);
}
