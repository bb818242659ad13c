import fc from 'fast-check';
import { Decimal, formatMoney, MoneyInputError, parseDecimal, round2 } from '../../src/money/decimal';
import { centsText, refRound2, scaledText } from './reference';

describe('parseDecimal', () => {
    it('reads decimal strings and JSON numbers exactly', () => {
        expect(parseDecimal('68.64', 'unitPrice').toFixed()).toBe('68.64');
        expect(parseDecimal(0.1, 'unitPrice').toFixed()).toBe('0.1');
        expect(parseDecimal(2.675, 'unitPrice').toFixed()).toBe('2.675');
        expect(parseDecimal(' 12.50 ', 'qty').toFixed()).toBe('12.5');
        expect(parseDecimal('-3', 'qty').toFixed()).toBe('-3');
        expect(parseDecimal('.5', 'qty').toFixed()).toBe('0.5');
        expect(parseDecimal(1e-7, 'rate').toFixed()).toBe('0.0000001');
        expect(parseDecimal('1.5E3', 'qty').toFixed()).toBe('1500');
        expect(parseDecimal('123456789012345678.9', 'x').toFixed()).toBe('123456789012345678.9');
    });

    it('normalises negative zero', () => {
        expect(parseDecimal('-0', 'x').isNegative()).toBe(false);
        expect(parseDecimal(-0, 'x').toFixed()).toBe('0');
    });

    it.each([
        [Number.NaN, /price must be a finite number, got NaN/],
        [Number.POSITIVE_INFINITY, /price must be a finite number, got Infinity/],
        ['', /price must be a decimal number, got an empty string/],
        ['   ', /price must be a decimal number, got an empty string/],
        ['abc', /price must be a decimal number, got "abc"/],
        ['1.2.3', /price must be a decimal number/],
        ['0x10', /price must be a decimal number/],
        ['Infinity', /price must be a decimal number/],
        ['NaN', /price must be a decimal number/],
        ['1,5', /price must be a decimal number/],
        ['1e99999', /price must be a decimal number/],
        ['1e30', /price is out of range/]
    ])('rejects %p naming the field', (input, message) => {
        expect(() => parseDecimal(input, 'price')).toThrow(message);
        try {
            parseDecimal(input, 'price');
        } catch (err) {
            expect(err).toBeInstanceOf(MoneyInputError);
            expect((err as MoneyInputError).field).toBe('price');
        }
    });

    it('rejects values that are not numbers or strings', () => {
        expect(() => parseDecimal(null as unknown as string, 'lines[2].quantity')).toThrow(
            'lines[2].quantity must be a number or a decimal string, got null'
        );
        expect(() => parseDecimal({} as unknown as string, 'q')).toThrow(/got object/);
    });

    it('a JSON number and its decimal text parse to the same value', () => {
        fc.assert(
            fc.property(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e15, max: 1e15 }), (n) => {
                expect(parseDecimal(n, 'n').equals(parseDecimal(String(n), 'n'))).toBe(true);
                // The shortest text of the double reads back to the same double.
                expect(Number(parseDecimal(n, 'n').toString())).toBe(n === 0 ? 0 : n);
            }),
            { numRuns: 2000 }
        );
    });
});

describe('round2', () => {
    it.each([
        ['0.125', '0.13', '0.12'],
        ['0.135', '0.14', '0.14'],
        ['2.675', '2.68', '2.68'],
        ['2.665', '2.67', '2.66'],
        ['-0.125', '-0.13', '-0.12'],
        ['-2.665', '-2.67', '-2.66'],
        ['10.9995', '11.00', '11.00'],
        ['0.004', '0.00', '0.00'],
        ['-0.004', '0.00', '0.00'],
        ['0.0050000000000000000000000001', '0.01', '0.01'],
        ['12193263111.2635269', '12193263111.26', '12193263111.26']
    ])('%s -> %s (half away from zero), %s (half even)', (v, away, even) => {
        expect(round2(new Decimal(v), 'half-away-from-zero').toFixed(2)).toBe(away);
        expect(round2(new Decimal(v), 'half-even').toFixed(2)).toBe(even);
    });

    it('matches a BigInt reference for any sign, scale and midpoint', () => {
        const value = fc.record({
            n: fc.oneof(
                fc.bigInt({ min: -(10n ** 14n), max: 10n ** 14n }),
                // Exact midpoints at scale 3: ...5
                fc.bigInt({ min: -(10n ** 10n), max: 10n ** 10n }).map((k) => k * 10n + 5n)
            ),
            scale: fc.integer({ min: 0, max: 9 }),
            mode: fc.constantFrom('half-away-from-zero' as const, 'half-even' as const)
        });
        fc.assert(
            fc.property(value, ({ n, scale, mode }) => {
                const got = round2(parseDecimal(scaledText(n, scale), 'v'), mode);
                expect(got.toFixed(2)).toBe(centsText(refRound2(n, scale, mode)));
            }),
            { numRuns: 5000 }
        );
    });

    it('is idempotent', () => {
        fc.assert(
            fc.property(
                fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }),
                fc.integer({ min: 0, max: 6 }),
                (n, s) => {
                    const once = round2(parseDecimal(scaledText(n, s), 'v'), 'half-even');
                    expect(round2(once, 'half-even').equals(once)).toBe(true);
                    expect(round2(once, 'half-away-from-zero').equals(once)).toBe(true);
                }
            ),
            { numRuns: 1000 }
        );
    });
});

describe('formatMoney', () => {
    it('always shows two places and never exponent notation', () => {
        expect(formatMoney(new Decimal('68.64'))).toBe('68.64');
        expect(formatMoney(new Decimal('5'))).toBe('5.00');
        expect(formatMoney(new Decimal('0.1'))).toBe('0.10');
        expect(formatMoney(new Decimal('1e-9'))).toBe('0.00');
        expect(formatMoney(new Decimal('-0.001'))).toBe('0.00');
        expect(formatMoney(new Decimal('123456789012345678'))).toBe('123456789012345678.00');
        expect(formatMoney(new Decimal('1e21'))).toBe('1000000000000000000000.00');
        expect(formatMoney(new Decimal('-12.5'))).toBe('-12.50');
    });
    it('rounds extra places with the requested mode', () => {
        expect(formatMoney(new Decimal('0.125'))).toBe('0.13');
        expect(formatMoney(new Decimal('0.125'), 'half-even')).toBe('0.12');
    });
});
