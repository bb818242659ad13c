import type { SqlAdapter } from './sql';

export interface IdempotencyRepo {
    /**
     * Runs fn while no other caller, in this or any instance sharing the database, runs with the same
     * key: concurrent sends of one Opportunity serialise instead of racing. Not re-entrant.
     */
    withLock<T>(key: string, fn: () => Promise<T>): Promise<T>;
    /** The result remembered for (orgId, key), or null. */
    get<T = unknown>(orgId: string, key: string): Promise<T | null>;
    /** Remembers a result for (orgId, key), replacing an earlier one. */
    put(orgId: string, key: string, result: unknown): Promise<void>;
}

export function createIdempotencyRepo(db: SqlAdapter): IdempotencyRepo {
    return {
        withLock: (key, fn) => db.withLock(`idempotency:${key}`, fn),
        async get<T>(orgId: string, key: string) {
            const rows = await db.query<{ result: T }>(
                'SELECT result FROM idempotency_records WHERE org_id = $1 AND key = $2',
                [orgId, key]
            );
            return rows[0]?.result ?? null;
        },
        async put(orgId, key, result) {
            await db.query(
                `INSERT INTO idempotency_records (org_id, key, result) VALUES ($1, $2, $3::jsonb)
                 ON CONFLICT (org_id, key) DO UPDATE SET result = EXCLUDED.result, created_at = now()`,
                [orgId, key, JSON.stringify(result)]
            );
        }
    };
}
