import { createHash } from 'node:crypto';
import type { AppConfig } from '../../config';
import { connectSalesforce } from '../../salesforce/connection';
import { createSalesforceWriter } from '../../salesforce/writer';
import type { SalesforceWriter } from '../../salesforce/types';
import type { Tenant } from '../../store/types';

/**
 * Each tenant's Salesforce writer (instance URL + refresh token from the store, the tenant's
 * namespace), kept while its credentials stay the same. Stands in until the services offer one
 * shared `salesforceFor(tenant)` (branch imports): then services.ts passes
 * `eventsViaWriter(async (orgId) => (await services.salesforceFor(tenant of orgId)).writer)` instead.
 */
export function tenantWriters(
    config: Pick<
        AppConfig,
        | 'SALESFORCE_LOGIN_URL'
        | 'SALESFORCE_API_VERSION'
        | 'SALESFORCE_CLIENT_ID'
        | 'SALESFORCE_CLIENT_SECRET'
    >,
    tenants: { get(orgId: string): Promise<Tenant | null> }
): (orgId: string) => Promise<SalesforceWriter> {
    const cache = new Map<string, { key: string; writer: SalesforceWriter }>();
    return async (orgId) => {
        const tenant = await tenants.get(orgId);
        if (!tenant?.salesforce || !tenant.instanceUrl) {
            throw new Error('Salesforce is not connected for this org (no instance URL or refresh token)');
        }
        if (!config.SALESFORCE_CLIENT_ID) throw new Error('SALESFORCE_CLIENT_ID is not configured');
        const key = createHash('sha256')
            .update(`${tenant.instanceUrl}|${tenant.salesforce.refreshToken}|${tenant.settings.namespace}`)
            .digest('hex');
        const cached = cache.get(orgId);
        if (cached?.key === key) return cached.writer;
        const conn = connectSalesforce({
            instanceUrl: tenant.instanceUrl,
            // Refreshed at the org's own My Domain URL, which serves production orgs and sandboxes alike.
            loginUrl: tenant.instanceUrl,
            apiVersion: config.SALESFORCE_API_VERSION,
            clientId: config.SALESFORCE_CLIENT_ID,
            ...(config.SALESFORCE_CLIENT_SECRET ? { clientSecret: config.SALESFORCE_CLIENT_SECRET } : {}),
            refreshToken: tenant.salesforce.refreshToken
        });
        const writer = createSalesforceWriter(conn, { namespace: tenant.settings.namespace });
        cache.set(orgId, { key, writer });
        return writer;
    };
}
