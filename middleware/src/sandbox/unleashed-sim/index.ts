/** The stateful Unleashed API simulator (dev and test only; never on a production path). */
export { startUnleashedSim } from './server';
export { DEMO_API_ID, DEMO_API_KEY } from './credentials';
export { signQuery } from './signature';
export { DEFAULT_SETTINGS, NO_FAULTS } from './settings';
export type { SimState } from './state/state';
export {
    DEFAULT_WEBHOOK_SETTINGS,
    MAX_SUBSCRIPTIONS,
    WEBHOOK_EVENT_TYPES,
    WebhookHub,
    type SimSubscription,
    type WebhookDelivery,
    type WebhookEventType,
    type WebhookSettings
} from './webhooks';
export type {
    CallRecord,
    Faults,
    RoundingMode,
    SeedName,
    SimCredentials,
    SimSettings,
    StartOptions,
    UnleashedSim
} from './types';
