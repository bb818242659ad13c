import { loadConfig } from '../config';
import { blobKeyId, decryptSecret, encryptSecret, keyId } from './crypto';
import { openStore, storeConfigFrom } from './index';
import { createOrderStatusRepos } from './order-status';
import type { SqlAdapter } from './sql';
import type { MasterKeys } from './tenants';

/**
 * Re-encrypts every stored secret under MASTER_KEY: tenants' secrets, webhook signing keys and the
 * PKCE verifiers of connect flows in progress. Run after moving the old key into
 * MASTER_KEYS_PREVIOUS; once it reports success the old key can be dropped from the environment.
 *   MASTER_KEY=<new> MASTER_KEYS_PREVIOUS=<old> node dist/store/rotate-keys.js
 * On the embedded store the middleware must be stopped first: the data directory's lock refuses to
 * open it beside a running server (whose own writes would undo the rotation).
 */
export async function rotateKeys(env: Record<string, string | undefined> = process.env): Promise<string> {
    const storeConfig = storeConfigFrom(loadConfig(env));
    const store = await openStore(storeConfig);
    try {
        const rows = await store.db.query<{ n: number }>('SELECT count(*)::int AS n FROM tenants');
        const changed = await store.tenants.reencryptAll();
        const keys = { current: storeConfig.masterKey, previous: storeConfig.previousKeys ?? [] };
        const signingKeys = await createOrderStatusRepos(store.db, keys).subscriptions.reencryptAll();
        const verifiers = await reencryptOauthStates(store.db, keys);
        const also = [
            signingKeys > 0 ? `${signingKeys} webhook signing keys` : '',
            verifiers > 0 ? `${verifiers} pending connect flows` : ''
        ].filter(Boolean);
        return (
            `re-encrypted ${changed} of ${rows[0]?.n ?? 0} tenants under master key ${keyId(storeConfig.masterKey)}` +
            (also.length > 0 ? ` (and ${also.join(' and ')})` : '')
        );
    } finally {
        await store.close();
    }
}

/**
 * The PKCE verifier of each connect flow started under an older key (table oauth_states, bound to
 * its state hash). A row the callback uses or deletes meanwhile is left as it is.
 */
export async function reencryptOauthStates(db: SqlAdapter, keys: MasterKeys): Promise<number> {
    const currentId = keyId(keys.current);
    const allKeys = [keys.current, ...keys.previous];
    const rows = await db.query<{ state_hash: string; verifier_enc: string }>(
        'SELECT state_hash, verifier_enc FROM oauth_states'
    );
    let changed = 0;
    for (const r of rows) {
        if (blobKeyId(r.verifier_enc) === currentId) continue;
        const context = `oauth_states:${r.state_hash}`;
        const next = encryptSecret(decryptSecret(r.verifier_enc, allKeys, context), keys.current, context);
        const updated = await db.query(
            'UPDATE oauth_states SET verifier_enc = $3 WHERE state_hash = $1 AND verifier_enc = $2 RETURNING 1',
            [r.state_hash, r.verifier_enc, next]
        );
        changed += updated.length;
    }
    return changed;
}

if (require.main === module) {
    rotateKeys().then(
        (message) => process.stdout.write(`${message}\n`),
        (err: unknown) => {
            // The message only: never a stack with values in it, never a key.
            process.stderr.write(`rotate-keys failed: ${err instanceof Error ? err.message : String(err)}\n`);
            process.exit(1);
        }
    );
}
