import type { RoundingMode } from '../../money/decimal';
import type { OrderStatusRepos, SentOrder } from '../../store/order-status';
import type { UnleashedSalesOrder } from '../../unleashed/schemas';
import type { Locks } from '../orders/service';
import {
    MAX_EVENTS_PER_CALL,
    modifiedOn,
    statusEvent,
    statusKey,
    type OrderStatusEvent,
    type SalesforceEvents
} from './events';

/**
 * The one place that decides what reaches Salesforce: given orders as Unleashed has them now, push
 * an order.status event for each order we sent whose status differs from the one Salesforce shows,
 * plus any event an earlier attempt could not deliver. Webhooks and the poller both come here, under
 * one lock per tenant, so a change is pushed once however it is noticed.
 */

export interface PushReport {
    /** Orders given that we sent. */
    ours: number;
    /** Orders given that this middleware did not send (ignored). */
    notOurs: number;
    unchanged: number;
    /** Older than the state already seen (an out-of-order delivery). */
    stale: number;
    delivered: number;
    failed: number;
    /** Events dropped after too many refusals, or at once when the org refused them for good. */
    abandoned: number;
    /** Of those, the events the org refused for good (a validation rule, a locked record). */
    refused: number;
    /** Orders whose current state was already given up on. */
    givenUp: number;
    /** Size of each events call made. */
    calls: number[];
    /** Order numbers whose state was pushed (their shipments and invoices are read next). */
    changedOrders: string[];
}

export interface StatusPusherDeps {
    repos: Pick<OrderStatusRepos, 'sentOrders'>;
    locks: Locks;
    salesforce: SalesforceEvents;
    rounding: RoundingMode;
    /** Refusals of one event before it is given up (call failures do not count). */
    maxAttempts?: number;
    /** Earlier undelivered events retried per push. */
    pendingBatch?: number;
}

export class StatusPusher {
    constructor(private readonly deps: StatusPusherDeps) {}

    async push(
        orgId: string,
        observed: readonly UnleashedSalesOrder[],
        opts: { includePending?: boolean } = {}
    ): Promise<PushReport> {
        const report: PushReport = {
            ours: 0,
            notOurs: 0,
            unchanged: 0,
            stale: 0,
            delivered: 0,
            failed: 0,
            abandoned: 0,
            refused: 0,
            givenUp: 0,
            calls: [],
            changedOrders: []
        };
        const { sentOrders } = this.deps.repos;
        return this.deps.locks.withLock(`order-status:${orgId}`, async () => {
            // The newest state of each order given (a page may repeat an order across the overlap).
            const latest = new Map<string, UnleashedSalesOrder>();
            for (const o of observed) {
                const guid = o.Guid.toLowerCase();
                const seen = latest.get(guid);
                if (!seen || (modifiedOn(o)?.getTime() ?? 0) >= (modifiedOn(seen)?.getTime() ?? 0)) {
                    latest.set(guid, o);
                }
            }
            const rows = await sentOrders.getMany(orgId, [...latest.keys()]);
            const maxAttempts = this.deps.maxAttempts ?? 5;
            const work: {
                row: SentOrder;
                event: OrderStatusEvent;
                modifiedAt: Date | null;
                /** Refusals so far of the state being pushed. */
                attempts: number;
            }[] = [];
            for (const [guid, order] of latest) {
                const row = rows.get(guid);
                if (!row) {
                    report.notOurs++;
                    continue;
                }
                report.ours++;
                const modifiedAt = modifiedOn(order);
                if (row.modifiedAt && modifiedAt && modifiedAt < row.modifiedAt) {
                    report.stale++;
                    continue;
                }
                const event = statusEvent(row.opportunityId, order, this.deps.rounding, row.status);
                // A custom status name changing under the same status is a change the rep sees too.
                if (
                    statusKey(event.status, event.customStatus) === statusKey(row.status, row.customStatus) &&
                    !row.pending
                ) {
                    report.unchanged++;
                    continue;
                }
                const newer = !row.modifiedAt || !modifiedAt || modifiedAt > row.modifiedAt;
                if (!row.pending && row.attempts >= maxAttempts && !newer) {
                    report.givenUp++;
                    continue;
                }
                if (event.orderNumber) report.changedOrders.push(event.orderNumber);
                // A newer state after giving up starts its own count.
                work.push({ row, event, modifiedAt, attempts: row.pending || !newer ? row.attempts : 0 });
            }
            if (opts.includePending) {
                for (const row of await sentOrders.pending(orgId, this.deps.pendingBatch ?? 1000)) {
                    if (latest.has(row.orderGuid)) continue;
                    work.push({
                        row,
                        event: row.pending as unknown as OrderStatusEvent,
                        modifiedAt: null,
                        attempts: row.attempts
                    });
                }
            }
            if (work.length === 0) return report;

            const results = await this.deps.salesforce.deliver(
                orgId,
                work.map((w) => w.event)
            );
            for (let i = 0; i < work.length; i += MAX_EVENTS_PER_CALL) {
                report.calls.push(Math.min(MAX_EVENTS_PER_CALL, work.length - i));
            }
            for (const [i, { row, event, modifiedAt, attempts: before }] of work.entries()) {
                const r = results[i] ?? { ok: false, error: 'no result', rejected: false, final: false };
                if (r.ok) {
                    await sentOrders.delivered(orgId, row.orderGuid, {
                        status: event.status,
                        customStatus: event.customStatus ?? null,
                        orderNumber: event.orderNumber,
                        modifiedAt
                    });
                    report.delivered++;
                    continue;
                }
                report.failed++;
                // An outage (the call failed as a whole) does not use up the event's attempts; a refusal
                // for good uses them all, so this state is never sent again (a newer one is). The org
                // keeps the status and the reason in its Sync Log, where the rep sees it.
                const attempts =
                    r.rejected && r.final ? Math.max(maxAttempts, before + 1) : before + (r.rejected ? 1 : 0);
                await sentOrders.failed(orgId, row.orderGuid, {
                    event: event as unknown as Record<string, unknown>,
                    error: r.error ?? 'not delivered',
                    modifiedAt,
                    attempts
                });
                if (r.rejected && attempts >= maxAttempts) {
                    await sentOrders.abandon(orgId, row.orderGuid);
                    report.abandoned++;
                    if (r.final) report.refused++;
                }
            }
            return report;
        });
    }
}
