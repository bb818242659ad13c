import { Decimal } from 'decimal.js';
import { z } from 'zod';
import type { ImportJobRepo } from '../../store/jobs';
import type { ImportJob, ImportJobStatus, Tenant } from '../../store/types';
import { formatFilterDate } from '../../unleashed/dates';
import { CompanySchema } from '../../unleashed/schemas';
import { baseCurrencyOf } from '../catalog';
import type { Page, Query, UnleashedClient } from '../../unleashed/types';
import type { CompanyFacts, EntityUnit, RunContext, SalesforceEdge } from './context';
import { customerListQuery, CustomerUnit } from './customers';
import { productListQuery, ProductUnit } from './products';
import { ProgressReporter, type ProgressLog } from './progress';
import { isReferenceEntity, referenceUnit } from './reference';
import { DEFAULT_WRITE_OPTIONS, type WriteOptions } from './salesforce-io';
import { ClassMemo, Tally, type WriteClass } from './tally';
import { addCounts, IMPORT_ENTITIES, isImportEntity, type ImportEntity, type RecordFailure } from './types';

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
    tenants: {
        get(orgId: string): Promise<Tenant | null>;
        upsert(t: { orgId: string; settings: Record<string, unknown> }): Promise<unknown>;
    };
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

/** Resume point and running totals, stored on the job after every page. */
export interface Checkpoint {
    v: 1;
    /** When the job first ran: the next incremental run asks for changes since then. */
    startedAt: string;
    company: { baseCurrency: string | null; defaultTaxRate: string | null };
    units: string[];
    since: Record<string, string | null>;
    /** Index into `units` of the unit in progress, and its next page. */
    unit: number;
    page: number;
    failedBy: Record<string, number>;
    /** Errors stored in full so far (the first 1,000; later ones are only counted). */
    errorsStored: number;
    /** Units whose list was empty when the job started (an incremental run with no changes). */
    empty: string[];
    /** Classes planned by pages in progress, kept before they write. */
    pending: { unit: number; page: number; memo: [string, WriteClass][] }[] | null;
}

/** Failures kept with their reasons; the rest are counted only. */
export const ERRORS_KEPT = 1000;
/** Errors carried in a progress event. */
const ERRORS_SHOWN = 100;

/** How the worker asks a running job to stop: at the next page boundary, or at once. */
export interface StopSignal {
    /** Stop after the page in progress, leaving the job to be resumed. */
    readonly stopping: boolean;
    /** Stop without another write (a crash stand-in for tests): no checkpoint, no release. */
    readonly killed: boolean;
}

