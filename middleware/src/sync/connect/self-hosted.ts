import type { FastifyBaseLogger } from 'fastify';
import type { AppConfig } from '../../config';
import type { Store, Tenant } from '../../store';
import type { SalesforceEdge } from '../imports/context';
import { deliverSecret } from './deliver-secret';
import { selfHostedSalesforceGaps } from './settings';

/**
 * Self-hosted mode: the environment names one org and its tenant secret. At start-up the secret is
 * handed to the org exactly as hosted connect does it (the package's events resource, in the name of
 * the user of SALESFORCE_REFRESH_TOKEN, who needs Unleashed_Manage_Connection), so nobody copies a
 * secret by hand and the org's protected setting is written only by packaged code.
 */

export type SelfHostedDelivery =
    | { outcome: 'not-self-hosted' }
    | { outcome: 'delivered'; orgId: string }
    | { outcome: 'skipped'; orgId: string; missing: string[] }
    | { outcome: 'failed'; orgId: string; reason: string };

export interface SelfHostedDeps {
    config: AppConfig;
    store: Store;
    salesforceFor(tenant: Tenant): Promise<SalesforceEdge>;
}

export async function deliverSelfHostedSecret(deps: SelfHostedDeps): Promise<SelfHostedDelivery> {
    const orgId = deps.config.CONNECTOR_ORG_ID;
    if (!orgId || !deps.config.CONNECTOR_TENANT_SECRET) return { outcome: 'not-self-hosted' };
    const missing = selfHostedSalesforceGaps(deps.config);
    if (missing.length > 0) return { outcome: 'skipped', orgId, missing };
    try {
        const tenant = await deps.store.tenants.get(orgId);
        if (!tenant) throw new Error('the self-hosted tenant is not in the store');
        const edge = await deps.salesforceFor(tenant);
        await deliverSecret(edge.writer, edge.namespace, {
            secret: tenant.tenantSecret,
            companyName: tenant.settings.companyName,
            baseCurrency: tenant.settings.baseCurrency
        });
        return { outcome: 'delivered', orgId };
    } catch (err) {
        return { outcome: 'failed', orgId, reason: (err as Error).message };
    }
}

/** The start-up log line of a delivery: what happened, and what to do when it did not. */
export function logSelfHostedDelivery(log: FastifyBaseLogger, result: SelfHostedDelivery): void {
    switch (result.outcome) {
        case 'delivered':
            log.info({ orgId: result.orgId }, 'self-hosted org received its tenant secret');
            return;
        case 'skipped':
            log.warn(
                { orgId: result.orgId },
                `self-hosted org did not receive its tenant secret: set ${result.missing.join(', ')}`
            );
            return;
        case 'failed':
            log.warn(
                { orgId: result.orgId, reason: result.reason },
                'self-hosted org did not receive its tenant secret; the user of SALESFORCE_REFRESH_TOKEN needs the ' +
                    'Unleashed Admin permission set. Restart the middleware to try again'
            );
            return;
        default:
    }
}
