import { randomUUID } from 'node:crypto';
import { toDate, toDateOrNull, type SqlAdapter, type SqlParam } from './sql';
import type { ImportJob, ImportJobCounts, ImportJobStatus } from './types';

export interface ImportJobPatch {
    status?: ImportJobStatus;
    done?: number;
    total?: number;
    counts?: ImportJobCounts;
    checkpoint?: Record<string, unknown> | null;
    startedAt?: Date | null;
    finishedAt?: Date | null;
}

export interface ImportJobError {
    entity: string;
    key: string;
    reason: string;
}

export interface ClaimOptions {
    /** A running job whose worker has not written for this long is taken over (default 300). */
    staleAfterSeconds?: number;
}

export interface ImportJobRepo {
    /** Queues a job; throws ImportAlreadyActiveError when the tenant has one queued or running. */
    create(orgId: string, entities: string[], options?: Record<string, unknown>): Promise<ImportJob>;
    /** The tenant's job, or null (also for another tenant's job id). */
    get(orgId: string, id: string): Promise<ImportJob | null>;
    /** The tenant's queued or running job, or null. */
    running(orgId: string): Promise<ImportJob | null>;
    /**
     * Takes the oldest queued job (or a stalled running one) for this worker; concurrent claimers in
     * any instance get distinct jobs (FOR UPDATE SKIP LOCKED). Null when there is nothing to do.
     */
    claimNext(workerId: string, opts?: ClaimOptions): Promise<ImportJob | null>;
    /** Writes progress; also refreshes the worker's heartbeat. */
    update(id: string, patch: ImportJobPatch): Promise<ImportJob>;
    appendErrors(id: string, errors: readonly ImportJobError[]): Promise<void>;
}

export class ImportAlreadyActiveError extends Error {
    constructor(public readonly job: ImportJob) {
        super(`an import is already ${job.status} for this org (job ${job.id})`);
        this.name = 'ImportAlreadyActiveError';
    }
}

/** How many error rows a job read carries; errorCount has the total. */
const ERRORS_SHOWN = 100;

interface JobRow {
    id: string;
    org_id: string;
    entities: string[];
    options: Record<string, unknown>;
    status: ImportJobStatus;
    done: number;
    total: number;
    counts: ImportJobCounts;
    checkpoint: Record<string, unknown> | null;
    error_count: number;
    started_at: Date | null;
    finished_at: Date | null;
    created_at: Date;
}