export class JobKilled extends Error {
    constructor() {
        super('import worker killed');
        this.name = 'JobKilled';
    }
}

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
        const { deps, opts } = this;
        let job = claimed;
        const tenant = await deps.tenants.get(job.orgId);
        if (!tenant) return this.fail(job, null, 'The org is no longer connected to the middleware');
        let sf: SalesforceEdge;
        let client: UnleashedClient;
        try {
            sf = await deps.salesforceFor(tenant);
            client = await deps.unleashedFor(tenant);
        } catch (err) {
            return this.fail(job, null, (err as Error).message);
        }
        const progress = new ProgressReporter(sf.writer, opts.progressIntervalMs, deps.log);
        const shown: RecordFailure[] = [...job.errors].slice(0, ERRORS_SHOWN);
        // Running totals; written with every checkpoint.
        const totals = { done: job.done, total: job.total, counts: { ...job.counts } };
        const snapshot =
            (status: ImportJobStatus, finishedAt: Date | null = null) =>
            () => ({
                jobId: job.id,
                status,
                entities: job.entities,
                done: totals.done,
                total: totals.total,
                counts: totals.counts,
                errors: shown,
                startedAt: job.startedAt,
                finishedAt
            });

        let cp: Checkpoint;
        try {
            cp = (job.checkpoint as Checkpoint | null) ?? (await this.start(job, tenant, client));
            if (!job.checkpoint) {
                totals.total = job.total;
                job = await deps.jobs.update(job.id, { checkpoint: { ...cp }, total: job.total });
            }
        } catch (err) {
            return this.fail(job, null, (err as Error).message, sf, progress, shown);
        }
        progress.report(snapshot('running'), true);

        /**
         * Checkpoint writes, one after another, each carrying the state as it is when it runs: pages
         * in flight plan (and persist their memos) out of order, commits happen in page order.
         */
        let saving: Promise<unknown> = Promise.resolve();
        const save = (): Promise<void> => {
            const next = saving.then(async () => {
                job = await deps.jobs.update(job.id, {
                    done: totals.done,
                    total: totals.total,
                    counts: { ...totals.counts },
                    checkpoint: { ...cp }
                });
            });
            saving = next.catch(() => undefined);
            return next;
        };

        const company: CompanyFacts = {
            baseCurrency: cp.company.baseCurrency,
            defaultTaxRate: cp.company.defaultTaxRate === null ? null : new Decimal(cp.company.defaultTaxRate)
        };
        const options = {
            fullReimport: job.options.fullReimport === true,
            createMissingAccounts: job.options.createMissingAccounts === true
        };
        const pendingOf = (u: number, page: number) =>
            (cp.pending ?? []).find((p) => p.unit === u && p.page === page);
        /** A page's tally, remembering what an interrupted attempt at it had planned. */
        const tallyFor = (u: number, page: number): Tally => {
            const memo = new ClassMemo(pendingOf(u, page)?.memo ?? []);
            return new Tally(memo, {
                beforeWrites: async () => {
                    if (signal.killed) throw new JobKilled();
                    const others = (cp.pending ?? []).filter((p) => p.unit !== u || p.page !== page);
                    cp = { ...cp, pending: [...others, { unit: u, page, memo: memo.entries() }] };
                    await save();
                },
                alive: () => {
                    if (signal.killed) throw new JobKilled();
                }
            });
        };

        /** Applies a page's tally and checkpoints: the job row is the only state that survives. */
        const commit = async (
            tally: Tally,
            next: Partial<Checkpoint>,
            entities: ImportEntity[],
            page?: [number, number],
            addToTotal = 0
        ) => {
            const keep = tally.failures.slice(0, Math.max(0, ERRORS_KEPT - cp.errorsStored));
            if (keep.length) await deps.jobs.appendErrors(job.id, keep);
            for (const f of keep) if (shown.length < ERRORS_SHOWN) shown.push(f);
            const failedBy = { ...cp.failedBy };
            for (const f of tally.failures) failedBy[f.entity] = (failedBy[f.entity] ?? 0) + 1;
            // A failure counted without a row (none today) still blocks the watermark.
            if (tally.counts.failed > tally.failures.length && entities[0])
                failedBy[entities[0]] = (failedBy[entities[0]] ?? 0) + 1;
            const pending = page
                ? (cp.pending ?? []).filter((p) => p.unit !== page[0] || p.page !== page[1])
                : cp.pending;
            cp = { ...cp, ...next, failedBy, errorsStored: cp.errorsStored + keep.length, pending };
            totals.done += tally.done;
            totals.total = Math.max(totals.total + addToTotal, totals.done);
            totals.counts = addCounts(totals.counts, tally.counts);
            await save();
            progress.report(snapshot('running'));
        };

        let current: ImportEntity | null = null;
        try {
            for (let u = cp.unit; u < cp.units.length; u++) {
                const key = cp.units[u]!;
                const entities = entitiesOf(key, job.entities);
                current = entities[0] ?? null;
                const ctx: RunContext = {
                    jobId: job.id,
                    orgId: job.orgId,
                    client,
                    sf,
                    options,
                    write: opts.write,
                    company,
                    now: opts.now
                };
                const unit = this.unit(key, job.entities, ctx, cp.since[key] ?? null);
                await this.withRetries(() => unit.prepare(), signal);

                if (!unit.paged) {
                    // Reference lists: read whole, written and checked for obsolete records together.
                    const items: unknown[] = [];
                    await this.withRetries(async () => {
                        items.length = 0;
                        for await (const { page } of pagesFrom(
                            client,
                            unit.resource,
                            unit.query,
                            1,
                            opts.pageSize
                        ))
                            items.push(...page.items);
                    }, signal);
                    const tally = await this.withRetries(async () => {
                        const t = tallyFor(u, 1);
                        await unit.page(items, t);
                        await unit.finish(t);
                        return t;
                    }, signal);
                    if (signal.killed) throw new JobKilled();
                    // Reference lists are not counted when the job starts (only paged lists are
                    // probed): each adds its items to the total with the checkpoint that counts them
                    // done, so a repeated attempt cannot add them twice.
                    await commit(tally, { unit: u + 1, page: 1 }, entities, [u, 1], items.length);
                    onPage?.();
                    if (signal.stopping && u + 1 < cp.units.length)
                        return this.release(job, progress, saving);
                    continue;
                }

                if (cp.empty.includes(key)) {
                    // Nothing changed since the last run: no page to read.
                    await commit(new Tally(), { unit: u + 1, page: 1 }, entities);
                    continue;
                }
                const stopped = await this.pages(
                    unit,
                    client,
                    u,
                    entities,
                    signal,
                    tallyFor,
                    commit,
                    () => cp.page,
                    onPage
                );
                if (stopped) return this.release(job, progress, saving);
                await this.withRetries(async () => {
                    const t = new Tally();
                    await unit.finish(t);
                    if (t.done || t.counts.created || t.counts.updated || t.counts.failed)
                        await commit(t, {}, entities);
                }, signal);
                await commit(new Tally(), { unit: u + 1, page: 1 }, entities);
            }
        } catch (err) {
            await saving;
            if (err instanceof JobKilled) return 'stopped';
            deps.log.error({ jobId: job.id, err: (err as Error).message }, 'import failed');
            await this.watermarks(job, cp, tenant);
            return this.fail(job, current, (err as Error).message, sf, progress, shown);
        }

        await saving;
        await this.watermarks(job, cp, tenant);
        const status: ImportJobStatus = totals.counts.failed > 0 ? 'completed_with_errors' : 'succeeded';
        const finishedAt = opts.now();
        totals.total = totals.done;
        job = await deps.jobs.update(job.id, { status, finishedAt, total: totals.total });
        progress.report(snapshot(status, finishedAt), true);
        await progress.flush();
        deps.log.info({ jobId: job.id, status, counts: totals.counts, done: totals.done }, 'import finished');
        return 'finished';
    }

    /**
     * The pages of one list from the checkpoint on: the next page is read while the current ones are
     * written, up to `pagesInFlight` pages are written at once, and pages are committed in order.
     * A failed read restarts the stream at the first uncommitted page; a failed write (after its own
     * retries) ends the job. Returns true when the worker asked to stop and pages remain.
     */
    private async pages(
        unit: EntityUnit,
        client: UnleashedClient,
        u: number,
        entities: ImportEntity[],
        signal: StopSignal,
        tallyFor: (u: number, page: number) => Tally,
        commit: (
            tally: Tally,
            next: Partial<Checkpoint>,
            entities: ImportEntity[],
            page?: [number, number]
        ) => Promise<void>,
        nextPage: () => number,
        onPage?: () => void
    ): Promise<boolean> {
        const { opts } = this;
        const depth = Math.max(1, opts.pagesInFlight);
        let attempt = 0;
        for (;;) {
            const inflight: { number: number; last: boolean; work: Promise<Tally> }[] = [];
            let lastCommitted: { last: boolean } | null = null;
            const commitOldest = async () => {
                const head = inflight.shift()!;
                let tally: Tally;
                try {
                    tally = await head.work;
                } catch (err) {
                    throw new PageFailed(err);
                }
                if (signal.killed) throw new JobKilled();
                await commit(tally, { page: head.number + 1 }, entities, [u, head.number]);
                lastCommitted = head;
                onPage?.();
            };
            try {
                for await (const { number, page } of ahead(
                    pagesFrom(client, unit.resource, unit.query, nextPage(), opts.pageSize)
                )) {
                    attempt = 0;
                    const p = page.pagination;
                    const last = page.items.length === 0 || p.PageNumber === 0 || number >= p.NumberOfPages;
                    const work = this.withRetries(async () => {
                        const t = tallyFor(u, number);
                        await unit.page(page.items, t);
                        return t;
                    }, signal);
                    work.catch(() => undefined);
                    inflight.push({ number, last, work });
                    while (inflight.length >= depth) await commitOldest();
                    if (signal.stopping) break;
                }
                while (inflight.length) await commitOldest();
                return signal.stopping && !(lastCommitted as { last: boolean } | null)?.last;
            } catch (err) {
                // Nothing may still be writing when the job moves on or ends.
                await Promise.allSettled(inflight.map((f) => f.work));
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
    private async release(
        job: ImportJob,
        progress: ProgressReporter,
        saving: Promise<unknown>
    ): Promise<RunOutcome> {
        await saving;
        await this.deps.jobs.update(job.id, { status: 'queued' });
        await progress.flush();
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
