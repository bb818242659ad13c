import { checkWindowSeconds, RATE_CLOCK, rateWindowHit, rateWindowOf, type RateWindow } from './rate-limits';
import type { SqlAdapter } from './sql';

export interface NonceRepo {
    /** Records a nonce until expiresAt; false when it was already seen (a replay). Atomic across instances. */
    claim(orgId: string, nonce: string, expiresAt: Date): Promise<boolean>;
    /**
     * claim() and, only when the nonce was fresh, one hit on the shared rate window `rate.key`
     * (rate-limits.ts), in one statement: the signed-request check's one round trip to the store.
     * A replay is refused without spending the tenant's budget, as with the two calls in turn.
     */
    claimAndCount(
        orgId: string,
        nonce: string,
        expiresAt: Date,
        rate: { key: string; windowSeconds: number }
    ): Promise<{ claimed: false } | { claimed: true; window: RateWindow }>;
    /** Deletes expired nonces; returns how many. */
    purgeExpired(now?: Date): Promise<number>;
}

/** Expired nonces are swept at most this often, as a side effect of claims. */
const PURGE_EVERY_MS = 60_000;

/**
 * ON CONFLICT makes the first writer win even when two instances race on one nonce. A nonce whose
 * record expired may be claimed again: its timestamp is then too old to pass anyway.
 */
const CLAIM = `INSERT INTO nonces (org_id, nonce, expires_at) VALUES ($1, $2, $3::timestamptz)
    ON CONFLICT (org_id, nonce) DO UPDATE SET expires_at = EXCLUDED.expires_at
        WHERE nonces.expires_at <= now()
    RETURNING nonce`;

export function createNonceRepo(db: SqlAdapter): NonceRepo {
    let lastPurge = 0;
    const sweep = async () => {
        const now = Date.now();
        if (now - lastPurge > PURGE_EVERY_MS) {
            lastPurge = now;
            await repo.purgeExpired(new Date(now));
        }
    };
    const repo: NonceRepo = {
        async claim(orgId, nonce, expiresAt) {
            await sweep();
            const rows = await db.query(CLAIM, [orgId, nonce, expiresAt.toISOString()]);
            return rows.length === 1;
        },
        async claimAndCount(orgId, nonce, expiresAt, rate) {
            checkWindowSeconds(rate.windowSeconds);
            await sweep();
            // Data-modifying CTEs share one snapshot and see each other's RETURNING rows: the hit
            // happens only when the claim returned its row.
            const rows = await db.query<{ claimed: number; used: number | null; reset_in: number | null }>(
                `WITH claimed AS (${CLAIM}), ${RATE_CLOCK},
                     hit AS (${rateWindowHit('$4', '$5', 'EXISTS (SELECT 1 FROM claimed)')})
                 SELECT (SELECT count(*) FROM claimed)::int AS claimed, hit.used, hit.reset_in
                 FROM (SELECT 1) AS one LEFT JOIN hit ON true`,
                [orgId, nonce, expiresAt.toISOString(), rate.key, rate.windowSeconds]
            );
            const row = rows[0];
            if (!row) throw new Error('the nonce claim returned no row');
            if (Number(row.claimed) !== 1) return { claimed: false };
            if (row.used === null || row.reset_in === null) {
                throw new Error('the rate window upsert returned no row for a fresh nonce');
            }
            return { claimed: true, window: rateWindowOf({ used: row.used, reset_in: row.reset_in }) };
        },
        async purgeExpired(now = new Date()) {
            const rows = await db.query(
                'DELETE FROM nonces WHERE expires_at <= $1::timestamptz RETURNING nonce',
                [now.toISOString()]
            );
            return rows.length;
        }
    };
    return repo;
}
