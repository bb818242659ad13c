import type { RoundingMode } from '../../money/decimal';
import type { OrderStatusRepos } from '../../store/order-status';
import type { Tenant } from '../../store/types';
import type { UnleashedClient } from '../../unleashed/types';
import type { Locks } from '../orders/service';
import type { SalesforceEvents } from './events';
import { StatusPoller } from './poller';
import { StatusPusher } from './push';
import { WebhookSubscriber } from './subscriptions';
import { WebhookProcessor } from './webhook';
import type { TenantRepo } from '../../store/tenants';
import type { FulfilmentSync } from '../fulfilment/sync';

/**
 * Order status from Unleashed back to the Opportunity: webhooks (fast) and polling (the fallback
 * Unleashed recommends), both through one pusher. See README architecture notes in each module.
 */
export {
    eventsViaWriter,
    MAX_EVENTS_PER_CALL,
    type OrderStatusEvent,
    type SalesforceEvent,
    type SalesforceEvents
} from './events';
export { StatusPoller, type PollReport } from './poller';
export { StatusPusher, type PushReport } from './push';
export { WebhookSubscriber, SUBSCRIBED_EVENTS } from './subscriptions';
export { WebhookProcessor, verifyWebhook, webhookSignature, WEBHOOK_WINDOW_SECONDS } from './webhook';

export interface StatusSync {
    pusher: StatusPusher;
    webhooks: WebhookProcessor;
    poller: StatusPoller;
    subscriber: WebhookSubscriber;
    /** Stops polling and finishes webhook processing in flight. */
    close(): Promise<void>;
}

export function createStatusSync(deps: {
    tenants: Pick<TenantRepo, 'get'>;
    repos: OrderStatusRepos;
    locks: Locks;
    salesforce: SalesforceEvents;
    unleashedFor(tenant: Tenant): Promise<UnleashedClient>;
    rounding: RoundingMode;
    pollSeconds: number;
    /** Seconds between polls while the tenant's webhooks keep up (poller.ts). */
    webhookPollSeconds?: number;
    publicUrl: string | undefined;
    /** Shipments and invoices with the order changes (sync/fulfilment); off when absent. */
    fulfilment?: FulfilmentSync;
    /** Shipment and invoice webhook event types to subscribe to, when the account offers them. */
    fulfilmentEventTypes?: readonly string[];
    /** Test knobs. */
    webhookNotFoundDelayMs?: number;
    now?: () => number;
}): StatusSync {
    const pusher = new StatusPusher({
        repos: deps.repos,
        locks: deps.locks,
        salesforce: deps.salesforce,
        rounding: deps.rounding
    });
    const subscriber = new WebhookSubscriber({
        repos: deps.repos,
        publicUrl: deps.publicUrl,
        now: deps.now,
        extraEventTypes: deps.fulfilmentEventTypes
    });
    const webhooks = new WebhookProcessor({
        tenants: deps.tenants,
        repos: deps.repos,
        pusher,
        unleashedFor: deps.unleashedFor,
        fulfilment: deps.fulfilment,
        now: deps.now,
        notFoundDelayMs: deps.webhookNotFoundDelayMs
    });
    const poller = new StatusPoller({
        tenants: deps.tenants,
        repos: deps.repos,
        pusher,
        unleashedFor: deps.unleashedFor,
        intervalSeconds: deps.pollSeconds,
        fulfilment: deps.fulfilment,
        webhookIntervalSeconds: deps.webhookPollSeconds,
        beforePoll: async (tenant, client) => {
            const subscription = await subscriber.ensure(tenant.orgId, client);
            // A subscription Unleashed gave no signing key for verifies no delivery: say so at each
            // poll (polling carries the statuses meanwhile) until someone replaces it.
            const keys = subscription ? await deps.repos.subscriptions.signingKeys(tenant.orgId) : [];
            const key = keys.find((k) => k.subscriptionId === subscription?.subscriptionId);
            if (subscription && key?.signingKey === '') {
                throw new Error(
                    `Unleashed gave no signing key for webhook subscription ${subscription.subscriptionId}, so its ` +
                        'deliveries cannot be verified and are refused; order statuses arrive by polling. Delete ' +
                        'that subscription in Unleashed and the next poll creates one with a key.'
                );
            }
            // In use: a subscription with a key that verifies its deliveries.
            return subscription !== null && !!key?.signingKey;
        }
    });
    return {
        pusher,
        webhooks,
        poller,
        subscriber,
        async close() {
            await poller.stop();
            await webhooks.close();
        }
    };
}
