import { spawnSync } from 'node:child_process';
import { join, relative } from 'node:path';

/**
 * `npm run build` (what `npm run serve` and a deployment run) compiles the production middleware
 * only: the local demo, the simulators and the benchmarks are built apart (`npm run build:tools`).
 * The file list comes from the compiler itself, so an import that pulls one of them in fails here.
 */
const root = join(__dirname, '../..');

function filesOf(project: string): string[] {
    const tsc = join(root, 'node_modules/typescript/bin/tsc');
    const run = spawnSync(process.execPath, [tsc, '-p', project, '--listFilesOnly'], {
        cwd: root,
        encoding: 'utf8'
    });
    if (run.status !== 0) throw new Error(`tsc --listFilesOnly failed: ${run.stdout}${run.stderr}`);
    return run.stdout
        .split('\n')
        .filter((f) => f.includes('/middleware/src/'))
        .map((f) => relative(join(root, 'middleware/src'), f.trim()));
}

describe('the production build', () => {
    it('holds no demo, simulator or benchmark file', () => {
        const files = filesOf('middleware/tsconfig.build.json');
        expect(files).toContain('server.ts');
        expect(files).toContain('store/rotate-keys.ts');
        expect(files.filter((f) => /^(dev|sandbox|bench)\//.test(f))).toEqual([]);
    });

    it('while the tools build has them, for npm start, the simulators and npm run bench', () => {
        const files = filesOf('middleware/tsconfig.tools.json');
        for (const entry of ['dev/start-demo.ts', 'sandbox/unleashed-sim/cli.ts', 'bench/run.ts']) {
            expect(files).toContain(entry);
        }
    });
});
