'use strict';
const lwcConfig = require('@salesforce/eslint-config-lwc');
const tseslint = require('typescript-eslint');
const globals = require('globals');
const importPlugin = require('eslint-plugin-import');

// The middleware's layers: data flows route -> rule (sync/) -> edge (unleashed/, salesforce/, store/),
// and nothing on a production path reaches the local demo, the simulators or the benchmarks.
const src = './middleware/src';
const production = [
    'app.ts',
    'server.ts',
    'services.ts',
    'config.ts',
    'logger.ts',
    'problem.ts',
    'http',
    'routes',
    'sync',
    'unleashed',
    'salesforce',
    'store',
    'money'
].map((p) => `${src}/${p}`);
const edges = ['unleashed', 'salesforce', 'store', 'money'].map((p) => `${src}/${p}`);
const layerZones = [
    {
        target: `${src}/sync`,
        from: [`${src}/http`, `${src}/routes`, `${src}/app.ts`, `${src}/server.ts`],
        message:
            'Rules (sync/) know nothing of HTTP: throw HttpProblem from problem.ts, let the routes answer.'
    },
    {
        target: `${src}/routes`,
        from: edges.filter((e) => !e.endsWith('money')),
        message: 'Routes call rules (sync/), never an edge (unleashed/, salesforce/, store/) directly.'
    },
    ...edges.map((edge) => ({
        target: edge,
        from: [`${src}/sync`, `${src}/routes`, `${src}/http`, `${src}/app.ts`, `${src}/services.ts`],
        message: 'Edges know nothing of the rules or the routes that use them.'
    })),
    ...production.map((target) => ({
        target,
        from: [`${src}/dev`, `${src}/sandbox`, `${src}/bench`],
        message: 'Production code never imports the local demo, the simulators or the benchmarks.'
    }))
];

module.exports = [
    {
        ignores: [
            '**/node_modules/**',
            'middleware/dist/**',
            'middleware/dist-tools/**',
            '.data/**',
            'coverage/**',
            '.sf/**',
            '.sfdx/**',
            'artifacts/**',
            '.preview-build/**',
            '**/*.d.ts'
        ]
    },
    // Lightning Web Components: Salesforce's recommended LWC rules.
    ...lwcConfig.configs.recommended.map((c) => ({ ...c, files: ['force-app/**/lwc/**/*.js'] })),
    {
        files: ['force-app/**/lwc/**/__tests__/**/*.js', 'force-app/**/jest-mocks/**/*.js'],
        languageOptions: { globals: { ...globals.node, ...globals.jest } },
        rules: { '@lwc/lwc/no-unexpected-wire-adapter-usages': 'off' }
    },
    // Helpers shared by the components' jest tests (not part of the package: .forceignore).
    {
        files: ['force-app/test/**/*.js'],
        languageOptions: {
            ecmaVersion: 2023,
            sourceType: 'module',
            globals: { ...globals.browser, ...globals.jest }
        }
    },
    // The middleware: typescript-eslint's recommended rules.
    ...tseslint.configs.recommended.map((c) => ({ ...c, files: ['middleware/**/*.ts'] })),
    {
        files: ['middleware/**/*.ts'],
        rules: {
            '@typescript-eslint/no-unused-vars': [
                'error',
                { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }
            ]
        }
    },
    {
        files: ['middleware/src/**/*.ts'],
        plugins: { import: importPlugin },
        // The rule compares resolved files: teach the resolver TypeScript's extensions.
        settings: { 'import/resolver': { node: { extensions: ['.ts', '.js', '.json'] } } },
        rules: { 'import/no-restricted-paths': ['error', { zones: layerZones }] }
    },
    // Plain Node scripts and config files.
    {
        files: ['scripts/**/*.{js,mjs,cjs}', '*.js', '*.mjs'],
        languageOptions: { ecmaVersion: 2023, globals: { ...globals.node } }
    },
    // The local preview's browser side.
    {
        files: ['scripts/preview/app/**/*.js', 'scripts/preview/shims/**/*.js'],
        languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: { ...globals.browser } }
    }
];
