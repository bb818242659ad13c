import type { ApexContext } from '../../src/dev/bridge/context';
import { errorSummary, startImport } from '../../src/dev/bridge/imports';
import type { SObjectRecord, UpsertResult } from '../../src/salesforce/types';

/**
 * The bridge's import start and error summary, as UnleashedImportJobStart and
 * UnleashedImportErrorSummary: a job row an early progress event wrote keeps its progress, an insert
 * that collided on Job_Id__c is done again as an update, and kept errors stay valid JSON.
 */

type Row = SObjectRecord & { Job_Id__c: string };

/** An org holding import job rows by Job_Id__c; `collideOnce` makes the next insert lose a race. */
function fakeOrg(rows: Row[], opts: { collideOnce?: Row } = {}) {
    let collide = opts.collideOnce;
    const upserts: Row[] = [];
    const ctx = {
        org: {
            user: { canManageConnection: true },
            data: {
                async query(soql: string) {
                    const id = /Job_Id__c = '([^']+)'/.exec(soql)?.[1];
                    return rows.filter((r) => r.Job_Id__c === id).map((r) => ({ ...r }));
                },
                async upsert(_sobject: string, _key: string, records: Row[]): Promise<UpsertResult[]> {
                    const [record] = records as [Row];
                    upserts.push({ ...record });
                    const existing = rows.find((r) => r.Job_Id__c === record.Job_Id__c);
                    if (!existing && collide) {
                        // The progress event's insert got there first.
                        rows.push(collide);
                        collide = undefined;
                        return [
                            {
                                index: 0,
                                success: false,
                                created: false,
                                id: null,
                                errors: [
                                    {
                                        statusCode: 'DUPLICATE_VALUE',
                                        message: 'duplicate value found: Job_Id__c',
                                        fields: []
                                    }
                                ]
                            }
                        ];
                    }
                    if (existing) Object.assign(existing, record);
                    else rows.push({ ...record });
                    return [{ index: 0, success: true, created: !existing, id: 'a01', errors: [] }];
                }
            }
        },
        middleware: { post: async () => ({ jobId: 'job-1' }) },
        now: () => new Date('2026-12-04T10:00:00Z')
    } as unknown as ApexContext;
    return { ctx, rows, upserts };
}

const running = (): Row => ({
    Job_Id__c: 'job-1',
    Status__c: 'Running',
    Done__c: 40,
    Total__c: 100,
    Started_At__c: '2026-12-04T09:59:58.000Z'
});

describe('starting an import', () => {
    it('records a new job as Queued with nothing done', async () => {
        const { ctx, rows } = fakeOrg([]);
        const view = (await startImport(ctx, ['products'], true, false)) as Record<string, unknown>;
        expect(view).toMatchObject({ jobId: 'job-1', status: 'Queued', done: 0, total: 0 });
        expect(rows).toEqual([
            expect.objectContaining({
                Status__c: 'Queued',
                Entities__c: 'products',
                Full_Reimport__c: true,
                Started_At__c: '2026-12-04T10:00:00.000Z'
            })
        ]);
    });

    it('keeps progress an event delivered before the start answer', async () => {
        const { ctx, rows, upserts } = fakeOrg([running()]);
        const view = (await startImport(ctx, ['products', 'taxes'], false, false)) as Record<string, unknown>;
        expect(view).toMatchObject({ status: 'Running', done: 40, total: 100 });
        expect(upserts[0]).not.toHaveProperty('Status__c');
        expect(upserts[0]).not.toHaveProperty('Done__c');
        expect(rows).toEqual([
            expect.objectContaining({
                Status__c: 'Running',
                Done__c: 40,
                Entities__c: 'products;taxes',
                Started_At__c: '2026-12-04T09:59:58.000Z'
            })
        ]);
    });

    it("does an insert that collided with the event's insert again as an update", async () => {
        const { ctx, rows, upserts } = fakeOrg([], { collideOnce: running() });
        const view = (await startImport(ctx, ['products'], false, false)) as Record<string, unknown>;
        expect(upserts).toHaveLength(2);
        expect(upserts[0]).toMatchObject({ Status__c: 'Queued', Done__c: 0 });
        expect(upserts[1]).not.toHaveProperty('Status__c');
        expect(rows).toHaveLength(1);
        expect(view).toMatchObject({ status: 'Running', done: 40 });
    });
});

describe('the errors kept on the job', () => {
    const errors = Array.from({ length: 2000 }, (_, i) => ({
        entity: 'products',
        key: `SKU-${i}`,
        reason: `Sell price is missing for this product in every price tier ${'x'.repeat(40)}`
    }));

    it('shortens a long error list by whole errors, so it stays valid JSON', () => {
        expect(JSON.stringify(errors).length).toBeGreaterThan(131_072);
        for (const job of [{ errors }, { errorSummary: JSON.stringify(errors) }, { errorSummary: errors }]) {
            const text = errorSummary(job)!;
            expect(text.length).toBeLessThanOrEqual(131_072);
            const kept = JSON.parse(text) as typeof errors;
            expect(kept.length).toBeGreaterThan(100);
            expect(kept.length).toBeLessThan(errors.length);
            expect(kept).toEqual(errors.slice(0, kept.length));
        }
    });

    it('keeps short summaries as they are and cuts plain text', () => {
        expect(errorSummary({ errorSummary: '[{"key":"A"}]' })).toBe('[{"key":"A"}]');
        expect(errorSummary({ errorSummary: 'x'.repeat(200_000) })).toHaveLength(131_072);
        expect(errorSummary({ errors: [] })).toBeNull();
    });
});
