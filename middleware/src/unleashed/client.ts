import type { ZodType } from 'zod';
import type { AppConfig } from '../config';
import {
    errorTextFromBody,
    isQuotaRefusal,
    isRetryableStatus,
    redact,
    truncate,
    UnleashedError
} from './errors';
import { toUnleashedJson } from './json';
import { buildQuery, QUERY_ENCODINGS, signingDependsOnEncoding } from './query';
import { PageEnvelopeSchema } from './schemas';
import { signQuery } from './signature';
import type {
    CallCounter,
    Page,
    PageOptions,
    Query,
    UnleashedClient,
    UnleashedClientOptions,
    UnleashedCredentials
} from './types';

/**
 * The one door to Unleashed: signs, sends, retries, counts, pages and validates. The query string is
 * built once and those exact bytes are both signed and sent. Every HTTP attempt, retries included,
 * is recorded on opts.counter (the monthly quota counts calls, not successes).
 */

const DEFAULT_RETRY_BASE_MS = 500;
const DEFAULT_RETRY_MAX_DELAY_MS = 30_000;
const MAX_PAGE_SIZE = 1000;

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

interface Issue {
    path: readonly PropertyKey[];
    message: string;
}

/** `Items[3].SellPriceTier1.Value: expected number, received string` */
function formatIssues(issues: readonly Issue[], prefix: string): string {
    const shown = issues.slice(0, 5).map((i) => {
        let where = prefix;
        for (const p of i.path) where += typeof p === 'number' ? `[${p}]` : `${where ? '.' : ''}${String(p)}`;
        return `${where || '(body)'}: ${i.message.replace(/^Invalid input: /, '')}`;
    });
    const more = issues.length > 5 ? ` (and ${issues.length - 5} more)` : '';
    return shown.join('; ') + more;
}

function resourceOf(path: string): string {
    return path.split('/').find(Boolean) ?? path;
}

