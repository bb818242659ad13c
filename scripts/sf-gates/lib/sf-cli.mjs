// Runs this repository's sf CLI with the current Node (22) and the environment every sf call needs: no
// update checks, no telemetry, no auto-update.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
// The CLI's package exports nothing to resolve, so find its bin script along the module search path.
const SF_BIN = (require.resolve.paths('@salesforce/cli') ?? [])
    .map((dir) => join(dir, '@salesforce', 'cli', 'bin', 'run.js'))
    .find((file) => existsSync(file));

export function sfEnv(extra = {}) {
    return {
        ...process.env,
        SF_SKIP_NEW_VERSION_CHECK: 'true',
        SF_DISABLE_TELEMETRY: 'true',
        SF_DISABLE_AUTOUPDATE: 'true',
        SF_USE_PROGRESS_BAR: 'false',
        FORCE_COLOR: '0',
        ...extra
    };
}

/** Runs a command, collecting its output; never rejects. */
export function run(cmd, args, options) {
    return new Promise((resolve) => {
        const child = spawn(cmd, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => (stdout += d));
        child.stderr.on('data', (d) => (stderr += d));
        child.on('error', (err) => resolve({ status: -1, stdout, stderr: `${stderr}${err.message}` }));
        child.on('close', (status) => resolve({ status, stdout, stderr }));
    });
}

/**
 * Runs `sf <args>` in `cwd`; `env` adds to (or overrides) the standard sf environment. SF_CLI_BIN names
 * another sf executable to run instead of this repository's (a global install, or a stand-in in tests).
 */
export function sf(args, { cwd, env = {} }) {
    const other = process.env.SF_CLI_BIN;
    if (other) return run(other, args, { cwd, env: sfEnv(env) });
    if (!SF_BIN) throw new Error('@salesforce/cli is not installed (run npm ci)');
    return run(process.execPath, [SF_BIN, ...args], { cwd, env: sfEnv(env) });
}

/** The parsed `--json` answer of an sf call, or a stand-in error when the output is not JSON. */
export function sfJson(r) {
    try {
        return JSON.parse(r.stdout);
    } catch {
        return { status: r.status || 1, name: 'UnreadableOutput', message: (r.stderr || r.stdout).trim() };
    }
}
