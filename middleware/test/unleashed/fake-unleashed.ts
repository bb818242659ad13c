import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A tiny stand-in for Unleashed on 127.0.0.1: records every request exactly as received (the raw
 * request line's URL, headers, body) and checks the signature itself, over the raw query bytes.
 */

export interface Received {
    method: string;
    /** The request target as sent on the wire, e.g. "/Products/1?pageSize=2". */
    rawUrl: string;
    path: string;
    /** Everything after '?', undecoded. */
    rawQuery: string;
    query: URLSearchParams;
    headers: IncomingHttpHeaders;
    body: string;
    signatureOk: boolean;
}

export type Handler = (req: Received, res: ServerResponse, index: number) => void | Promise<void>;

export interface FakeUnleashed {
    url: string;
    requests: Received[];
    close(): Promise<void>;
}

export function expectedSignature(apiKey: string, rawQuery: string): string {
    return createHmac('sha256', Buffer.from(apiKey, 'utf8'))
        .update(Buffer.from(rawQuery, 'latin1'))
        .digest('base64');
}

export function json(
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {}
): void {
    res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
}

export function pageBody(items: unknown[], page: number, pageSize: number, total: number) {
    const pages = Math.ceil(total / pageSize);
    return {
        Pagination: {
            NumberOfItems: total,
            PageSize: pageSize,
            PageNumber: total === 0 ? 0 : page,
            NumberOfPages: pages
        },
        Items: items
    };
}

export async function startFakeUnleashed(apiKey: string, handler: Handler): Promise<FakeUnleashed> {
    const requests: Received[] = [];
    const server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
            const rawUrl = req.url ?? '';
            const q = rawUrl.indexOf('?');
            const rawQuery = q >= 0 ? rawUrl.slice(q + 1) : '';
            const received: Received = {
                method: req.method ?? '',
                rawUrl,
                path: q >= 0 ? rawUrl.slice(0, q) : rawUrl,
                rawQuery,
                query: new URLSearchParams(rawQuery),
                headers: req.headers,
                body: Buffer.concat(chunks).toString('utf8'),
                signatureOk: req.headers['api-auth-signature'] === expectedSignature(apiKey, rawQuery)
            };
            requests.push(received);
            if (!received.signatureOk) {
                json(res, 403, { Description: 'Forbidden' });
                return;
            }
            Promise.resolve(handler(received, res, requests.length - 1)).catch((err: unknown) => {
                res.destroy(err instanceof Error ? err : new Error(String(err)));
            });
        });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return {
        url: `http://127.0.0.1:${port}`,
        requests,
        close: () =>
            new Promise<void>((resolve) => {
                if (!server.listening) return resolve();
                server.close(() => resolve());
                server.closeAllConnections();
            })
    };
}
