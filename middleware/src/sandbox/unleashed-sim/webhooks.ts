/**
 * Webhooks of the simulated account (docs/unleashed-api.md, Webhooks). Subscriptions are managed through
 * the API with the usual authentication: `GET|POST /Webhooks/Subscriptions`,
 * `DELETE /Webhooks/Subscriptions/{id}`; at most 5; the target must be HTTPS (loopback targets are
 * allowed for tests); the signing key is returned once, by the POST. Deliveries are thin
 * (`data` is a JSON string with `salesOrderGuid`), signed with
 * `x-unleashed-signature = base64(HMAC-SHA256(signing key as UTF-8 text, "<timestamp>.<raw body>"))`,
 * at least once (retried on failure; `copies` sends duplicates on purpose), and never counted
 * against the quota. Unconfirmed, so chosen here: the JSON key names of a subscription, the
 * timestamp unit (`timestampFormat`), that the key is used as text, and the retry schedule.
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { SimError, badRequest, notFound } from './errors';
import type { ApiContext, ApiResult } from './http/context';

export const WEBHOOK_EVENT_TYPES = [
    'salesorder.created',
    'salesorder.updated',
    'salesorder.deleted',
    'customer.created',
    'customer.updated',
    'customer.deleted',
    'product.created',
    'product.updated',
    'product.deleted',
    // Offered only with the `fulfilmentEvents` setting: whether an account offers shipment and
    // invoice events, and under which names, is unconfirmed (docs/unleashed-api.md).
    'salesshipment.created',
    'salesshipment.updated',
    'salesinvoice.created',
    'salesinvoice.updated'
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export const MAX_SUBSCRIPTIONS = 5;

export interface WebhookSettings {
    /** Deliver at all (off: events are recorded as skipped). */
    enabled: boolean;
    /** Copies of each delivery (2 = every event arrives twice, as at-least-once allows). */
    copies: number;
    /** Attempts per copy while the receiver does not answer 2xx. */
    maxAttempts: number;
    /** Wait before the first attempt and between attempts. */
    delayMs: number;
    retryDelayMs: number;
    /** What x-unleashed-timestamp carries: unix seconds or milliseconds. */
    timestampFormat: 'seconds' | 'milliseconds';
    /** Refuse non-HTTPS targets other than loopback. */
    requireHttps: boolean;
    /** Per attempt. */
    timeoutMs: number;
    /**
     * The key name of the signing key in the create answer; null answers without one. Public
     * receivers disagree on the name, and whether every answer carries it is unconfirmed.
     */
    signingKeyField: 'SigningKey' | 'signingKey' | 'Secret' | null;
    /**
     * Delivery body: camelCase with `data` as a JSON string (`camel-string`) or an object
     * (`camel-object`), or PascalCase with `ObjectId` and `Data` (`pascal`); receivers show all three.
     */
    payloadStyle: 'camel-string' | 'camel-object' | 'pascal';
    /** Whether the account offers sales shipment and invoice events (unconfirmed; off by default). */
    fulfilmentEvents: boolean;
}

export const DEFAULT_WEBHOOK_SETTINGS: Readonly<WebhookSettings> = Object.freeze({
    enabled: true,
    copies: 1,
    maxAttempts: 3,
    delayMs: 0,
    retryDelayMs: 200,
    timestampFormat: 'seconds',
    requireHttps: true,
    timeoutMs: 5000,
    signingKeyField: 'SigningKey',
    payloadStyle: 'camel-string',
    fulfilmentEvents: false
});

export interface SimSubscription {
    SubscriptionId: string;
    NotificationUrl: string;
    EventTypes: WebhookEventType[];
    CreatedOn: Date;
}

export interface WebhookDelivery {
    eventNotificationId: string;
    subscriptionId: string;
    eventType: WebhookEventType;
    url: string;
    body: string;
    attempts: number;
    /** HTTP status of the last attempt; null when it failed without an answer. */
    status: number | null;
    outcome: 'pending' | 'delivered' | 'failed' | 'skipped';
}

