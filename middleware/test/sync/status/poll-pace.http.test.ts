import { startHarness, type Harness } from './harness';

/**
 * Each status poll is an Unleashed call. While a tenant's webhook subscription is in use and the
 * webhooks deliver every change before the poll sees it, the tenant is polled every
 * ORDER_STATUS_POLL_SECONDS_WITH_WEBHOOKS; a change the webhooks missed brings it back to
 * ORDER_STATUS_POLL_SECONDS, and without webhooks that is the only pace.
 */

jest.setTimeout(30_000);
const FAST = 300;
const SLOW = 3600;

let h: Harness;
afterEach(() => h?.close());

/** Seconds until the tenant's next poll (database clock). */
async function nextPollIn(): Promise<number> {
    const [row] = await h.services.store.db.query<{ s: number }>(
        'SELECT extract(epoch FROM next_poll_at - now())::float8 AS s FROM order_status_polls WHERE org_id = $1',
        [h.orgId]
    );
    return Number(row!.s);
}

/** Polls the tenant now, as if its next poll were due. */
async function pollNow() {
    await h.services.store.db.query('UPDATE order_status_polls SET next_poll_at = now() WHERE org_id = $1', [
        h.orgId
    ]);
    const reports = await h.services.statusSync.poller.pollDue();
    expect(reports.map((r) => r.orgId)).toEqual([h.orgId]);
    return reports[0]!;
}

const config = {
    ORDER_STATUS_POLL_SECONDS: String(FAST),
    ORDER_STATUS_POLL_SECONDS_WITH_WEBHOOKS: String(SLOW)
};

test('polls hourly while webhooks keep up, at the usual pace after a change they missed', async () => {
    h = await startHarness({ config });
    const first = await h.send(h.opportunity('Pace: first'));
    // The first poll subscribes; nothing changed since the send.
    expect(await h.services.statusSync.poller.pollDue()).toEqual([
        expect.objectContaining({ orgId: h.orgId, delivered: 0 })
    ]);
    expect(h.usim.webhooks.list()).toHaveLength(1);
    expect(await nextPollIn()).toBeGreaterThan(SLOW - 60);

    // Deliveries stop: the poll finds the change and polling goes back to the usual pace.
    h.usim.webhooks.setSettings({ enabled: false });
    await h.unleashed.post(`/SalesOrders/${first.orderGuid}/Complete`, {});
    await h.settle();
    expect(await pollNow()).toMatchObject({ delivered: 1 });
    const fast = await nextPollIn();
    expect(fast).toBeGreaterThan(FAST - 60);
    expect(fast).toBeLessThanOrEqual(FAST);

    // Deliveries resume and carry the next change before the poll: hourly again.
    h.usim.webhooks.setSettings({ enabled: true });
    const second = await h.send(h.opportunity('Pace: second'));
    await h.unleashed.put(`/SalesOrders/${second.orderGuid}`, { OrderStatus: 'Placed' });
    await h.settle();
    expect(h.eventCalls().flat()).toContainEqual(
        expect.objectContaining({ orderGuid: second.orderGuid, status: 'Placed' })
    );
    expect(await pollNow()).toMatchObject({ delivered: 0, failed: 0 });
    expect(await nextPollIn()).toBeGreaterThan(SLOW - 60);
});

test('without webhooks (no public URL) polls at the usual pace even when nothing changed', async () => {
    h = await startHarness({ config, publicUrl: false });
    await h.send(h.opportunity('Pace: no webhooks'));
    expect(await h.services.statusSync.poller.pollDue()).toEqual([
        expect.objectContaining({ orgId: h.orgId, delivered: 0 })
    ]);
    const next = await nextPollIn();
    expect(next).toBeGreaterThan(FAST - 60);
    expect(next).toBeLessThanOrEqual(FAST);
});
