import Decimal from 'decimal.js';
import { expectedTotals, roundCents } from '../../../src/sandbox/unleashed-sim/money';
import { parseArgs } from '../../../src/sandbox/unleashed-sim/cli';
import { parseBodyDate, parseFilterDate } from '../../../src/sandbox/unleashed-sim/dates';

describe('roundCents (the simulator’s own rounding)', () => {
    it.each([
        ['0.125', '0.13', '0.12'],
        ['0.135', '0.14', '0.14'],
        ['-0.125', '-0.13', '-0.12'],
        ['2.675', '2.68', '2.68'],
        ['1.005', '1.01', '1'],
        ['0.0049', '0', '0'],
        ['8.9955', '9', '9'],
        ['0.045', '0.05', '0.04'],
        ['10', '10', '10'],
        ['-0.0051', '-0.01', '-0.01']
    ])('%s -> %s away from zero, %s half-even', (v, away, even) => {
        expect(roundCents(new Decimal(v), 'half-away-from-zero').toString()).toBe(away);
        expect(roundCents(new Decimal(v), 'half-even').toString()).toBe(even);
    });

    it('rounds each line before summing', () => {
        const line = {
            quantity: new Decimal(1),
            unitPrice: new Decimal('0.005'),
            discountRate: new Decimal(0),
            taxRate: new Decimal(0)
        };
        const t = expectedTotals([line, line, line], 'half-away-from-zero');
        expect(t.subTotal.toString()).toBe('0.03'); // not round2(0.015) = 0.02
        expect(t.total.toString()).toBe('0.03');
    });

    it('computes tax on the rounded line total', () => {
        const t = expectedTotals(
            [
                {
                    quantity: new Decimal(3),
                    unitPrice: new Decimal('19.99'),
                    discountRate: new Decimal(0),
                    taxRate: new Decimal('0.15')
                }
            ],
            'half-even'
        );
        expect([
            t.lines[0]!.lineTotal.toFixed(2),
            t.lines[0]!.lineTax.toFixed(2),
            t.total.toFixed(2)
        ]).toEqual(['59.97', '9.00', '68.97']);
    });
});

describe('dates', () => {
    it('reads filter dates as UTC and rejects impossible ones', () => {
        expect(parseFilterDate('2026-02-01', 'modifiedSince')).toBe(Date.UTC(2026, 1, 1));
        expect(parseFilterDate('2026-02-01T10:20:30', 'modifiedSince')).toBe(
            Date.UTC(2026, 1, 1, 10, 20, 30)
        );
        expect(() => parseFilterDate('2026-02-31', 'modifiedSince')).toThrow(/modifiedSince/);
        expect(() => parseFilterDate('yesterday', 'modifiedSince')).toThrow();
    });
    it('reads body dates in /Date(ms)/ and ISO form', () => {
        expect(parseBodyDate('/Date(1413424319073)/', 'OrderDate')?.getTime()).toBe(1413424319073);
        expect(parseBodyDate('/Date(1413424319073+0000)/', 'OrderDate')?.getTime()).toBe(1413424319073);
        expect(parseBodyDate('2026-12-01', 'RequiredDate')?.getTime()).toBe(Date.UTC(2026, 11, 1));
        expect(parseBodyDate(null, 'RequiredDate')).toBeNull();
        expect(() => parseBodyDate('soon', 'RequiredDate')).toThrow(/RequiredDate/);
    });
});

describe('cli arguments', () => {
    it('reads --port and --seed and refuses anything else', () => {
        expect(parseArgs([])).toEqual({ port: 0, seed: 'demo' });
        expect(parseArgs(['--port', '4010', '--seed', 'large'])).toEqual({ port: 4010, seed: 'large' });
        expect(() => parseArgs(['--seed', 'huge'])).toThrow(/--seed/);
        expect(() => parseArgs(['--port', 'x'])).toThrow(/--port/);
        expect(() => parseArgs(['--verbose'])).toThrow(/unknown argument/);
    });
});
