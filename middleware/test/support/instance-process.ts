import { buildApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import { createServices } from '../../src/services';

/**
 * One middleware instance in a process of its own (see instances.ts), configured from the
 * environment like server.ts, so a test can kill it with SIGKILL as a crash would. Imports run on
 * its own worker with small pages (INSTANCE_IMPORT_PAGE_SIZE) so a job spans many checkpoints.
 */
async function main(): Promise<void> {
    // The test that started this process is gone: so is this instance.
    process.stdin.on('end', () => process.exit(0));
    process.stdin.resume();
    const config = loadConfig(process.env);
    const services = await createServices(config, {
        clientOverrides: { retryBaseMs: 5, retryMaxDelayMs: 50 },
        imports: {
            autoStart: true,
            runner: {
                pageSize: Number(process.env.INSTANCE_IMPORT_PAGE_SIZE ?? 1000),
                pagesInFlight: Number(process.env.INSTANCE_IMPORT_PAGES_IN_FLIGHT ?? 6),
                progressIntervalMs: 0,
                retryDelayMs: 10
            },
            worker: { pollMs: 20 }
        }
    });
    const app = await buildApp(config, { services });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    process.stdout.write(`${JSON.stringify({ listening: `http://127.0.0.1:${port}` })}\n`);
}

main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
});
