#!/usr/bin/env node
// The offline Salesforce gates: what can be proven about the package without an org.
//   1 metadata       well-formed -meta.xml, code files paired with their -meta.xml, references resolve
//   2 apex-syntax    Apex parses (prettier-plugin-apex)
//   3 apex-ls        Apex is consistent with the project's metadata (apex-ls)
//   4 code-analyzer  PMD Security, AppExchange and Recommended rules; suppressions carry a reason
//   5 package        `sf project convert source` lists every component in package.xml
// Usage: node scripts/sf-gates/run.mjs [--root <sfdx project dir>] [--only 1,metadata,...]
// Exits 0 when every gate passes (a gate with nothing to check passes), 1 when one fails, 2 on bad usage.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));

// The sf CLI and the rest of the toolchain need Node 22; the system node may be older.
if (Number(process.versions.node.split('.')[0]) < 22) {
    const node22 = join(repoRoot, 'node_modules', '.bin', 'node');
    if (!existsSync(node22)) {
        process.stderr.write(`sf-gates needs Node 22 (found ${process.version}); run npm ci first\n`);
        process.exit(2);
    }
    const r = spawnSync(node22, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
        stdio: 'inherit'
    });
    process.exit(r.status ?? 1);
}

const GATES = [
    { id: 1, name: 'metadata', load: () => import('./lib/gate-metadata.mjs').then((m) => m.checkMetadata) },
    {
        id: 2,
        name: 'apex-syntax',
        load: () => import('./lib/gate-apex-syntax.mjs').then((m) => m.checkApexSyntax)
    },
    {
        id: 3,
        name: 'apex-ls',
        load: () => import('./lib/gate-apex-ls.mjs').then((m) => m.checkApexSemantics)
    },
    { id: 4, name: 'code-analyzer', load: () => import('./lib/gate-pmd.mjs').then((m) => m.checkPmd) },
    { id: 5, name: 'package', load: () => import('./lib/gate-package.mjs').then((m) => m.checkPackage) }
];
const MAX_LINES_PER_GATE = 200;

function usage(message, code = 2) {
    const names = GATES.map((g) => `${g.id} ${g.name}`).join(', ');
    process.stderr.write(
        `${message}\nusage: run.mjs [--root <sfdx project dir>] [--only <gates>]\ngates: ${names}\n`
    );
    process.exit(code);
}

function parseArgs(argv) {
    const opts = { root: repoRoot, only: null };
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        if (arg === '--root') opts.root = resolve(argv[++i] ?? usage('--root needs a directory'));
        else if (arg === '--only') {
            const wanted = (argv[++i] ?? usage('--only needs a list')).split(',').map((s) => s.trim());
            opts.only = new Set();
            for (const w of wanted) {
                const gate = GATES.find((g) => String(g.id) === w || g.name === w);
                if (!gate) usage(`unknown gate "${w}"`);
                opts.only.add(gate.id);
            }
        } else if (arg === '--help' || arg === '-h') usage('Offline Salesforce gates.', 0);
        else usage(`unknown argument "${arg}"`);
    }
    return opts;
}

async function runGate(gate, project, scratch) {
    const started = Date.now();
    let outcome;
    try {
        const check = await gate.load();
        const dir = join(scratch, gate.name);
        outcome = await check(project, dir);
    } catch (err) {
        outcome = { problems: [`the gate itself failed: ${err?.stack ?? err}`] };
    }
    return { gate, ms: Date.now() - started, ...outcome };
}

function report(result) {
    const { gate, ms } = result;
    const problems = result.problems ?? [];
    const status = problems.length ? 'FAIL' : 'pass';
    const detail = result.nothing
        ? `nothing to check (${result.nothing})`
        : problems.length
          ? `${problems.length} problem${problems.length === 1 ? '' : 's'}`
          : result.summary;
    const label = `${gate.id} ${gate.name}`.padEnd(16);
    process.stdout.write(`  ${label} ${status}  ${(ms / 1000).toFixed(1).padStart(5)} s  ${detail}\n`);
    for (const line of problems.slice(0, MAX_LINES_PER_GATE)) process.stdout.write(`      ${line}\n`);
    if (problems.length > MAX_LINES_PER_GATE) {
        process.stdout.write(`      ... and ${problems.length - MAX_LINES_PER_GATE} more\n`);
    }
    return problems.length === 0;
}

const opts = parseArgs(process.argv.slice(2));
const { loadProject } = await import('./lib/project.mjs');
let project;
try {
    project = loadProject(opts.root);
} catch (err) {
    usage(`sf-gates: ${err.message}`);
}
const selected = GATES.filter((g) => !opts.only || opts.only.has(g.id));
const scratch = mkdtempSync(join(tmpdir(), 'sf-gates-'));
const started = Date.now();
process.stdout.write(`sf-gates on ${project.root} (${project.packageDirs.join(', ')})\n`);
const failed = [];
try {
    // One after the other, each reported as it finishes: on a small shared machine the two JVMs and the sf
    // CLI side by side are slower than in turn.
    for (const gate of selected) {
        if (!report(await runGate(gate, project, scratch))) failed.push(gate.id);
    }
} finally {
    rmSync(scratch, { recursive: true, force: true });
}
const total = ((Date.now() - started) / 1000).toFixed(1);
process.stdout.write(
    failed.length
        ? `sf-gates: FAILED (gate ${failed.join(', ')}) in ${total} s\n`
        : `sf-gates: all ${selected.length} gates passed in ${total} s\n`
);
process.exit(failed.length ? 1 : 0);
