#!/usr/bin/env node
// Builds a managed package version of force-app (Apex tests run and code coverage computed in a build org
// shaped by the package directory's definitionFile) and, with --promote, promotes it to released.
//   node scripts/release-package.mjs --devhub <alias> [--version-name <name>] [--promote] [--root <dir>]
//   node scripts/release-package.mjs --devhub <alias> --promote --version-id <04t...>   (promote a built beta)
// A beta version installs only in sandboxes and scratch orgs and cannot be upgraded, so only a promoted
// version gets the production install URL. Creates the package in the Dev Hub first when sfdx-project.json
// has no alias for it (or records the alias of a package the Dev Hub already has). Exit codes: 0 done,
// 1 sf failed or the version cannot be promoted, 2 missing Dev Hub or bad usage.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(fileURLToPath(new URL('..', import.meta.url)));

// The sf CLI needs Node 22; the system node may be older.
if (Number(process.versions.node.split('.')[0]) < 22) {
    const node22 = join(repoRoot, 'node_modules', '.bin', 'node');
    if (!existsSync(node22)) {
        process.stderr.write(`release-package needs Node 22 (found ${process.version}); run npm ci first\n`);
        process.exit(2);
    }
    const r = spawnSync(node22, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
        stdio: 'inherit'
    });
    process.exit(r.status ?? 1);
}

const { sf, sfJson } = await import('./sf-gates/lib/sf-cli.mjs');

const INSTALL_URL = 'https://login.salesforce.com/packaging/installPackage.apexp?p0=';
const SANDBOX_INSTALL_URL = 'https://test.salesforce.com/packaging/installPackage.apexp?p0=';
// sf errors that mean "there is no usable Dev Hub", as opposed to a failed build.
const NO_DEV_HUB =
    /NoDefaultDevHub|NamedOrgNotFound|NoAuthInfoFound|AuthInfoCreation|NotADevHub|NoOrgFound|invalid_grant|expired access\/refresh token|INVALID_SESSION_ID|not a Dev Hub/i;

function usage(message, code = 2) {
    process.stderr.write(
        `${message}\nusage: node scripts/release-package.mjs --devhub <alias> [--version-name <name>] [--promote [--version-id <04t...>]] [--root <dir>]\n`
    );
    process.exit(code);
}

function parseArgs(argv) {
    const opts = { devhub: null, versionName: null, root: repoRoot, promote: false, versionId: null };
    const value = (i, flag) => {
        const v = argv[i];
        if (v === undefined || v.startsWith('--')) usage(`${flag} needs a value`);
        return v;
    };
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        if (arg === '--devhub') opts.devhub = value(++i, arg);
        else if (arg === '--version-name') opts.versionName = value(++i, arg);
        else if (arg === '--root') opts.root = resolve(value(++i, arg));
        else if (arg === '--promote') opts.promote = true;
        else if (arg === '--version-id') opts.versionId = value(++i, arg);
        else if (arg === '--help' || arg === '-h')
            usage(
                'Builds a managed package version, promotes it with --promote, and prints its install URL.',
                0
            );
        else usage(`unknown argument "${arg}"`);
    }
    if (opts.versionId !== null) {
        if (!opts.promote) usage('--version-id is only for --promote (promoting a version already built)');
        if (!/^04t[A-Za-z0-9]{12}(?:[A-Za-z0-9]{3})?$/.test(opts.versionId))
            usage(`--version-id must be a subscriber package version id (04t...), not "${opts.versionId}"`);
        if (opts.versionName) usage('--version-name does not apply when promoting a version already built');
    }
    return opts;
}

function needDevHub(namespace, detail) {
    const alias = opts.devhub ?? 'devhub';
    process.stderr.write(
        [
            'release-package: a Dev Hub is needed to create the package version, and none is usable.',
            'It needs:',
            `  - an org with Dev Hub enabled, authorised in the sf CLI, e.g. \`sf org login web --alias ${alias} --set-default-dev-hub\``,
            `    (in CI: \`sf org login sfdx-url --sfdx-url-file <file> --alias ${alias} --set-default-dev-hub\`),`,
            `  - the namespace "${namespace}" registered and linked to that Dev Hub (Setup > Namespace Registries),`,
            `  - then: node scripts/release-package.mjs --devhub ${alias}`,
            `sf said: ${detail}`,
            ''
        ].join('\n')
    );
    process.exit(2);
}

function fail(step, answer) {
    process.stderr.write(
        `release-package: ${step} failed: ${answer.name ?? 'error'}: ${answer.message ?? ''}\n`
    );
    process.exit(1);
}

const opts = parseArgs(process.argv.slice(2));
const projectFile = join(opts.root, 'sfdx-project.json');
if (!existsSync(projectFile)) usage(`no sfdx-project.json in ${opts.root}`);
const project = JSON.parse(readFileSync(projectFile, 'utf8'));
const packageDir =
    (project.packageDirectories ?? []).find((d) => d.default) ?? project.packageDirectories?.[0];
