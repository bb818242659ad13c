/**
 * `npm run bench -- <name> [options]`: runs one benchmark (or all) against the simulators on
 * loopback. Each prints its figures as one JSON line at the end, with ratios against a baseline
 * measured in the same run; nothing here is a pass/fail timing assertion.
 */
type Bench = (args: string[]) => Promise<void>;

// One line per benchmark module; each exports `run(args)`.
const benches: Record<string, () => Promise<Bench>> = {};
benches.stock = async () => (await import('./stock')).run;
benches.push = async () => (await import('./push')).run;
benches.import = async () => (await import('./import')).run;
benches.serve = async () => (await import('./serve')).run;
benches.quota = async () => (await import('./quota')).run;

async function main(): Promise<void> {
    const [name, ...args] = process.argv.slice(2);
    const names = name ? [name] : Object.keys(benches);
    for (const n of names) {
        const load = benches[n];
        if (!load) {
            process.stderr.write(
                `unknown benchmark "${n}"; choose one of: ${Object.keys(benches).join(', ')}\n`
            );
            process.exit(2);
        }
        await (
            await load()
        )(args);
    }
}

main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
});
