import { SalesforceError } from '../../salesforce/errors';
import type { SalesforceWriter } from '../../salesforce/types';

/**
 * Hands an org its request-signing secret: POST /services/apexrest/<ns>/events
 * {"events":[{"type":"connection.secret",...}]} in the name of the connecting user (hosted connect) or
 * of the configured integration user (self-hosted, at start-up). The package checks that the user
 * holds Unleashed_Manage_Connection and keeps the secret in its protected setting.
 */

export interface SecretDelivery {
    secret: Buffer;
    /** The Unleashed company and base currency already known, shown on the Admin tab. */
    companyName?: unknown;
    baseCurrency?: unknown;
}

interface EventsAnswer {
    results?: { index?: number; ok?: boolean; error?: string | null }[];
}

/** Resolves when the org accepted the secret; otherwise throws an Error that says why, for the admin. */
export async function deliverSecret(
    writer: Pick<SalesforceWriter, 'apexRest'>,
    namespace: string,
    delivery: SecretDelivery
): Promise<void> {
    const event = {
        type: 'connection.secret',
        secret: delivery.secret.toString('base64'),
        ...(typeof delivery.companyName === 'string' ? { companyName: delivery.companyName } : {}),
        ...(typeof delivery.baseCurrency === 'string' ? { baseCurrency: delivery.baseCurrency } : {})
    };
    const route = `/services/apexrest/${namespace ? `${namespace}/` : ''}events`;
    let answer: EventsAnswer | null;
    try {
        answer = await writer.apexRest<EventsAnswer | null>('events', { events: [event] });
    } catch (err) {
        if (err instanceof SalesforceError && err.code === 'NOT_FOUND') {
            throw new Error(
                `The org has no Unleashed events resource at ${route}: is the package installed` +
                    (namespace ? ` (namespace ${namespace})` : ' (unmanaged)') +
                    '?'
            );
        }
        throw new Error(`Delivering the connection secret to ${route} failed: ${(err as Error).message}`);
    }
    const result = answer?.results?.[0];
    if (result?.ok !== true) {
        throw new Error(
            `The org refused the connection secret: ${result?.error ?? 'it answered without a result for the event'}`
        );
    }
}
