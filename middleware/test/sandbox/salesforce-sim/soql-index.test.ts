import { startSalesforceSim, type SalesforceSim } from '../../../src/sandbox/salesforce-sim';
import { IdFactory } from '../../../src/sandbox/salesforce-sim/ids';
import { SimOrg, type Journal, type Row } from '../../../src/sandbox/salesforce-sim/org';
import { seedOrg } from '../../../src/sandbox/salesforce-sim/seed';
import { candidateRows, parseSoql, runSoql } from '../../../src/sandbox/salesforce-sim/soql';
import { api, ns } from './helpers';

/**
 * Queries on Id, external ids, unique fields and lookups are answered from indexes; the answers
 * must be the scan's, row for row and in the same order, and the indexes must follow every write.
 */

function newOrg() {
    const org = new SimOrg({ namespace: '', orgId: '00D5g000004INDEX1', ids: new IdFactory() });
    seedOrg(org, 'demo');
    const products = org.tableByName('Product2');
    const entries = org.tableByName('PricebookEntry');
    const books = org.tableByName('Pricebook2');
    const standard = String([...books.rows.values()].find((b) => b.IsStandard)!.Id);
    const tier = org.create(books, { Name: 'Unleashed Tier 1', IsActive: true }).id;
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) {
        const id = org.create(products, {
            Name: `Item ${i % 7}`,
            IsActive: i % 3 !== 0,
            // Some codes differ from others only in case; some products have none.
            Unleashed_Product_Code__c: i % 10 === 9 ? null : i % 4 === 0 ? `p-${i}` : `P-${i}`,
            Unleashed_Guid__c: `G-${i}`
        }).id;
        ids.push(id);
        org.create(entries, { Pricebook2Id: standard, Product2Id: id, UnitPrice: i, IsActive: true });
        if (i % 2 === 0)
            org.create(entries, { Pricebook2Id: tier, Product2Id: id, UnitPrice: i + 1, IsActive: true });
    }
    // A delete and a later insert move places in the table's order; a rename changes a key.
    org.delete(products, ids[5]!);
    ids.push(org.create(products, { Name: 'Late', Unleashed_Product_Code__c: 'P-5' }).id);
    org.update(products, ids[6]!, { Unleashed_Product_Code__c: 'P-6-RENAMED' });
    // A record a rollback puts back goes last: the order is no longer the order of the ids.
    const journal: Journal = [];
    org.delete(products, ids[1]!, journal);
    org.rollback(journal);
    return { org, products, entries, standard, tier, ids };
}

function bothPaths(org: SimOrg, soql: string) {
    const q = parseSoql(org, soql);
    return {
        indexed: runSoql(org, q, '62.0'),
        scanned: runSoql(org, q, '62.0', false),
        candidates: candidateRows(org, q).length,
        tableSize: q.table.rows.size
    };
}

const idsOf = (records: Row[]) => records.map((r) => r.Id);

