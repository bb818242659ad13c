import { blobKeyId, decryptSecret, encryptSecret, keyId } from './crypto';
import type { SqlAdapter } from './sql';
import type { MasterKeys } from './tenants';

/**
 * Connect flows started in a browser and not finished yet (table oauth_states), shared by every
 * instance so the callback may reach any of them. A row is keyed by the SHA-256 of the state; the
 * PKCE verifier is encrypted under the master key, bound to that row.
 */

export interface OAuthStateStart {
    /** SHA-256 (hex) of the state sent to Salesforce. */
    stateHash: string;
    orgId: string;
    returnUrl: string;
    loginUrl: string;
    codeVerifier: string;
    /** SHA-256 (hex) of the browser's connect cookie. */
    browserHash: string;
    /** SHA-256 (hex) of the address the start came from. */
    clientHash: string;
    expiresAt: Date;
}

export interface OAuthState {
    orgId: string;
    returnUrl: string;
    loginUrl: string;
    codeVerifier: string;
    browserHash: string;
    expiresAt: Date;
    usedAt: Date | null;
}

/** How many unfinished connects may be pending at once: on the whole service, and per address. */
export interface PendingCaps {
    total: number;
    perClient: number;
}

export type StartOutcome = 'created' | 'total-cap' | 'client-cap';

export interface OAuthStateRepo {
    /** Records a start unless the pending caps are reached (checked in the same statement). */
    create(start: OAuthStateStart, caps: PendingCaps, now: Date): Promise<StartOutcome>;
    find(stateHash: string): Promise<OAuthState | null>;
    /** Marks a state used; false when another request used it first (on any instance). */
    markUsed(stateHash: string, at: Date): Promise<boolean>;
    /** Deletes states that expired before `before`; returns how many. */
    purgeExpired(before: Date): Promise<number>;
    /** Re-encrypts every verifier not under the current master key (key rotation); returns how many. */
    reencryptAll(): Promise<number>;
}

interface Row {
    org_id: string;
    return_url: string;
    login_url: string;
    verifier_enc: string;
    browser_hash: string;
    expires_at: Date | string;
    used_at: Date | string | null;
}

const context = (stateHash: string) => `oauth_states:${stateHash}`;

export function createOAuthStateRepo(db: SqlAdapter, keys: MasterKeys): OAuthStateRepo {
    const allKeys = [keys.current, ...keys.previous];
    /** Unfinished, unexpired states; `$now` and `$client` name the parameters to use. */
    const pending = (now: string, client?: string) =>
        `SELECT count(*) FROM oauth_states WHERE used_at IS NULL AND expires_at > ${now}::timestamptz` +
        (client ? ` AND client_hash = ${client}` : '');
    return {
        async create(s, caps, now) {
            // One statement, so concurrent starts on one database cannot both pass a full cap by much.
            const rows = await db.query(
                `INSERT INTO oauth_states
                     (state_hash, org_id, return_url, login_url, verifier_enc, browser_hash, client_hash, expires_at)
                 SELECT $1, $2, $3, $4, $5, $6, $7, $8::timestamptz
                 WHERE (${pending('$11')}) < $9 AND (${pending('$11', '$7')}) < $10
                 RETURNING state_hash`,
                [
                    s.stateHash,
                    s.orgId,
                    s.returnUrl,
                    s.loginUrl,
                    encryptSecret(s.codeVerifier, keys.current, context(s.stateHash)),
                    s.browserHash,
                    s.clientHash,
                    s.expiresAt.toISOString(),
                    caps.total,
                    caps.perClient,
                    now.toISOString()
                ]
            );
            if (rows.length === 1) return 'created';
            const [fromClient] = await db.query<{ count: number | string }>(pending('$2', '$1'), [
                s.clientHash,
                now.toISOString()
            ]);
            return Number(fromClient?.count ?? 0) >= caps.perClient ? 'client-cap' : 'total-cap';
        },
        async find(stateHash) {
            const [row] = await db.query<Row>(
                `SELECT org_id, return_url, login_url, verifier_enc, browser_hash, expires_at, used_at
                 FROM oauth_states WHERE state_hash = $1`,
                [stateHash]
            );
            if (!row) return null;
            return {
                orgId: row.org_id,
                returnUrl: row.return_url,
                loginUrl: row.login_url,
                codeVerifier: decryptSecret(row.verifier_enc, allKeys, context(stateHash)).toString('utf8'),
                browserHash: row.browser_hash,
                expiresAt: new Date(row.expires_at),
                usedAt: row.used_at === null ? null : new Date(row.used_at)
            };
        },
        async markUsed(stateHash, at) {
            const rows = await db.query(
                'UPDATE oauth_states SET used_at = $2 WHERE state_hash = $1 AND used_at IS NULL RETURNING state_hash',
                [stateHash, at.toISOString()]
            );
            return rows.length === 1;
        },
        async purgeExpired(before) {
            const rows = await db.query(
                'DELETE FROM oauth_states WHERE expires_at < $1 RETURNING state_hash',
                [before.toISOString()]
            );
            return rows.length;
        },
        async reencryptAll() {
            const currentId = keyId(keys.current);
            const rows = await db.query<{ state_hash: string; verifier_enc: string }>(
                'SELECT state_hash, verifier_enc FROM oauth_states'
            );
            let changed = 0;
            for (const row of rows) {
                if (blobKeyId(row.verifier_enc) === currentId) continue;
                const plain = decryptSecret(row.verifier_enc, allKeys, context(row.state_hash));
                const done = await db.query(
                    'UPDATE oauth_states SET verifier_enc = $2 WHERE state_hash = $1 AND verifier_enc = $3 RETURNING state_hash',
                    [
                        row.state_hash,
                        encryptSecret(plain, keys.current, context(row.state_hash)),
                        row.verifier_enc
                    ]
                );
                changed += done.length;
            }
            return changed;
        }
    };
}
