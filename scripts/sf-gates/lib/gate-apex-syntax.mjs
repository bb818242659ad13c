// Gate 2: every Apex class and trigger parses with the Apex parser prettier-plugin-apex ships (Salesforce's
// own jorje grammar, as a native binary). Its error text has no position, so a failing file is parsed
// again with @apexdevtools/apex-parser to say where.
import { createRequire } from 'node:module';
import { ApexErrorListener, ApexParserFactory } from '@apexdevtools/apex-parser';

const require = createRequire(import.meta.url);
const prettier = require('prettier');
const apexPlugin = require.resolve('prettier-plugin-apex');

export function apexFiles(project) {
    return project.files.filter((f) => /\.(cls|trigger)$/.test(f));
}

class Collector extends ApexErrorListener {
    errors = [];
    apexSyntaxError(line, column, msg) {
        this.errors.push(`line ${line}:${column} ${msg}`);
    }
}

function locate(source, isTrigger) {
    const listener = new Collector();
    const { parser } = ApexParserFactory.createLexerAndParser(source, listener);
    if (isTrigger) parser.triggerUnit();
    else parser.compilationUnit();
    return listener.errors.slice(0, 3);
}

/** Runs gate 2; returns `{ problems, summary }` or `{ nothing }` when there is no Apex. */
export async function checkApexSyntax(project) {
    const files = apexFiles(project);
    if (files.length === 0) return { nothing: 'no Apex classes or triggers yet' };
    const problems = [];
    for (const file of files) {
        const source = project.read(file);
        try {
            await prettier.format(source, { parser: 'apex', plugins: [apexPlugin], filepath: file });
        } catch (err) {
            const first = String(err.message).split('\n')[0];
            const where = locate(source, file.endsWith('.trigger'));
            problems.push(
                `${file}: Apex syntax error: ${first}${where.length ? ` (${where.join('; ')})` : ''}`
            );
        }
    }
    return { problems, summary: `${files.length} Apex files parsed` };
}
