import { HttpProblem } from '../problem';
import { isQuotaRefusal, isUnleashedError } from '../unleashed/errors';

/**
 * Turns a failed Unleashed call into the answer Salesforce shows the user: Unleashed's own words,
 * what we were doing, and whether trying again may help. Never the signature or key.
 */
export function unleashedProblem(err: unknown, doing: string): HttpProblem {
    if (!isUnleashedError(err))
        return err instanceof HttpProblem ? err : new HttpProblem(500, 'Internal error');
    const extras = { unleashedStatus: err.status, retryable: err.retryable };
    if (err.status === 0) {
        return new HttpProblem(504, 'Unleashed did not answer', `${doing}: ${err.message}`, extras);
    }
    // Unleashed blocks every call once the plan's monthly allowance is spent (its exact words are
    // unconfirmed; these are the ones it is reported to use).
    if (isQuotaRefusal(err.status, err.message)) {
        return new HttpProblem(
            503,
            'Unleashed API allowance used up',
            `${doing}: ${err.message}. Unleashed allows calls again from 00:00 UTC on the 1st of next month; the Unleashed Admin tab shows this month's count.`,
            extras
        );
    }
    if (err.status === 403 && err.signingHint) {
        return new HttpProblem(
            502,
            'Unleashed refused the query signature',
            `${doing}: ${err.message}. ${err.signingHint}`,
            extras
        );
    }
    if (err.status === 403) {
        return new HttpProblem(
            502,
            'Unleashed refused the request',
            `${doing}: ${err.message}. Check the API credentials on the Unleashed Admin tab, and the monthly API quota.`,
            extras
        );
    }
    if (err.status === 400 || err.status === 404 || err.status === 405) {
        return new HttpProblem(422, 'Unleashed rejected the request', `${doing}: ${err.message}`, extras);
    }
    return new HttpProblem(502, 'Unleashed failed', `${doing}: ${err.message}`, extras);
}
