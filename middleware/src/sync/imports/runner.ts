import { Decimal } from 'decimal.js';
import { z } from 'zod';
import type { ImportJobRepo } from '../../store/jobs';
import type { TenantRepo } from '../../store/tenants';
import type { ImportJob, ImportJobStatus, Tenant } from '../../store/types';
import { formatFilterDate } from '../../unleashed/dates';
import { CompanySchema } from '../../unleashed/schemas';
import { baseCurrencyOf } from '../catalog';
import { isListProblem } from '../reference-data';
import type { Page, Query, UnleashedClient } from '../../unleashed/types';
import type { CompanyFacts, EntityUnit, RunContext, SalesforceEdge } from './context';
import { customerListQuery, CustomerUnit } from './customers';
import { productListQuery, ProductUnit } from './products';
import { JobKilled, JobState, shownErrors, type Checkpoint, type StopSignal } from './job-state';
import { ProgressReporter, type ProgressLog } from './progress';
import { isReferenceEntity, referenceUnit } from './reference';
import { DEFAULT_WRITE_OPTIONS, type WriteOptions } from './salesforce-io';
import { Tally } from './tally';
import { IMPORT_ENTITIES, isImportEntity, type ImportEntity, type RecordFailure } from './types';

export type { Checkpoint, StopSignal } from './job-state';

/**
 * Runs one claimed import job to its end, page by page: reads a page of an Unleashed list, writes
 * what differs to Salesforce, then checkpoints (counts, errors, the next page) in the store. A
 * restarted worker resumes from the checkpoint; a page interrupted half-way is done again, and the
 * classes remembered in the checkpoint keep its counts the same as if it had not been.
 */

export interface ImportRunLog extends ProgressLog {
    info(obj: object, msg: string): void;
    error(obj: object, msg: string): void;
}

export interface ImportRunnerDeps {
    jobs: ImportJobRepo;
    tenants: Pick<TenantRepo, 'get' | 'upsert'>;
    unleashedFor(tenant: Tenant): Promise<UnleashedClient>;
    salesforceFor(tenant: Tenant): Promise<SalesforceEdge>;
    log: ImportRunLog;
}

export interface ImportRunnerOptions {
    /** Unleashed page size (1000, the largest: fewest calls against the monthly quota). */
    pageSize: number;
    /** Shortest gap between two progress events. */
    progressIntervalMs: number;
    /**
     * Pages written at the same time (each page's writes are also parallel within it). Six keep
     * Salesforce busy while a page's Bulk job waits on its polls: at 10,000 products the import
     * took 8.0 s with six against 12.7 s with two (`npm run bench -- import --inflight N`).
     */
    pagesInFlight: number;
    /** Attempts per page when a call fails in a way that may pass (network, 5xx, limits). */
    pageAttempts: number;
    retryDelayMs: number;
    /** Overlap of incremental runs: changes up to this long before the last run are read again. */
    sinceOverlapMs: number;
    write: WriteOptions;
    now(): Date;
}

export const DEFAULT_RUNNER_OPTIONS: ImportRunnerOptions = {
    pageSize: 1000,
    progressIntervalMs: 3000,
    pagesInFlight: 6,
    pageAttempts: 4,
    retryDelayMs: 2000,
    sinceOverlapMs: 5 * 60_000,
    write: DEFAULT_WRITE_OPTIONS,
    now: () => new Date()
};

/** What callers may set: any option, and any of the write options. */
export type ImportRunnerSettings = Partial<Omit<ImportRunnerOptions, 'write'>> & {
    write?: Partial<WriteOptions>;
};

/** A page's writes failed after their retries (as opposed to a failed read of the next page). */
class PageFailed extends Error {
    constructor(override readonly cause: unknown) {
        super((cause as Error)?.message ?? String(cause));
        this.name = 'PageFailed';
    }
}

export type RunOutcome = 'finished' | 'stopped';

const WATERMARKS = 'importWatermarks';
const UNKNOWN = z.unknown();

/** The Unleashed list a paged unit reads. */
function listOf(unit: string, since: string | null): { resource: string; query: Query } {
    if (unit === 'products') return { resource: 'Products', query: productListQuery(since) };
    if (unit === 'customers') return { resource: 'Customers', query: customerListQuery(since) };
    throw new Error(`unknown paged import unit ${unit}`);
}

/** Entities run together: the product pass serves products and price tiers. */
function unitsFor(entities: readonly string[]): string[] {
    const chosen = IMPORT_ENTITIES.filter((e) => entities.includes(e));
    const out: string[] = [];
    for (const e of chosen) {
        const key = e === 'priceTiers' ? 'products' : e;
        if (!out.includes(key)) out.push(key);
    }
    return out;
}

