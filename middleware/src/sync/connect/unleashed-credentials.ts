import { HttpProblem } from '../../problem';
import type { Store, Tenant } from '../../store';
import { isUnleashedError } from '../../unleashed/errors';
import { CompanySchema } from '../../unleashed/schemas';
import type { UnleashedClient, UnleashedCredentials } from '../../unleashed/types';
import { baseCurrencyOf } from '../catalog';
import { unleashedProblem } from '../unleashed-problem';

/**
 * An org's Unleashed API credentials: checked against Unleashed (its company), then stored encrypted
 * with the company's name and base currency. Credentials Unleashed refuses change nothing.
 */
export async function saveUnleashedCredentials(
    deps: { store: Store; unleashedWith(orgId: string, credentials: UnleashedCredentials): UnleashedClient },
    orgId: string,
    credentials: UnleashedCredentials
): Promise<Tenant> {
    const client = deps.unleashedWith(orgId, credentials);
    let companies;
    try {
        companies = await client.all('Companies', {}, CompanySchema);
    } catch (err) {
        if (isUnleashedError(err) && (err.status === 401 || err.status === 403)) {
            throw new HttpProblem(
                400,
                'Unleashed rejected these credentials',
                'Copy the API ID and API Key again from Unleashed (Integration > Unleashed API Access).'
            );
        }
        throw unleashedProblem(err, 'Checking the credentials with Unleashed');
    }
    const company = companies[0];
    return deps.store.tenants.upsert({
        orgId,
        unleashed: { apiId: credentials.apiId, apiKey: credentials.apiKey },
        settings: {
            companyName: company?.CompanyName ?? null,
            baseCurrency: company ? baseCurrencyOf(company) : null
        }
    });
}
