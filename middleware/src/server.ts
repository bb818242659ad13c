import { buildApp } from './app';
import { ConfigError, loadConfig } from './config';

/** Production entry point: configuration from the environment, graceful shutdown on signals. */
async function main(): Promise<void> {
    let config;
    try {
        config = loadConfig();
    } catch (err) {
        if (err instanceof ConfigError) {
            process.stderr.write(`${err.message}\n`);
            process.exit(78); // EX_CONFIG
        }
        throw err;
    }
    const app = await buildApp(config);
    let closing = false;
    const shutdown = (signal: string) => {
        if (closing) return;
        closing = true;
        app.log.info({ signal }, 'shutting down: finishing in-flight requests');
        const force = setTimeout(() => process.exit(1), 10000);
        force.unref();
        app.close().then(
            () => process.exit(0),
            (err: unknown) => {
                app.log.error({ err }, 'error during shutdown');
                process.exit(1);
            }
        );
    };
    process.on('SIGINT', () => shutdown('SIGINT'));
    process.on('SIGTERM', () => shutdown('SIGTERM'));
    await app.listen({ host: config.HOST, port: config.PORT });
}

main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
});
