import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { bridgeRoutes, type BridgeOptions } from './bridge';

/**
 * The local preview's web server (dev only): the built preview (scripts/preview/build.mjs output)
 * with every Lightning-style page URL answered by its index.html, and the dev bridge under
 * /__bridge. Listens on loopback only.
 */

const TYPES: Record<string, string> = {
    '.html': 'text/html; charset=utf-8',
    '.js': 'text/javascript; charset=utf-8',
    '.css': 'text/css; charset=utf-8',
    '.svg': 'image/svg+xml',
    '.png': 'image/png',
    '.woff2': 'font/woff2',
    '.woff': 'font/woff',
    '.json': 'application/json'
};

export interface PreviewServerOptions extends BridgeOptions {
    /** The built preview (index.html, app.js, slds.css, preview.css). */
    outDir: string;
    host?: string;
    port?: number;
    logger?: boolean;
}

export async function startPreviewServer(
    opts: PreviewServerOptions
): Promise<{ app: FastifyInstance; url: string; close: () => Promise<void> }> {
    if (!existsSync(join(opts.outDir, 'index.html'))) {
        throw new Error(`The preview is not built in ${opts.outDir}: run node scripts/preview/build.mjs`);
    }
    const app = Fastify({ logger: opts.logger ? { level: 'warn' } : false });
    await app.register(bridgeRoutes, opts);

    const root = normalize(opts.outDir) + sep;
    app.get('/*', async (request, reply) => {
        const path = decodeURIComponent((request.url.split('?')[0] ?? '/').replace(/^\/+/, ''));
        const file = normalize(join(opts.outDir, path));
        // Files of the build; any other path is a page of the preview (its router reads the URL).
        if (file.startsWith(root) && existsSync(file) && statSync(file).isFile()) {
            const type = TYPES[extname(file)] ?? 'application/octet-stream';
            return reply.type(type).header('cache-control', 'no-cache').send(readFileSync(file));
        }
        if (path.startsWith('__bridge/'))
            return reply.code(404).send({ message: `No bridge route /${path}` });
        return reply
            .type(TYPES['.html'] as string)
            .header('cache-control', 'no-cache')
            .send(readFileSync(join(opts.outDir, 'index.html')));
    });

    const host = opts.host ?? '127.0.0.1';
    await app.listen({ host, port: opts.port ?? 0 });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : opts.port;
    return { app, url: `http://${host}:${port}`, close: () => app.close() };
}