function entitiesOf(unit: string, chosen: readonly string[]): ImportEntity[] {
    if (unit === 'products') return (['products', 'priceTiers'] as const).filter((e) => chosen.includes(e));
    return isImportEntity(unit) ? [unit] : [];
}

function retryable(err: unknown): boolean {
    return !!err && typeof err === 'object' && (err as { retryable?: unknown }).retryable === true;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Keeps the next page in flight while the current one is written (two pages in memory at most). */
async function* ahead<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
    const it = source[Symbol.asyncIterator]();
    let next = it.next();
    try {
        for (;;) {
            const r = await next;
            if (r.done) return;
            next = it.next();
            // Read again below; a failure of a page never awaited must not go unhandled.
            next.catch(() => undefined);
            yield r.value;
        }
    } finally {
        it.return?.().catch(() => undefined);
    }
}

/** Pages from `start` on: the client's own stream from page 1, page by page when resuming. */
async function* pagesFrom(
    client: UnleashedClient,
    resource: string,
    query: Query,
    start: number,
    pageSize: number
): AsyncGenerator<{ number: number; page: Page<unknown> }> {
    if (start <= 1) {
        let n = 1;
        for await (const page of client.pages(resource, query, UNKNOWN, { pageSize }))
            yield { number: n++, page };
        return;
    }
    for (let n = start; ; n++) {
        const page = await client.getPage(resource, n, { ...query, pageSize }, UNKNOWN);
        yield { number: n, page };
        const p = page.pagination;
        if (page.items.length === 0 || p.PageNumber === 0 || n >= p.NumberOfPages) return;
    }
}

/** The tenant of a running job and the two services it reads and writes. */
interface Edges {
    tenant: Tenant;
    sf: SalesforceEdge;
    client: UnleashedClient;
}

/** The pages of one list being written, oldest first; they are committed in that order. */
class PagesInFlight {
    private readonly pages: { number: number; last: boolean; work: Promise<Tally> }[] = [];
    /** Whether the last page committed was the list's last. */
    reachedLast = false;

    constructor(
        private readonly state: JobState,
        private readonly u: number,
        private readonly entities: ImportEntity[],
        private readonly onPage?: () => void
    ) {}

    get size(): number {
        return this.pages.length;
    }

    add(number: number, last: boolean, work: Promise<Tally>): void {
        // Awaited in commitOldest or settled; a failure must not go unhandled meanwhile.
        work.catch(() => undefined);
        this.pages.push({ number, last, work });
    }

    /** Waits for the oldest page's writes and checkpoints past it. */
    async commitOldest(): Promise<void> {
        const head = this.pages.shift()!;
        let tally: Tally;
        try {
            tally = await head.work;
        } catch (err) {
            throw new PageFailed(err);
        }
        if (this.state.signal.killed) throw new JobKilled();
        await this.state.commit(tally, { page: head.number + 1 }, this.entities, [this.u, head.number]);
        this.reachedLast = head.last;
        this.onPage?.();
    }

    /** Resolves once no page is writing any more. */
    async settled(): Promise<void> {
        await Promise.allSettled(this.pages.map((f) => f.work));
    }
}

export class ImportRunner {
    private readonly opts: ImportRunnerOptions;

    constructor(
        private readonly deps: ImportRunnerDeps,
        opts: ImportRunnerSettings = {}
    ) {
        this.opts = {
            ...DEFAULT_RUNNER_OPTIONS,
            ...opts,
            write: { ...DEFAULT_WRITE_OPTIONS, ...opts.write }
        };
    }

    async run(claimed: ImportJob, signal: StopSignal, onPage?: () => void): Promise<RunOutcome> {
        const edges = await this.connect(claimed);
        if ('failed' in edges) return edges.failed;
        const progress = new ProgressReporter(edges.sf.writer, this.opts.progressIntervalMs, this.deps.log);
        let state: JobState;
        try {
            state = await this.resume(claimed, edges, progress, signal);
        } catch (err) {
            return this.fail(claimed, null, (err as Error).message, edges.sf, progress, shownErrors(claimed));
        }
        progress.report(state.snapshot('running'), true);
        try {
            if (await this.units(state, edges, onPage)) return this.release(state);
        } catch (err) {
            await state.settled();
            if (err instanceof JobKilled) return 'stopped';
            const { job, cp } = state;
            this.deps.log.error({ jobId: job.id, err: (err as Error).message }, 'import failed');
            await this.watermarks(job, cp, edges.tenant);
            return this.fail(job, state.current, (err as Error).message, edges.sf, progress, state.shown);
        }
        return this.finish(state, edges.tenant);
    }

