import type { SalesforceWriter, SObjectRecord } from '../../../src/salesforce/types';
import { accountsNamed, nameKey, namePattern } from '../../../src/sync/imports/account-names';

/** The name form customers and Accounts are compared in, the LIKE patterns, and the batching. */

describe('nameKey', () => {
    it('trims, collapses whitespace of any kind and ignores case, but keeps punctuation', () => {
        expect(nameKey('  Beta \t Builders\n')).toBe('beta builders');
        expect(nameKey('BETA\u00a0\u00a0builders')).toBe('beta builders');
        expect(nameKey('Beta Builders Ltd.')).not.toBe(nameKey('Beta Builders Ltd'));
        expect(nameKey('A.B. Smith')).not.toBe(nameKey('AB Smith'));
        expect(nameKey(null)).toBe('');
    });
});

describe('namePattern', () => {
    it('joins the words with % and escapes what LIKE and SOQL would read otherwise', () => {
        expect(namePattern('beta builders')).toBe("'beta%builders'");
        expect(namePattern("o'brien 100% sons_ltd a\\b")).toBe("'o\\'brien%100\\%%sons\\_ltd%a\\\\b'");
    });
});

describe('accountsNamed', () => {
    /** A writer whose query answers every statement with the same rows, as overlapping patterns can. */
    function writer(rows: SObjectRecord[]) {
        const statements: string[] = [];
        const w = {
            query: async (soql: string) => {
                statements.push(soql);
                return rows;
            }
        } as unknown as SalesforceWriter;
        return { w, statements };
    }

    it('asks in few statements, keeps only equal names, and each Account once', async () => {
        const keys = Array.from({ length: 600 }, (_, i) => nameKey(`Customer ${i} Ltd`));
        const rows = [
            { Id: '001000000000001AAA', Name: 'CUSTOMER  12 ltd' },
            // Matched by the pattern of "customer 1 ltd", but another name.
            { Id: '001000000000002AAA', Name: 'Customer 1 2 Ltd' },
            { Id: '001000000000003AAA', Name: 'Customer 7 Ltd' }
        ];
        const { w, statements } = writer(rows);
        const found = await accountsNamed(w, {
            select: 'SELECT Id, Name FROM Account',
            also: 'Code__c = null',
            keys
        });
        expect(statements.length).toBeGreaterThan(1);
        expect(statements.length).toBeLessThanOrEqual(4);
        for (const s of statements) {
            expect(s).toMatch(/^SELECT Id, Name FROM Account WHERE Code__c = null AND \(Name LIKE '.*'\)$/);
            expect(encodeURIComponent(s).length).toBeLessThan(12_500);
        }
        expect(statements.join(' ')).toContain("Name LIKE 'customer%599%ltd'");
        expect(found.map((r) => r.Id)).toEqual(['001000000000001AAA', '001000000000003AAA']);
    });

    it('asks nothing for no names', async () => {
        const { w, statements } = writer([]);
        expect(await accountsNamed(w, { select: 'SELECT Id, Name FROM Account', keys: ['', ''] })).toEqual(
            []
        );
        expect(statements).toEqual([]);
    });
});
