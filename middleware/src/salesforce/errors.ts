/**
 * One error type for everything the Salesforce edge refuses or fails at, carrying Salesforce's own
 * code (REQUEST_LIMIT_EXCEEDED, INVALID_SESSION_ID, invalid_grant, ...) so callers can branch on it
 * and users read a message that says what happened. Never carries tokens or secrets.
 */
export class SalesforceError extends Error {
    readonly code: string;
    /** Worth trying again later (limits, timeouts, transient server errors). */
    readonly retryable: boolean;
    readonly details: unknown;

    constructor(code: string, message: string, opts: { retryable?: boolean; details?: unknown } = {}) {
        super(message);
        this.name = 'SalesforceError';
        this.code = code;
        this.retryable = opts.retryable ?? false;
        this.details = opts.details;
    }
}

const REFRESH_FAILED = /^Unable to refresh session due to: (.*)$/s;

interface JsforceLikeError {
    errorCode?: string;
    name?: string;
    message?: string;
    data?: unknown;
}

/** Wraps what jsforce throws (HttpApiError, refresh failures, network errors) with a clear message. */
export function toSalesforceError(
    err: unknown,
    action: string,
    usage?: { used: number; limit: number }
): SalesforceError {
    if (err instanceof SalesforceError) return err;
    const e = (err ?? {}) as JsforceLikeError;
    const message = String(e.message ?? err);
    const refresh = REFRESH_FAILED.exec(message);
    if (refresh) {
        return new SalesforceError(
            'INVALID_SESSION_ID',
            `${action}: the Salesforce session expired and could not be renewed (${refresh[1]}). Reconnect the org.`
        );
    }
    const code = e.errorCode ?? (e.name && /^[A-Z_]+$/.test(e.name) ? e.name : undefined);
    switch (code) {
        case 'REQUEST_LIMIT_EXCEEDED':
            return new SalesforceError(
                code,
                `${action}: the Salesforce org's daily API request limit is used up` +
                    (usage ? ` (${usage.used}/${usage.limit} requests in the last 24 hours)` : '') +
                    `. Salesforce said: ${message}`,
                { retryable: true, details: e.data }
            );
        case 'INVALID_SESSION_ID':
            return new SalesforceError(
                code,
                `${action}: Salesforce refused the session (${message}). Reconnect the org.`,
                {
                    details: e.data
                }
            );
        case undefined:
            return new SalesforceError('CONNECTION_ERROR', `${action}: ${message}`, { retryable: true });
        default:
            return new SalesforceError(code, `${action}: ${code}: ${message}`, {
                retryable: /^ERROR_HTTP_5\d\d$|^SERVER_UNAVAILABLE$|^UNABLE_TO_LOCK_ROW$/.test(code),
                details: e.data
            });
    }
}
