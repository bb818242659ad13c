import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { HttpProblem } from '../../problem';
import type { OrderStatusRepos } from '../../store/order-status';
import type { TenantRepo } from '../../store/tenants';
import type { Tenant } from '../../store/types';
import { isUnleashedError } from '../../unleashed/errors';
import { SalesOrderSchema, type UnleashedSalesOrder } from '../../unleashed/schemas';
import type { UnleashedClient } from '../../unleashed/types';
import type { FulfilmentSync } from '../fulfilment/sync';
import type { StatusPusher } from './push';

/**
 * Unleashed webhooks in: verify, remember, answer at once, then process in the background.
 * Verification follows Unleashed's scheme (docs/unleashed-api.md, Webhooks): `x-unleashed-signature` =
 * base64(HMAC-SHA256(subscription signing key, `${x-unleashed-timestamp}.${raw body}`)), the
 * timestamp within 5 minutes of our clock. The signing key is used as UTF-8 text (unconfirmed, as
 * with the API key). Each delivery is kept by its eventNotificationId, so a redelivery is
 * acknowledged without being processed twice. Processing fetches the order (payloads are thin; a
 * 404 right after the event is retried) and hands it to the pusher.
 */

export const WEBHOOK_WINDOW_SECONDS = 300;

const payloadSchema = z.object({
    eventType: z.string().min(1).max(100),
    eventNotificationId: z.string().min(1).max(200),
    subscriptionId: z.string().max(200).nullish(),
    createdOn: z.string().nullish(),
    /** Ids such as salesOrderGuid: a JSON string or an object, as receivers show both. */
    data: z.union([z.string(), z.record(z.string(), z.unknown())]).nullish(),
    /** The record's GUID at the top level (PascalCase receivers show `ObjectId`). */
    objectId: z.string().nullish()
});
export type WebhookPayload = z.infer<typeof payloadSchema>;

/** Each field under the names public receivers show: camelCase or PascalCase. */
const FIELD_NAMES: Record<keyof WebhookPayload, readonly string[]> = {
    eventType: ['eventType', 'EventType'],
    eventNotificationId: ['eventNotificationId', 'EventNotificationId', 'notificationId', 'NotificationId'],
    subscriptionId: ['subscriptionId', 'SubscriptionId'],
    createdOn: ['createdOn', 'CreatedOn'],
    data: ['data', 'Data'],
    objectId: ['objectId', 'ObjectId']
};

