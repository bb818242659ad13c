#!/usr/bin/env node
// Screenshots for the README (`npm run screenshots`): runs the browser tests, which drive the
// package's real components in headless Chromium against the local demo stack, with their
// screenshots going to docs/screenshots/ instead of .preview-build/screenshots/.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const out = join(root, 'docs', 'screenshots');

if (Number(process.versions.node.split('.')[0]) < 22) {
    process.stderr.write(`Node 22 is needed (this is ${process.version}): run npm run screenshots\n`);
    process.exit(1);
}
if (!existsSync('/usr/bin/chromium')) {
    process.stderr.write('Screenshots need Chromium at /usr/bin/chromium: apt-get install -y chromium\n');
    process.exit(1);
}
mkdirSync(out, { recursive: true });
const started = Date.now();
const result = spawnSync(
    process.execPath,
    [
        join(root, 'node_modules', 'jest', 'bin', 'jest.js'),
        '--ci',
        '--runTestsByPath',
        'scripts/preview/test/browser.test.ts'
    ],
    {
        cwd: root,
        stdio: 'inherit',
        env: { ...process.env, SCREENSHOT_DIR: out, BROWSER_TESTS: '' }
    }
);
const written = readdirSync(out).filter(
    (f) => f.endsWith('.png') && statSync(join(out, f)).mtimeMs >= started
);
process.stdout.write(`\n${written.length} screenshot(s) written to docs/screenshots/:\n`);
for (const f of written.sort()) process.stdout.write(`  ${f}\n`);
process.exit(result.status === 0 ? 0 : 1);
