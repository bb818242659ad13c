import { randomUUID } from 'node:crypto';
import type { OrderStatusRepos } from '../../store/order-status';
import type { Tenant } from '../../store/types';
import { formatFilterDate } from '../../unleashed/dates';
import { SalesOrderSchema, type UnleashedSalesOrder } from '../../unleashed/schemas';
import type { UnleashedClient } from '../../unleashed/types';
import { modifiedOn } from './events';
import type { PushReport, StatusPusher } from './push';
import type { TenantRepo } from '../../store/tenants';
import type { FulfilmentSync } from '../fulfilment/sync';

/**
 * The polling fallback (Unleashed's own FAQ says to poll): per tenant with sent orders, every
 * `intervalSeconds` (every `webhookIntervalSeconds` while the tenant's webhooks deliver what
 * changes), ask `SalesOrders?modifiedSince=` (1000 a page, every page), keep the orders we
 * sent, and push what changed in batched events calls. A lease in the store makes one instance
 * poll a tenant at a time and spaces polls by the interval across all instances. The watermark is
 * Unleashed's own LastModifiedOn (no clock skew between us and Unleashed), read back with an
 * overlap; undelivered events stay in the store and are retried by the next poll.
 */

/**
 * Without an orderStatus filter Unleashed leaves Deleted orders out (documented), so a deleted order
 * would never reach its Opportunity: the poll names every standard status. An account's own status
 * names are a separate field (CustomOrderStatus) and do not need naming here.
 */
export const POLLED_STATUSES = 'Parked,Placed,Backordered,Completed,Deleted';

export interface PollReport extends PushReport {
    orgId: string;
    /** Orders Unleashed returned (all pages). */
    seen: number;
    pages: number;
    modifiedSince: string;
}

interface Log {
    warn(obj: object, msg: string): void;
}

export interface StatusPollerDeps {
    tenants: Pick<TenantRepo, 'get'>;
    repos: Pick<OrderStatusRepos, 'polls' | 'sentOrders'> & Partial<Pick<OrderStatusRepos, 'inbox'>>;
    pusher: StatusPusher;
    unleashedFor(tenant: Tenant): Promise<UnleashedClient>;
    /** Seconds between polls of one tenant; 0 turns polling off. */
    intervalSeconds: number;
    /**
     * Seconds until the next poll of a tenant whose webhooks are in use (beforePoll said so) when
     * this poll found nothing they had not already delivered; never below intervalSeconds. Each
     * poll costs an Unleashed call, so with working webhooks polling is only the safety net.
     */
    webhookIntervalSeconds?: number;
    /**
     * Runs before each tenant's poll (e.g. making sure a webhook subscription exists); true when
     * the tenant's webhooks are in use, so deliveries carry its statuses.
     */
    beforePoll?: (tenant: Tenant, client: UnleashedClient) => Promise<boolean | void>;
    /** This instance's name in the lease. */
    owner?: string;
    /** How long a lease holds if its holder dies mid-poll. */
    leaseSeconds?: number;
    /** Read back this far before the watermark (late commits, equal timestamps). */
    overlapSeconds?: number;
    /** Tenants polled per tick. */
    tenantsPerTick?: number;
    /** Shipments and invoices, read under the same lease (sync/fulfilment). */
    fulfilment?: FulfilmentSync;
    log?: Log;
}

export class StatusPoller {
    private timer: NodeJS.Timeout | null = null;
    private ticking: Promise<unknown> | null = null;
    private readonly owner: string;
    private log: Log | undefined;
    private prunedAt = 0;

    constructor(private readonly deps: StatusPollerDeps) {
        this.owner = deps.owner ?? `poller-${randomUUID()}`;
        this.log = deps.log;
    }

    get enabled(): boolean {
        return this.deps.intervalSeconds > 0;
    }

    /** Ticks until stop(); each tick polls the tenants that are due. No-op when polling is off. */
    start(log?: Log): void {
        if (log) this.log = log;
        if (!this.enabled || this.timer) return;
        const everyMs = Math.max(1, Math.min(this.deps.intervalSeconds, 30)) * 1000;
        const tick = () => {
            if (this.ticking) return;
            this.ticking = this.pollDue()
                .catch((err: unknown) => this.log?.warn({ error: String(err) }, 'status poll tick failed'))
                .finally(() => (this.ticking = null));
        };
        this.timer = setInterval(tick, everyMs);
        this.timer.unref();
        tick();
    }

    async stop(): Promise<void> {
        if (this.timer) clearInterval(this.timer);
        this.timer = null;
        await this.ticking;
    }

    /** Polls every due tenant once (those another instance holds are skipped). */
    async pollDue(): Promise<PollReport[]> {
        if (!this.enabled) return [];
        await this.pruneInbox();
        const out: PollReport[] = [];
        for (const orgId of await this.deps.repos.polls.due(this.deps.tenantsPerTick ?? 50)) {
            const r = await this.pollTenant(orgId);
            if (r) out.push(r);
        }
        return out;
    }

