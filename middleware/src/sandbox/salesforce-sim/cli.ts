import { DEMO_CLIENT_ID, DEMO_USERNAME, startSalesforceSim } from './index';

/**
 * Runs the Salesforce simulator on its own for the local demo:
 *   node middleware/dist-tools/sandbox/salesforce-sim/cli.js --port 8788 --seed demo --namespace unleashed
 * Prints the URL (login and instance URL) and the connected app's client id; the demo connects
 * through the OAuth web-server flow, which the simulator approves for the demo user. Never for
 * production.
 */
function arg(name: string): string | undefined {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
    const seed = arg('seed') ?? 'demo';
    if (seed !== 'demo' && seed !== 'empty') throw new Error('--seed must be demo or empty');
    const sim = await startSalesforceSim({
        port: Number(arg('port') ?? 0),
        namespace: arg('namespace') ?? 'unleashed',
        seed,
        latencyMs: Number(arg('latency') ?? 0)
    });
    process.stdout.write(
        `Salesforce simulator on ${sim.url} (org ${sim.orgId}, namespace '${sim.namespace}', seed ${seed})\n` +
            `client id ${DEMO_CLIENT_ID}, user ${DEMO_USERNAME}\n`
    );
    const stop = () => void sim.close().then(() => process.exit(0));
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(1);
});
