// Gate 4: Salesforce Code Analyzer (core + PMD engine, one JVM) with the Security, AppExchange and
// Recommended rules on the package directories. Any violation fails. PMD honours @SuppressWarnings('PMD.X')
// and NOPMD comments, so every such suppression must carry a written reason (`// reason: ...` on the same
// line or in the comment lines right above it); Code Analyzer's own suppression markers are switched off so nothing else can hide
// a violation.
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';

const require = createRequire(import.meta.url);

export const RULE_SELECTORS = ['pmd:Security', 'pmd:AppExchange', 'pmd:Recommended'];
const REASON = /\/\/.*\breason:\s*\S/i;

/**
 * Whether the annotation on line `i` has a written reason: a `// reason: ...` comment on the same line or in
 * the run of `//` comment lines (and other annotations) right above it, so a reason may span lines.
 */
function hasReason(lines, i) {
    if (REASON.test(lines[i])) return true;
    for (let j = i - 1; j >= 0; j--) {
        const line = lines[j].trim();
        if (line.startsWith('//')) {
            if (REASON.test(line)) return true;
        } else if (!line.startsWith('@')) return false;
    }
    return false;
}

/** Suppressions without a reason, as problem lines. */
export function findUnreasonedSuppressions(project) {
    const problems = [];
    for (const file of project.files.filter((f) => /\.(cls|trigger)$/.test(f))) {
        const lines = project.read(file).split(/\r?\n/);
        lines.forEach((line, i) => {
            if (/@SuppressWarnings\s*\(/i.test(line) && !hasReason(lines, i)) {
                problems.push(
                    `${file}:${i + 1} @SuppressWarnings without a "// reason: ..." comment on the same line or right above`
                );
            }
            if (/\bNOPMD\b/.test(line) && !REASON.test(line)) {
                problems.push(`${file}:${i + 1} NOPMD without a "reason: ..." on the same line`);
            }
        });
    }
    return problems;
}

/** Runs gate 4 in `workDir` (a scratch folder); returns `{ problems, summary }` or `{ nothing }`. */
export async function checkPmd(project, workDir) {
    const targets = project.packageDirs.map((d) => project.abs(d));
    const core = require('@salesforce/code-analyzer-core');
    const pmd = require('@salesforce/code-analyzer-pmd-engine');
    const logFolder = join(workDir, 'log');
    const working = join(workDir, 'work');
    mkdirSync(logFolder, { recursive: true });
    mkdirSync(working, { recursive: true });
    const config = core.CodeAnalyzerConfig.fromObject(
        {
            log_folder: logFolder,
            root_working_folder: working,
            suppressions: { disable_suppressions: true },
            // Test code is not part of the package (.forceignore keeps it out too).
            ignores: {
                files: ['**/__tests__/**', '**/__mocks__/**', '**/jest-mocks/**', '**/node_modules/**']
            },
            engines: { cpd: { disable_engine: true } }
        },
        project.root
    );
    const analyzer = new core.CodeAnalyzer(config);
    const engineErrors = [];
    analyzer.onEvent(core.EventType.LogEvent, (event) => {
        if (event.logLevel === core.LogLevel.Error) engineErrors.push(event.message);
    });
    await analyzer.addEnginePlugin(pmd.createEnginePlugin());
    const workspace = await analyzer.createWorkspace(targets);
    const selection = await analyzer.selectRules(RULE_SELECTORS, { workspace });
    const problems = findUnreasonedSuppressions(project);
    if (selection.getCount() === 0) {
        return problems.length ? { problems } : { nothing: 'no files any selected rule applies to' };
    }
    const results = await analyzer.run(selection, { workspace });
    for (const v of results.getViolations()) {
        const loc = v.getPrimaryLocation();
        const file = loc.getFile() ? relative(project.root, loc.getFile()) : '(no file)';
        const rule = v.getRule();
        problems.push(
            `${file}:${loc.getStartLine() ?? '?'} ${rule.getEngineName()}:${rule.getName()} (severity ${rule.getSeverityLevel()}): ${v.getMessage()}`
        );
    }
    for (const message of engineErrors) problems.push(`Code Analyzer error: ${message}`);
    const files = (await workspace.getTargetedFiles()).length;
    return {
        problems,
        summary: `${selection.getCount()} rules (${RULE_SELECTORS.join(', ')}) on ${files} files`
    };
}