describe('SOQL answered from indexes', () => {
    it('returns the rows the scan returns, in order, for a mix of filters', () => {
        const { org, standard, tier, ids } = newOrg();
        const all = Array.from({ length: 30 }, (_, i) => `'P-${i}'`).join(',');
        const cases: { soql: string; narrowed: boolean }[] = [
            {
                soql: `SELECT Id, Name FROM Product2 WHERE Unleashed_Product_Code__c IN ('p-1','P-2','p-4','nope',NULL)`,
                narrowed: true
            },
            {
                soql: `SELECT Id FROM Product2 WHERE Unleashed_Product_Code__c >= 'P-1' AND Unleashed_Product_Code__c <= 'P-3' AND Unleashed_Product_Code__c IN ('P-1','P-2','P-3','P-25')`,
                narrowed: true
            },
            {
                soql: `SELECT Id, UnitPrice, Product2.Unleashed_Product_Code__c FROM PricebookEntry WHERE Pricebook2Id IN ('${standard}','${tier}') AND Product2.Unleashed_Product_Code__c IN ('P-2','p-4','GADGET-100','P-5')`,
                narrowed: true
            },
            {
                soql: `SELECT Id FROM PricebookEntry WHERE Product2Id = '${ids[8]!.toLowerCase()}'`,
                narrowed: true
            },
            {
                soql: `SELECT Id FROM Product2 WHERE Id IN ('${ids[1]!}','${ids[2]!.toLowerCase()}','${ids[3]!.slice(0, 15)}','${ids[5]!}','garbage')`,
                narrowed: true
            },
            {
                soql: `SELECT Id FROM Product2 WHERE Unleashed_Guid__c = 'g-3' OR Unleashed_Product_Code__c = 'P-6-renamed'`,
                narrowed: true
            },
            {
                soql: `SELECT Id, Name FROM Product2 WHERE Unleashed_Product_Code__c IN (${all}) AND IsActive = true ORDER BY Name DESC, Unleashed_Guid__c LIMIT 5 OFFSET 2`,
                narrowed: true
            },
            {
                soql: `SELECT COUNT() FROM PricebookEntry WHERE Product2.Unleashed_Product_Code__c IN (${all})`,
                narrowed: true
            },
            {
                soql: `SELECT Id FROM Account WHERE Unleashed_Customer_Code__c IN ('acme','KANGA') AND CurrencyIsoCode = 'AUD'`,
                narrowed: true
            },
            // A number field against text values, and against a mixed list.
            { soql: `SELECT Id FROM PricebookEntry WHERE UnitPrice IN ('3','4.0','4')`, narrowed: false },
            { soql: `SELECT Id FROM PricebookEntry WHERE UnitPrice IN ('3', 4.0)`, narrowed: false },
            // Name is indexed, as in every org; so is a LIKE with a literal prefix on it.
            {
                soql: `SELECT Id FROM Product2 WHERE Unleashed_Guid__c = 'G-3' OR Name = 'item 2'`,
                narrowed: true
            },
            {
                soql: `SELECT Id, Name FROM Product2 WHERE Unleashed_Product_Code__c != null AND (Name LIKE 'item%3' OR Name LIKE 'LATE')`,
                narrowed: true
            },
            {
                soql: `SELECT Id, Name FROM Account WHERE Unleashed_Customer_Code__c = null AND Unleashed_Customer_Guid__c = null AND (Name LIKE 'beta%builders' OR Name LIKE 'jane%citizen')`,
                narrowed: true
            },
            // Terms no index answers: the scan decides.
            {
                soql: `SELECT Id FROM Product2 WHERE Unleashed_Guid__c = 'G-3' OR Family = 'Hardware'`,
                narrowed: false
            },
            { soql: `SELECT Id FROM Product2 WHERE Name LIKE '%3'`, narrowed: false },
            { soql: `SELECT Id FROM Product2 WHERE Name LIKE 'Item 1' OR IsActive = false`, narrowed: false },
            { soql: `SELECT Id FROM Product2 WHERE Unleashed_Product_Code__c = null`, narrowed: false },
            {
                soql: `SELECT Id FROM Product2 WHERE Unleashed_Product_Code__c NOT IN ('P-1')`,
                narrowed: false
            },
            { soql: `SELECT Id FROM Product2 WHERE NOT Unleashed_Product_Code__c = 'P-1'`, narrowed: false },
            { soql: `SELECT Id FROM Product2 WHERE IsActive = true ORDER BY Name`, narrowed: false }
        ];
        for (const { soql, narrowed } of cases) {
            const r = bothPaths(org, soql);
            expect({ soql, result: r.indexed }).toEqual({ soql, result: r.scanned });
            expect({ soql, narrowed: r.candidates < r.tableSize }).toEqual({ soql, narrowed });
        }
        // The comparisons above are not between empty answers.
        expect(idsOf(bothPaths(org, cases[0]!.soql).indexed.records)).toEqual([ids[2], ids[4], ids[1]]);
        // P-2 and p-4: standard and tier; GADGET-100: NZD and AUD; the new P-5 has no entries.
        expect(bothPaths(org, cases[2]!.soql).indexed.totalSize).toBe(6);
        expect(idsOf(bothPaths(org, cases[4]!.soql).indexed.records)).toEqual([ids[2], ids[1]]);
        expect(idsOf(bothPaths(org, cases[5]!.soql).indexed.records)).toEqual([ids[3], ids[6]]);
        expect(bothPaths(org, cases[6]!.soql).indexed.records).toHaveLength(5);
        // Prices 3 (product 3's standard entry, product 2's tier entry) and 4 (product 4's standard).
        expect(bothPaths(org, cases[9]!.soql).indexed.totalSize).toBe(3);
        expect(bothPaths(org, cases[10]!.soql).indexed.totalSize).toBe(3);
        const names = (soql: string) => bothPaths(org, soql).indexed.records.map((r) => r.Name);
        expect(names(cases[12]!.soql).sort()).toEqual(['Item 3', 'Item 3', 'Item 3', 'Item 3', 'Late']);
        expect(names(cases[13]!.soql).sort()).toEqual(['Beta Builders', 'Jane Citizen']);
    });

    it('reads escaped % and _ in a LIKE pattern as themselves, and follows renames', () => {
        const { org, products } = newOrg();
        const a = org.create(products, { Name: '100% Cotton_Co' }).id;
        const b = org.create(products, { Name: '100X CottonXCo' }).id;
        const like = (pattern: string) => {
            const r = bothPaths(org, `SELECT Id FROM Product2 WHERE Name LIKE '${pattern}'`);
            expect(r.indexed).toEqual(r.scanned);
            return idsOf(r.indexed.records);
        };
        expect(like('100_ cotton_co')).toEqual([a, b]);
        expect(like('100\\% cotton\\_co')).toEqual([a]);
        expect(like('100%co')).toEqual([a, b]);
        org.update(products, b, { Name: 'Renamed' });
        expect(like('100%co')).toEqual([a]);
        expect(like('ren%')).toEqual([b]);
    });

    it('follows creates, updates of the indexed field, upserts, deletes and rollbacks', () => {
        const { org, products, ids } = newOrg();
        const byCode = (code: string) =>
            bothPaths(org, `SELECT Id FROM Product2 WHERE Unleashed_Product_Code__c = '${code}'`);
        const expectSame = (code: string, expected: unknown[]) => {
            const r = byCode(code);
            expect(r.indexed).toEqual(r.scanned);
            expect(idsOf(r.indexed.records)).toEqual(expected);
        };
        expectSame('P-1', [ids[1]]);

        org.update(products, ids[1]!, { Unleashed_Product_Code__c: 'P-1-NEW' });
        expectSame('P-1', []);
        expectSame('p-1-new', [ids[1]]);

        const created = org.upsert(products, org.field(products, 'Unleashed_Product_Code__c')!, 'P-1', {
            Name: 'Upserted'
        });
        expect(created.created).toBe(true);
        expectSame('P-1', [created.id]);

        org.update(products, ids[1]!, { Unleashed_Product_Code__c: null });
        expectSame('P-1-NEW', []);

        org.delete(products, created.id);
        expectSame('P-1', []);

        const journal: Journal = [];
        org.update(products, ids[2]!, { Unleashed_Product_Code__c: 'P-2-MOVED' }, journal);
        org.delete(products, ids[3]!, journal);
        expectSame('P-2-MOVED', [ids[2]]);
        org.rollback(journal);
        expectSame('P-2-MOVED', []);
        expectSame('P-2', [ids[2]]);
        expectSame('P-3', [ids[3]]);
        // A record put back by a rollback is last in the table's order, for the scan and the index.
        const order = bothPaths(
            org,
            `SELECT Id FROM Product2 WHERE Unleashed_Product_Code__c IN ('P-2','P-3','P-7')`
        );
        expect(order.indexed).toEqual(order.scanned);
        expect(idsOf(order.indexed.records)).toEqual([ids[2], ids[7], ids[3]]);
    });
});

