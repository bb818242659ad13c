import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildApp } from '../../src/app';
import { testConfig } from '../../src/config';

/**
 * The middleware's OpenAPI document is committed (`docs/openapi.json`) so the package's authors and
 * reviewers read the API without running it, and so a change to a route shows in review. This test
 * fails when the routes and the file differ; `npm run openapi` rewrites the file from the routes.
 */
const file = join(__dirname, '../../../docs/openapi.json');

async function generated(): Promise<string> {
    const app = await buildApp(testConfig());
    await app.ready();
    const doc = app.swagger();
    await app.close();
    return `${JSON.stringify(doc, null, 2)}\n`;
}

describe('the committed OpenAPI document', () => {
    it('matches the routes (run `npm run openapi` after changing a route)', async () => {
        const current = await generated();
        if (process.env.UPDATE_OPENAPI === '1') writeFileSync(file, current);
        const committed = readFileSync(file, 'utf8');
        expect(JSON.parse(committed)).toEqual(JSON.parse(current));
    });

    it('documents every signed /v1 route and the webhook', async () => {
        const doc = JSON.parse(readFileSync(file, 'utf8')) as { paths: Record<string, unknown> };
        const paths = Object.keys(doc.paths);
        for (const expected of [
            '/v1/stock',
            '/v1/sales-orders/preview',
            '/v1/sales-orders',
            '/v1/imports',
            '/v1/connection',
            '/webhooks/unleashed/{orgId}'
        ]) {
            expect(paths).toContain(expected);
        }
    });
});