function parseRetryAfter(value: string | null, now: number): number | undefined {
    if (!value) return undefined;
    const v = value.trim();
    if (/^\d+$/.test(v)) return Number(v) * 1000;
    const at = Date.parse(v);
    return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * What a 403 on a query whose signed text depends on UNLEASHED_QUERY_ENCODING says: the setting in
 * use, the text it signed (the query, never the signature or key) and the settings to try.
 */
function signingHint(encoding: string, signed: string): string {
    const others = QUERY_ENCODINGS.filter((e) => e !== encoding).join(' or ');
    return (
        `The query holds characters (such as a space, #, &, +, / or an accented letter) that each ` +
        `UNLEASHED_QUERY_ENCODING setting signs differently. This call used ${encoding} and signed ` +
        `"${truncate(signed, 300)}". If calls without such characters succeed, the credentials are ` +
        `fine: set UNLEASHED_QUERY_ENCODING to ${others}.`
    );
}

function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

function normalisePath(path: string): string {
    if (path.includes('?') || path.includes('#')) {
        throw new TypeError('pass query parameters separately: they are signed');
    }
    return path.startsWith('/') ? path : `/${path}`;
}

export function createUnleashedClient(opts: UnleashedClientOptions): UnleashedClient {
    const base = opts.baseUrl.replace(/\/+$/, '');
    const retryBase = opts.retryBaseMs ?? DEFAULT_RETRY_BASE_MS;
    const maxDelay = opts.retryMaxDelayMs ?? DEFAULT_RETRY_MAX_DELAY_MS;
    const random = opts.random ?? Math.random;
    const { apiId, apiKey } = opts.credentials;

    function backoff(attempt: number, retryAfterMs: number | undefined): number {
        if (retryAfterMs !== undefined) return Math.min(retryAfterMs, maxDelay);
        // Full jitter: uniform in [0, min(cap, base * 2^attempt)).
        return Math.floor(random() * Math.min(maxDelay, retryBase * 2 ** attempt));
    }

    /** Sends one logical request (with retries); `read` turns a 2xx body into the result. */
    async function send<T>(
        method: Method,
        rawPath: string,
        query: Query | undefined,
        body: unknown,
        read: (text: string, status: number) => T
    ): Promise<T> {
        const path = normalisePath(rawPath);
        const { sent: qs, signed } = buildQuery(query, opts.queryEncoding);
        const signature = signQuery(apiKey, signed);
        const secrets = [apiKey, signature];
        const url = `${base}${path}${qs ? `?${qs}` : ''}`;
        const headers = {
            Accept: 'application/json',
            'Content-Type': 'application/json',
            'api-auth-id': apiId,
            'api-auth-signature': signature,
            'client-type': opts.clientType
        };
        const payload = body === undefined ? undefined : toUnleashedJson(body);
        const fail = (
            kind: UnleashedError['kind'],
            status: number,
            message: string,
            retryable: boolean,
            attempts: number
        ) =>
            new UnleashedError({
                kind,
                status,
                message: redact(message, secrets),
                method,
                path,
                retryable,
                attempts
            });

        for (let attempt = 0; ; attempt++) {
            await opts.counter?.record(1);
            const attempts = attempt + 1;
            let outcome: { status: number; text: string } | UnleashedError;
            let retryAfterMs: number | undefined;
            try {
                const res = await fetch(url, {
                    method,
                    headers,
                    body: payload,
                    // Never follow: the signature header would go wherever a redirect points.
                    redirect: 'manual',
                    signal: AbortSignal.timeout(opts.timeoutMs)
                });
                const text = await res.text();
                if (res.status >= 200 && res.status < 300) {
                    outcome = { status: res.status, text };
                } else if (res.status >= 300 && res.status < 400) {
                    outcome = fail(
                        'http',
                        res.status,
                        `unexpected redirect (HTTP ${res.status})`,
                        false,
                        attempts
                    );
                } else {
                    const message = errorTextFromBody(text, res.status, res.statusText);
                    // A spent monthly allowance stays spent until the 1st: never retried, even as a 429.
                    const quota = isQuotaRefusal(res.status, message);
                    const retryable = isRetryableStatus(res.status) && !quota;
                    outcome = fail('http', res.status, message, retryable, attempts);
                    if (res.status === 403 && !quota && signingDependsOnEncoding(query)) {
                        outcome.signingHint = redact(signingHint(opts.queryEncoding, signed), secrets);
                    }
                    retryAfterMs = parseRetryAfter(res.headers.get('retry-after'), Date.now());
                }
            } catch (e) {
                outcome = transportError(e, attempts);
            }
            if (!(outcome instanceof UnleashedError)) {
                try {
                    return read(outcome.text, outcome.status);
                } catch (e) {
                    if (!(e instanceof UnleashedError)) {
                        throw fail('invalid-response', outcome.status, String(e), false, attempts);
                    }
                    // Body text quoted in the message may echo what was sent.
                    e.message = redact(e.message, secrets);
                    e.attempts = attempts;
                    throw e;
                }
            }
            if (!outcome.retryable || attempt >= opts.maxRetries) throw outcome;
            await sleep(backoff(attempt, retryAfterMs));
        }

        function transportError(e: unknown, attempts: number): UnleashedError {
            const err = e as { name?: string; message?: string; cause?: { code?: string; message?: string } };
            if (err?.name === 'TimeoutError' || err?.name === 'AbortError') {
                return fail('timeout', 0, `no answer within ${opts.timeoutMs} ms`, true, attempts);
            }
            const detail = err?.cause?.code ?? err?.cause?.message ?? err?.message ?? String(e);
            return fail('network', 0, `network error: ${truncate(String(detail), 200)}`, true, attempts);
        }
    }

    function parseJson(text: string, status: number, method: Method, path: string, what: string): unknown {
        if (text.trim() === '') return undefined;
        try {
            return JSON.parse(text);
        } catch {
            throw new UnleashedError({
                kind: 'invalid-response',
                status,
                message: `Unleashed answered ${what} with a body that is not JSON: ${truncate(text.trim(), 200)}`,
                method,
                path: normalisePath(path),
                retryable: false
            });
        }
    }

    function validate<T>(
        schema: ZodType<T>,
        value: unknown,
        status: number,
        method: Method,
        path: string,
        what: string,
        prefix = ''
    ): T {
        const r = schema.safeParse(value);
        if (r.success) return r.data;
        throw new UnleashedError({
            kind: 'invalid-response',
            status,
            message: `Unleashed returned an unexpected ${what}: ${formatIssues(r.error.issues, prefix)}`,
            method,
            path: normalisePath(path),
            retryable: false
        });
    }

    function withBody<T>(
        method: Method,
        path: string,
        query: Query | undefined,
        body: unknown,
        schema?: ZodType<T>
    ) {
        return send(method, path, query, body, (text, status) => {
            const json = parseJson(text, status, method, path, resourceOf(normalisePath(path)));
            return schema
                ? validate(schema, json, status, method, path, resourceOf(normalisePath(path)))
                : (json as T);
        });
    }

    async function getPage<T>(
        resource: string,
        page: number,
        query: Query,
        itemSchema: ZodType<T>
    ): Promise<Page<T>> {
        if (!Number.isInteger(page) || page < 1)
            throw new RangeError(`page must be a positive integer, got ${page}`);
        const name = resource.replace(/^\/+|\/+$/g, '');
        const path = `/${name}/${page}`;
        return send('GET', path, query, undefined, (text, status) => {
            const what = `${name} page ${page}`;
            const json = parseJson(text, status, 'GET', path, what);
            const envelope = validate(PageEnvelopeSchema, json, status, 'GET', path, what);
            const items = envelope.Items.map((item, i) =>
                validate(itemSchema, item, status, 'GET', path, `${name} item`, `Items[${i}]`)
            );
            const { NumberOfItems, PageSize, PageNumber, NumberOfPages } = envelope.Pagination;
            return { pagination: { NumberOfItems, PageSize, PageNumber, NumberOfPages }, items };
        });
    }

    async function* pages<T>(
        resource: string,
        query: Query,
        itemSchema: ZodType<T>,
        pageOpts: PageOptions = {}
    ): AsyncIterable<Page<T>> {
        const pageSize = pageOpts.pageSize ?? MAX_PAGE_SIZE;
        if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
            throw new RangeError(`pageSize must be 1..${MAX_PAGE_SIZE}, got ${pageSize}`);
        }
        const q: Query = { ...query, pageSize };
        for (let page = 1; ; page++) {
            const p = await getPage(resource, page, q, itemSchema);
            yield p;
            // PageNumber 0 / NumberOfPages 0 is Unleashed's empty result; an empty page also ends it
            // so an inconsistent count can never loop forever.
            if (p.items.length === 0 || p.pagination.PageNumber === 0 || page >= p.pagination.NumberOfPages)
                return;
        }
    }

    async function all<T>(resource: string, query: Query, itemSchema: ZodType<T>, pageOpts?: PageOptions) {
        const out: T[] = [];
        for await (const p of pages(resource, query, itemSchema, pageOpts)) out.push(...p.items);
        return out;
    }

    return {
        get: <T>(path: string, query?: Query, schema?: ZodType<T>) =>
            withBody<T>('GET', path, query, undefined, schema),
        getPage,
        pages,
        all,
        post: <T>(path: string, body: unknown, schema?: ZodType<T>) =>
            withBody<T>('POST', path, undefined, body, schema),
        put: <T>(path: string, body: unknown, schema?: ZodType<T>) =>
            withBody<T>('PUT', path, undefined, body, schema),
        del: async (path: string) => {
            await send('DELETE', path, undefined, undefined, () => undefined);
        },
        async findByCode<T>(
            resource: string,
            filterName: string,
            code: string,
            codeOf: (item: T) => string | null | undefined,
            itemSchema: ZodType<T>,
            extraQuery: Query = {}
        ): Promise<T | null> {
            if (code === '') throw new RangeError(`${filterName} must not be empty`);
            const candidates = await all(resource, { ...extraQuery, [filterName]: code }, itemSchema);
            return candidates.find((c) => codeOf(c) === code) ?? null;
        }
    };
}

type UnleashedConfig = Pick<
    AppConfig,
    | 'UNLEASHED_BASE_URL'
    | 'UNLEASHED_CLIENT_TYPE'
    | 'UNLEASHED_QUERY_ENCODING'
    | 'UNLEASHED_TIMEOUT_MS'
    | 'UNLEASHED_MAX_RETRIES'
>;

/** Client options for one tenant from the middleware's configuration. */
export function unleashedClientOptions(
    config: UnleashedConfig,
    credentials: UnleashedCredentials,
    counter?: CallCounter
): UnleashedClientOptions {
    return {
        baseUrl: config.UNLEASHED_BASE_URL,
        credentials,
        clientType: config.UNLEASHED_CLIENT_TYPE,
        queryEncoding: config.UNLEASHED_QUERY_ENCODING,
        timeoutMs: config.UNLEASHED_TIMEOUT_MS,
        maxRetries: config.UNLEASHED_MAX_RETRIES,
        counter
    };
}
