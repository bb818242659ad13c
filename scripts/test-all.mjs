#!/usr/bin/env node
// The one test command (`npm test`): type check, lint, formatting, the Salesforce offline gates, then
// every jest project (LWC, middleware, browser). It runs every step even after a failure, prints
// each step's outcome, and ends with one summary line of test counts.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const env = {
    ...process.env,
    SF_SKIP_NEW_VERSION_CHECK: 'true',
    SF_DISABLE_TELEMETRY: 'true',
    SF_DISABLE_AUTOUPDATE: 'true'
};
const only = process.argv.slice(2);

function run(name, cmd, args, extraEnv = {}) {
    if (only.length && !only.includes(name)) return null;
    process.stdout.write(`\n=== ${name}: ${[cmd, ...args].join(' ')}\n`);
    const started = Date.now();
    const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...env, ...extraEnv } });
    const ok = r.status === 0;
    process.stdout.write(
        `=== ${name}: ${ok ? 'ok' : `FAILED (exit ${r.status})`} in ${Math.round((Date.now() - started) / 1000)} s\n`
    );
    return { name, ok };
}

const steps = [];
steps.push(run('typecheck', 'npx', ['tsc', '-p', 'middleware/tsconfig.json', '--noEmit']));
steps.push(run('eslint', 'npx', ['eslint', '--max-warnings=0', '.']));
steps.push(run('prettier', 'npx', ['prettier', '--check', '.']));
if (existsSync(join(root, 'scripts/sf-gates/run.mjs'))) {
    steps.push(run('sf-gates', 'node', ['scripts/sf-gates/run.mjs']));
}

const out = mkdtempSync(join(tmpdir(), 'jest-'));
const resultsFile = join(out, 'results.json');
const jest = run('jest', 'npx', ['jest', '--ci', '--json', `--outputFile=${resultsFile}`]);
steps.push(jest);

let passed = 0;
let failed = 0;
let skipped = 0;
if (jest && existsSync(resultsFile)) {
    const results = JSON.parse(readFileSync(resultsFile, 'utf8'));
    passed = results.numPassedTests;
    failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    skipped = results.numPendingTests + results.numTodoTests;
}
rmSync(out, { recursive: true, force: true });

const ran = steps.filter(Boolean);
const failedSteps = ran.filter((s) => !s.ok).map((s) => s.name);
process.stdout.write(`\nsteps: ${ran.map((s) => `${s.name} ${s.ok ? 'ok' : 'FAILED'}`).join(', ')}\n`);
process.stdout.write(`tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
process.exit(failedSteps.length === 0 && failed === 0 ? 0 : 1);
