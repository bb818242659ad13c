import type { SqlAdapter } from './sql';

export interface NonceRepo {
    /** Records a nonce until expiresAt; false when it was already seen (a replay). Atomic across instances. */
    claim(orgId: string, nonce: string, expiresAt: Date): Promise<boolean>;
    /** Deletes expired nonces; returns how many. */
    purgeExpired(now?: Date): Promise<number>;
}

/** Expired nonces are swept at most this often, as a side effect of claims. */
const PURGE_EVERY_MS = 60_000;

export function createNonceRepo(db: SqlAdapter): NonceRepo {
    let lastPurge = 0;
    const repo: NonceRepo = {
        async claim(orgId, nonce, expiresAt) {
            const now = Date.now();
            if (now - lastPurge > PURGE_EVERY_MS) {
                lastPurge = now;
                await repo.purgeExpired(new Date(now));
            }
            // ON CONFLICT makes the first writer win even when two instances race on one nonce. A nonce
            // whose record expired may be claimed again: its timestamp is then too old to pass anyway.
            const rows = await db.query(
                `INSERT INTO nonces (org_id, nonce, expires_at) VALUES ($1, $2, $3::timestamptz)
                 ON CONFLICT (org_id, nonce) DO UPDATE SET expires_at = EXCLUDED.expires_at
                     WHERE nonces.expires_at <= now()
                 RETURNING nonce`,
                [orgId, nonce, expiresAt.toISOString()]
            );
            return rows.length === 1;
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