    /** The job's tenant and its two services; a job whose org cannot be reached fails. */
    private async connect(job: ImportJob): Promise<Edges | { failed: RunOutcome }> {
        const tenant = await this.deps.tenants.get(job.orgId);
        if (!tenant)
            return { failed: await this.fail(job, null, 'The org is no longer connected to the middleware') };
        try {
            const sf = await this.deps.salesforceFor(tenant);
            const client = await this.deps.unleashedFor(tenant);
            return { tenant, sf, client };
        } catch (err) {
            return { failed: await this.fail(job, null, (err as Error).message) };
        }
    }

    /** The job's state from its checkpoint, or from a first checkpoint saved now. */
    private async resume(
        claimed: ImportJob,
        edges: Edges,
        progress: ProgressReporter,
        signal: StopSignal
    ): Promise<JobState> {
        const shown = shownErrors(claimed);
        const saved = claimed.checkpoint as Checkpoint | null;
        if (saved) return new JobState(this.deps.jobs, claimed, saved, shown, progress, signal);
        const cp = await this.start(claimed, edges.tenant, edges.client);
        const job = await this.deps.jobs.update(claimed.id, { checkpoint: { ...cp }, total: claimed.total });
        return new JobState(this.deps.jobs, job, cp, shown, progress, signal);
    }

    /** Runs the job's units from the checkpoint on. Returns true when the worker asked to stop. */
    private async units(state: JobState, edges: Edges, onPage?: () => void): Promise<boolean> {
        const { opts } = this;
        const { job, signal } = state;
        const company: CompanyFacts = {
            baseCurrency: state.cp.company.baseCurrency,
            defaultTaxRate:
                state.cp.company.defaultTaxRate === null ? null : new Decimal(state.cp.company.defaultTaxRate)
        };
        const ctx: RunContext = {
            jobId: job.id,
            orgId: job.orgId,
            client: edges.client,
            sf: edges.sf,
            options: {
                fullReimport: job.options.fullReimport === true,
                createMissingAccounts: job.options.createMissingAccounts === true
            },
            write: opts.write,
            company,
            now: opts.now
        };
        for (let u = state.cp.unit; u < state.cp.units.length; u++) {
            const key = state.cp.units[u]!;
            const entities = entitiesOf(key, job.entities);
            state.current = entities[0] ?? null;
            const unit = this.unit(key, job.entities, { ...ctx }, state.cp.since[key] ?? null);
            await this.withRetries(() => unit.prepare(), signal);
            if (!unit.paged) {
                await this.referenceList(state, unit, edges.client, u, entities, onPage);
                if (signal.stopping && u + 1 < state.cp.units.length) return true;
            } else if (state.cp.empty.includes(key)) {
                // Nothing changed since the last run: no page to read.
                await state.commit(new Tally(), { unit: u + 1, page: 1 }, entities);
            } else if (await this.pagedList(state, unit, edges.client, u, entities, onPage)) {
                return true;
            }
        }
        return false;
    }

    /** A reference list: read whole, written and checked for obsolete records together. */
    private async referenceList(
        state: JobState,
        unit: EntityUnit,
        client: UnleashedClient,
        u: number,
        entities: ImportEntity[],
        onPage?: () => void
    ): Promise<void> {
        const { signal } = state;
        const items: unknown[] = [];
        try {
            await this.withRetries(async () => {
                items.length = 0;
                for await (const { page } of pagesFrom(
                    client,
                    unit.resource,
                    unit.query,
                    1,
                    this.opts.pageSize
                ))
                    items.push(...page.items);
            }, signal);
        } catch (err) {
            // A list this account refuses or answers in an unknown shape (several are known only from
            // public clients) is reported under its name; the other lists still import.
            if (!isListProblem(err)) throw err;
            const why = err.kind === 'http' ? `${err.status} ${err.message}` : err.message;
            const t = state.tallyFor(u, 1);
            t.fail(
                entities[0] ?? unit.resource,
                unit.resource,
                `Unleashed's ${unit.resource} list could not be read (${why}); nothing was imported from it.`
            );
            await state.commit(t, { unit: u + 1, page: 1 }, entities, [u, 1], 0);
            onPage?.();
            return;
        }
        const tally = await this.withRetries(async () => {
            const t = state.tallyFor(u, 1);
            await unit.page(items, t);
            await unit.finish(t);
            return t;
        }, signal);
        if (signal.killed) throw new JobKilled();
        // Reference lists are not counted when the job starts (only paged lists are probed): each
        // adds its items to the total with the checkpoint that counts them done, so a repeated
        // attempt cannot add them twice.
        await state.commit(tally, { unit: u + 1, page: 1 }, entities, [u, 1], items.length);
        onPage?.();
    }

