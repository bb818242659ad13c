// Gate 5: `sf project convert source` builds the metadata package, and its package.xml lists every
// component the source declares. The convert itself validates nothing (it drops a class without its
// -meta.xml without a word), so the comparison is what catches missing pieces.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { declaredMembers, list, parseXml, text } from './project.mjs';
import { sf, sfJson } from './sf-cli.mjs';

/** Runs gate 5 with `workDir` as scratch space; returns `{ problems, summary }`. */
export async function checkPackage(project, workDir) {
    const home = join(workDir, 'home');
    const out = join(workDir, 'converted');
    mkdirSync(home, { recursive: true });
    const problems = [];
    const args = ['project', 'convert', 'source', '--output-dir', out, '--json'];
    for (const dir of project.packageDirs) args.push('--root-dir', dir);
    const r = await sf(args, { cwd: project.root, env: { HOME: home } });
    const manifest = join(out, 'package.xml');
    if (r.status !== 0 || !existsSync(manifest)) {
        const detail = String(sfJson(r).message ?? '');
        return {
            problems: [`sf project convert source failed (exit ${r.status}): ${detail.slice(0, 2000)}`]
        };
    }
    const listed = new Map();
    for (const type of list(parseXml(readFileSync(manifest, 'utf8')).Package?.types)) {
        listed.set(text(type.name), new Set(list(type.members).map(text)));
    }
    const { members, unknown } = declaredMembers(project);
    let count = 0;
    for (const [type, names] of members) {
        for (const name of names) {
            count++;
            if (!listed.get(type)?.has(name)) {
                problems.push(`${type} ${name} is in the source but not in the converted package.xml`);
            }
        }
    }
    const notes = unknown.length ? `; not compared (kind unknown to the gate): ${unknown.join(', ')}` : '';
    return { problems, summary: `package.xml lists all ${count} declared components${notes}` };
}