    /** Webhook deliveries are remembered for a week (far past any redelivery), pruned hourly. */
    private async pruneInbox(): Promise<void> {
        const now = Date.now();
        if (!this.deps.repos.inbox || now - this.prunedAt < 3600_000) return;
        this.prunedAt = now;
        await this.deps.repos.inbox.prune(new Date(now - 7 * 86400_000)).catch(() => undefined);
    }

    /** Polls one tenant if it is due and unclaimed; null otherwise. */
    async pollTenant(orgId: string): Promise<PollReport | null> {
        const { polls, sentOrders } = this.deps.repos;
        const claim = await polls.claim(orgId, this.owner, this.deps.leaseSeconds ?? 600);
        if (!claim) return null;
        const nextInSeconds = this.deps.intervalSeconds;
        try {
            const tenant = await this.deps.tenants.get(orgId);
            const first = await sentOrders.earliest(orgId);
            if (!tenant?.unleashed || !first) {
                await polls.release(orgId, this.owner, { nextInSeconds });
                return null;
            }
            const client = await this.deps.unleashedFor(tenant);
            let webhooks = false;
            if (this.deps.beforePoll) {
                webhooks =
                    (await this.deps.beforePoll(tenant, client).catch((err: unknown) => {
                        this.log?.warn({ orgId, error: String(err) }, 'webhook subscription not in use');
                        return false;
                    })) === true;
            }
            const watermark = claim.modifiedSince ?? first;
            const since = new Date(watermark.getTime() - (this.deps.overlapSeconds ?? 60) * 1000);
            const modifiedSince = formatFilterDate(since);

            const ours: UnleashedSalesOrder[] = [];
            let seen = 0;
            let pages = 0;
            let newest = claim.modifiedSince;
            for await (const page of client.pages(
                'SalesOrders',
                { modifiedSince, orderStatus: POLLED_STATUSES },
                SalesOrderSchema,
                {
                    pageSize: 1000
                }
            )) {
                pages++;
                seen += page.items.length;
                const known = await sentOrders.getMany(
                    orgId,
                    page.items.map((o) => o.Guid)
                );
                for (const o of page.items) {
                    const at = modifiedOn(o);
                    if (at && (!newest || at > newest)) newest = at;
                    if (known.has(o.Guid.toLowerCase())) ours.push(o);
                }
            }
            const report = await this.deps.pusher.push(orgId, ours, { includePending: true });
            let fulfilmentError: string | null = null;
            if (this.deps.fulfilment) {
                // An order that changed may have shipped or been invoiced: read its documents now
                // rather than at the next list poll. A failure here does not hold the order watermark.
                try {
                    const f = this.deps.fulfilment;
                    const byOrder = await f.refreshOrders(orgId, client, report.changedOrders);
                    const listed = await f.poll(orgId, client, first);
                    const failed = byOrder.failed + listed.failed;
                    if (failed > 0)
                        fulfilmentError = `${failed} shipment or invoice events not delivered yet`;
                } catch (err) {
                    fulfilmentError = `shipments and invoices: ${err instanceof Error ? err.message : String(err)}`;
                }
            }
            // Webhooks keep up when the poll had nothing to deliver; otherwise they missed a change
            // (or none are in use) and the tenant is polled at the usual pace until they keep up.
            const keptUp = webhooks && report.delivered === 0 && report.failed === 0;
            // Undelivered events are in the store now, so the watermark may move past them.
            await polls.release(orgId, this.owner, {
                modifiedSince: newest ?? watermark,
                nextInSeconds: keptUp
                    ? Math.max(nextInSeconds, this.deps.webhookIntervalSeconds ?? nextInSeconds)
                    : nextInSeconds,
                error: [pollError(report), fulfilmentError].filter((e) => e).join('; ') || null
            });
            return { ...report, orgId, seen, pages, modifiedSince };
        } catch (err) {
            const error = err instanceof Error ? err.message : String(err);
            this.log?.warn({ orgId, error }, 'status poll failed');
            await polls.release(orgId, this.owner, { nextInSeconds, error }).catch(() => undefined);
            return null;
        }
    }
}

/** What the poll left undone: events still to deliver, and events the org refused for good. */
function pollError(report: PushReport): string | null {
    const pending = report.failed - report.refused;
    const parts = [
        pending > 0 ? `${pending} status events not delivered yet` : null,
        report.refused > 0
            ? `${report.refused} status events refused by Salesforce for good (the reason is in the org's Sync Log)`
            : null
    ].filter((p): p is string => p !== null);
    return parts.length > 0 ? parts.join('; ') : null;
}
