import { loadConfig } from '../config';
import { keyId } from './crypto';
import { openStore, storeConfigFrom } from './index';

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
        const signingKeys = await store.orderStatus.subscriptions.reencryptAll();
        const verifiers = await store.oauthStates.reencryptAll();
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