    /** A paged list: its pages, then its finish. Returns true when the worker asked to stop. */
    private async pagedList(
        state: JobState,
        unit: EntityUnit,
        client: UnleashedClient,
        u: number,
        entities: ImportEntity[],
        onPage?: () => void
    ): Promise<boolean> {
        if (await this.pages(state, unit, client, u, entities, onPage)) return true;
        await this.withRetries(async () => {
            const t = new Tally();
            await unit.finish(t);
            if (t.done || t.counts.created || t.counts.updated || t.counts.failed)
                await state.commit(t, {}, entities);
        }, state.signal);
        await state.commit(new Tally(), { unit: u + 1, page: 1 }, entities);
        return false;
    }

    /** Ends a job that ran through: watermarks, its final status, and the last progress event. */
    private async finish(state: JobState, tenant: Tenant): Promise<RunOutcome> {
        const { deps, opts } = this;
        const { totals } = state;
        await state.settled();
        await this.watermarks(state.job, state.cp, tenant);
        const status: ImportJobStatus = totals.counts.failed > 0 ? 'completed_with_errors' : 'succeeded';
        const finishedAt = opts.now();
        totals.total = totals.done;
        state.job = await deps.jobs.update(state.job.id, { status, finishedAt, total: totals.total });
        state.progress.report(state.snapshot(status, finishedAt), true);
        await state.progress.flush();
        deps.log.info(
            { jobId: state.job.id, status, counts: totals.counts, done: totals.done },
            'import finished'
        );
        return 'finished';
    }

    /**
     * The pages of one list from the checkpoint on: the next page is read while the current ones are
     * written, up to `pagesInFlight` pages are written at once, and pages are committed in order.
     * A failed read restarts the stream at the first uncommitted page; a failed write (after its own
     * retries) ends the job. Returns true when the worker asked to stop and pages remain.
     */
    private async pages(
        state: JobState,
        unit: EntityUnit,
        client: UnleashedClient,
        u: number,
        entities: ImportEntity[],
        onPage?: () => void
    ): Promise<boolean> {
        const { opts } = this;
        const { signal } = state;
        const depth = Math.max(1, opts.pagesInFlight);
        let attempt = 0;
        for (;;) {
            const inflight = new PagesInFlight(state, u, entities, onPage);
            try {
                for await (const { number, page } of ahead(
                    pagesFrom(client, unit.resource, unit.query, state.cp.page, opts.pageSize)
                )) {
                    attempt = 0;
                    const p = page.pagination;
                    const last = page.items.length === 0 || p.PageNumber === 0 || number >= p.NumberOfPages;
                    const work = this.withRetries(async () => {
                        const t = state.tallyFor(u, number);
                        await unit.page(page.items, t);
                        return t;
                    }, signal);
                    inflight.add(number, last, work);
                    while (inflight.size >= depth) await inflight.commitOldest();
                    if (signal.stopping) break;
                }
                while (inflight.size) await inflight.commitOldest();
                return signal.stopping && !inflight.reachedLast;
            } catch (err) {
                // Nothing may still be writing when the job moves on or ends.
                await inflight.settled();
                if (err instanceof PageFailed) throw err.cause;
                if (err instanceof JobKilled || !retryable(err) || ++attempt >= opts.pageAttempts) throw err;
                this.deps.log.warn({ err: (err as Error).message }, 'import page read failed; retrying');
                await sleep(opts.retryDelayMs * 2 ** (attempt - 1));
            }
        }
    }

