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

export function checkWindowSeconds(windowSeconds: number): void {
    if (!Number.isInteger(windowSeconds) || windowSeconds < 1) {
        throw new Error(`windowSeconds must be a whole number >= 1, got ${windowSeconds}`);
    }
}

/**
 * The one rate-window upsert, as the body of a CTE (`hit`) over a CTE `t` holding the database's
 * epoch seconds (`RATE_CLOCK`). One row per key: a new window resets the count in place, so
 * nothing needs sweeping. `condition` (SQL) decides whether the hit counts at all (the signed-request
 * check counts only requests whose nonce was fresh: see nonces.ts). Returns `used` and `reset_in`.
 */
export function rateWindowHit(keyParam: string, windowParam: string, condition = 'true'): string {
    return `INSERT INTO rate_windows AS w (key, window_start, used)
            SELECT ${keyParam}, (floor(t.now_s / ${windowParam}::int) * ${windowParam}::int)::bigint, 1 FROM t
            WHERE ${condition}
            ON CONFLICT (key) DO UPDATE SET
                used = CASE WHEN w.window_start = EXCLUDED.window_start THEN w.used + 1 ELSE 1 END,
                window_start = EXCLUDED.window_start
            RETURNING used, (window_start + ${windowParam}::int) - (SELECT now_s FROM t) AS reset_in`;
}

/** The CTE `t` rateWindowHit reads the database clock from. */
export const RATE_CLOCK = 't AS (SELECT extract(epoch FROM now())::float8 AS now_s)';

/** A row of rateWindowHit as a RateWindow. */
export function rateWindowOf(row: { used: number | string; reset_in: string | number }): RateWindow {
    return { count: Number(row.used), resetInSeconds: Math.max(0, Number(row.reset_in)) };
}

export function createRateLimitRepo(db: SqlAdapter): RateLimitRepo {
    return {
        async hit(key, windowSeconds) {
            checkWindowSeconds(windowSeconds);
            const rows = await db.query<{ used: number; reset_in: string | number }>(
                `WITH ${RATE_CLOCK}, hit AS (${rateWindowHit('$1', '$2')}) SELECT used, reset_in FROM hit`,
                [key, windowSeconds]
            );
            const row = rows[0];
            if (!row) throw new Error('the rate window upsert returned no row');
            return rateWindowOf(row);
        }
    };
}
