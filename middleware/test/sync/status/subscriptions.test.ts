import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, SecretDecryptError } from '../../../src/store';
import { keyId } from '../../../src/store/crypto';
import { createOrderStatusRepos } from '../../../src/store/order-status';
import { rotateKeys } from '../../../src/store/rotate-keys';
import { WebhookSubscriber } from '../../../src/sync/status/subscriptions';
import { startHarness, type Harness } from './harness';

/** Webhook signing keys at rest (encrypted, bound to their row, rotated with the master key) and the subscription flow. */

// Real random keys: configuration refuses placeholder master keys.
const KEY1 = randomBytes(32);
const KEY2 = randomBytes(32);
const ORG = '00D5g000004ROTATEA';
const SIGNING_KEY = 'c2lnbmluZy1rZXktc2hvd24tb25jZQ==';

jest.setTimeout(30_000);

describe('signing keys at rest', () => {
    let dir: string;
    beforeAll(() => {
        dir = mkdtempSync(join(tmpdir(), 'backsync-keys-'));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    test('never stored in clear, bound to their row, rotated by rotate-keys', async () => {
        const s1 = await openStore({ dataDir: dir, masterKey: KEY1 });
        await s1.tenants.upsert({ orgId: ORG });
        const repos1 = createOrderStatusRepos(s1.db, { current: KEY1, previous: [] });
        await repos1.subscriptions.add(ORG, {
            subscriptionId: 'sub-1',
            targetUrl: 'https://connector.example/webhooks/unleashed/' + ORG,
            eventTypes: ['salesorder.updated'],
            signingKey: SIGNING_KEY
        });
        const raw = await s1.db.query<{ signing_key_enc: string }>(
            'SELECT signing_key_enc FROM webhook_subscriptions'
        );
        expect(raw[0]!.signing_key_enc).not.toContain(SIGNING_KEY);
        expect(raw[0]!.signing_key_enc.startsWith(`v1:${keyId(KEY1)}:`)).toBe(true);
        expect(await repos1.subscriptions.signingKeys(ORG)).toEqual([
            { subscriptionId: 'sub-1', signingKey: SIGNING_KEY }
        ]);
        expect(await repos1.subscriptions.list(ORG)).toEqual([
            expect.not.objectContaining({ signingKey: expect.anything() })
        ]);

        // A blob copied under another subscription id does not decrypt.
        await s1.db.query(
            `INSERT INTO webhook_subscriptions (org_id, subscription_id, target_url, event_types, signing_key_enc)
             SELECT org_id, 'sub-copy', target_url, event_types, signing_key_enc FROM webhook_subscriptions`
        );
        await expect(repos1.subscriptions.signingKeys(ORG)).rejects.toThrow(SecretDecryptError);
        expect(await repos1.subscriptions.remove(ORG, 'sub-copy')).toBe(true);
        await s1.close();

        const env = {
            MASTER_KEY: KEY2.toString('base64'),
            MASTER_KEYS_PREVIOUS: KEY1.toString('base64'),
            DATA_DIR: dir
        };
        expect(await rotateKeys(env)).toBe(
            `re-encrypted 1 of 1 tenants under master key ${keyId(KEY2)} (and 1 webhook signing keys)`
        );
        expect(await rotateKeys(env)).toBe(`re-encrypted 0 of 1 tenants under master key ${keyId(KEY2)}`);

        const s2 = await openStore({ dataDir: dir, masterKey: KEY2 });
        try {
            const repos2 = createOrderStatusRepos(s2.db, { current: KEY2, previous: [] });
            expect(await repos2.subscriptions.signingKeys(ORG)).toEqual([
                { subscriptionId: 'sub-1', signingKey: SIGNING_KEY }
            ]);
        } finally {
            await s2.close();
        }
    });
});

describe('the poller subscribes the tenant once', () => {
    let h: Harness;
    beforeAll(async () => {
        h = await startHarness();
    });
    afterAll(() => h?.close());

    test('after the first send, one subscription pointing at this org; its deliveries are accepted', async () => {
        const opp = h.opportunity('Subscribe me');
        const order = await h.send(opp);
        await h.services.statusSync.poller.pollTenant(h.orgId);
        const subs = h.usim.webhooks.list();
        expect(subs).toEqual([
            expect.objectContaining({
                NotificationUrl: `${h.url}/webhooks/unleashed/${h.orgId}`,
                EventTypes: ['salesorder.updated', 'salesorder.deleted']
            })
        ]);
        const stored = await h.services.orderStatus.subscriptions.list(h.orgId);
        expect(stored.map((s) => s.subscriptionId)).toEqual([subs[0]!.SubscriptionId]);

        // Polling again (due again) makes no second subscription.
        await h.services.store.db.query('UPDATE order_status_polls SET next_poll_at = now()');
        await h.services.statusSync.poller.pollTenant(h.orgId);
        expect(h.usim.webhooks.list()).toHaveLength(1);

        await h.unleashed.post(`/SalesOrders/${order.orderGuid}/Complete`, {});
        await h.settle();
        const delivery = h.usim.webhooks.deliveries.at(-1)!;
        // Accepted, so the key stored at subscription is the one Unleashed signs with.
        expect(delivery).toMatchObject({ outcome: 'delivered', status: 200 });
        expect(h.eventCalls().at(-1)).toEqual([
            expect.objectContaining({ opportunityId: opp, status: 'Completed' })
        ]);
    });
});

describe('subscriptions that never wedge the account', () => {
    let h: Harness;
    beforeAll(async () => {
        h = await startHarness();
    });
    afterAll(() => h?.close());
    beforeEach(async () => {
        for (const s of await h.services.orderStatus.subscriptions.list(h.orgId)) {
            await h.services.orderStatus.subscriptions.remove(h.orgId, s.subscriptionId);
        }
        h.usim.webhooks.clear();
    });

    const posts = () =>
        h.usim.calls().filter((c) => c.method === 'POST' && /webhooks\/subscriptions$/i.test(c.path)).length;
    const client = async () => h.services.unleashedFor((await h.services.store.tenants.get(h.orgId))!);
    function subscriber(clock: { now: number }) {
        return new WebhookSubscriber({
            repos: h.services.orderStatus,
            publicUrl: h.url,
            now: () => clock.now
        });
    }

    test('a create answer without a signing key stores the id: an hour later, no second subscription', async () => {
        h.usim.webhooks.setSettings({ signingKeyField: null });
        const before = posts();
        const clock = { now: Date.now() };
        const sub = subscriber(clock);
        const first = await sub.ensure(h.orgId, await client());
        expect(first?.subscriptionId).toBe(h.usim.webhooks.list()[0]!.SubscriptionId);
        // Stored with no key: it verifies nothing.
        expect(await h.services.orderStatus.subscriptions.signingKeys(h.orgId)).toEqual([
            { subscriptionId: first!.subscriptionId, signingKey: '' }
        ]);
        clock.now += 3600_000 + 1;
        expect((await sub.ensure(h.orgId, await client()))?.subscriptionId).toBe(first!.subscriptionId);
        clock.now += 3600_000 + 1;
        await sub.ensure(h.orgId, await client());
        expect(h.usim.webhooks.list()).toHaveLength(1);
        expect(posts()).toBe(before + 1);
    });

    test('a subscription without a signing key is reported at each poll, saying what to do', async () => {
        h.usim.webhooks.setSettings({ signingKeyField: null });
        const warnings: string[] = [];
        const poller = h.services.statusSync.poller;
        poller.start({ warn: (obj, msg) => warnings.push(`${msg}: ${JSON.stringify(obj)}`) });
        await poller.stop();
        await h.send(h.opportunity('No key'));
        await h.services.store.db.query('UPDATE order_status_polls SET next_poll_at = now()');
        await poller.pollTenant(h.orgId);
        const notice = warnings.filter((w) => w.startsWith('webhook subscription not in use'));
        expect(notice.length).toBeGreaterThan(0);
        expect(notice.at(-1)).toMatch(
            /no signing key for webhook subscription .*Delete that subscription in Unleashed/
        );
        // Still one subscription: the notice never leads to a second one.
        expect(h.usim.webhooks.list()).toHaveLength(1);
    });

    test('a delivery for a subscription with no key is refused (polling covers it)', async () => {
        h.usim.webhooks.setSettings({ signingKeyField: null });
        await subscriber({ now: Date.now() }).ensure(h.orgId, await client());
        const body = JSON.stringify({ eventType: 'salesorder.updated', eventNotificationId: 'n-nokey' });
        const ts = String(Math.floor(Date.now() / 1000));
        const res = await fetch(`${h.url}/webhooks/unleashed/${h.orgId}`, {
            method: 'POST',
            headers: {
                'content-type': 'application/json',
                'x-unleashed-timestamp': ts,
                'x-unleashed-signature': h.usim.webhooks.sign('', ts, body)
            },
            body
        });
        expect(res.status).toBe(401);
    });

    test.each(['signingKey', 'Secret'] as const)('takes the signing key named %s', async (field) => {
        h.usim.webhooks.setSettings({ signingKeyField: field });
        const sub = await subscriber({ now: Date.now() }).ensure(h.orgId, await client());
        const keys = await h.services.orderStatus.subscriptions.signingKeys(h.orgId);
        expect(keys).toEqual([
            { subscriptionId: sub!.subscriptionId, signingKey: expect.stringMatching(/.{20,}/) }
        ]);
    });

    test('lists first and reuses ours when the store has lost it: no second subscription', async () => {
        const c = await client();
        const before = posts();
        const lists = () =>
            h.usim.calls().filter((x) => x.method === 'GET' && /webhooks\/subscriptions$/i.test(x.path))
                .length;
        const listedBefore = lists();
        const first = await subscriber({ now: Date.now() }).ensure(h.orgId, c);
        await h.services.orderStatus.subscriptions.remove(h.orgId, first!.subscriptionId);
        const again = await subscriber({ now: Date.now() }).ensure(h.orgId, c);
        expect(again?.subscriptionId).toBe(first!.subscriptionId);
        expect(h.usim.webhooks.list()).toHaveLength(1);
        expect(posts()).toBe(before + 1);
        expect(lists()).toBe(listedBefore + 2);
    });

    test('never creates a sixth: five others already there is a clear refusal, not asked again for an hour', async () => {
        const c = await client();
        for (let i = 0; i < 5; i++) {
            await c.post('/Webhooks/Subscriptions', {
                NotificationUrl: `https://other.example/${i}`,
                EventTypes: ['product.updated']
            });
        }
        const clock = { now: Date.now() };
        const sub = subscriber(clock);
        const before = posts();
        await expect(sub.ensure(h.orgId, c)).rejects.toThrow(
            /already has 5 webhook subscriptions, its limit of 5; delete one in Unleashed/
        );
        expect(await sub.ensure(h.orgId, c)).toBeNull();
        expect(posts()).toBe(before);
        expect(h.usim.webhooks.list()).toHaveLength(5);
    });

    test.each(['pascal', 'camel-object', 'camel-string'] as const)(
        'a %s delivery is verified, read and processed',
        async (payloadStyle) => {
            h.usim.webhooks.setSettings({ payloadStyle });
            const opp = h.opportunity(`Payload ${payloadStyle}`);
            const order = await h.send(opp);
            await subscriber({ now: Date.now() }).ensure(h.orgId, await client());
            await h.unleashed.post(`/SalesOrders/${order.orderGuid}/Complete`, {});
            await h.settle();
            const delivery = h.usim.webhooks.deliveries.at(-1)!;
            expect(delivery).toMatchObject({ outcome: 'delivered', status: 200 });
            if (payloadStyle === 'pascal') expect(JSON.parse(delivery.body)).toHaveProperty('EventType');
            expect(h.eventCalls().at(-1)).toEqual([
                expect.objectContaining({ opportunityId: opp, status: 'Completed' })
            ]);
        }
    );
});
