import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * The static resource UnleashedContractCases is what the Apex contract tests read; it must hold
 * exactly the cases of contracts/ (series written out), or Apex would prove something else than jest.
 */

const root = resolve(__dirname, '../../..');
const script = join(root, 'scripts/contracts/build-static-resource.mjs');
const resource = 'force-app/main/default/staticresources/UnleashedContractCases';

const run = (...args: string[]) => spawnSync(process.execPath, [script, ...args], { encoding: 'utf8' });

/** A copy of contracts/ and the static resource in a scratch root. */
function scratchRoot(): string {
    const dir = mkdtempSync(join(tmpdir(), 'contracts-'));
    cpSync(join(root, 'contracts'), join(dir, 'contracts'), { recursive: true });
    cpSync(
        join(root, 'force-app/main/default/staticresources'),
        join(dir, 'force-app/main/default/staticresources'),
        {
            recursive: true
        }
    );
    return dir;
}

describe('the static resource UnleashedContractCases', () => {
    it('matches contracts/', () => {
        const result = run('--check');
        expect(result.stderr).toBe('');
        expect(result.status).toBe(0);
    });

    it('holds every case of contracts/ with its series written out', () => {
        const bundle = JSON.parse(readFileSync(join(root, `${resource}.json`), 'utf8')) as {
            cases: Record<string, { records: Record<string, unknown[]> }>;
        };
        expect(Object.keys(bundle.cases)).toEqual(
            expect.arrayContaining([
                'stock/product-stock',
                'stock/opportunity-two-callouts',
                'orders/order-view'
            ])
        );
        expect(JSON.stringify(bundle)).not.toContain('$series');
        expect(bundle.cases['stock/opportunity-two-callouts']?.records.OpportunityLineItem).toHaveLength(103);
        expect(readFileSync(join(root, `${resource}.resource-meta.xml`), 'utf8')).toContain(
            '<cacheControl>Private</cacheControl>'
        );
    });

    it('fails, naming the file and the command, when a case changed and the resource did not', () => {
        const dir = scratchRoot();
        try {
            const file = join(dir, 'contracts/orders/order-view-gone.json');
            writeFileSync(
                file,
                readFileSync(file, 'utf8').replace('SO-00000312 any more', 'SO-00000313 any more')
            );
            const stale = run('--check', '--root', dir);
            expect(stale.status).toBe(1);
            expect(stale.stderr).toContain(`${resource}.json differ from contracts/`);
            expect(stale.stderr).toContain('node scripts/contracts/build-static-resource.mjs');

            execFileSync(process.execPath, [script, '--root', dir]);
            expect(run('--check', '--root', dir).status).toBe(0);
            expect(readFileSync(join(dir, `${resource}.json`), 'utf8')).toContain('SO-00000313 any more');
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });

    it('refuses a series it cannot write out, naming where', () => {
        const dir = scratchRoot();
        try {
            writeFileSync(
                join(dir, 'contracts/stock/bad.json'),
                JSON.stringify({
                    call: {},
                    records: { Product2: [{ $series: { from: 5, to: 2, item: {} } }] },
                    middleware: [],
                    expect: {}
                })
            );
            const result = run('--check', '--root', dir);
            expect(result.status).toBe(1);
            expect(result.stderr).toContain('stock/bad.records.Product2[0]: $series needs');
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });
});
