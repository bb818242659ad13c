/**
 * How an org connects: hosted connect over OAuth (service.ts), the addresses it trusts
 * (addresses.ts), the secret hand-over (deliver-secret.ts), self-hosted start-up delivery
 * (self-hosted.ts), disconnect, and the org's Unleashed credentials.
 */
export { checkInstanceUrl, checkReturnUrl, chooseLoginUrl } from './addresses';
export { deliverSecret } from './deliver-secret';
export { disconnectTenant } from './disconnect';
export { ConnectError } from './errors';
export { deliverSelfHostedSecret, logSelfHostedDelivery, type SelfHostedDelivery } from './self-hosted';
export {
    ConnectService,
    PENDING_PER_ADDRESS,
    STATE_TTL_MS,
    type ConnectCallback,
    type Connected,
    type ConnectServiceOptions,
    type ConnectStart,
    type ConnectStartRequest
} from './service';
export {
    hostedConnectSettings,
    missingHostedVariables,
    modeNotices,
    type HostedConnectSettings
} from './settings';
export { saveUnleashedCredentials } from './unleashed-credentials';
export { connectionView, connectionViewSchema, type ConnectionView } from './view';
