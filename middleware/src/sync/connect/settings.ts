import type { AppConfig } from '../../config';

/** What hosted connect needs from the configuration, and what each mode cannot do without. */

const HOSTED_VARIABLES = ['SALESFORCE_CLIENT_ID', 'SALESFORCE_CLIENT_SECRET', 'PUBLIC_URL'] as const;

export interface HostedConnectSettings {
    /** SALESFORCE_LOGIN_URL: the login host when the org names none (older package versions). */
    loginUrl: string;
    clientId: string;
    clientSecret: string;
    /** PUBLIC_URL + /oauth/salesforce/callback; must be a callback URL of the connected app. */
    redirectUri: string;
    apiVersion: string;
    namespace: string;
    /** Outside production, loopback addresses are accepted (simulator, local demo). */
    allowLoopback: boolean;
    /** Unfinished connects allowed at once on the whole service (OAUTH_PENDING_LIMIT). */
    pendingLimit: number;
}

/** The configuration variables hosted connect still needs (empty when it is available). */
export function missingHostedVariables(config: AppConfig): string[] {
    return HOSTED_VARIABLES.filter((name) => !config[name]);
}

export function hostedConnectSettings(config: AppConfig): HostedConnectSettings | null {
    if (!config.SALESFORCE_CLIENT_ID || !config.SALESFORCE_CLIENT_SECRET || !config.PUBLIC_URL) return null;
    return {
        loginUrl: config.SALESFORCE_LOGIN_URL,
        clientId: config.SALESFORCE_CLIENT_ID,
        clientSecret: config.SALESFORCE_CLIENT_SECRET,
        redirectUri: `${config.PUBLIC_URL.replace(/\/+$/, '')}/oauth/salesforce/callback`,
        apiVersion: config.SALESFORCE_API_VERSION,
        namespace: config.SALESFORCE_NAMESPACE,
        allowLoopback: config.NODE_ENV !== 'production',
        pendingLimit: config.OAUTH_PENDING_LIMIT
    };
}

/** The variables a self-hosted org still needs before the middleware can reach it (empty when none). */
export function selfHostedSalesforceGaps(config: AppConfig): string[] {
    const gaps: string[] = [];
    if (!config.SALESFORCE_INSTANCE_URL) gaps.push('SALESFORCE_INSTANCE_URL');
    if (!config.SALESFORCE_CLIENT_ID) gaps.push('SALESFORCE_CLIENT_ID');
    if (!config.SALESFORCE_REFRESH_TOKEN) gaps.push('SALESFORCE_REFRESH_TOKEN');
    return gaps;
}

/**
 * The start-up notes about what this configuration cannot do. A self-hosted org receives its
 * request-signing secret from the middleware at start-up, through the Salesforce variables; without
 * them it has no secret, so it cannot call the middleware at all.
 */
export function modeNotices(config: AppConfig): { level: 'info' | 'warn'; message: string }[] {
    const notes: { level: 'info' | 'warn'; message: string }[] = [];
    const missing = missingHostedVariables(config);
    if (missing.length > 0) {
        notes.push({
            level: 'info',
            message: `Hosted connect is off (GET /oauth/salesforce/start answers 503): set ${missing.join(', ')}`
        });
    }
    if (config.CONNECTOR_ORG_ID) {
        const gaps = selfHostedSalesforceGaps(config);
        if (gaps.length > 0) {
            notes.push({
                level: 'warn',
                message:
                    `Self-hosted org ${config.CONNECTOR_ORG_ID} has no Salesforce access: its tenant secret cannot ` +
                    `be delivered to the org, and import and status back-sync are disabled. Set ${gaps.join(', ')}`
            });
        }
    }
    return notes;
}
