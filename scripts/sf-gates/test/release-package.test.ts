// The release script: without a Dev Hub it stops before doing anything and says what it needs; with a
// Dev Hub (a stand-in sf executable that records its calls) it builds with code coverage, promotes only
// when asked, and prints the production install URL only for a promoted version.
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const repoRoot = resolve(__dirname, '../../..');
const script = join(repoRoot, 'scripts/release-package.mjs');

jest.setTimeout(60_000);

let home: string;
let projectDir: string;
const projectJson = readFileSync(join(repoRoot, 'sfdx-project.json'), 'utf8');
const definitionFile = JSON.parse(projectJson).packageDirectories[0].definitionFile as string;

const PRODUCTION = 'https://login.salesforce.com/packaging/installPackage.apexp?p0=';
const SANDBOX = 'https://test.salesforce.com/packaging/installPackage.apexp?p0=';
const VERSION_ID = '04t5e000000AbCdAAK';

/** A copy of the project's sfdx-project.json and build org definition in a directory of its own. */
function makeProject(): string {
    const dir = mkdtempSync(join(tmpdir(), 'release-project-'));
    writeFileSync(join(dir, 'sfdx-project.json'), projectJson);
    mkdirSync(join(dir, 'config'), { recursive: true });
    writeFileSync(join(dir, definitionFile), readFileSync(join(repoRoot, definitionFile)));
    return dir;
}

beforeAll(() => {
    // A HOME of its own: no sf authorisations, no default Dev Hub.
    home = mkdtempSync(join(tmpdir(), 'release-home-'));
    projectDir = makeProject();
});
afterAll(() => {
    rmSync(home, { recursive: true, force: true });
    rmSync(projectDir, { recursive: true, force: true });
});

function release(
    args: string[],
    extraEnv: NodeJS.ProcessEnv = {},
    root = projectDir
): Promise<{ code: number; stdout: string; stderr: string }> {
    // Only the variables sf needs to run; none that could point it at an org.
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: home, TMPDIR: tmpdir(), ...extraEnv };
    return new Promise((done) => {
        execFile(process.execPath, [script, '--root', root, ...args], { env }, (err, stdout, stderr) => {
            const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
            done({ code, stdout, stderr });
        });
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
        const noPromote = await release(['--version-id', VERSION_ID]);
        expect(noPromote.code).toBe(2);
        expect(noPromote.stderr).toMatch(/--version-id is only for --promote/);
        const badId = await release(['--promote', '--version-id', '0Ho000000000001']);
        expect(badId.code).toBe(2);
        expect(badId.stderr).toMatch(/must be a subscriber package version id/);
    });
});