    /** First run of a job: the company facts, the delta bounds and the totals. */
    private async start(job: ImportJob, tenant: Tenant, client: UnleashedClient): Promise<Checkpoint> {
        const { opts } = this;
        const units = unitsFor(job.entities);
        const needsCompany = units.some((u) => ['taxes', 'products', 'customers'].includes(u));
        const marks = (tenant.settings[WATERMARKS] ?? {}) as Record<string, string | undefined>;
        const since: Record<string, string | null> = {};
        const paged = units.filter((u) => !isReferenceEntity(u as ImportEntity));
        for (const unit of paged) {
            // Together, products and price tiers read from the older of their two marks.
            const times = entitiesOf(unit, job.entities).map((e) => marks[e]);
            const from =
                job.options.fullReimport === true || times.some((t) => !t)
                    ? null
                    : new Date(Math.min(...times.map((t) => Date.parse(t!))) - opts.sinceOverlapMs);
            since[unit] = from ? formatFilterDate(from) : null;
        }
        // The company and one single-item page per list (its item count is the total), side by side.
        const [companies, ...counts] = await Promise.all([
            needsCompany ? client.all('Companies', {}, CompanySchema) : Promise.resolve([]),
            ...paged.map((unit) => {
                const list = listOf(unit, since[unit] ?? null);
                return client.getPage(list.resource, 1, { ...list.query, pageSize: 1 }, UNKNOWN);
            })
        ]);
        const company = companies[0];
        let total = 0;
        const empty: string[] = [];
        counts.forEach((first, i) => {
            total += first.pagination.NumberOfItems;
            if (first.pagination.NumberOfItems === 0 && first.items.length === 0) empty.push(paged[i]!);
        });
        job.total = total;
        const rate = company?.DefaultTaxRate;
        return {
            v: 1,
            startedAt: (job.startedAt ?? opts.now()).toISOString(),
            company: {
                baseCurrency: company ? baseCurrencyOf(company) : null,
                defaultTaxRate: rate === null || rate === undefined ? null : String(rate)
            },
            units,
            since,
            unit: 0,
            page: 1,
            failedBy: {},
            errorsStored: 0,
            empty,
            pending: null
        };
    }

    private unit(key: string, chosen: readonly string[], ctx: RunContext, since: string | null): EntityUnit {
        if (key === 'products') {
            return new ProductUnit(ctx, {
                products: chosen.includes('products'),
                tiers: chosen.includes('priceTiers'),
                since
            });
        }
        if (key === 'customers') return new CustomerUnit(ctx, since);
        if (isImportEntity(key) && isReferenceEntity(key)) return referenceUnit(key, ctx);
        throw new Error(`unknown import unit ${key}`);
    }

    private async withRetries<T>(fn: () => Promise<T>, signal: StopSignal): Promise<T> {
        for (let attempt = 1; ; attempt++) {
            try {
                return await fn();
            } catch (err) {
                if (err instanceof JobKilled || signal.killed)
                    throw err instanceof JobKilled ? err : new JobKilled();
                if (!retryable(err) || attempt >= this.opts.pageAttempts) throw err;
                this.deps.log.warn({ err: (err as Error).message, attempt }, 'import step failed; retrying');
                await sleep(this.opts.retryDelayMs * 2 ** (attempt - 1));
            }
        }
    }

    /** Per entity: the next delta starts where this job started, unless the entity had failures. */
    private async watermarks(job: ImportJob, cp: Checkpoint, tenant: Tenant): Promise<void> {
        const done = cp.units.slice(0, cp.unit).flatMap((u) => entitiesOf(u, job.entities));
        const updates: Record<string, string> = {};
        for (const e of done) {
            if (isReferenceEntity(e)) continue;
            if ((cp.failedBy[e] ?? 0) === 0) updates[e] = cp.startedAt;
        }
        if (Object.keys(updates).length === 0) return;
        const fresh = (await this.deps.tenants.get(tenant.orgId)) ?? tenant;
        const marks = { ...((fresh.settings[WATERMARKS] ?? {}) as Record<string, string>), ...updates };
        await this.deps.tenants.upsert({ orgId: tenant.orgId, settings: { [WATERMARKS]: marks } });
    }

    /** Gives the job back to the queue, to be resumed by the next worker that claims it. */
    private async release(state: JobState): Promise<RunOutcome> {
        await state.settled();
        await this.deps.jobs.update(state.job.id, { status: 'queued' });
        await state.progress.flush();
        return 'stopped';
    }

    private async fail(
        job: ImportJob,
        entity: string | null,
        reason: string,
        sf?: SalesforceEdge,
        progress?: ProgressReporter,
        shown: RecordFailure[] = []
    ): Promise<RunOutcome> {
        const error = { entity: entity ?? 'import', key: '(job)', reason };
        await this.deps.jobs.appendErrors(job.id, [error]);
        const finishedAt = this.opts.now();
        const updated = await this.deps.jobs.update(job.id, { status: 'failed', finishedAt });
        if (sf) {
            const reporter = progress ?? new ProgressReporter(sf.writer, 0, this.deps.log);
            reporter.report(
                () => ({
                    jobId: updated.id,
                    status: 'failed',
                    entities: updated.entities,
                    done: updated.done,
                    total: updated.total,
                    counts: updated.counts,
                    errors: [...shown, error],
                    startedAt: updated.startedAt,
                    finishedAt
                }),
                true
            );
            await reporter.flush();
        }
        return 'finished';
    }
}
