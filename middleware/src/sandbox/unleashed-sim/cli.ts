/**
 * Runs the Unleashed simulator for local development:
 *   node middleware/dist-tools/sandbox/unleashed-sim/cli.js --port 4010 --seed demo
 * Prints the URL and the demo credentials; Ctrl-C stops it.
 */
import { DEMO_API_ID, DEMO_API_KEY } from './credentials';
import { startUnleashedSim } from './server';
import { SEEDS } from './state/seeds';
import type { SeedName } from './types';

export interface CliOptions {
    port: number;
    seed: SeedName;
}

export function parseArgs(argv: string[]): CliOptions {
    const opts: CliOptions = { port: 0, seed: 'demo' };
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        const value = argv[i + 1];
        if (arg === '--port') {
            const port = Number(value);
            if (!Number.isInteger(port) || port < 0 || port > 65535)
                throw new Error(`--port needs 0..65535, got ${value}`);
            opts.port = port;
            i++;
        } else if (arg === '--seed') {
            if (!SEEDS.includes(value as SeedName))
                throw new Error(`--seed needs one of ${SEEDS.join(', ')}, got ${value}`);
            opts.seed = value as SeedName;
            i++;
        } else {
            throw new Error(`unknown argument ${arg}; usage: --port N --seed ${SEEDS.join('|')}`);
        }
    }
    return opts;
}

async function main(): Promise<void> {
    let opts: CliOptions;
    try {
        opts = parseArgs(process.argv.slice(2));
    } catch (err) {
        process.stderr.write(`${(err as Error).message}\n`);
        process.exit(2);
    }
    const sim = await startUnleashedSim({ port: opts.port, seed: opts.seed });
    process.stdout.write(
        [
            `Unleashed simulator (${opts.seed}) listening on ${sim.url}`,
            `  api-auth-id:  ${DEMO_API_ID}`,
            `  API key:      ${DEMO_API_KEY}   (demo only; opens nothing but this simulator)`,
            `  client-type:  any non-empty value, e.g. acme/connector`,
            `  inspect:      ${sim.url}/__sim/state  /__sim/orders  /__sim/calls  /__sim/faults`,
            'Ctrl-C stops it.',
            ''
        ].join('\n')
    );
    const stop = (): void => {
        sim.close().then(
            () => process.exit(0),
            () => process.exit(1)
        );
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
}

if (require.main === module) {
    void main();
}