interface Stored extends SimSubscription {
    signingKey: string;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

export class WebhookHub {
    settings: WebhookSettings = { ...DEFAULT_WEBHOOK_SETTINGS };
    readonly deliveries: WebhookDelivery[] = [];
    private subs: Stored[] = [];
    private readonly inFlight = new Set<Promise<void>>();
    private readonly timers = new Set<NodeJS.Timeout>();
    private closed = false;

    constructor(private readonly clock: () => number) {}

    setSettings(s: Partial<WebhookSettings>): void {
        this.settings = { ...this.settings, ...s };
    }

    /** Subscriptions as GET shows them (never the signing key). */
    list(): SimSubscription[] {
        return this.subs.map(strip);
    }

    /** The API: /Webhooks/Subscriptions[/{id}] (segments after "Webhooks"). */
    route(ctx: ApiContext, method: string, segments: string[]): ApiResult {
        const [what, id, ...rest] = segments;
        if (what?.toLowerCase() !== 'subscriptions' || rest.length > 0) throw notFound();
        if (id === undefined) {
            if (method === 'GET') return { status: 200, body: { Items: this.list() } };
            if (method === 'POST') return { status: 201, body: this.subscribe(ctx.body, ctx.now) };
        } else {
            const sub = this.subs.find((s) => s.SubscriptionId.toLowerCase() === id.toLowerCase());
            if (!sub) throw notFound(`Webhook subscription ${id} was not found.`);
            if (method === 'GET') return { status: 200, body: strip(sub) };
            if (method === 'DELETE') {
                this.subs = this.subs.filter((s) => s !== sub);
                return { status: 204 };
            }
        }
        throw new SimError(405, 'The requested method is not allowed.');
    }

    /** Queues the event for every subscription that asked for it; answers at once. */
    emit(eventType: WebhookEventType, data: Record<string, string>): void {
        for (const sub of this.subs) {
            if (!sub.EventTypes.includes(eventType)) continue;
            const eventNotificationId = randomUUID();
            const body = this.payload(eventType, eventNotificationId, sub.SubscriptionId, data);
            // Extra copies repeat the same notification (same id and body), as a redelivery would.
            for (let copy = 0; copy < Math.max(1, this.settings.copies); copy++) {
                const delivery: WebhookDelivery = {
                    eventNotificationId,
                    subscriptionId: sub.SubscriptionId,
                    eventType,
                    url: sub.NotificationUrl,
                    body,
                    attempts: 0,
                    status: null,
                    outcome: this.settings.enabled ? 'pending' : 'skipped'
                };
                this.deliveries.push(delivery);
                if (this.settings.enabled) this.track(this.deliver(delivery, sub.signingKey));
            }
        }
    }

    private payload(
        eventType: WebhookEventType,
        eventNotificationId: string,
        subscriptionId: string,
        data: Record<string, string>
    ): string {
        const createdOn = new Date(this.clock()).toISOString();
        if (this.settings.payloadStyle === 'pascal') {
            return JSON.stringify({
                EventType: eventType,
                EventNotificationId: eventNotificationId,
                SubscriptionId: subscriptionId,
                CreatedOn: createdOn,
                ObjectId: Object.values(data)[0] ?? null,
                Data: data
            });
        }
        return JSON.stringify({
            eventType,
            eventNotificationId,
            subscriptionId,
            createdOn,
            data: this.settings.payloadStyle === 'camel-object' ? data : JSON.stringify(data)
        });
    }

    /** Resolves when every queued delivery has finished (delivered or given up). */
    async idle(): Promise<void> {
        while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    }

    /** Signs a body as a delivery would be signed (for tests that post their own). */
    sign(signingKey: string, timestamp: string, body: string): string {
        return createHmac('sha256', Buffer.from(signingKey, 'utf8'))
            .update(`${timestamp}.${body}`, 'utf8')
            .digest('base64');
    }

