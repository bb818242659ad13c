import { z } from 'zod';
import type { Store, Tenant } from '../../store';

/**
 * What the Unleashed Admin tab shows of a connection: Unleashed linked or not, the company, the
 * quota meter. The connection routes answer with this schema.
 */
export const connectionViewSchema = z.object({
    orgId: z.string(),
    unleashedConnected: z.boolean(),
    apiId: z.string().nullable(),
    companyName: z.string().nullable(),
    baseCurrency: z.string().nullable(),
    quota: z.object({
        month: z.string(),
        used: z.number().int(),
        limit: z.number().int(),
        /** Share of the month's allowance used, in percent with one decimal (the meter's value). */
        percent: z.number(),
        /** What the status, shipment and invoice polls cost once the org has sent orders (help text). */
        polling: z
            .object({
                callsPerDay: z.number().int(),
                callsPerMonth: z.number().int().describe('31 days'),
                percentOfLimit: z.number(),
                /** The same while the tenant's webhooks deliver changes (the order poll slows down). */
                withWebhooks: z
                    .object({
                        callsPerDay: z.number().int(),
                        callsPerMonth: z.number().int(),
                        percentOfLimit: z.number()
                    })
                    .optional()
            })
            .optional()
    })
});
export type ConnectionView = z.infer<typeof connectionViewSchema>;

export async function connectionView(
    store: Pick<Store, 'quota'>,
    tenant: Tenant,
    polling?: (monthlyLimit: number) => NonNullable<ConnectionView['quota']['polling']>
): Promise<ConnectionView> {
    const quota = await store.quota.read(tenant.orgId, tenant.settings.monthlyQuota);
    const text = (v: unknown) => (typeof v === 'string' ? v : null);
    return {
        orgId: tenant.orgId,
        unleashedConnected: tenant.unleashed !== null,
        apiId: tenant.unleashed?.apiId ?? null,
        companyName: text(tenant.settings.companyName),
        baseCurrency: text(tenant.settings.baseCurrency),
        quota: {
            ...quota,
            percent: percentOf(quota.used, quota.limit),
            ...(polling ? { polling: polling(quota.limit) } : {})
        }
    };
}

/** `used` of `limit` in percent, one decimal, halves up; 0 without a limit. */
export function percentOf(used: number, limit: number): number {
    return limit > 0 ? Math.round((used * 1000) / limit) / 10 : 0;
}
