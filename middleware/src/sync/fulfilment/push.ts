import type { RoundingMode } from '../../money/decimal';
import type { FulfilmentKind, FulfilmentRepos } from '../../store/fulfilment';
import type { OrderStatusRepos, SentOrder } from '../../store/order-status';
import type { UnleashedInvoice, UnleashedSalesShipment } from '../../unleashed/schemas';
import type { Locks } from '../orders/service';
import type { SalesforceEvents } from '../status/events';
import type { CourierTable } from './couriers';
import { fingerprint, invoiceEvent, modifiedOf, shipmentEvent, type FulfilmentEvent } from './events';

/**
 * The one place that decides which shipments and invoices reach Salesforce: given documents as
 * Unleashed has them now, keep those of orders this org sent, and push an event for each whose
 * shown state (its fingerprint) differs from the one Salesforce accepted, plus events an earlier
 * attempt could not deliver. Webhooks and the poller both come here, under one lock per tenant,
 * so a change is pushed once however often it is seen. Retries follow the order status rules: an
 * outage costs no attempt, a refusal one, a refusal for good all of them.
 */

export interface FulfilmentReport {
    ours: number;
    notOurs: number;
    unchanged: number;
    stale: number;
    delivered: number;
    failed: number;
    abandoned: number;
    /** Size of each events call made. */
    calls: number[];
}

interface Work {
    kind: FulfilmentKind;
    guid: string;
    orderGuid: string;
    event: FulfilmentEvent;
    fingerprint: string;
    modifiedAt: Date | null;
    attempts: number;
}

export interface FulfilmentPusherDeps {
    repos: { sentOrders: Pick<OrderStatusRepos['sentOrders'], 'getMany' | 'getManyByNumber'> } & {
        docs: FulfilmentRepos['docs'];
    };
    locks: Locks;
    salesforce: SalesforceEvents;
    rounding: RoundingMode;
    couriers: CourierTable;
    maxAttempts?: number;
}

export class FulfilmentPusher {
    constructor(private readonly deps: FulfilmentPusherDeps) {}

