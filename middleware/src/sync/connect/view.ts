import type { Store, Tenant } from '../../store';

/** What the Unleashed Admin tab shows of a connection: Unleashed linked or not, the company, the quota meter. */
export interface ConnectionView {
    orgId: string;
    unleashedConnected: boolean;
    apiId: string | null;
    companyName: string | null;
    baseCurrency: string | null;
    quota: { month: string; used: number; limit: number };
}

export async function connectionView(store: Pick<Store, 'quota'>, tenant: Tenant): Promise<ConnectionView> {
    const text = (v: unknown) => (typeof v === 'string' ? v : null);
    return {
        orgId: tenant.orgId,
        unleashedConnected: tenant.unleashed !== null,
        apiId: tenant.unleashed?.apiId ?? null,
        companyName: text(tenant.settings.companyName),
        baseCurrency: text(tenant.settings.baseCurrency),
        quota: await store.quota.read(tenant.orgId, tenant.settings.monthlyQuota)
    };
}
