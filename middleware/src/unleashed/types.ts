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
    queryEncoding: 'minimal' | 'rfc3986';
    timeoutMs: number;
    maxRetries: number;
    counter?: CallCounter;
    /** Base of the exponential backoff, in ms; tests shorten it. */
    retryBaseMs?: number;
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