describe('the version build org definition', () => {
    it('names a definition file with the features the package code paths use', () => {
        const def = JSON.parse(readFileSync(join(repoRoot, definitionFile), 'utf8')) as {
            features: string[];
        };
        expect(def.features).toEqual(expect.arrayContaining(['PersonAccounts', 'MultiCurrency']));
    });

    it('refuses to build when the definition file is missing', async () => {
        const dir = makeProject();
        try {
            rmSync(join(dir, definitionFile));
            const r = await release(['--devhub', 'hub'], {}, dir);
            expect(r.code).toBe(2);
            expect(r.stderr).toMatch(
                /definitionFile config\/.+\.json named in sfdx-project\.json does not exist/
            );
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });
});

describe('release-package with a Dev Hub (stand-in sf)', () => {
    let stubDir: string;
    let callLog: string;
    let scenarioFile: string;

    /** Answers of the stand-in sf, by command ("package version create" ...). */
    function scenario(answers: Record<string, unknown>) {
        writeFileSync(scenarioFile, JSON.stringify(answers));
        writeFileSync(callLog, '');
    }
    const calls = (): string[][] =>
        readFileSync(callLog, 'utf8')
            .split('\n')
            .filter(Boolean)
            .map((line) => JSON.parse(line) as string[]);
    const ok = (result: unknown) => ({ status: 0, result });

    beforeAll(() => {
        stubDir = mkdtempSync(join(tmpdir(), 'release-sf-'));
        callLog = join(stubDir, 'calls.jsonl');
        scenarioFile = join(stubDir, 'scenario.json');
        const stubJs = join(stubDir, 'sf.mjs');
        writeFileSync(
            stubJs,
            `import { appendFileSync, readFileSync } from 'node:fs';
const args = process.argv.slice(2);
appendFileSync(${JSON.stringify(callLog)}, JSON.stringify(args) + '\\n');
const answers = JSON.parse(readFileSync(${JSON.stringify(scenarioFile)}, 'utf8'));
const key = args.filter((a) => !a.startsWith('-')).slice(0, 3).join(' ');
const found = Object.keys(answers).filter((k) => key.startsWith(k)).sort((a, b) => b.length - a.length)[0];
const answer = found ? answers[found] : { status: 1, name: 'UnknownCommand', message: key };
process.stdout.write(JSON.stringify(answer));
process.exit(answer.status === 0 ? 0 : 1);
`
        );
        const stub = join(stubDir, 'sf');
        writeFileSync(stub, `#!/bin/sh\nexec "${process.execPath}" "${stubJs}" "$@"\n`);
        chmodSync(stub, 0o755);
    });
    afterAll(() => rmSync(stubDir, { recursive: true, force: true }));

    const withHub = (args: string[], dir = projectDir) =>
        release(['--devhub', 'hub', ...args], { SF_CLI_BIN: join(stubDir, 'sf') }, dir);

    const packages = [
        { Id: '0Ho5e000000XyZaCAK', Name: 'Unleashed Connector', NamespacePrefix: 'unleashed' }
    ];
    const built = {
        SubscriberPackageVersionId: VERSION_ID,
        Status: 'Success',
        CodeCoverage: 87,
        HasPassedCodeCoverageCheck: true
    };

    it('builds a beta with code coverage and prints only the sandbox and scratch org ways to install it', async () => {
        const dir = makeProject();
        try {
            scenario({ 'package list': ok(packages), 'package version create': ok(built) });
            const r = await withHub(['--version-name', 'rc1'], dir);
            expect(r.code).toBe(0);
            const create = calls().find((c) => c.slice(0, 3).join(' ') === 'package version create');
            expect(create).toEqual(
                expect.arrayContaining([
                    '--code-coverage',
                    '--target-dev-hub',
                    'hub',
                    '--version-name',
                    'rc1'
                ])
            );
            expect(calls().some((c) => c.includes('promote'))).toBe(false);
            expect(r.stdout).toContain(`${VERSION_ID} is a BETA version (not promoted)`);
            expect(r.stdout).toContain(`Sandbox install URL: ${SANDBOX}${VERSION_ID}`);
            expect(r.stdout).toContain(`sf package install --package ${VERSION_ID}`);
            expect(r.stdout).toContain(`--promote --version-id ${VERSION_ID}`);
            expect(r.stdout).not.toContain(PRODUCTION);
            // The existing package's id was recorded under its alias.
            const saved = JSON.parse(readFileSync(join(dir, 'sfdx-project.json'), 'utf8'));
            expect(saved.packageAliases['Unleashed Connector']).toBe(packages[0]!.Id);
            expect(saved.packageDirectories[0].definitionFile).toBe(definitionFile);
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });

    it('with --promote, builds, promotes and prints the production install URL', async () => {
        scenario({
            'package list': ok(packages),
            'package version create': ok(built),
            'package version promote': ok({ id: VERSION_ID, success: true, errors: [] })
        });
        const r = await withHub(['--promote']);
        expect(r.code).toBe(0);
        const promote = calls().find((c) => c.slice(0, 3).join(' ') === 'package version promote');
        expect(promote).toEqual(expect.arrayContaining(['--package', VERSION_ID, '--no-prompt']));
        expect(r.stdout).toContain(`Install URL: ${PRODUCTION}${VERSION_ID}`);
        expect(r.stdout).toContain(`Sandbox install URL: ${SANDBOX}${VERSION_ID}`);
        expect(r.stdout).not.toMatch(/BETA/);
    });

    it('promotes a beta built earlier without building again', async () => {
        scenario({
            'package list': ok(packages),
            'package version promote': ok({ id: VERSION_ID, success: true, errors: [] })
        });
        const r = await withHub(['--promote', '--version-id', VERSION_ID]);
        expect(r.code).toBe(0);
        expect(calls().some((c) => c.slice(0, 3).join(' ') === 'package version create')).toBe(false);
        expect(r.stdout).toContain(`Install URL: ${PRODUCTION}${VERSION_ID}`);
    });

    it('does not promote a version that failed the code coverage check, and prints no production URL', async () => {
        scenario({
            'package list': ok(packages),
            'package version create': ok({ ...built, CodeCoverage: 41, HasPassedCodeCoverageCheck: false }),
            'package version promote': ok({ id: VERSION_ID, success: true, errors: [] })
        });
        const r = await withHub(['--promote']);
        expect(r.code).toBe(1);
        expect(calls().some((c) => c.includes('promote'))).toBe(false);
        expect(r.stderr).toMatch(/did not pass the code coverage check/);
        expect(r.stdout).toContain('BETA');
        expect(r.stdout).not.toContain(PRODUCTION);
    });

    it("exits 1 with sf's reason when the promotion is refused", async () => {
        scenario({
            'package list': ok(packages),
            'package version create': ok(built),
            'package version promote': {
                status: 1,
                name: 'PromoteError',
                message: 'The version has a dependency that is not released'
            }
        });
        const r = await withHub(['--promote']);
        expect(r.code).toBe(1);
        expect(r.stderr).toMatch(
            /promoting the package version failed: PromoteError: The version has a dependency/
        );
        expect(r.stdout).not.toContain(PRODUCTION);
    });
});
