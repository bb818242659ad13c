#!/usr/bin/env node
// Builds the local preview: the package's real LWCs (force-app) compiled with the LWC compiler and
// lightning-base-components into one browser bundle, with SLDS. Platform modules that only exist
// inside Salesforce (@salesforce/apex/*, lightning/platformShowToastEvent, ...) are bound to small
// shims in ./shims; Apex calls go to the dev bridge over HTTP (/__bridge/apex/Class/method).
import { rollup } from 'rollup';
import lwc from '@lwc/rollup-plugin';
import replace from '@rollup/plugin-replace';
import resolve from '@rollup/plugin-node-resolve';
import {
    cpSync,
    existsSync,
    mkdirSync,
    readdirSync,
    readFileSync,
    rmSync,
    symlinkSync,
    writeFileSync
} from 'node:fs';
import { dirname, join, resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolvePath(here, '../..');
const lwcDir = join(root, 'force-app/main/default/lwc');
const shims = join(here, 'shims');
// The preview renders with the LWC engine that matches the compiler (lwc 9); jest keeps its own.
const lwcPkg = join(root, 'node_modules/lwc/node_modules/@lwc');
const scopedImports = join(root, 'node_modules/lightning-base-components/scopedImports');
// The demo org's user: New Zealand English, NZD, Auckland time.
const I18N = { locale: 'en-NZ', currency: 'NZD', timeZone: 'Pacific/Auckland', lang: 'en' };

/**
 * Names of the package's components: folders with a same-named .js and .html. A folder without a
 * template (unleashedUtils) is a service module that components import, not something to mount.
 */
export function componentNames() {
    if (!existsSync(lwcDir)) return [];
    return readdirSync(lwcDir, { withFileTypes: true })
        .filter(
            (d) =>
                d.isDirectory() &&
                existsSync(join(lwcDir, d.name, `${d.name}.js`)) &&
                existsSync(join(lwcDir, d.name, `${d.name}.html`))
        )
        .map((d) => d.name)
        .sort();
}

const kebab = (name) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** Virtual modules for what only exists on the Salesforce platform. */
function platformShims() {
    const fixed = {
        'lightning/platformShowToastEvent': 'platformShowToastEvent.js',
        'lightning/refresh': 'refresh.js',
        'lightning/actions': 'actions.js',
        'lightning/uiRecordApi': 'uiRecordApi.js',
        'lightning/navigation': 'navigation.js',
        '@salesforce/apex': 'apexRefresh.js',
        'preview/apexRuntime': 'apexRuntime.js'
    };
    return {
        name: 'preview-platform-shims',
        resolveId(source) {
            if (fixed[source]) return join(shims, fixed[source]);
            if (
                /^@salesforce\/(apex|label|user|customPermission|schema|i18n|client|internal)\//.test(source)
            ) {
                return `\0virtual:${source}`;
            }
            return null;
        },
        load(id) {
            if (!id.startsWith('\0virtual:')) return null;
            const source = id.slice('\0virtual:'.length);
            const [, kind, rest] = source.match(/^@salesforce\/([^/]+)\/(.*)$/);
            if (kind === 'apex') {
                const [cls, method] = rest.split('.');
                return `import { apexMethod } from 'preview/apexRuntime';\nexport default apexMethod(${JSON.stringify(cls)}, ${JSON.stringify(method)});\n`;
            }
            if (kind === 'user') {
                return rest === 'Id'
                    ? `export default '005000000000001AAA';\n`
                    : `export default ${JSON.stringify(rest)};\n`;
            }
            if (kind === 'customPermission') {
                // The preview signs in as an admin with every custom permission.
                return 'export default true;\n';
            }
            if (kind === 'schema') {
                const [objectApiName, fieldApiName] = rest.split('.');
                return fieldApiName
                    ? `export default ${JSON.stringify({ objectApiName, fieldApiName })};\n`
                    : `export default ${JSON.stringify({ objectApiName })};\n`;
            }
            if (kind === 'i18n' && I18N[rest] !== undefined) {
                return `export default ${JSON.stringify(I18N[rest])};\n`;
            }
            // lightning-base-components ships the platform's default texts and formats (labels,
            // i18n, client); the preview uses them as an org in English would show them.
            const scoped = join(scopedImports, `@salesforce-${kind}-${rest}.js`);
            if (existsSync(scoped)) return readFileSync(scoped, 'utf8');
            // Labels: the preview shows the label's API name as its text.
            return `export default ${JSON.stringify(rest.split('.').pop())};\n`;
        }
    };
}

/** Builds the preview into outDir; returns the output folder. */
export async function buildPreview({ outDir = join(root, '.preview-build/out'), quiet = false } = {}) {
    const work = join(root, '.preview-build');
    const modules = join(work, 'modules');
    rmSync(modules, { recursive: true, force: true });
    mkdirSync(modules, { recursive: true });
    // The LWC resolver wants <dir>/<namespace>/<name>; force-app keeps components in lwc/<name>.
    if (existsSync(lwcDir)) symlinkSync(lwcDir, join(modules, 'c'), 'dir');
    // The resolver also wants a package root (package.json + lwc.config.json) above the entry.
    writeFileSync(join(work, 'package.json'), '{"name":"preview-build","private":true}\n');
    writeFileSync(join(work, 'lwc.config.json'), '{"modules":[]}\n');

    const names = componentNames();
    const entry = join(work, 'entry.js');
    writeFileSync(
        entry,
        [
            `import '@lwc/synthetic-shadow';`,
            `import { startPreview } from ${JSON.stringify(join(here, 'app/main.js'))};`,
            ...names.map((n, i) => `import C${i} from 'c/${n}';`),
            `startPreview({ ${names.map((n, i) => `${JSON.stringify(`c-${kebab(n)}`)}: C${i}`).join(', ')} });`,
            ''
        ].join('\n')
    );

    const started = Date.now();
    const bundle = await rollup({
        input: entry,
        plugins: [
            platformShims(),
            replace({
                preventAssignment: true,
                values: {
                    'process.env.NODE_ENV': JSON.stringify('development'),
                    'import.meta.env.SSR': 'false',
                    // Element internals need native shadow DOM; the preview runs synthetic shadow
                    // like Lightning Experience does.
                    'features.enableComboboxElementInternals': 'false'
                }
            }),
            lwc({
                rootDir: work,
                enableDynamicComponents: true,
                modules: [{ dir: modules }, { npm: 'lightning-base-components' }],
                defaultModules: [
                    { name: 'lwc', path: join(lwcPkg, 'engine-dom/dist/index.js') },
                    { npm: '@lwc/synthetic-shadow' },
                    { name: '@lwc/wire-service', path: join(lwcPkg, 'wire-service/dist/index.js') }
                ]
            }),
            resolve({ browser: true })
        ],
        onwarn(warning) {
            // lightning-base-components trips the compiler's template lint; those are not ours.
            if (/LWC1\d{3}/.test(warning.message) && /lightning-base-components/.test(warning.message))
                return;
            if (['CIRCULAR_DEPENDENCY', 'THIS_IS_UNDEFINED'].includes(warning.code)) return;
            // A platform module without a shim would silently become a global lookup in the bundle.
            if (warning.code === 'UNRESOLVED_IMPORT') {
                throw new Error(`preview build: ${warning.message} (add a shim in scripts/preview/shims)`);
            }
            if (!quiet) process.stderr.write(`preview build: ${warning.message}\n`);
        }
    });
    mkdirSync(outDir, { recursive: true });
    await bundle.write({ file: join(outDir, 'app.js'), format: 'iife', inlineDynamicImports: true });
    await bundle.close();

    const slds = join(root, 'node_modules/@salesforce-ux/design-system/assets');
    cpSync(join(slds, 'styles/salesforce-lightning-design-system.min.css'), join(outDir, 'slds.css'));
    cpSync(join(here, 'app/index.html'), join(outDir, 'index.html'));
    cpSync(join(here, 'app/preview.css'), join(outDir, 'preview.css'));
    if (!quiet) {
        process.stdout.write(
            `preview built: ${names.length} components in ${Math.round((Date.now() - started) / 1000)} s -> ${outDir}\n`
        );
    }
    return { outDir, components: names };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolvePath(process.argv[1])) {
    buildPreview().catch((err) => {
        process.stderr.write(`${err.stack ?? err}\n`);
        process.exit(1);
    });
}