describe('price book entry rules on the Product2Id index', () => {
    it('refuses a second price in a book and a custom price without a standard one', () => {
        const { org, entries, standard, tier, ids } = newOrg();
        const refusal = (input: Row) => {
            try {
                org.create(entries, input);
                return null;
            } catch (e) {
                return (e as { errors: { statusCode: string }[] }).errors.map((x) => x.statusCode);
            }
        };
        expect(refusal({ Pricebook2Id: standard, Product2Id: ids[0], UnitPrice: 2 })).toEqual([
            'DUPLICATE_VALUE'
        ]);
        expect(refusal({ Pricebook2Id: tier, Product2Id: ids[0], UnitPrice: 2 })).toEqual([
            'DUPLICATE_VALUE'
        ]);
        // The last product has no standard price yet; once it has one, the tier price is taken.
        const late = ids[ids.length - 1]!;
        expect(refusal({ Pricebook2Id: tier, Product2Id: late, UnitPrice: 2 })).toEqual([
            'STANDARD_PRICE_NOT_DEFINED'
        ]);
        expect(refusal({ Pricebook2Id: standard, Product2Id: late, UnitPrice: 1 })).toBeNull();
        expect(refusal({ Pricebook2Id: tier, Product2Id: late, UnitPrice: 2 })).toBeNull();
        expect(
            refusal({ Pricebook2Id: standard, Product2Id: late, UnitPrice: 1, CurrencyIsoCode: 'AUD' })
        ).toBeNull();
    });
});

