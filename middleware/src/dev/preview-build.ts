import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Builds the preview bundle (scripts/preview/build.mjs) when it is missing or older than the
 * components and preview sources, once at a time across processes (a lock folder), so the demo and
 * the browser tests share one cached build in .preview-build/out.
 */

const LOCK_STALE_MS = 10 * 60_000;

function newestMtime(dir: string): number {
    if (!existsSync(dir)) return 0;
    let newest = 0;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
        if (entry.name === '__tests__' || entry.name === 'test' || entry.name === 'node_modules') continue;
        const path = join(dir, entry.name);
        newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
    }
    return newest;
}

export function previewOutDir(root: string): string {
    return join(root, '.preview-build', 'out');
}

export function previewIsFresh(root: string): boolean {
    const bundle = join(previewOutDir(root), 'app.js');
    if (!existsSync(bundle)) return false;
    const built = statSync(bundle).mtimeMs;
    const sources = Math.max(
        newestMtime(join(root, 'force-app', 'main', 'default', 'lwc')),
        newestMtime(join(root, 'scripts', 'preview'))
    );
    return built >= sources;
}

function runBuild(root: string, log: (line: string) => void): Promise<void> {
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [join(root, 'scripts', 'preview', 'build.mjs')], {
            cwd: root,
            stdio: ['ignore', 'pipe', 'pipe']
        });
        let errors = '';
        child.stdout.on('data', (d: Buffer) => log(d.toString().trimEnd()));
        child.stderr.on('data', (d: Buffer) => {
            errors += d.toString();
        });
        child.on('error', reject);
        child.on('close', (code) =>
            code === 0
                ? resolve()
                : reject(new Error(`The preview build failed (exit ${code}):\n${errors.slice(-4000)}`))
        );
    });
}

/** The built preview's folder, building it first when needed. */
export async function ensurePreviewBuilt(
    root: string,
    opts: { log?: (line: string) => void; force?: boolean } = {}
): Promise<string> {
    const log = opts.log ?? (() => undefined);
    const lock = join(root, '.preview-build', '.lock');
    mkdirSync(join(root, '.preview-build'), { recursive: true });
    for (;;) {
        if (!opts.force && previewIsFresh(root)) return previewOutDir(root);
        try {
            mkdirSync(lock);
            break;
        } catch {
            // Another process is building; a lock left by a killed build expires.
            if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > LOCK_STALE_MS) {
                rmSync(lock, { recursive: true, force: true });
            }
            await new Promise((r) => setTimeout(r, 1000));
        }
    }
    try {
        if (opts.force || !previewIsFresh(root)) {
            log('building the preview (the package LWCs with lightning-base-components and SLDS)...');
            await runBuild(root, log);
        }
    } finally {
        rmSync(lock, { recursive: true, force: true });
    }
    return previewOutDir(root);
}
