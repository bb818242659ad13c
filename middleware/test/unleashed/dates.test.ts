import fc from 'fast-check';
import {
    formatFilterDate,
    formatFilterDay,
    formatJsonDate,
    parseUnleashedDate,
    UnleashedDateError
} from '../../src/unleashed/dates';

describe('parseUnleashedDate', () => {
    it('reads /Date(ms)/ as UTC milliseconds', () => {
        expect(parseUnleashedDate('/Date(1413424319073)/')?.toISOString()).toBe('2014-10-16T01:51:59.073Z');
        expect(parseUnleashedDate('/Date(0)/')?.getTime()).toBe(0);
        expect(parseUnleashedDate('/Date(-86400000)/')?.toISOString()).toBe('1969-12-31T00:00:00.000Z');
    });

    it('ignores an offset suffix: the number is already UTC', () => {
        expect(parseUnleashedDate('/Date(1413424319073+1300)/')?.getTime()).toBe(1413424319073);
        expect(parseUnleashedDate('/Date(1413424319073-0500)/')?.getTime()).toBe(1413424319073);
    });

    it('reads ISO 8601, a missing zone meaning UTC', () => {
        expect(parseUnleashedDate('2014-10-16T01:51:59')?.toISOString()).toBe('2014-10-16T01:51:59.000Z');
        expect(parseUnleashedDate('2014-10-16T01:51:59.0731234')?.toISOString()).toBe(
            '2014-10-16T01:51:59.073Z'
        );
        expect(parseUnleashedDate('2014-10-16T01:51:59.5Z')?.toISOString()).toBe('2014-10-16T01:51:59.500Z');
        expect(parseUnleashedDate('2014-10-16')?.toISOString()).toBe('2014-10-16T00:00:00.000Z');
        expect(parseUnleashedDate('2014-10-16T14:51:59+13:00')?.toISOString()).toBe(
            '2014-10-16T01:51:59.000Z'
        );
        expect(parseUnleashedDate('2014-10-15T20:51:59-0500')?.toISOString()).toBe(
            '2014-10-16T01:51:59.000Z'
        );
        expect(parseUnleashedDate('2014-10-16T01:51')?.toISOString()).toBe('2014-10-16T01:51:00.000Z');
    });

    it('null, undefined and empty are null', () => {
        expect(parseUnleashedDate(null)).toBeNull();
        expect(parseUnleashedDate(undefined)).toBeNull();
        expect(parseUnleashedDate('')).toBeNull();
    });

    it.each([
        'yesterday',
        '/Date(abc)/',
        '/Date(123',
        '2024-02-30',
        '2024-13-01',
        '2024-01-01T25:00:00',
        '16/10/2014'
    ])('rejects %p', (text) => {
        expect(() => parseUnleashedDate(text)).toThrow(UnleashedDateError);
        expect(() => parseUnleashedDate(text)).toThrow(`not an Unleashed date: ${JSON.stringify(text)}`);
    });

    it('round-trips through both JSON and filter forms', () => {
        fc.assert(
            fc.property(
                fc.date({ min: new Date('1970-01-01'), max: new Date('2999-12-31'), noInvalidDate: true }),
                (d) => {
                    expect(parseUnleashedDate(formatJsonDate(d))?.getTime()).toBe(d.getTime());
                    expect(parseUnleashedDate(formatFilterDate(d))?.getTime()).toBe(
                        Math.floor(d.getTime() / 1000) * 1000
                    );
                }
            ),
            { numRuns: 1000 }
        );
    });
});

describe('filter dates', () => {
    it('formats UTC without milliseconds or zone', () => {
        const d = new Date('2024-03-05T14:07:09.987Z');
        expect(formatFilterDate(d)).toBe('2024-03-05T14:07:09');
        expect(formatFilterDay(d)).toBe('2024-03-05');
        expect(formatJsonDate(d)).toBe(`/Date(${d.getTime()})/`);
    });
    it('refuses an invalid date', () => {
        expect(() => formatFilterDate(new Date('nope'))).toThrow('not a valid date');
    });
});
