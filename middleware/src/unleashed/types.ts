import type { ZodType } from 'zod';
import type { QueryEncoding } from './query';

/**
 * The Unleashed edge as the rules (sync/) see it. Implemented by client.ts; the rules depend on
 * these types only, so tests can point them at the simulator.
 */

export interface UnleashedCredentials {
    apiId: string;
    /** The API key as Unleashed shows it; used as UTF-8 text for the HMAC, never decoded. */
    apiKey: string;
}

/** Counts every call made for one tenant (the quota meter). Implemented by the store. */
export interface CallCounter {
    record(calls: number): Promise<void> | void;
}

export type QueryValue = string | number | boolean | readonly (string | number)[] | null | undefined;
export type Query = Record<string, QueryValue>;

export interface Pagination {
    NumberOfItems: number;
    PageSize: number;
    PageNumber: number;
    NumberOfPages: number;
}

export interface Page<T> {
    pagination: Pagination;
    items: T[];
}

export interface UnleashedClientOptions {
    baseUrl: string;
    credentials: UnleashedCredentials;
    clientType: string;
    queryEncoding: QueryEncoding;
    timeoutMs: number;
    maxRetries: number;
    counter?: CallCounter;
    /** Base of the exponential backoff, in ms; tests shorten it. */
    retryBaseMs?: number;
    /** Longest single wait between attempts, also the cap on a Retry-After; default 30 s. */
    retryMaxDelayMs?: number;
    /** Source of the backoff jitter, [0, 1); Math.random unless a test pins it. */
    random?: () => number;
}

export interface PageOptions {
    /** 1..1000; default 1000 (fewest calls against the monthly quota). */
    pageSize?: number;
}

export interface UnleashedClient {
    /** GET path?query; the body is validated with `schema` when given. */
    get<T = unknown>(path: string, query?: Query, schema?: ZodType<T>): Promise<T>;
    /** GET /{resource}/{page}?query: page in the path, every item validated with `itemSchema`. */
    getPage<T>(resource: string, page: number, query: Query, itemSchema: ZodType<T>): Promise<Page<T>>;
    /** Every page from 1 on; an empty result yields one empty page. `pageSize` joins the signed query. */
    pages<T>(
        resource: string,
        query: Query,
        itemSchema: ZodType<T>,
        opts?: PageOptions
    ): AsyncIterable<Page<T>>;
    all<T>(resource: string, query: Query, itemSchema: ZodType<T>, opts?: PageOptions): Promise<T[]>;
    post<T = unknown>(path: string, body: unknown, schema?: ZodType<T>): Promise<T>;
    put<T = unknown>(path: string, body: unknown, schema?: ZodType<T>): Promise<T>;
    del(path: string): Promise<void>;
    /**
     * Unleashed's code filters match prefixes: asks with `filterName=code`, then keeps only the item
     * whose code equals `code` exactly (case-sensitive). Null when none does.
     */
    findByCode<T>(
        resource: string,
        filterName: string,
        code: string,
        codeOf: (item: T) => string | null | undefined,
        itemSchema: ZodType<T>,
        extraQuery?: Query
    ): Promise<T | null>;
}

/** Normalised failure of an Unleashed call (status 0 = network / timeout). */
export interface UnleashedErrorInfo {
    status: number;
    /** Unleashed's own text (Description or Items[].Description), else the raw body. */
    message: string;
    method: string;
    path: string;
    retryable: boolean;
}
