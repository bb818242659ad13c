/**
 * The simulator's HTTP server (node:http, loopback only). One request passes, in order: inspection
 * routes, dropped connections, latency, authentication, quota, headers, 429/5xx faults, the resource,
 * and for writes the timeout-after-commit fault.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CallLog } from './calls';
import { DEMO_API_ID, DEMO_API_KEY } from './credentials';
import { SimError, errorBody } from './errors';
import { FaultController } from './faults';
import type { ApiContext } from './http/context';
import { toJson } from './http/json';
import { QueryParams } from './http/query';
import { isWrite, route } from './http/router';
import { inspect, isLoopback } from './inspection';
import { QuotaMeter } from './quota';
import { DEFAULT_SETTINGS } from './settings';
import { decodeQuery, signatureMatches } from './signature';
import { buildState } from './state/seeds';
import type { SimState } from './state/state';
import { WebhookHub } from './webhooks';
import type {
    CallRecord,
    Faults,
    SeedName,
    SimCredentials,
    SimSettings,
    StartOptions,
    UnleashedSim
} from './types';

const MAX_BODY = 10 * 1024 * 1024;

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage): Promise<string> {
    return new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        let size = 0;
        req.on('data', (c: Buffer) => {
            size += c.length;
            if (size > MAX_BODY) reject(new BodyTooLarge());
            else chunks.push(c);
        });
        req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
        req.on('error', reject);
    });
}

function header(req: IncomingMessage, name: string): string | undefined {
    const v = req.headers[name];
    return Array.isArray(v) ? v[0] : v;
}

export class SimServer implements UnleashedSim {
    url = '';
    settings: SimSettings;
    readonly log = new CallLog();
    readonly quota = new QuotaMeter();
    private current: SimState;
    private faultCtl: FaultController;
    private readonly server: Server;
    private readonly timers = new Set<NodeJS.Timeout>();
    private readonly credentials: SimCredentials[];
    readonly clock: () => number;
    readonly webhooks: WebhookHub;

    constructor(private readonly opts: StartOptions) {
        this.settings = { ...DEFAULT_SETTINGS, ...opts.settings };
        this.credentials = opts.credentials ?? [{ apiId: DEMO_API_ID, apiKey: DEMO_API_KEY }];
        this.clock = opts.clock ?? Date.now;
        this.webhooks = new WebhookHub(this.clock);
        this.current = buildState(opts.seed ?? 'demo');
        this.faultCtl = new FaultController(opts.faults ?? {}, this.settings.faultSeed);
        this.server = createServer((req, res) => {
            this.handle(req, res).catch((err: unknown) => this.fail(res, err));
        });
    }

    get state(): SimState {
        return this.current;
    }

    get faults(): Faults {
        return this.faultCtl.faults;
    }

    setFaults(f: Partial<Faults>): void {
        this.faultCtl.set(f);
    }

    setSettings(s: Partial<SimSettings>): void {
        const reseed = s.faultSeed !== undefined && s.faultSeed !== this.settings.faultSeed;
        this.settings = { ...this.settings, ...s };
        if (reseed) this.faultCtl.reseed(this.settings.faultSeed);
    }

    /** Back to the seed (the same or another), with no calls, quota use or faults left over. */
    reset(seed?: SeedName): void {
        this.current = buildState(seed ?? this.current.seed);
        this.faultCtl = new FaultController(this.opts.faults ?? {}, this.settings.faultSeed);
        this.log.clear();
        this.quota.clear();
        this.webhooks.clear();
    }

    callCount(apiId?: string): number {
        return this.quota.total(apiId);
    }

    calls(): CallRecord[] {
        return this.log.list();
    }

    async listen(port: number, host: string): Promise<void> {
        await new Promise<void>((resolve, reject) => {
            this.server.once('error', reject);
            this.server.listen(port, host, () => {
                this.server.off('error', reject);
                resolve();
            });
        });
        const addr = this.server.address() as AddressInfo;
        this.url = `http://${host}:${addr.port}`;
    }

    async close(): Promise<void> {
        for (const t of this.timers) clearTimeout(t);
        this.timers.clear();
        await this.webhooks.close();
        const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
        // Hung (timeout-after-commit) and keep-alive sockets would hold close() open forever.
        this.server.closeAllConnections();
        await closed;
    }

    private delay(ms: number): Promise<void> {
        return new Promise((resolve) => {
            const t = setTimeout(() => {
                this.timers.delete(t);
                resolve();
            }, ms);
            this.timers.add(t);
        });
    }

    private send(
        res: ServerResponse,
        status: number,
        body?: unknown,
        headers: Record<string, string> = {}
    ): void {
        if (res.headersSent || res.destroyed) return;
        if (body === undefined || status === 204) {
            res.writeHead(status, headers).end();
            return;
        }
        const text = toJson(body);
        res.writeHead(status, {
            'content-type': 'application/json; charset=utf-8',
            'content-length': Buffer.byteLength(text),
            ...headers
        }).end(text);
    }

    private sendError(res: ServerResponse, err: SimError): void {
        this.send(res, err.status, errorBody(this.settings.errorShape, err.description), err.headers);
    }

    private fail(res: ServerResponse, err: unknown): void {
        if (err instanceof SimError) this.sendError(res, err);
        else this.sendError(res, new SimError(500, 'An unexpected error occurred.'));
    }

    private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
        const method = (req.method ?? 'GET').toUpperCase();
        const rawUrl = req.url ?? '/';
        const q = rawUrl.indexOf('?');
        const rawPath = q < 0 ? rawUrl : rawUrl.slice(0, q);
        const rawQuery = q < 0 ? '' : rawUrl.slice(q + 1);
        const segments = rawPath
            .split('/')
            .filter((seg) => seg !== '')
            .map((seg) => {
                try {
                    return decodeURIComponent(seg);
                } catch {
                    return seg;
                }
            });

        if (segments[0]?.toLowerCase() === '__sim') {
            if (!isLoopback(req.socket.remoteAddress)) return this.send(res, 404);
            const body = await readBody(req);
            const out = inspect(this, method, segments.slice(1), body);
            return this.send(res, out.status, out.body);
        }

        const apiId = header(req, 'api-auth-id') ?? null;
        const call = this.log.start(method, rawPath, rawQuery, apiId, this.clock());
        if (this.faultCtl.take('dropConnections')) {
            call.outcome = 'dropped';
            req.socket.destroy();
            return;
        }
        let raw: string;
        try {
            raw = await readBody(req);
        } catch (err) {
            call.outcome = 'error';
            call.status = err instanceof BodyTooLarge ? 413 : 400;
            return this.sendError(res, new SimError(call.status, 'The request body could not be read.'));
        }
        const latency = this.faultCtl.faults.latencyMs;
        if (latency > 0) await this.delay(latency);

        const result = this.answer(req, method, segments, rawQuery, raw, apiId, call);
        if (result.hang) {
            call.outcome = 'hung';
            return; // committed, never answered: the client's timeout decides what happens next
        }
        call.status = result.status;
        if (call.outcome === 'pending') call.outcome = result.status < 400 ? 'ok' : 'error';
        this.send(res, result.status, result.body, result.headers);
    }

    private answer(
        req: IncomingMessage,
        method: string,
        segments: string[],
        rawQuery: string,
        raw: string,
        apiId: string | null,
        call: CallRecord
    ): { status: number; body?: unknown; headers?: Record<string, string>; hang?: boolean } {
        const s = this.settings;
        const error = (
            e: SimError,
            outcome?: string
        ): { status: number; body: unknown; headers: Record<string, string> } => {
            if (outcome) call.outcome = outcome;
            return { status: e.status, body: errorBody(s.errorShape, e.description), headers: e.headers };
        };
        const now = this.clock();

        // Authentication: a known API id and the HMAC of the query string.
        const cred = apiId
            ? this.credentials.find((c) => c.apiId.toLowerCase() === apiId.toLowerCase())
            : undefined;
        const signature = header(req, 'api-auth-signature');
        if (!cred || !signature) {
            return error(
                new SimError(403, 'Forbidden: missing or unknown api-auth-id or api-auth-signature.'),
                'denied'
            );
        }
        const signed = s.verifyQueryAs === 'decoded' ? decodeQuery(rawQuery) : rawQuery;
        if (!signatureMatches(cred.apiKey, signed, signature)) {
            return error(new SimError(403, 'Forbidden: the api-auth-signature does not match.'), 'denied');
        }
        if (s.requireClientType && !header(req, 'client-type')?.trim()) {
            return error(
                new SimError(
                    403,
                    'Forbidden: the client-type header is required (partner/app, lower case, no spaces).'
                ),
                'denied'
            );
        }

        // Monthly allowance: every authenticated call counts; a spent allowance blocks everything.
        if (s.monthlyQuota !== null && this.quota.used(cred.apiId, now) >= s.monthlyQuota) {
            return error(
                new SimError(
                    s.quotaStatus,
                    'API limit exceeded: the monthly API call allowance has been used.'
                ),
                'quota'
            );
        }
        this.quota.record(cred.apiId, now);
        call.counted = true;

        if (s.requireAccept && !/application\/json/i.test(header(req, 'accept') ?? '')) {
            return error(new SimError(s.acceptErrorStatus, 'The Accept header must be application/json.'));
        }
        if (this.faultCtl.take('burst429')) {
            return error(new SimError(429, 'Too many requests.', { 'retry-after': '1' }), 'fault-429');
        }
        if (this.faultCtl.fail5xx()) {
            return error(new SimError(503, 'The service is temporarily unavailable.'), 'fault-5xx');
        }

        let body: unknown;
        if (raw.trim() !== '') {
            if (!/json/i.test(header(req, 'content-type') ?? '')) {
                return error(new SimError(415, 'The Content-Type must be application/json.'));
            }
            try {
                body = JSON.parse(raw);
            } catch {
                return error(new SimError(500, 'The request could not be parsed.'));
            }
        }
        const ctx: ApiContext = {
            state: this.current,
            settings: s,
            now,
            apiId: cred.apiId,
            query: new QueryParams(rawQuery),
            body,
            webhooks: this.webhooks
        };
        try {
            const out = route(ctx, method, segments);
            if (isWrite(method) && out.status < 300 && this.faultCtl.take('timeoutAfterCommit')) {
                return { status: out.status, hang: true };
            }
            return out;
        } catch (err) {
            if (err instanceof SimError) return error(err);
            // A simulator bug, not an Unleashed behaviour: answer 500 and say so on stderr.
            process.stderr.write(
                `unleashed-sim: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`
            );
            return error(new SimError(500, 'An unexpected error occurred.'), 'error');
        }
    }
}

/** Starts a simulator on loopback (port 0 = any free port). */
export async function startUnleashedSim(opts: StartOptions = {}): Promise<UnleashedSim> {
    const sim = new SimServer(opts);
    await sim.listen(opts.port ?? 0, opts.host ?? '127.0.0.1');
    return sim;
}
