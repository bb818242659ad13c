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
    // Checked here, in the words the admin reads, whether Apex or the preview asks (one home).
    const GUID = /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/;
    credentials = { apiId: credentials.apiId.trim(), apiKey: credentials.apiKey.trim() };
    if (!GUID.test(credentials.apiId))
        throw new HttpProblem(
            400,
            'Not an Unleashed API id',
            'The Unleashed API id is a GUID such as 1a2b3c4d-1234-5678-9abc-1234567890ab.'
        );
    if (credentials.apiKey === '')
        throw new HttpProblem(
            400,
            'No Unleashed API key',
            'Enter the Unleashed API key shown next to the API id in Unleashed.'
        );
    if (credentials.apiKey.length < 20)
        throw new HttpProblem(
            400,
            'Not an Unleashed API key',
            'That is too short to be an Unleashed API key: copy the whole key shown next to the API id in Unleashed.'
        );
    const client = deps.unleashedWith(orgId, credentials);
    let companies;
    try {
        companies = await client.all('Companies', {}, CompanySchema);
    } catch (err) {
        if (isUnleashedError(err) && (err.status === 401 || err.status === 403)) {
            throw new HttpProblem(
                400,
                'Unleashed rejected these credentials',
                'Unleashed did not accept the API credentials: Copy the API ID and API Key again from Unleashed (Integration > Unleashed API Access).'
            );
        }
        throw unleashedProblem(
            err,
            'Unleashed did not accept the API credentials: checking them with Unleashed'
        );
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
