#!/usr/bin/env node
// Bundles the contract cases (contracts/**/*.json) into the static resource the Apex contract tests
// read (UnleashedContractCases), with every `$series` written out, so Apex and jest read the same cases.
//   node scripts/contracts/build-static-resource.mjs           writes the static resource
//   node scripts/contracts/build-static-resource.mjs --check   fails when it differs from contracts/
//   node scripts/contracts/build-static-resource.mjs --print   prints the bundle (the jest cases read it)
//   --root <dir>                                               another repository root (tests)
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const RESOURCE_NAME = 'UnleashedContractCases';
const RESOURCE_DIR = 'force-app/main/default/staticresources';

const META = `<?xml version="1.0" encoding="UTF-8"?>
<StaticResource xmlns="http://soap.sforce.com/2006/04/metadata">
    <cacheControl>Private</cacheControl>
    <contentType>application/json</contentType>
    <description>Contract cases of the stock, sales-order view and send flows, for the Apex contract tests (generated from contracts/ by scripts/contracts/build-static-resource.mjs)</description>
</StaticResource>
`;

/** `{n}` in every text of a series item becomes the item's number, zero-padded to three digits. */
function numbered(value, n) {
    if (typeof value === 'string') return value.replaceAll('{n}', String(n).padStart(3, '0'));
    if (Array.isArray(value)) return value.map((v) => numbered(v, n));
    if (value !== null && typeof value === 'object') {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, numbered(v, n)]));
    }
    return value;
}

/** Writes out every `{ "$series": { from, to, item } }` element of every array. */
export function expand(value, where = '') {
    if (Array.isArray(value)) {
        return value.flatMap((element, i) => {
            const series = element?.$series;
            if (series === undefined) return [expand(element, `${where}[${i}]`)];
            const { from, to, item } = series;
            if (
                !Number.isInteger(from) ||
                !Number.isInteger(to) ||
                from > to ||
                to > 999 ||
                item === undefined
            ) {
                throw new Error(`${where}[${i}]: $series needs whole numbers from <= to <= 999 and an item`);
            }
            const items = [];
            for (let n = from; n <= to; n++) items.push(expand(numbered(item, n), `${where}[${i}]`));
            return items;
        });
    }
    if (value !== null && typeof value === 'object') {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expand(v, `${where}.${k}`)]));
    }
    return value;
}

function caseFiles(dir) {
    return readdirSync(dir, { withFileTypes: true })
        .sort((a, b) => a.name.localeCompare(b.name))
        .flatMap((entry) => {
            const path = join(dir, entry.name);
            if (entry.isDirectory()) return caseFiles(path);
            return entry.name.endsWith('.json') ? [path] : [];
        });
}

/** The cases by name (`stock/product-stock`), series written out. */
export function loadCases(root) {
    const dir = join(root, 'contracts');
    const cases = {};
    for (const file of caseFiles(dir)) {
        const name = relative(dir, file)
            .replace(/\\/g, '/')
            .replace(/\.json$/, '');
        let parsed;
        try {
            parsed = JSON.parse(readFileSync(file, 'utf8'));
        } catch (err) {
            throw new Error(`contracts/${name}.json is not JSON: ${err.message}`);
        }
        for (const key of ['call', 'records', 'middleware', 'expect']) {
            if (!(key in parsed)) throw new Error(`contracts/${name}.json has no "${key}"`);
        }
        cases[name] = expand(parsed, name);
    }
    return cases;
}

/** The static resource's text: one JSON object `{ cases: { name: case } }`. */
export function bundleText(root) {
    return `${JSON.stringify({ cases: loadCases(root) })}\n`;
}

export function resourcePaths(root) {
    const dir = join(root, RESOURCE_DIR);
    return {
        body: join(dir, `${RESOURCE_NAME}.json`),
        meta: join(dir, `${RESOURCE_NAME}.resource-meta.xml`)
    };
}

function main(argv) {
    const rootAt = argv.indexOf('--root');
    const root =
        rootAt >= 0 ? resolve(argv[rootAt + 1]) : resolve(dirname(fileURLToPath(import.meta.url)), '../..');
    const text = bundleText(root);
    if (argv.includes('--print')) {
        process.stdout.write(text);
        return 0;
    }
    const { body, meta } = resourcePaths(root);
    if (argv.includes('--check')) {
        const stale = [];
        if (!existsSync(body) || readFileSync(body, 'utf8') !== text) stale.push(relative(root, body));
        if (!existsSync(meta) || readFileSync(meta, 'utf8') !== META) stale.push(relative(root, meta));
        if (stale.length) {
            process.stderr.write(
                `${stale.join(' and ')} differ from contracts/: run node scripts/contracts/build-static-resource.mjs\n`
            );
            return 1;
        }
        process.stdout.write(`${relative(root, body)} matches contracts/\n`);
        return 0;
    }
    writeFileSync(body, text);
    writeFileSync(meta, META);
    process.stdout.write(`wrote ${relative(root, body)}\n`);
    return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
    try {
        process.exitCode = main(process.argv.slice(2));
    } catch (err) {
        process.stderr.write(`${err.message}\n`);
        process.exitCode = 1;
    }
}
