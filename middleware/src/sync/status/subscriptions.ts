import type { OrderStatusRepos, WebhookSubscription } from '../../store/order-status';
import { UnleashedError } from '../../unleashed/errors';
import type { UnleashedClient } from '../../unleashed/types';

/**
 * Makes sure Unleashed sends this tenant's sales order events to us: one subscription per tenant
 * pointing at `${publicUrl}/webhooks/unleashed/${orgId}`, never a duplicate and never a sixth
 * (Unleashed allows 5 per account).
 *
 * Before creating, the account's subscriptions are listed and one already pointing at us is reused.
 * The create answer's id and signing key are stored at once; the key names differ between public
 * receivers, so several are accepted. An answer without a key still stores the id (with an empty
 * key, which verifies nothing: deliveries are then refused and polling covers the tenant), so the
 * next poll finds it and never subscribes again. A refusal or an unreadable listing is not retried
 * for an hour. Key names of the subscription API are unconfirmed (docs/unleashed-api.md).
 */

export const SUBSCRIBED_EVENTS = ['salesorder.updated', 'salesorder.deleted'];
export const MAX_SUBSCRIPTIONS = 5;

const ID_KEYS = ['SubscriptionId', 'subscriptionId', 'Id', 'id', 'Guid', 'guid'];
const URL_KEYS = ['NotificationUrl', 'notificationUrl', 'Url', 'url', 'TargetUrl', 'targetUrl'];
const SIGNING_KEYS = [
    'SigningKey',
    'signingKey',
    'SigningSecret',
    'signingSecret',
    'Secret',
    'secret',
    'WebhookSecret',
    'webhookSecret'
];

function firstText(o: Record<string, unknown>, keys: readonly string[]): string | null {
    for (const k of keys) {
        const v = o[k];
        if (typeof v === 'string' && v.trim() !== '') return v.trim();
    }
    return null;
}

function asObject(v: unknown): Record<string, unknown> | null {
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

/** The subscriptions in a listing: `{Items: [...]}`, `{items: [...]}` or a bare array. */
function listed(body: unknown): Record<string, unknown>[] | null {
    const o = asObject(body);
    const items = Array.isArray(body) ? body : (o?.Items ?? o?.items ?? o?.Subscriptions);
    if (!Array.isArray(items)) return null;
    return items.map(asObject).filter((x): x is Record<string, unknown> => x !== null);
}

function sameUrl(a: string, b: string): boolean {
    return a.replace(/\/+$/, '').toLowerCase() === b.replace(/\/+$/, '').toLowerCase();
}

export class WebhookSubscriber {
    private readonly retryAt = new Map<string, number>();

    constructor(
        private readonly deps: {
            repos: Pick<OrderStatusRepos, 'subscriptions'>;
            /** Public base URL of the middleware; no subscriptions without one. */
            publicUrl: string | undefined;
            retryAfterMs?: number;
            now?: () => number;
            /** Event types asked for besides the order events (shipment and invoice events, when offered). */
            extraEventTypes?: readonly string[];
        }
    ) {}

    /** The event types a new subscription asks for. */
    get eventTypes(): string[] {
        return [...SUBSCRIBED_EVENTS, ...(this.deps.extraEventTypes ?? [])];
    }

    targetFor(orgId: string): string | null {
        if (!this.deps.publicUrl) return null;
        return `${this.deps.publicUrl.replace(/\/+$/, '')}/webhooks/unleashed/${orgId}`;
    }

    /** The tenant's subscription, found or created; null when there is no public URL or it is backing off. */
    async ensure(orgId: string, client: UnleashedClient): Promise<WebhookSubscription | null> {
        const target = this.targetFor(orgId);
        if (!target) return null;
        const stored = await this.storedFor(orgId, target);
        if (stored) return stored;
        const now = (this.deps.now ?? Date.now)();
        if ((this.retryAt.get(orgId) ?? 0) > now) return null;
        try {
            const existing = await this.listAccount(client);
            const ours = existing.find((s) => {
                const url = firstText(s, URL_KEYS);
                return url !== null && sameUrl(url, target);
            });
            if (ours) {
                // Ours from an earlier start whose key we no longer hold: reuse it, never add another.
                return await this.store(orgId, target, ours);
            }
            if (existing.length >= MAX_SUBSCRIPTIONS) {
                throw new Error(
                    `Unleashed already has ${existing.length} webhook subscriptions, its limit of ${MAX_SUBSCRIPTIONS}; ` +
                        'delete one in Unleashed for order status to arrive by webhook (polling covers it meanwhile).'
                );
            }
            const created = await client.post('/Webhooks/Subscriptions', {
                NotificationUrl: target,
                EventTypes: this.eventTypes
            });
            const answer = asObject(created);
            if (!answer || !firstText(answer, ID_KEYS)) {
                throw new Error('Unleashed created a webhook subscription but did not say its id');
            }
            return await this.store(orgId, target, answer);
        } catch (err) {
            this.retryAt.set(orgId, now + (this.deps.retryAfterMs ?? 3600_000));
            throw err;
        }
    }

    private async storedFor(orgId: string, target: string): Promise<WebhookSubscription | null> {
        const list = await this.deps.repos.subscriptions.list(orgId);
        return list.find((s) => s.targetUrl === target) ?? null;
    }

    private async listAccount(client: UnleashedClient): Promise<Record<string, unknown>[]> {
        const body = await client.get('/Webhooks/Subscriptions');
        const items = listed(body);
        if (!items) {
            throw new UnleashedError({
                kind: 'invalid-response',
                status: 200,
                message: 'Unleashed listed webhook subscriptions in a shape we do not know; none is created',
                method: 'GET',
                path: '/Webhooks/Subscriptions',
                retryable: false
            });
        }
        return items;
    }

    private async store(
        orgId: string,
        target: string,
        sub: Record<string, unknown>
    ): Promise<WebhookSubscription> {
        const subscriptionId = firstText(sub, ID_KEYS)!;
        // No key (an answer without one, or ours listed again after its key was lost): stored
        // all the same, so it is reused rather than duplicated; it verifies no delivery.
        const signingKey = firstText(sub, SIGNING_KEYS);
        await this.deps.repos.subscriptions.add(orgId, {
            subscriptionId,
            targetUrl: target,
            eventTypes: this.eventTypes,
            // Empty = no key: verifyWebhook never matches an empty key.
            signingKey: signingKey ?? ''
        });
        this.retryAt.delete(orgId);
        return (await this.storedFor(orgId, target))!;
    }
}
