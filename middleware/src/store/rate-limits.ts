import type { SqlAdapter } from './sql';

export interface RateWindow {
    /** Hits in the current window, this one included. */
    count: number;
    /** Seconds until the window ends and the count starts again. */
    resetInSeconds: number;
}

export interface RateLimitRepo {
    /**
     * Counts one hit for `key` in the current fixed window of `windowSeconds`, shared by every
     * instance on the database: one atomic upsert, timed by the database clock so instances whose
     * clocks differ still agree on the window.
     */
    hit(key: string, windowSeconds: number): Promise<RateWindow>;
}

export function createRateLimitRepo(db: SqlAdapter): RateLimitRepo {
    return {
        async hit(key, windowSeconds) {
            if (!Number.isInteger(windowSeconds) || windowSeconds < 1) {
                throw new Error(`windowSeconds must be a whole number >= 1, got ${windowSeconds}`);
            }
            // One row per key: a new window resets the count in place, so nothing needs sweeping.
            const rows = await db.query<{ used: number; reset_in: string | number }>(
                `WITH t AS (SELECT extract(epoch FROM now())::float8 AS now_s)
                 INSERT INTO rate_windows AS w (key, window_start, used)
                 SELECT $1, (floor(t.now_s / $2::int) * $2::int)::bigint, 1 FROM t
                 ON CONFLICT (key) DO UPDATE SET
                     used = CASE WHEN w.window_start = EXCLUDED.window_start THEN w.used + 1 ELSE 1 END,
                     window_start = EXCLUDED.window_start
                 RETURNING used, (window_start + $2::int) - (SELECT now_s FROM t) AS reset_in`,
                [key, windowSeconds]
            );
            const row = rows[0];
            if (!row) throw new Error('the rate window upsert returned no row');
            return { count: Number(row.used), resetInSeconds: Math.max(0, Number(row.reset_in)) };
        }
    };
}
