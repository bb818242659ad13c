import type { UnleashedErrorInfo } from './types';

/**
 * One error type for every way an Unleashed call can fail, so the rules and routes handle a single
 * shape. `message` is Unleashed's own text where it gave one. Nothing secret is ever put here: the
 * client scrubs the API key and signature from every text before it builds an error.
 */

/** http: Unleashed answered with an error status; network / timeout: no answer (status 0);
 * invalid-response: a success status whose body is not what the schema expects. */
export type UnleashedErrorKind = 'http' | 'network' | 'timeout' | 'invalid-response';

export class UnleashedError extends Error implements UnleashedErrorInfo {
    readonly status: number;
    readonly method: string;
    readonly path: string;
    readonly retryable: boolean;
    readonly kind: UnleashedErrorKind;
    /** HTTP attempts made before giving up (1 = no retry). */
    attempts: number;
    /**
     * Set on a 403 whose query the UNLEASHED_QUERY_ENCODING settings would sign differently: which
     * setting to try and what was signed, so the rep is not sent to check good credentials.
     */
    signingHint?: string;

    constructor(info: UnleashedErrorInfo & { kind: UnleashedErrorKind; attempts?: number }) {
        super(info.message);
        this.name = 'UnleashedError';
        this.status = info.status;
        this.method = info.method;
        this.path = info.path;
        this.retryable = info.retryable;
        this.kind = info.kind;
        this.attempts = info.attempts ?? 1;
    }

    /** One line for logs: method, path, status and text. */
    describe(): string {
        const status = this.status === 0 ? this.kind : String(this.status);
        const hint = this.signingHint ? ` ${this.signingHint}` : '';
        return `Unleashed ${this.method} ${this.path} failed (${status}, ${this.attempts} attempt${this.attempts === 1 ? '' : 's'}): ${this.message}${hint}`;
    }
}

export function isUnleashedError(e: unknown): e is UnleashedError {
    return e instanceof UnleashedError;
}

/** 429 and 5xx may pass; 400/401/403/404/405 and other 4xx will not change on a retry. */
export function isRetryableStatus(status: number): boolean {
    return status === 429 || (status >= 500 && status <= 599);
}

/**
 * Words of a monthly-allowance refusal. Unleashed's status for it is undocumented (403 reported;
 * 429 possible): the text, not the status, says it is the quota.
 */
export const QUOTA_TEXT = /allowance|quota|monthly|api (call )?limit/i;

/** A spent monthly allowance: blocked until the 1st, so never worth a retry. */
export function isQuotaRefusal(status: number, message: string): boolean {
    return (status === 403 || status === 429) && QUOTA_TEXT.test(message);
}

const MAX_TEXT = 500;

export function truncate(text: string, max = MAX_TEXT): string {
    return text.length > max ? `${text.slice(0, max)}... (${text.length} characters)` : text;
}

/**
 * Unleashed's error text: `Description`, else the `Items[].Description` list joined, else an
 * ASP.NET-style `Message`, else the raw body (truncated), else the status line.
 */
export function errorTextFromBody(body: string, status: number, statusText = ''): string {
    const trimmed = body.trim();
    if (trimmed === '') return `HTTP ${status}${statusText ? ` ${statusText}` : ''}`;
    let json: unknown;
    try {
        json = JSON.parse(trimmed);
    } catch {
        return truncate(trimmed);
    }
    if (typeof json === 'string' && json.trim()) return truncate(json.trim());
    const described = describeJson(json);
    return truncate(described ?? trimmed);
}

function describeJson(json: unknown): string | null {
    if (Array.isArray(json)) return joinDescriptions(json);
    if (!json || typeof json !== 'object') return null;
    const o = json as Record<string, unknown>;
    const own = text(o.Description) ?? text(o.description);
    if (own) return own;
    const items = o.Items ?? o.items;
    if (Array.isArray(items)) {
        const joined = joinDescriptions(items);
        if (joined) return joined;
    }
    return text(o.Message) ?? text(o.message);
}

function joinDescriptions(items: unknown[]): string | null {
    const parts = items
        .map((i) => (i && typeof i === 'object' ? text((i as Record<string, unknown>).Description) : text(i)))
        .filter((t): t is string => t !== null);
    return parts.length ? parts.join('; ') : null;
}

function text(v: unknown): string | null {
    return typeof v === 'string' && v.trim() ? v.trim() : null;
}

/** Replaces every occurrence of each secret with [redacted]. */
export function redact(message: string, secrets: readonly string[]): string {
    let out = message;
    for (const s of secrets) if (s) out = out.split(s).join('[redacted]');
    return out;
}