    async push(
        orgId: string,
        observed: { shipments?: readonly UnleashedSalesShipment[]; invoices?: readonly UnleashedInvoice[] },
        opts: { includePending?: boolean } = {}
    ): Promise<FulfilmentReport> {
        const report: FulfilmentReport = {
            ours: 0,
            notOurs: 0,
            unchanged: 0,
            stale: 0,
            delivered: 0,
            failed: 0,
            abandoned: 0,
            calls: []
        };
        const { sentOrders, docs } = this.deps.repos;
        const max = this.deps.maxAttempts ?? 5;
        return this.deps.locks.withLock(`fulfilment:${orgId}`, async () => {
            const shipments = newest(observed.shipments ?? []);
            const invoices = newest(observed.invoices ?? []);
            const byGuid = await sentOrders.getMany(orgId, [
                ...shipments.map((s) => s.OrderGuid ?? ''),
                ...invoices.map((i) => i.SalesOrderGuid ?? '')
            ]);
            const byNumber = await sentOrders.getManyByNumber(orgId, [
                ...shipments.map((s) => s.OrderNumber ?? ''),
                ...invoices.map((i) => i.OrderNumber ?? '')
            ]);
            const orderOf = (
                guid: string | null | undefined,
                number: string | null | undefined
            ): SentOrder | null =>
                (guid ? byGuid.get(guid.toLowerCase()) : undefined) ??
                (number ? byNumber.get(number) : undefined) ??
                null;

            const candidates: Omit<Work, 'attempts'>[] = [];
            for (const s of shipments) {
                const o = orderOf(s.OrderGuid, s.OrderNumber);
                if (!o) {
                    report.notOurs++;
                    continue;
                }
                const event = shipmentEvent(o, s, this.deps.couriers);
                candidates.push({
                    kind: 'shipment',
                    guid: event.shipmentGuid,
                    orderGuid: o.orderGuid,
                    event,
                    fingerprint: fingerprint(event),
                    modifiedAt: modifiedOf(s)
                });
            }
            for (const inv of invoices) {
                const o = orderOf(inv.SalesOrderGuid, inv.OrderNumber);
                if (!o) {
                    report.notOurs++;
                    continue;
                }
                const event = invoiceEvent(o, inv, this.deps.rounding);
                candidates.push({
                    kind: 'invoice',
                    guid: event.invoiceGuid,
                    orderGuid: o.orderGuid,
                    event,
                    fingerprint: fingerprint(event),
                    modifiedAt: modifiedOf(inv)
                });
            }
            const known = new Map<string, Awaited<ReturnType<typeof docs.getMany>>>();
            for (const kind of ['shipment', 'invoice'] as const) {
                known.set(
                    kind,
                    await docs.getMany(
                        orgId,
                        kind,
                        candidates.filter((c) => c.kind === kind).map((c) => c.guid)
                    )
                );
            }
            const work: Work[] = [];
            for (const c of candidates) {
                report.ours++;
                const doc = known.get(c.kind)?.get(c.guid);
                if (doc?.modifiedAt && c.modifiedAt && c.modifiedAt < doc.modifiedAt) {
                    report.stale++;
                    continue;
                }
                if (doc && !doc.pending && doc.deliveredFingerprint === c.fingerprint) {
                    report.unchanged++;
                    continue;
                }
                // The same state given up on earlier is not tried again; a different one starts afresh.
                const same = doc?.pendingFingerprint === c.fingerprint;
                if (doc && !doc.pending && same && doc.attempts >= max) {
                    report.unchanged++;
                    continue;
                }
                work.push({ ...c, attempts: same ? (doc?.attempts ?? 0) : 0 });
            }
            if (opts.includePending) {
                const seen = new Set(work.map((w) => `${w.kind}:${w.guid}`));
                for (const doc of await docs.pending(orgId, 1000)) {
                    if (seen.has(`${doc.kind}:${doc.guid}`) || !doc.pending || !doc.pendingFingerprint)
                        continue;
                    if (candidates.some((c) => c.kind === doc.kind && c.guid === doc.guid)) continue;
                    work.push({
                        kind: doc.kind,
                        guid: doc.guid,
                        orderGuid: doc.orderGuid,
                        event: doc.pending as unknown as FulfilmentEvent,
                        fingerprint: doc.pendingFingerprint,
                        modifiedAt: null,
                        attempts: doc.attempts
                    });
                }
            }
            if (work.length === 0) return report;

            const results = await this.deps.salesforce.deliver(
                orgId,
                work.map((w) => w.event)
            );
            for (let i = 0; i < work.length; i += 200) report.calls.push(Math.min(200, work.length - i));
            for (const [i, w] of work.entries()) {
                const r = results[i] ?? { ok: false, error: 'no result', rejected: false, final: false };
                if (r.ok) {
                    await docs.delivered(orgId, { ...w, fingerprint: w.fingerprint });
                    report.delivered++;
                    continue;
                }
                report.failed++;
                const attempts =
                    r.rejected && r.final ? Math.max(max, w.attempts + 1) : w.attempts + (r.rejected ? 1 : 0);
                await docs.failed(orgId, {
                    ...w,
                    event: w.event as unknown as Record<string, unknown>,
                    error: r.error ?? 'not delivered',
                    attempts
                });
                if (r.rejected && attempts >= max) {
                    await docs.abandon(orgId, w.kind, w.guid);
                    report.abandoned++;
                }
            }
            return report;
        });
    }
}

/** The newest state of each document given (lists overlap across pages and polls). */
function newest<T extends { Guid: string; LastModifiedOn?: string | null }>(items: readonly T[]): T[] {
    const out = new Map<string, T>();
    for (const d of items) {
        const key = d.Guid.toLowerCase();
        const seen = out.get(key);
        if (!seen || (modifiedOf(d)?.getTime() ?? 0) >= (modifiedOf(seen)?.getTime() ?? 0)) out.set(key, d);
    }
    return [...out.values()];
}
