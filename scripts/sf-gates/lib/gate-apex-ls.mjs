// Gate 3: semantic check of the Apex against the project's own metadata with apex-ls (the jar ships inside
// the PMD engine package): unknown types, methods, SObjects and custom fields. One JVM for the project.
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { apexFiles } from './gate-apex-syntax.mjs';
import { run } from './sf-cli.mjs';

const require = createRequire(import.meta.url);
export const JAVA_LIB = join(dirname(require.resolve('@salesforce/code-analyzer-pmd-engine')), 'java-lib');

/** Runs gate 3; returns `{ problems, summary }` or `{ nothing }` when there is no Apex. */
export async function checkApexSemantics(project) {
    const files = apexFiles(project);
    if (files.length === 0) return { nothing: 'no Apex classes or triggers yet' };
    const cp = `${JAVA_LIB}/*`;
    const args = [
        '-cp',
        cp,
        'io.github.apexdevtools.apexls.CheckForIssues',
        '-n',
        '-f',
        'json',
        '-w',
        project.root
    ];
    const r = await run('java', args, { cwd: project.root });
    // Exit 0: no issues; 4: issues found (listed as JSON); anything else: the check itself failed.
    if (r.status !== 0 && r.status !== 4) {
        return {
            problems: [`apex-ls failed (exit ${r.status}): ${(r.stderr || r.stdout).trim().slice(0, 2000)}`]
        };
    }
    const problems = [];
    if (r.status === 4) {
        let report;
        try {
            report = JSON.parse(r.stdout);
        } catch {
            return {
                problems: [`apex-ls reported issues in a form not understood: ${r.stdout.slice(0, 2000)}`]
            };
        }
        for (const file of report.files ?? []) {
            for (const m of file.messages ?? []) {
                const rel = relative(project.root, file.path);
                problems.push(`${rel}:${m.start?.line}:${m.start?.offset} ${m.category}: ${m.message}`);
            }
        }
        if (problems.length === 0)
            problems.push(`apex-ls exited 4 without listing issues: ${r.stdout.slice(0, 500)}`);
    }
    return { problems, summary: `${files.length} Apex files checked against the project's metadata` };
}
