import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A webhook target on loopback that records what arrives and answers what the test says. */
export interface Received {
    headers: IncomingMessage['headers'];
    body: string;
}

export interface Receiver {
    url: string;
    received: Received[];
    /** Status for the next requests, in order; 200 once they are used up. */
    answers: number[];
    close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
    const received: Received[] = [];
    const answers: number[] = [];
    const server: Server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
            received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
            res.writeHead(answers.shift() ?? 200).end();
        });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return {
        url: `http://127.0.0.1:${port}/hook`,
        received,
        answers,
        close: () =>
            new Promise<void>((resolve) => {
                server.closeAllConnections();
                server.close(() => resolve());
            })
    };
}

/** Unleashed's webhook signature, computed here independently of the code under test. */
export function unleashedSignature(signingKey: string, timestamp: string, body: string): string {
    return createHmac('sha256', Buffer.from(signingKey, 'utf8'))
        .update(`${timestamp}.${body}`)
        .digest('base64');
}
