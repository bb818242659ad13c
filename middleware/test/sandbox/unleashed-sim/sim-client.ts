/**
 * A deliberately small Unleashed caller for the simulator tests, with its own signing code so the
 * tests do not trust the simulator's.
 */
import { createHmac } from 'node:crypto';
import { DEMO_API_ID, DEMO_API_KEY } from '../../../src/sandbox/unleashed-sim';

export function sign(key: string, query: string): string {
    return createHmac('sha256', Buffer.from(key, 'utf8')).update(query, 'utf8').digest('base64');
}

/** The query text as the simulator's default (decoded) check reads it. */
export function decoded(query: string): string {
    return decodeURIComponent(query);
}

/** Parsed JSON of a reply: tests index into it freely. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface Reply {
    status: number;
    headers: Headers;
    body: Json;
    text: string;
}

export interface CallOptions {
    body?: unknown;
    /** Sent as is instead of JSON.stringify(body). */
    rawBody?: string;
    headers?: Record<string, string | undefined>;
    /** Sign this instead of the decoded query (the simulator's default check). */
    signAs?: string;
    apiId?: string;
    apiKey?: string;
    signal?: AbortSignal;
}

export type Caller = (method: string, pathWithQuery: string, opts?: CallOptions) => Promise<Reply>;

export function caller(baseUrl: string, defaults: { apiId?: string; apiKey?: string } = {}): Caller {
    return async (method, pathWithQuery, opts = {}) => {
        const q = pathWithQuery.indexOf('?');
        const query = q < 0 ? '' : pathWithQuery.slice(q + 1);
        const apiId = opts.apiId ?? defaults.apiId ?? DEMO_API_ID;
        const apiKey = opts.apiKey ?? defaults.apiKey ?? DEMO_API_KEY;
        const headers: Record<string, string> = {
            accept: 'application/json',
            'content-type': 'application/json',
            'api-auth-id': apiId,
            'api-auth-signature': sign(apiKey, opts.signAs ?? decoded(query)),
            'client-type': 'test/unleashed-sim'
        };
        for (const [k, v] of Object.entries(opts.headers ?? {})) {
            if (v === undefined) delete headers[k];
            else headers[k] = v;
        }
        const res = await fetch(baseUrl + pathWithQuery, {
            method,
            headers,
            body: opts.rawBody ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body)),
            signal: opts.signal
        });
        const text = await res.text();
        let body: unknown = undefined;
        try {
            body = text ? JSON.parse(text) : undefined;
        } catch {
            body = text;
        }
        return { status: res.status, headers: res.headers, body, text };
    };
}

export async function simGet(baseUrl: string, path: string): Promise<Json> {
    const res = await fetch(`${baseUrl}/__sim/${path}`);
    return res.json();
}

export async function simPost(baseUrl: string, path: string, body: unknown): Promise<Response> {
    return fetch(`${baseUrl}/__sim/${path}`, { method: 'POST', body: JSON.stringify(body) });
}

/** Parses "/Date(ms)/". */
export function wireMs(v: unknown): number {
    const m = /^\/Date\((-?\d+)\)\/$/.exec(String(v));
    if (!m) throw new Error(`not an Unleashed date: ${String(v)}`);
    return Number(m[1]);
}
