import { z } from 'zod';
import type { OrderStatusRepos, WebhookSubscription } from '../../store/order-status';
import type { UnleashedClient } from '../../unleashed/types';

/**
 * Makes sure Unleashed sends this tenant's sales order events to us: one subscription per tenant
 * pointing at `${publicUrl}/webhooks/unleashed/${orgId}`. The signing key Unleashed returns (only
 * at creation) is stored encrypted at once. A refusal (not HTTPS, 5 subscriptions already) is not
 * retried for an hour; polling covers the tenant meanwhile. JSON key names of the subscription
 * API are unconfirmed (unleashed-api.md); the simulator uses the same ones.
 */

export const SUBSCRIBED_EVENTS = ['salesorder.updated', 'salesorder.deleted'];

const createdSchema = z.looseObject({
    SubscriptionId: z.string().min(1),
    SigningKey: z.string().min(1)
});

export class WebhookSubscriber {
    private readonly retryAt = new Map<string, number>();

    constructor(
        private readonly deps: {
            repos: Pick<OrderStatusRepos, 'subscriptions'>;
            /** Public base URL of the middleware; no subscriptions without one. */
            publicUrl: string | undefined;
            retryAfterMs?: number;
            now?: () => number;
        }
    ) {}

    targetFor(orgId: string): string | null {
        if (!this.deps.publicUrl) return null;
        return `${this.deps.publicUrl.replace(/\/+$/, '')}/webhooks/unleashed/${orgId}`;
    }

    /** The tenant's subscription, created when missing; null when there is no public URL or it is backing off. */
    async ensure(orgId: string, client: UnleashedClient): Promise<WebhookSubscription | null> {
        const target = this.targetFor(orgId);
        if (!target) return null;
        const existing = (await this.deps.repos.subscriptions.list(orgId)).find(
            (s) => s.targetUrl === target
        );
        if (existing) return existing;
        const now = (this.deps.now ?? Date.now)();
        if ((this.retryAt.get(orgId) ?? 0) > now) return null;
        try {
            const created = await client.post(
                '/Webhooks/Subscriptions',
                { NotificationUrl: target, EventTypes: SUBSCRIBED_EVENTS },
                createdSchema
            );
            await this.deps.repos.subscriptions.add(orgId, {
                subscriptionId: created.SubscriptionId,
                targetUrl: target,
                eventTypes: SUBSCRIBED_EVENTS,
                signingKey: created.SigningKey
            });
            this.retryAt.delete(orgId);
            return (await this.deps.repos.subscriptions.list(orgId)).find(
                (s) => s.subscriptionId === created.SubscriptionId
            )!;
        } catch (err) {
            this.retryAt.set(orgId, now + (this.deps.retryAfterMs ?? 3600_000));
            throw err;
        }
    }
}
