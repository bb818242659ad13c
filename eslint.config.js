'use strict';
const lwcConfig = require('@salesforce/eslint-config-lwc');
const tseslint = require('typescript-eslint');
const globals = require('globals');

module.exports = [
    {
        ignores: [
            '**/node_modules/**',
            'middleware/dist/**',
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
