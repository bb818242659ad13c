import { signRequest } from '../../http/auth';
import type { BridgeOrg } from './org';
import { isBlank, isObject, str, type Json } from './json';

/**
 * UnleashedMiddlewareClient and UnleashedMiddlewareException as the package has them: every call
 * signed with the org's tenant secret (docs/architecture.md, the signing contract), sent to the Named Credential's URL, a
 * non-2xx answer turned into an exception carrying the status and the problem+json title and
 * detail, and status 0 when there was no answer or the org is not connected.
 */

export const NOT_CONNECTED =
    'Unleashed is not connected yet. An administrator can connect it on the Unleashed Admin tab.';

const TIMEOUT_MS = 20000;

export class MiddlewareError extends Error {
    constructor(
        readonly status: number,
        readonly title: string | null,
        readonly detail: string | null,
        /** The problem+json answer as it came (its extra members, e.g. `blocking`), when there was one. */
        readonly problem: Json | null = null
    ) {
        super(!isBlank(detail) ? (detail as string) : (title ?? ''));
        this.name = 'MiddlewareError';
    }

    isNotConnected(): boolean {
        return this.status === 0 && this.detail === NOT_CONNECTED;
    }
}

function defaultDetail(status: number): string {
    if (status === 401) {
        return 'The Unleashed connector service did not accept this org. An administrator can reconnect on the Unleashed Admin tab.';
    }
    if (status === 429) return 'The Unleashed connector service is busy. Try again in a minute.';
    if (status >= 500) {
        return `The Unleashed connector service had a problem (HTTP ${status}). Try again later.`;
    }
    return `The Unleashed connector service refused the request (HTTP ${status}).`;
}

function fromResponse(status: number, statusText: string, body: string): MiddlewareError {
    let title: string | null = null;
    let detail: string | null = null;
    let problem: Json | null = null;
    try {
        const parsed: unknown = body.trim() === '' ? null : JSON.parse(body);
        if (isObject(parsed)) {
            problem = parsed;
            title = str(parsed, 'title');
            detail = str(parsed, 'detail');
        }
    } catch {
        detail = null;
    }
    if (isBlank(title)) title = statusText;
    if (isBlank(detail)) detail = defaultDetail(status);
    return new MiddlewareError(status, title, detail, problem);
}

/** Why a callout got no answer, in the words a CalloutException would use. */
function unreachableReason(err: unknown): string {
    const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
    if (e.name === 'TimeoutError') return 'Read timed out';
    if (e.cause?.code === 'ECONNREFUSED') return 'Connection refused';
    return e.cause?.message ?? e.message ?? String(err);
}

export class MiddlewareClient {
    constructor(
        private readonly org: BridgeOrg,
        private readonly fetchImpl: typeof fetch = fetch
    ) {}

    get(pathWithQuery: string): Promise<unknown> {
        return this.send('GET', pathWithQuery, null);
    }

    post(path: string, body: unknown): Promise<unknown> {
        return this.send('POST', path, body);
    }

    del(path: string): Promise<unknown> {
        return this.send('DELETE', path, null);
    }

    /** One signed request; the parsed JSON of a 2xx answer (null for an empty body). */
    async send(method: string, path: string, body: unknown): Promise<unknown> {
        const secret = this.org.connection.tenantSecret;
        if (isBlank(secret)) throw new MiddlewareError(0, 'Not connected', NOT_CONNECTED);
        if (isBlank(path) || !path.startsWith('/')) {
            throw new MiddlewareError(0, 'Bad path', 'A middleware path must start with "/".');
        }
        if (!this.org.middlewareUrl) {
            throw new MiddlewareError(
                0,
                'Unreachable',
                'The Unleashed connector service could not be reached: the Named Credential Unleashed_Middleware has no URL'
            );
        }
        const text =
            body === null || body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
        const headers: Record<string, string> = {
            accept: 'application/json',
            ...signRequest({
                orgId: this.org.orgId,
                secret: secret as string,
                method: method.toUpperCase(),
                pathWithQuery: path,
                body: text
            })
        };
        if (text !== '') headers['content-type'] = 'application/json';
        let res: Response;
        let answer: string;
        try {
            res = await this.fetchImpl(this.org.middlewareUrl.replace(/\/$/, '') + path, {
                method: method.toUpperCase(),
                headers,
                ...(text !== '' ? { body: text } : {}),
                signal: AbortSignal.timeout(TIMEOUT_MS)
            });
            answer = await res.text();
        } catch (err) {
            throw new MiddlewareError(
                0,
                'Unreachable',
                `The Unleashed connector service could not be reached: ${unreachableReason(err)}`
            );
        }
        if (res.status < 200 || res.status > 299) throw fromResponse(res.status, res.statusText, answer);
        if (answer.trim() === '') return null;
        try {
            return JSON.parse(answer) as unknown;
        } catch {
            throw new MiddlewareError(
                res.status,
                'Bad answer',
                'The Unleashed connector service sent an answer that is not JSON.'
            );
        }
    }
}