if (!packageDir?.package) usage('sfdx-project.json names no package in its default package directory');
const packageName = packageDir.package;
const namespace = project.namespace ?? '';
// The build org must have the features the package's code paths use (Person Accounts, multi-currency), or
// those branches are neither compiled nor tested at version build.
if (!packageDir.definitionFile) usage('sfdx-project.json names no definitionFile for the version build org');
if (!existsSync(join(opts.root, packageDir.definitionFile)))
    usage(`the definitionFile ${packageDir.definitionFile} named in sfdx-project.json does not exist`);
const hubArgs = opts.devhub ? ['--target-dev-hub', opts.devhub] : [];

async function sfStep(step, args) {
    process.stdout.write(`> sf ${args.join(' ')}\n`);
    const answer = sfJson(await sf([...args, '--json'], { cwd: opts.root }));
    if (answer.status !== 0) {
        const detail = `${answer.name ?? ''} ${answer.message ?? ''}`;
        if (NO_DEV_HUB.test(detail)) needDevHub(namespace, detail.trim());
        fail(step, answer);
    }
    return answer.result;
}

// 1. The Dev Hub answers, and says which packages it already owns.
const packages = await sfStep('listing the Dev Hub packages', ['package', 'list', ...hubArgs]);

// 2. The package exists and sfdx-project.json has its alias (not needed to promote a version already built).
if (!opts.versionId && !project.packageAliases?.[packageName]) {
    const existing = (packages ?? []).find(
        (p) => p.Name === packageName && (p.NamespacePrefix ?? '') === namespace
    );
    if (existing) {
        // The Dev Hub has it (created from another checkout): record its id under the alias.
        project.packageAliases = { ...project.packageAliases, [packageName]: existing.Id };
        writeFileSync(projectFile, `${JSON.stringify(project, null, 2)}\n`);
        process.stdout.write(`Recorded the existing package ${existing.Id} as "${packageName}".\n`);
    } else {
        const created = await sfStep('creating the package', [
            'package',
            'create',
            '--name',
            packageName,
            '--package-type',
            'Managed',
            '--path',
            packageDir.path,
            '--description',
            packageDir.versionDescription ?? packageName,
            ...hubArgs
        ]);
        process.stdout.write(`Created package ${created?.Id} ("${packageName}").\n`);
    }
    process.stdout.write('sfdx-project.json now holds the package alias: commit it.\n');
}

// 3. The version: Apex tests run in the build org and coverage is computed, so it can be promoted.
async function buildVersion() {
    const versionArgs = [
        'package',
        'version',
        'create',
        '--package',
        packageName,
        '--code-coverage',
        '--installation-key-bypass',
        '--wait',
        '60',
        ...hubArgs
    ];
    if (opts.versionName) versionArgs.push('--version-name', opts.versionName);
    const version = await sfStep('creating the package version', versionArgs);
    const id = version?.SubscriberPackageVersionId;
    if (!id || !String(id).startsWith('04t')) {
        fail('creating the package version', {
            name: 'NoVersionId',
            message: `no subscriber package version id in the answer (status ${version?.Status ?? 'unknown'})`
        });
    }
    const coverage =
        version.CodeCoverage === null || version.CodeCoverage === undefined
            ? ''
            : ` (code coverage ${typeof version.CodeCoverage === 'object' ? JSON.stringify(version.CodeCoverage) : `${version.CodeCoverage}%`})`;
    process.stdout.write(`Package version ${id} created${coverage}.\n`);
    return { id, passedCoverage: version.HasPassedCodeCoverageCheck };
}

function printBeta(id, why) {
    process.stdout.write(
        [
            `${id} is a BETA version${why}: it installs only in sandboxes and scratch orgs, and cannot be upgraded.`,
            `Sandbox install URL: ${SANDBOX_INSTALL_URL}${id}`,
            `Scratch org: sf package install --package ${id} --target-org <scratch org alias> --wait 20`,
            `To release it: node scripts/release-package.mjs${opts.devhub ? ` --devhub ${opts.devhub}` : ''} --promote --version-id ${id}`,
            ''
        ].join('\n')
    );
}

const built = opts.versionId ? { id: opts.versionId, passedCoverage: undefined } : await buildVersion();
if (!opts.promote) {
    printBeta(built.id, ' (not promoted)');
    process.exit(0);
}
if (built.passedCoverage === false) {
    printBeta(built.id, '');
    process.stderr.write(
        'release-package: the version did not pass the code coverage check (75% of Apex lines), so it cannot be promoted.\n'
    );
    process.exit(1);
}
// 4. Promotion makes the version installable in production orgs and upgradeable; it cannot be undone.
const promoted = await sfStep('promoting the package version', [
    'package',
    'version',
    'promote',
    '--package',
    built.id,
    '--no-prompt',
    ...hubArgs
]);
if (promoted?.success === false) {
    fail('promoting the package version', {
        name: 'PromoteRefused',
        message: JSON.stringify(promoted.errors ?? [])
    });
}
process.stdout.write(
    [
        `Package version ${built.id} promoted: released, installable in production and upgradeable.`,
        `Install URL: ${INSTALL_URL}${built.id}`,
        `Sandbox install URL: ${SANDBOX_INSTALL_URL}${built.id}`,
        ''
    ].join('\n')
);
