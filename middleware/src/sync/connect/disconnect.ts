import type { AppConfig } from '../../config';
import type { Store, Tenant } from '../../store';
import { checkInstanceUrl } from './addresses';
import { revokeToken } from './revoke';

/** Where a stored refresh token may be revoked: its org's instance when that passes the host rules. */
export function revocationUrl(instanceUrl: string | null, config: AppConfig): string {
    const rules = { loginUrl: config.SALESFORCE_LOGIN_URL, allowLoopback: config.NODE_ENV !== 'production' };
    const checked = instanceUrl ? checkInstanceUrl(instanceUrl, rules) : null;
    return checked ? checked.toString() : config.SALESFORCE_LOGIN_URL;
}

/** Whether this is the refresh token the environment configures for the self-hosted org (never revoked here). */
export function isEnvironmentToken(orgId: string, token: string, config: AppConfig): boolean {
    return orgId === config.CONNECTOR_ORG_ID && token === config.SALESFORCE_REFRESH_TOKEN;
}

/**
 * Disconnect: revokes the org's refresh token, then deletes the tenant. The token the environment
 * configures for a self-hosted org is left alone (the tenant comes back with it at every start).
 * A revocation that fails does not keep the tenant: the org asked to be forgotten.
 */
export async function disconnectTenant(
    deps: { store: Store; config: AppConfig; fetch: typeof fetch },
    tenant: Tenant
): Promise<{ revoked: boolean; revokeError: string | null }> {
    let revoked = false;
    let revokeError: string | null = null;
    const token = tenant.salesforce?.refreshToken;
    if (token && !isEnvironmentToken(tenant.orgId, token, deps.config)) {
        try {
            await revokeToken(deps.fetch, revocationUrl(tenant.instanceUrl, deps.config), token);
            revoked = true;
        } catch (err) {
            revokeError = (err as Error).message;
        }
    }
    await deps.store.tenants.delete(tenant.orgId);
    return { revoked, revokeError };
}
