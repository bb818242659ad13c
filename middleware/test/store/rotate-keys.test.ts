import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../src/store';
import { decryptSecret, encryptSecret, keyId } from '../../src/store/crypto';
import { DataDirInUseError, LOCK_FILE } from '../../src/store/data-dir-lock';
import { rotateKeys } from '../../src/store/rotate-keys';

/**
 * Key rotation on the embedded store: the data directory belongs to one process at a time, so a
 * rotation run beside a running server is refused instead of reported done and then lost; and every
 * secret at rest is rotated, the PKCE verifiers of connect flows in progress included.
 */

jest.setTimeout(120_000);

const KEY1 = randomBytes(32);
const KEY2 = randomBytes(32);
const ORG = '00D5g000004ROTATE1';

let root: string;
let dataDir: string;
beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'rotate-keys-'));
    dataDir = join(root, 'data');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const env = () => ({
    MASTER_KEY: KEY2.toString('base64'),
    MASTER_KEYS_PREVIOUS: KEY1.toString('base64'),
    DATA_DIR: dataDir
});

async function seed(): Promise<void> {
    const store = await openStore({ dataDir, masterKey: KEY1 });
    await store.tenants.upsert({ orgId: ORG, unleashed: { apiId: 'id', apiKey: 'key-a' } });
    await store.close();
}

async function blobKeys(): Promise<string[]> {
    const store = await openStore({ dataDir, masterKey: KEY2, previousKeys: [KEY1] });
    try {
        const rows = await store.db.query<{ blob: string }>(
            'SELECT tenant_secret_enc AS blob FROM tenants UNION ALL SELECT unleashed_enc FROM tenants'
        );
        return rows.map((r) => r.blob.split(':')[1]!);
    } finally {
        await store.close();
    }
}

it('refuses to run while the server has the data directory open, and changes nothing', async () => {
    await seed();
    // The running server (old key current, as it was started).
    const server = await openStore({ dataDir, masterKey: KEY1 });
    try {
        await expect(rotateKeys(env())).rejects.toThrow(DataDirInUseError);
        await expect(rotateKeys(env())).rejects.toThrow(
            /data directory .* is in use by this process .*must be stopped while rotate-keys runs/
        );
        // The server goes on reading and writing its tenants as before.
        expect((await server.tenants.get(ORG))!.unleashed).toEqual({ apiId: 'id', apiKey: 'key-a' });
    } finally {
        await server.close();
    }
    expect(await blobKeys()).toEqual([keyId(KEY1), keyId(KEY1)]);

    // Stopped: the rotation runs, and a server with only the new key reads everything.
    expect(await rotateKeys(env())).toBe(`re-encrypted 1 of 1 tenants under master key ${keyId(KEY2)}`);
    expect(await blobKeys()).toEqual([keyId(KEY2), keyId(KEY2)]);
    const restarted = await openStore({ dataDir, masterKey: KEY2 });
    try {
        expect((await restarted.tenants.get(ORG))!.unleashed).toEqual({ apiId: 'id', apiKey: 'key-a' });
    } finally {
        await restarted.close();
    }
    expect(existsSync(join(dataDir, LOCK_FILE))).toBe(false);
});

it('refuses a directory another live process holds, and takes over the lock of one that died', async () => {
    await seed();
    // A server process on this machine that holds the directory (its lock file names its pid).
    const other: ChildProcess = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], {
        stdio: 'ignore'
    });
    const exited = new Promise((resolve) => other.once('exit', resolve));
    try {
        writeFileSync(join(dataDir, LOCK_FILE), JSON.stringify({ pid: other.pid, host: hostname() }));
        await expect(rotateKeys(env())).rejects.toThrow(`is in use by process ${other.pid} on ${hostname()}`);
        await expect(openStore({ dataDir, masterKey: KEY1 })).rejects.toThrow(DataDirInUseError);
    } finally {
        other.kill('SIGKILL');
        await exited;
    }
    // Killed without cleaning up: its lock file stays, names a dead process and is taken over.
    expect(existsSync(join(dataDir, LOCK_FILE))).toBe(true);
    expect(await rotateKeys(env())).toBe(`re-encrypted 1 of 1 tenants under master key ${keyId(KEY2)}`);
});

it('re-encrypts the PKCE verifiers of connect flows in progress', async () => {
    await seed();
    const store = await openStore({ dataDir, masterKey: KEY1 });
    const stateHash = 'a'.repeat(64);
    const context = `oauth_states:${stateHash}`;
    await store.db.query(
        `INSERT INTO oauth_states
             (state_hash, org_id, return_url, login_url, verifier_enc, browser_hash, client_hash, expires_at)
         VALUES ($1, $2, 'https://acme.my.salesforce.com/', 'https://acme.my.salesforce.com', $3,
             repeat('b', 64), repeat('c', 64), now() + interval '10 minutes')`,
        [stateHash, ORG, encryptSecret('the-verifier', KEY1, context)]
    );
    await store.close();

    expect(await rotateKeys(env())).toBe(
        `re-encrypted 1 of 1 tenants under master key ${keyId(KEY2)} (and 1 pending connect flows)`
    );
    const after = await openStore({ dataDir, masterKey: KEY2 });
    try {
        const [row] = await after.db.query<{ verifier_enc: string }>(
            'SELECT verifier_enc FROM oauth_states WHERE state_hash = $1',
            [stateHash]
        );
        // Readable with the new key alone, still bound to its own row.
        expect(decryptSecret(row!.verifier_enc, [KEY2], context).toString('utf8')).toBe('the-verifier');
        expect(() => decryptSecret(row!.verifier_enc, [KEY2], `oauth_states:${'b'.repeat(64)}`)).toThrow();
    } finally {
        await after.close();
    }
});