    timestamp(atMs = this.clock()): string {
        return this.settings.timestampFormat === 'seconds' ? String(Math.floor(atMs / 1000)) : String(atMs);
    }

    /** Back to no subscriptions and no deliveries (simulator reset). */
    clear(): void {
        this.subs = [];
        this.deliveries.length = 0;
        this.settings = { ...DEFAULT_WEBHOOK_SETTINGS };
    }

    async close(): Promise<void> {
        this.closed = true;
        for (const t of this.timers) clearTimeout(t);
        this.timers.clear();
        await Promise.allSettled([...this.inFlight]);
    }

    private subscribe(body: unknown, now: number): unknown {
        const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
        const url = b.NotificationUrl ?? b.Url;
        if (typeof url !== 'string' || !url) throw badRequest('NotificationUrl is required.');
        let target: URL;
        try {
            target = new URL(url);
        } catch {
            throw badRequest('NotificationUrl must be an absolute URL.');
        }
        const secure = target.protocol === 'https:';
        const loopback = target.protocol === 'http:' && LOOPBACK_HOSTS.has(target.hostname);
        if (this.settings.requireHttps && !secure && !loopback) {
            throw badRequest('NotificationUrl must be a public HTTPS URL.');
        }
        const types = b.EventTypes;
        if (!Array.isArray(types) || types.length === 0) {
            throw badRequest('EventTypes must list at least one event type.');
        }
        for (const t of types) {
            const fulfilment = /^sales(shipment|invoice)\./.test(String(t));
            if (
                !WEBHOOK_EVENT_TYPES.includes(t as WebhookEventType) ||
                (fulfilment && !this.settings.fulfilmentEvents)
            ) {
                throw badRequest(`Unknown event type ${JSON.stringify(t)}.`);
            }
        }
        if (this.subs.length >= MAX_SUBSCRIPTIONS) {
            throw badRequest(`An account can have at most ${MAX_SUBSCRIPTIONS} webhook subscriptions.`);
        }
        const sub: Stored = {
            SubscriptionId: randomUUID(),
            NotificationUrl: url,
            EventTypes: [...new Set(types as WebhookEventType[])],
            CreatedOn: new Date(now),
            signingKey: randomBytes(32).toString('base64')
        };
        this.subs.push(sub);
        // The only time the key is shown (under the configured name, or not at all).
        const field = this.settings.signingKeyField;
        return field ? { ...strip(sub), [field]: sub.signingKey } : strip(sub);
    }

    private track(p: Promise<void>): void {
        this.inFlight.add(p);
        void p.finally(() => this.inFlight.delete(p));
    }

    private wait(ms: number): Promise<void> {
        if (ms <= 0) return new Promise((resolve) => setImmediate(resolve));
        return new Promise((resolve) => {
            const t = setTimeout(() => {
                this.timers.delete(t);
                resolve();
            }, ms);
            this.timers.add(t);
        });
    }

    private async deliver(d: WebhookDelivery, signingKey: string): Promise<void> {
        await this.wait(this.settings.delayMs);
        while (!this.closed && d.attempts < Math.max(1, this.settings.maxAttempts)) {
            d.attempts += 1;
            const timestamp = this.timestamp();
            try {
                const res = await fetch(d.url, {
                    method: 'POST',
                    headers: {
                        'content-type': 'application/json',
                        'x-unleashed-timestamp': timestamp,
                        'x-unleashed-signature': this.sign(signingKey, timestamp, d.body)
                    },
                    body: d.body,
                    signal: AbortSignal.timeout(this.settings.timeoutMs)
                });
                d.status = res.status;
                await res.arrayBuffer().catch(() => undefined);
                if (res.ok) {
                    d.outcome = 'delivered';
                    return;
                }
            } catch {
                d.status = null;
            }
            await this.wait(this.settings.retryDelayMs);
        }
        d.outcome = 'failed';
    }
}

function strip(sub: Stored): SimSubscription {
    const { signingKey: _key, ...rest } = sub;
    return rest;
}