const COLUMNS =
    'id, org_id, entities, options, status, done, total, counts, checkpoint, error_count, started_at, finished_at, created_at';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function createImportJobRepo(db: SqlAdapter): ImportJobRepo {
    async function hydrate(row: JobRow): Promise<ImportJob> {
        const errors = await db.query<ImportJobError>(
            'SELECT entity, key, reason FROM import_job_errors WHERE job_id = $1 ORDER BY id LIMIT $2',
            [row.id, ERRORS_SHOWN]
        );
        return {
            id: row.id,
            orgId: row.org_id,
            entities: row.entities,
            options: row.options,
            status: row.status,
            done: Number(row.done),
            total: Number(row.total),
            counts: row.counts,
            checkpoint: row.checkpoint,
            errors,
            errorCount: Number(row.error_count),
            startedAt: toDateOrNull(row.started_at),
            finishedAt: toDateOrNull(row.finished_at),
            createdAt: toDate(row.created_at)
        };
    }

    const repo: ImportJobRepo = {
        async create(orgId, entities, options = {}) {
            const id = randomUUID();
            const rows = await db.query<JobRow>(
                `INSERT INTO import_jobs (id, org_id, entities, options, status)
                 VALUES ($1, $2, $3::jsonb, $4::jsonb, 'queued')
                 ON CONFLICT (org_id) WHERE status IN ('queued', 'running') DO NOTHING
                 RETURNING ${COLUMNS}`,
                [id, orgId, JSON.stringify(entities), JSON.stringify(options)]
            );
            if (rows[0]) return hydrate(rows[0]);
            const active = await repo.running(orgId);
            if (active) throw new ImportAlreadyActiveError(active);
            // The active job finished between the insert and the read: try once more.
            return repo.create(orgId, entities, options);
        },

        async get(orgId, id) {
            if (!UUID.test(id)) return null;
            const rows = await db.query<JobRow>(
                `SELECT ${COLUMNS} FROM import_jobs WHERE id = $1 AND org_id = $2`,
                [id, orgId]
            );
            return rows[0] ? hydrate(rows[0]) : null;
        },

        async running(orgId) {
            const rows = await db.query<JobRow>(
                `SELECT ${COLUMNS} FROM import_jobs WHERE org_id = $1 AND status IN ('queued', 'running')
                 ORDER BY created_at DESC LIMIT 1`,
                [orgId]
            );
            return rows[0] ? hydrate(rows[0]) : null;
        },

        async claimNext(workerId, opts = {}) {
            const stale = opts.staleAfterSeconds ?? 300;
            const rows = await db.query<JobRow>(
                `UPDATE import_jobs SET status = 'running', worker_id = $1, heartbeat_at = now(),
                     started_at = COALESCE(started_at, now())
                 WHERE id = (
                     SELECT id FROM import_jobs
                     WHERE status = 'queued'
                        OR (status = 'running' AND heartbeat_at < now() - make_interval(secs => $2))
                     ORDER BY created_at, id
                     FOR UPDATE SKIP LOCKED
                     LIMIT 1
                 )
                 RETURNING ${COLUMNS}`,
                [workerId, stale]
            );
            return rows[0] ? hydrate(rows[0]) : null;
        },

        async update(id, patch) {
            const sets = ['heartbeat_at = now()'];
            const params: SqlParam[] = [id];
            const set = (column: string, value: SqlParam, cast = '') => {
                params.push(value);
                sets.push(`${column} = $${params.length}${cast}`);
            };
            if (patch.status !== undefined) set('status', patch.status);
            if (patch.done !== undefined) set('done', patch.done);
            if (patch.total !== undefined) set('total', patch.total);
            if (patch.counts !== undefined) set('counts', JSON.stringify(patch.counts), '::jsonb');
            if (patch.checkpoint !== undefined) {
                set(
                    'checkpoint',
                    patch.checkpoint === null ? null : JSON.stringify(patch.checkpoint),
                    '::jsonb'
                );
            }
            if (patch.startedAt !== undefined)
                set('started_at', patch.startedAt?.toISOString() ?? null, '::timestamptz');
            if (patch.finishedAt !== undefined) {
                set('finished_at', patch.finishedAt?.toISOString() ?? null, '::timestamptz');
            }
            const rows = await db.query<JobRow>(
                `UPDATE import_jobs SET ${sets.join(', ')} WHERE id = $1 RETURNING ${COLUMNS}`,
                params
            );
            if (!rows[0]) throw new Error(`no import job ${id}`);
            return hydrate(rows[0]);
        },

        async appendErrors(id, errors) {
            if (errors.length === 0) return;
            await db.transaction(async (tx) => {
                // One multi-row insert per batch of 500 keeps round trips few and parameters bounded.
                for (let i = 0; i < errors.length; i += 500) {
                    const batch = errors.slice(i, i + 500);
                    const params: SqlParam[] = [id];
                    const values = batch.map((e) => {
                        params.push(e.entity, e.key, e.reason);
                        const n = params.length;
                        return `($1, $${n - 2}, $${n - 1}, $${n})`;
                    });
                    await tx.query(
                        `INSERT INTO import_job_errors (job_id, entity, key, reason) VALUES ${values.join(', ')}`,
                        params
                    );
                }
                await tx.query('UPDATE import_jobs SET error_count = error_count + $2 WHERE id = $1', [
                    id,
                    errors.length
                ]);
            });
        }
    };
    return repo;
}
