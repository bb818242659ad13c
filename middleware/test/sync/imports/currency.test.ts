import { planFor } from '../../../src/sync/imports/currency';
import { errorSummary, ProgressReporter } from '../../../src/sync/imports/progress';
import type { SalesforceWriter } from '../../../src/salesforce/types';

describe('the currency of price book entries', () => {
    it('is the Unleashed base currency when the org has it active, and only that one', () => {
        expect(planFor('NZD', new Set(['NZD', 'AUD', 'USD']))).toMatchObject({
            slots: ['NZD'],
            reason: null
        });
        expect(planFor('nzd', null)).toMatchObject({ slots: ['NZD'], reason: null });
    });

    it('is none, with the reason, when the base currency is not active or unknown', () => {
        expect(planFor('GBP', new Set(['NZD', 'AUD']))).toMatchObject({
            slots: [],
            reason: 'Unleashed prices are in GBP, which is not an active currency in this Salesforce org'
        });
        expect(planFor(null, new Set(['NZD'])).slots).toEqual([]);
    });
});

describe('progress events', () => {
    const snapshot = (done: number) => () => ({
        jobId: 'job-1',
        status: 'running' as const,
        entities: ['products'],
        done,
        total: 10,
        counts: { created: done, updated: 0, unchanged: 0, failed: 0 },
        errors: [],
        startedAt: new Date('2026-01-01T00:00:00Z'),
        finishedAt: null
    });

    it('go out at most once per interval, the forced last one always, in order', async () => {
        const sent: unknown[] = [];
        const writer = {
            apexRest: async (path: string, body: { events: unknown[] }) => {
                expect(path).toBe('/events');
                sent.push(...body.events);
                return { results: [{ index: 0, ok: true, error: null }] };
            }
        } as unknown as SalesforceWriter;
        let now = 0;
        const log = { warn: jest.fn() };
        const p = new ProgressReporter(writer, 3000, log, () => now);
        p.report(snapshot(1));
        now = 1000;
        p.report(snapshot(2));
        now = 3500;
        p.report(snapshot(3));
        now = 3600;
        p.report(snapshot(4), true);
        await p.flush();
        expect(sent.map((e) => (e as { done: number }).done)).toEqual([1, 3, 4]);
        expect(sent[0]).toMatchObject({
            type: 'import.progress',
            jobId: 'job-1',
            status: 'running',
            total: 10
        });
        expect(p.sent).toBe(3);
        expect(log.warn).not.toHaveBeenCalled();
    });

    it('never fail the import when Salesforce refuses them', async () => {
        const writer = {
            apexRest: async () => {
                throw new Error('down');
            }
        } as unknown as SalesforceWriter;
        const log = { warn: jest.fn() };
        const p = new ProgressReporter(writer, 0, log);
        p.report(snapshot(1), true);
        await expect(p.flush()).resolves.toBeUndefined();
        expect(log.warn).toHaveBeenCalledWith(expect.objectContaining({ err: 'down' }), expect.any(String));
    });

    it('carry the errors as JSON within the size of the summary field', () => {
        const many = Array.from({ length: 5000 }, (_, i) => ({
            entity: 'products',
            key: `P${i}`,
            reason: 'x'.repeat(60)
        }));
        const text = errorSummary(many)!;
        expect(text.length).toBeLessThanOrEqual(100_000);
        expect(JSON.parse(text)[0]).toEqual(many[0]);
        expect(errorSummary([])).toBeNull();
    });
});