describe('SOQL indexes and Bulk API 2.0 ingest', () => {
    let sim: SalesforceSim;
    beforeAll(async () => {
        sim = await startSalesforceSim({ seed: 'empty' });
    });
    afterAll(async () => {
        await sim.close();
    });

    it('finds records a Bulk job created and renamed after the index was built', async () => {
        const c = api(sim);
        const wh = ns(sim, 'Unleashed_Warehouse__c');
        const code = ns(sim, 'Warehouse_Code__c');
        const guid = ns(sim, 'Unleashed_Guid__c');
        const q = async (codes: string[]) => {
            const soql = `SELECT Name FROM ${wh} WHERE ${code} IN (${codes.map((v) => `'${v}'`).join(',')})`;
            const res = await c.get(`/query?q=${encodeURIComponent(soql)}`);
            expect(res.status).toBe(200);
            return (res.body.records as { Name: string }[]).map((r) => r.Name);
        };
        const ingest = async (csv: string) => {
            const job = await c.post('/jobs/ingest', {
                object: wh,
                operation: 'upsert',
                externalIdFieldName: guid,
                contentType: 'CSV',
                lineEnding: 'LF'
            });
            await c.put(`/jobs/ingest/${job.body.id}/batches`, csv, { 'content-type': 'text/csv' });
            await c.patch(`/jobs/ingest/${job.body.id}`, { state: 'UploadComplete' });
            let info = (await c.get(`/jobs/ingest/${job.body.id}`)).body;
            for (let i = 0; i < 100 && info.state !== 'JobComplete'; i++) {
                await new Promise((r) => setTimeout(r, 10));
                info = (await c.get(`/jobs/ingest/${job.body.id}`)).body;
            }
            expect(info).toMatchObject({ state: 'JobComplete', numberRecordsFailed: 0 });
        };
        expect(await q(['W1', 'W2'])).toEqual([]);
        await ingest(`Name,${code},${guid}\nMain,W1,g1\nSecond,W2,g2\n`);
        expect(await q(['w1', 'W2', 'W3'])).toEqual(['Main', 'Second']);
        await ingest(`Name,${code},${guid}\nMain,W3,g1\n`);
        expect(await q(['W1'])).toEqual([]);
        expect(await q(['W3', 'W2'])).toEqual(['Main', 'Second']);
    });
});
