import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * The middleware's layering is enforced by eslint (`import/no-restricted-paths` in eslint.config.js).
 * Each sample below breaks one rule and must be refused; a sample that keeps the rules must pass.
 */
const root = join(__dirname, '../..');

// ESLint loads its config with a dynamic import, which jest's module sandbox cannot do: run the CLI.
const eslintBin = join(root, 'node_modules/eslint/bin/eslint.js');

async function restrictedPathMessages(filePath: string, code: string): Promise<string[]> {
    const run = spawnSync(
        process.execPath,
        [eslintBin, '--format', 'json', '--stdin', '--stdin-filename', join(root, filePath)],
        { cwd: root, input: code, encoding: 'utf8' }
    );
    const [result] = JSON.parse(run.stdout) as { messages: { ruleId: string | null; message: string }[] }[];
    if (!result) throw new Error(`eslint gave no result: ${run.stderr}`);
    return result.messages.filter((m) => m.ruleId === 'import/no-restricted-paths').map((m) => m.message);
}

describe('middleware layering (eslint)', () => {
    it('refuses a rule that imports HTTP', async () => {
        const messages = await restrictedPathMessages(
            'middleware/src/sync/sample.ts',
            "import { problemPlugin } from '../http/problem';\nexport const p = problemPlugin;\n"
        );
        expect(messages.join('\n')).toMatch(/Rules \(sync\/\) know nothing of HTTP/);
    });

    it('refuses a route that reaches an edge directly', async () => {
        const messages = await restrictedPathMessages(
            'middleware/src/routes/sample.ts',
            "import { openStore } from '../store';\nexport const s = openStore;\n"
        );
        expect(messages.join('\n')).toMatch(/Routes call rules/);
    });

    it('refuses an edge that imports a rule', async () => {
        const messages = await restrictedPathMessages(
            'middleware/src/unleashed/sample.ts',
            "import { MAX_STOCK_CODES } from '../sync/stock';\nexport const m = MAX_STOCK_CODES;\n"
        );
        expect(messages.join('\n')).toMatch(/Edges know nothing of the rules/);
    });

    it('refuses production code that imports the simulators, the demo or the benchmarks', async () => {
        for (const from of ['./sandbox/unleashed-sim', './dev/demo-data', './bench/support']) {
            const messages = await restrictedPathMessages(
                'middleware/src/services.ts',
                `import * as x from '${from}';\nexport const y = x;\n`
            );
            expect(messages.join('\n')).toMatch(/Production code never imports/);
        }
    });

    it('lets a rule throw the framework-free HttpProblem and use an edge', async () => {
        const messages = await restrictedPathMessages(
            'middleware/src/sync/sample.ts',
            "import { HttpProblem } from '../problem';\nimport type { Store } from '../store';\n" +
                'export const f = (s: Store) => new HttpProblem(400, String(s));\n'
        );
        expect(messages).toEqual([]);
    });
});