/** A delivery body in either casing, with `data` as a JSON string or an object; throws when unreadable. */
export function parseWebhookPayload(raw: unknown): WebhookPayload {
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new TypeError('not a JSON object');
    const o = raw as Record<string, unknown>;
    const picked: Record<string, unknown> = {};
    for (const [field, names] of Object.entries(FIELD_NAMES)) {
        const name = names.find((n) => o[n] !== undefined && o[n] !== null);
        if (name !== undefined) picked[field] = o[name];
    }
    return payloadSchema.parse(picked);
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** x-unleashed-timestamp in ms since the epoch: unix seconds, unix milliseconds or ISO 8601. */
export function webhookTimeMs(text: string): number | null {
    const t = text.trim();
    if (/^\d{9,11}$/.test(t)) return Number(t) * 1000;
    if (/^\d{12,14}$/.test(t)) return Number(t);
    if (/^\d{4}-\d{2}-\d{2}T/.test(t)) {
        const ms = Date.parse(t);
        return Number.isNaN(ms) ? null : ms;
    }
    return null;
}

export function webhookSignature(signingKey: string, timestamp: string, rawBody: Buffer | string): string {
    return createHmac('sha256', Buffer.from(signingKey, 'utf8'))
        .update(`${timestamp}.`, 'utf8')
        .update(typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody)
        .digest('base64');
}

export type VerifyOutcome = { ok: true; subscriptionId: string } | { ok: false; reason: string };

/** Checks the timestamp window, then the signature against each of the tenant's keys. */
export function verifyWebhook(input: {
    keys: readonly { subscriptionId: string; signingKey: string }[];
    timestamp: string | undefined;
    signature: string | undefined;
    rawBody: Buffer;
    nowMs: number;
    windowSeconds?: number;
}): VerifyOutcome {
    if (!input.timestamp || !input.signature) return { ok: false, reason: 'missing signature headers' };
    const at = webhookTimeMs(input.timestamp);
    if (at === null) return { ok: false, reason: 'unreadable timestamp' };
    if (Math.abs(input.nowMs - at) > (input.windowSeconds ?? WEBHOOK_WINDOW_SECONDS) * 1000) {
        return { ok: false, reason: 'timestamp outside the replay window' };
    }
    const given = Buffer.from(input.signature.trim(), 'base64');
    let match: string | null = null;
    // Every key is compared (constant time each), so timing does not say which one matched. An
    // empty key is a subscription Unleashed gave no key for: it verifies nothing.
    for (const k of input.keys) {
        if (k.signingKey === '') continue;
        const expected = Buffer.from(
            webhookSignature(k.signingKey, input.timestamp, input.rawBody),
            'base64'
        );
        if (given.length === expected.length && timingSafeEqual(given, expected)) match ??= k.subscriptionId;
    }
    return match ? { ok: true, subscriptionId: match } : { ok: false, reason: 'signature does not match' };
}

/** The sales order GUID a payload is about (in `data`, else `ObjectId`), or null. */
function dataOf(p: WebhookPayload): Record<string, unknown> {
    if (typeof p.data === 'string') {
        try {
            const parsed: unknown = JSON.parse(p.data);
            if (parsed && typeof parsed === 'object') return parsed as Record<string, unknown>;
        } catch {
            // Unreadable data: the top-level id may still say which record.
        }
        return {};
    }
    return p.data ?? {};
}

export function orderGuidOf(p: WebhookPayload): string | null {
    const data = dataOf(p);
    const guid = data.salesOrderGuid ?? data.SalesOrderGuid ?? data.guid ?? data.Guid ?? p.objectId;
    return typeof guid === 'string' && GUID.test(guid) ? guid.toLowerCase() : null;
}

/** Which document a shipment or invoice event is about, or null for any other event. */
export function documentOf(p: WebhookPayload): { kind: 'shipment' | 'invoice'; guid: string } | null {
    const type = p.eventType.toLowerCase();
    const kind = type.startsWith('salesshipment.')
        ? 'shipment'
        : /^(sales)?invoice\./.test(type)
          ? 'invoice'
          : null;
    if (!kind) return null;
    const data = dataOf(p);
    const guid =
        (kind === 'shipment'
            ? (data.salesShipmentGuid ?? data.SalesShipmentGuid)
            : (data.invoiceGuid ?? data.InvoiceGuid ?? data.salesInvoiceGuid ?? data.SalesInvoiceGuid)) ??
        data.guid ??
        data.Guid ??
        p.objectId;
    return typeof guid === 'string' && GUID.test(guid) ? { kind, guid: guid.toLowerCase() } : null;
}

/** The answer to Unleashed's webhook call (the route answers with this schema). */
export const webhookReceiptSchema = z.object({
    outcome: z.enum(['accepted', 'duplicate', 'ignored']),
    eventNotificationId: z.string()
});
export type WebhookReceipt = z.infer<typeof webhookReceiptSchema>;

interface Log {
    warn(obj: object, msg: string): void;
    info(obj: object, msg: string): void;
}

const quiet: Log = { warn: () => undefined, info: () => undefined };

export interface WebhookProcessorDeps {
    tenants: Pick<TenantRepo, 'get'>;
    repos: Pick<OrderStatusRepos, 'inbox' | 'sentOrders' | 'subscriptions'>;
    pusher: StatusPusher;
    unleashedFor(tenant: Tenant): Promise<UnleashedClient>;
    now?: () => number;
    /** Shipments and invoices of the orders that change, and their own events (sync/fulfilment). */
    fulfilment?: FulfilmentSync;
    /** Extra fetches when Unleashed does not show the order yet, waiting 1x, 2x, 4x... the delay. */
    notFoundRetries?: number;
    notFoundDelayMs?: number;
}

export class WebhookProcessor {
    private readonly running = new Set<Promise<void>>();
    private readonly stop = new AbortController();

    constructor(private readonly deps: WebhookProcessorDeps) {}

    /**
     * Verifies and records one delivery; processing continues after this resolves. Throws
     * HttpProblem 401 for anything not signed by one of the tenant's subscriptions within the window
     * (nothing is recorded then), 400 for a signed but unreadable payload.
     */
    async receive(
        orgId: string,
        headers: { timestamp?: string; signature?: string },
        rawBody: Buffer,
        log: Log = quiet
    ): Promise<WebhookReceipt> {
        const refuse = (reason: string): never => {
            log.warn({ orgId: /^00D\w{15}$/.test(orgId) ? orgId : undefined, reason }, 'webhook refused');
            throw new HttpProblem(401, 'Webhook not accepted', 'The delivery is not signed for this org.');
        };
        const tenant = /^00D[A-Za-z0-9]{15}$/.test(orgId) ? await this.deps.tenants.get(orgId) : null;
        if (!tenant) return refuse('unknown org');
        const keys = await this.deps.repos.subscriptions.signingKeys(orgId);
        const verdict = verifyWebhook({
            keys,
            timestamp: headers.timestamp,
            signature: headers.signature,
            rawBody,
            nowMs: (this.deps.now ?? Date.now)()
        });
        if (!verdict.ok) return refuse(verdict.reason);

        let payload: WebhookPayload;
        try {
            payload = parseWebhookPayload(JSON.parse(rawBody.toString('utf8')));
        } catch {
            throw new HttpProblem(
                400,
                'Unreadable webhook payload',
                'eventType and eventNotificationId are required.'
            );
        }
        const orderGuid = payload.eventType.toLowerCase().startsWith('salesorder.')
            ? orderGuidOf(payload)
            : null;
        const first = await this.deps.repos.inbox.accept(orgId, {
            eventId: payload.eventNotificationId,
            eventType: payload.eventType,
            orderGuid
        });
        const receipt = (outcome: WebhookReceipt['outcome']): WebhookReceipt => ({
            outcome,
            eventNotificationId: payload.eventNotificationId
        });
        if (!first) return receipt('duplicate');
        const doc = this.deps.fulfilment ? documentOf(payload) : null;
        if (doc) {
            this.track(this.processDocument(tenant, payload.eventNotificationId, doc, log));
            return receipt('accepted');
        }
        if (!orderGuid) {
            await this.deps.repos.inbox.finish(
                orgId,
                payload.eventNotificationId,
                'ignored: not a sales order event'
            );
            return receipt('ignored');
        }
        this.track(this.process(tenant, payload.eventNotificationId, orderGuid, log));
        return receipt('accepted');
    }

    /** Resolves when every delivery received so far is processed. */
    async idle(): Promise<void> {
        while (this.running.size > 0) await Promise.allSettled([...this.running]);
    }

    /** Cuts retry waits short and waits for processing in flight. */
    async close(): Promise<void> {
        this.stop.abort();
        await this.idle();
    }

    private track(p: Promise<void>): void {
        this.running.add(p);
        void p.finally(() => this.running.delete(p));
    }

    private async process(tenant: Tenant, eventId: string, orderGuid: string, log: Log): Promise<void> {
        const { inbox, sentOrders } = this.deps.repos;
        let outcome: string;
        try {
            if (!(await sentOrders.get(tenant.orgId, orderGuid))) {
                // Not an order we sent: no Unleashed call is spent on it.
                outcome = 'ignored: not an order sent from Salesforce';
            } else {
                const client = await this.deps.unleashedFor(tenant);
                const order = await this.fetchOrder(client, orderGuid);
                if (!order) {
                    outcome = 'order not found in Unleashed';
                } else {
                    const r = await this.deps.pusher.push(tenant.orgId, [order], { includePending: true });
                    outcome =
                        r.failed > 0
                            ? `delivered ${r.delivered}, failed ${r.failed} (kept for the next attempt)`
                            : r.delivered > 0
                              ? `delivered ${r.delivered}`
                              : r.stale > 0
                                ? 'stale'
                                : 'unchanged';
                    // Something changed on the order: it may have shipped or been invoiced.
                    if (this.deps.fulfilment && order.OrderNumber) {
                        const f = await this.deps.fulfilment.refreshOrders(tenant.orgId, client, [
                            order.OrderNumber
                        ]);
                        outcome += `; shipments and invoices: delivered ${f.delivered}, failed ${f.failed}`;
                    }
                }
            }
        } catch (err) {
            outcome = `error: ${err instanceof Error ? err.message : String(err)}`;
            log.warn({ orgId: tenant.orgId, eventId, error: outcome }, 'webhook processing failed');
        }
        await inbox.finish(tenant.orgId, eventId, outcome).catch(() => undefined);
    }

    private async processDocument(
        tenant: Tenant,
        eventId: string,
        doc: { kind: 'shipment' | 'invoice'; guid: string },
        log: Log
    ): Promise<void> {
        let outcome: string;
        try {
            const client = await this.deps.unleashedFor(tenant);
            const r = await this.deps.fulfilment!.fromEvent(tenant.orgId, client, doc.kind, doc.guid);
            outcome = !r
                ? `${doc.kind} not found in Unleashed`
                : r.ours === 0
                  ? 'ignored: not an order sent from Salesforce'
                  : `delivered ${r.delivered}, failed ${r.failed}, unchanged ${r.unchanged}`;
        } catch (err) {
            outcome = `error: ${err instanceof Error ? err.message : String(err)}`;
            log.warn({ orgId: tenant.orgId, eventId, error: outcome }, 'webhook processing failed');
        }
        await this.deps.repos.inbox.finish(tenant.orgId, eventId, outcome).catch(() => undefined);
    }

    private async fetchOrder(client: UnleashedClient, guid: string): Promise<UnleashedSalesOrder | null> {
        const retries = this.deps.notFoundRetries ?? 3;
        const delay = this.deps.notFoundDelayMs ?? 2000;
        for (let attempt = 0; ; attempt++) {
            try {
                return await client.get(`/SalesOrders/${guid}`, undefined, SalesOrderSchema);
            } catch (err) {
                if (!isUnleashedError(err) || err.status !== 404 || attempt >= retries) {
                    if (isUnleashedError(err) && err.status === 404) return null;
                    throw err;
                }
            }
            if (this.stop.signal.aborted) return null;
            await sleep(delay * 2 ** attempt, this.stop.signal);
        }
    }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
        const t = setTimeout(done, ms);
        function done() {
            clearTimeout(t);
            signal.removeEventListener('abort', done);
            resolve();
        }
        signal.addEventListener('abort', done, { once: true });
    });
}
