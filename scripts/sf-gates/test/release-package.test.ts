// Without a Dev Hub the release script stops before doing anything and says what it needs.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const repoRoot = resolve(__dirname, '../../..');
const script = join(repoRoot, 'scripts/release-package.mjs');

jest.setTimeout(60_000);

let home: string;
let projectDir: string;
const projectJson = readFileSync(join(repoRoot, 'sfdx-project.json'), 'utf8');

beforeAll(() => {
    // A HOME of its own: no sf authorisations, no default Dev Hub.
    home = mkdtempSync(join(tmpdir(), 'release-home-'));
    projectDir = mkdtempSync(join(tmpdir(), 'release-project-'));
    writeFileSync(join(projectDir, 'sfdx-project.json'), projectJson);
});
afterAll(() => {
    rmSync(home, { recursive: true, force: true });
    rmSync(projectDir, { recursive: true, force: true });
});

function release(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    // Only the variables sf needs to run; none that could point it at an org.
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: home, TMPDIR: tmpdir() };
    return new Promise((done) => {
        execFile(
            process.execPath,
            [script, '--root', projectDir, ...args],
            { env },
            (err, stdout, stderr) => {
                const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
                done({ code, stdout, stderr });
            }
        );
    });
}

describe('release-package without a Dev Hub', () => {
    it('exits 2 naming what it needs when no default Dev Hub is set', async () => {
        const r = await release([]);
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(/a Dev Hub is needed/);
        expect(r.stderr).toMatch(/sf org login web --alias devhub --set-default-dev-hub/);
        expect(r.stderr).toMatch(/namespace "unleashed"/);
        expect(r.stderr).toMatch(/NoDefaultDevHubError/);
        expect(r.stdout).not.toMatch(/Install URL/);
    });

    it('exits 2 when the named Dev Hub alias is not authorised, and changes nothing', async () => {
        const r = await release(['--devhub', 'acme-hub', '--version-name', 'ci']);
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(/No authorization information found for acme-hub/);
        expect(r.stderr).toMatch(/release-package\.mjs --devhub acme-hub/);
        expect(readFileSync(join(projectDir, 'sfdx-project.json'), 'utf8')).toBe(projectJson);
    });

    it('exits 2 on bad usage', async () => {
        const r = await release(['--devhub']);
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(/--devhub needs a value/);
    });
});
