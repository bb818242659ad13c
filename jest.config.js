'use strict';
// One jest run, three projects: the LWC components (sfdx-lwc-jest preset, limited to force-app
// because the preset would otherwise pick up the middleware's .ts files), the middleware, and the
// repository's tools under scripts/.
const { jestConfig: lwcJestConfig } = require('@salesforce/sfdx-lwc-jest/config');

// Dependencies that ship ES modules only: jest's CommonJS runtime needs them compiled (Node itself
// loads them fine through require(esm)).
const esmOnly = ['content-disposition', 'cookie'].join('|');

// TypeScript with the middleware's settings, and those ES-module-only dependencies compiled.
const middlewareTransform = {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/middleware/tsconfig.json' }],
    // A few dependencies ship ES modules only; jest's CommonJS runtime needs them compiled.
    [`^.+/node_modules/(${esmOnly})/.+\\.js$`]: [
        'ts-jest',
        { tsconfig: { allowJs: true, module: 'commonjs', isolatedModules: true } }
    ]
};

module.exports = {
    // Many tests start PGlite (PostgreSQL in WebAssembly) and real servers; on a busy 2-core machine
    // that alone can pass jest's 5 s default. A hang still fails, just later.
    testTimeout: 60_000,
    projects: [
        {
            ...lwcJestConfig,
            displayName: 'lwc',
            rootDir: __dirname,
            roots: ['<rootDir>/force-app'],
            testPathIgnorePatterns: ['/node_modules/', '/.localdevserver/']
        },
        {
            displayName: 'middleware',
            rootDir: __dirname,
            roots: ['<rootDir>/middleware/test'],
            testEnvironment: 'node',
            // jsforce's undici needs Node's Symbol.dispose inside jest's VM context.
            setupFiles: ['<rootDir>/middleware/test/salesforce/node-realm.ts'],
            testMatch: ['**/*.test.ts'],
            transform: middlewareTransform,
            transformIgnorePatterns: [`/node_modules/(?!(${esmOnly})/)`],
            moduleFileExtensions: ['ts', 'js', 'json']
        },
        {
            // Tests of the repository's own tools (Salesforce offline gates, preview, release script).
            // They load the middleware too (the browser tests start the demo stack), so they compile
            // TypeScript and the ES-module-only dependencies the same way the middleware project does.
            displayName: 'tools',
            rootDir: __dirname,
            roots: ['<rootDir>/scripts'],
            testEnvironment: 'node',
            setupFiles: ['<rootDir>/middleware/test/salesforce/node-realm.ts'],
            testMatch: ['**/test/**/*.test.ts'],
            transform: middlewareTransform,
            transformIgnorePatterns: [`/node_modules/(?!(${esmOnly})/)`],
            moduleFileExtensions: ['ts', 'js', 'json']
        }
    ]
};
