import type { CallCounter } from '../unleashed/types';
import type { SqlAdapter } from './sql';
import type { QuotaReading } from './types';

export interface QuotaRepo {
    /** Adds calls to the tenant's count for the UTC month of `at` (default now). */
    record(orgId: string, calls: number, at?: Date): Promise<void>;
    read(orgId: string, limit: number, at?: Date): Promise<QuotaReading>;
    /** The counter the Unleashed client reports every call to. */
    counterFor(orgId: string): CallCounter;
}

/** Unleashed resets its allowance at 00:00 UTC on the 1st, so months are UTC months. */
export function quotaMonth(at: Date): string {
    return at.toISOString().slice(0, 7);
}

export function createQuotaRepo(db: SqlAdapter): QuotaRepo {
    const repo: QuotaRepo = {
        async record(orgId, calls, at = new Date()) {
            if (!Number.isInteger(calls) || calls < 0)
                throw new Error(`calls must be a whole number >= 0, got ${calls}`);
            if (calls === 0) return;
            await db.query(
                `INSERT INTO quota_calls (org_id, month, used) VALUES ($1, $2, $3)
                 ON CONFLICT (org_id, month) DO UPDATE SET used = quota_calls.used + EXCLUDED.used`,
                [orgId, quotaMonth(at), calls]
            );
        },
        async read(orgId, limit, at = new Date()) {
            const month = quotaMonth(at);
            const rows = await db.query<{ used: number }>(
                'SELECT used FROM quota_calls WHERE org_id = $1 AND month = $2',
                [orgId, month]
            );
            return { month, used: Number(rows[0]?.used ?? 0), limit };
        },
        counterFor(orgId) {
            return { record: (calls: number) => repo.record(orgId, calls) };
        }
    };
    return repo;
}
