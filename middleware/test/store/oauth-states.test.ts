import { openStore, storeOn, type Store } from '../../src/store';

/** The oauth_states repository: caps in one statement, single use, and key rotation of verifiers. */

const oldKey = Buffer.alloc(32, 1);
const newKey = Buffer.alloc(32, 2);
const now = new Date('2026-12-04T10:00:00Z');
const start = (n: number, client = 'client-a') => ({
    stateHash: `hash-${n}`,
    orgId: '00D5g00000UNLSHAAA',
    returnUrl: 'https://acme.my.salesforce.com/lightning/n/x',
    loginUrl: 'https://acme.my.salesforce.com',
    codeVerifier: `verifier-${n}`,
    browserHash: 'browser',
    clientHash: client,
    expiresAt: new Date(now.getTime() + 600_000)
});

let store: Store;
beforeAll(async () => {
    store = await openStore({ dataDir: 'memory://', masterKey: oldKey });
});
afterAll(async () => {
    await store.close();
});
beforeEach(async () => {
    await store.db.query('DELETE FROM oauth_states');
});

it('refuses a start past the per-client cap, then past the total cap', async () => {
    const caps = { total: 3, perClient: 2 };
    expect(await store.oauthStates.create(start(1), caps, now)).toBe('created');
    expect(await store.oauthStates.create(start(2), caps, now)).toBe('created');
    expect(await store.oauthStates.create(start(3), caps, now)).toBe('client-cap');
    expect(await store.oauthStates.create(start(4, 'client-b'), caps, now)).toBe('created');
    expect(await store.oauthStates.create(start(5, 'client-c'), caps, now)).toBe('total-cap');
    // A used state no longer counts.
    expect(await store.oauthStates.markUsed('hash-1', now)).toBe(true);
    expect(await store.oauthStates.markUsed('hash-1', now)).toBe(false);
    expect(await store.oauthStates.create(start(5, 'client-c'), caps, now)).toBe('created');
    expect((await store.db.query('SELECT 1 FROM oauth_states')).length).toBe(4);
});

it('re-encrypts verifiers under the new master key, readable with it alone', async () => {
    await store.oauthStates.create(start(1), { total: 10, perClient: 10 }, now);
    const rotated = storeOn(store.db, { masterKey: newKey, previousKeys: [oldKey] });
    expect(await rotated.oauthStates.reencryptAll()).toBe(1);
    expect(await rotated.oauthStates.reencryptAll()).toBe(0);
    const newOnly = storeOn(store.db, { masterKey: newKey });
    expect((await newOnly.oauthStates.find('hash-1'))!.codeVerifier).toBe('verifier-1');
    await expect(store.oauthStates.find('hash-1')).rejects.toThrow();
});
