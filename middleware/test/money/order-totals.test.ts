import fc from 'fast-check';
import { parseDecimal, type RoundingMode } from '../../src/money/decimal';
import { computeOrderTotals, type OrderLineInput } from '../../src/money/order-totals';
import { centsText, refOrderTotals, scaledText, type RefLine } from './reference';

const MODES: RoundingMode[] = ['half-away-from-zero', 'half-even'];

function line(quantity: string, unitPrice: string, taxRate: string): OrderLineInput {
    return {
        quantity: parseDecimal(quantity, 'quantity'),
        unitPrice: parseDecimal(unitPrice, 'unitPrice'),
        taxRate: parseDecimal(taxRate, 'taxRate')
    };
}

function texts(t: ReturnType<typeof computeOrderTotals>) {
    return {
        lines: t.lines.map((l) => [l.lineTotal.toFixed(2), l.lineTax.toFixed(2)]),
        subTotal: t.subTotal.toFixed(2),
        taxTotal: t.taxTotal.toFixed(2),
        total: t.total.toFixed(2)
    };
}

describe('computeOrderTotals: worked examples', () => {
    it('3 x 22.88 at 15 %', () => {
        const t = computeOrderTotals([line('3', '22.88', '0.15')], 'half-away-from-zero');
        // 68.64; tax 10.296 -> 10.30
        expect(texts(t)).toEqual({
            lines: [['68.64', '10.30']],
            subTotal: '68.64',
            taxTotal: '10.30',
            total: '78.94'
        });
    });

    it('differs between the modes only at midpoints', () => {
        const lines = [line('1', '0.125', '0'), line('1', '2.665', '0'), line('1', '0.30', '0.15')];
        // 0.125 -> 0.13 | 0.12; 2.665 -> 2.67 | 2.66; tax 0.045 -> 0.05 | 0.04
        expect(texts(computeOrderTotals(lines, 'half-away-from-zero'))).toEqual({
            lines: [
                ['0.13', '0.00'],
                ['2.67', '0.00'],
                ['0.30', '0.05']
            ],
            subTotal: '3.10',
            taxTotal: '0.05',
            total: '3.15'
        });
        expect(texts(computeOrderTotals(lines, 'half-even'))).toEqual({
            lines: [
                ['0.12', '0.00'],
                ['2.66', '0.00'],
                ['0.30', '0.04']
            ],
            subTotal: '3.08',
            taxTotal: '0.04',
            total: '3.12'
        });
    });

    it('rounds every line before summing and takes tax per line', () => {
        // Three lines of 0.10 at 15 %: 0.015 -> 0.02 each, 0.06 in all (0.045 on the sum would be 0.05).
        const t = computeOrderTotals(
            [1, 2, 3].map(() => line('1', '0.10', '0.15')),
            'half-away-from-zero'
        );
        expect(texts(t).taxTotal).toBe('0.06');
        // 1 x 0.333 three times: 0.33 each, 0.99 not 1.00.
        const u = computeOrderTotals(
            [1, 2, 3].map(() => line('1', '0.333', '0')),
            'half-even'
        );
        expect(texts(u).subTotal).toBe('0.99');
    });

    it('mixed lines', () => {
        const t = computeOrderTotals(
            [line('2', '19.99', '0.15'), line('1.5', '7.333', '0.15'), line('10', '0.005', '0.125')],
            'half-away-from-zero'
        );
        // 39.98 / 5.997 -> 6.00; 10.9995 -> 11.00 / 1.65; 0.05 / 0.00625 -> 0.01
        expect(texts(t)).toEqual({
            lines: [
                ['39.98', '6.00'],
                ['11.00', '1.65'],
                ['0.05', '0.01']
            ],
            subTotal: '51.03',
            taxTotal: '7.66',
            total: '58.69'
        });
    });

    it('never loses digits on large values, where binary floats would', () => {
        const t = computeOrderTotals([line('123456.789', '98765.4321', '0.15')], 'half-even');
        // 12193263111.2635269 -> 12193263111.26; tax 1828989466.689 -> 1828989466.69
        expect(texts(t)).toEqual({
            lines: [['12193263111.26', '1828989466.69']],
            subTotal: '12193263111.26',
            taxTotal: '1828989466.69',
            total: '14022252577.95'
        });
        // 0.1 x 3 is 0.30000000000000004 in floats; exact here.
        expect(texts(computeOrderTotals([line('3', '0.1', '0')], 'half-even')).total).toBe('0.30');
    });

    it('an empty order is all zeros', () => {
        expect(texts(computeOrderTotals([], 'half-even'))).toEqual({
            lines: [],
            subTotal: '0.00',
            taxTotal: '0.00',
            total: '0.00'
        });
    });
});

describe('computeOrderTotals: against the BigInt reference', () => {
    /** A scaled non-negative integer of up to `scale` places and `whole` integer digits. */
    const scaled = (maxScale: number, wholeDigits: number) =>
        fc.integer({ min: 0, max: maxScale }).chain((scale) =>
            fc.record({
                n: fc.bigInt({ min: 0n, max: 10n ** BigInt(wholeDigits + scale) }),
                scale: fc.constant(scale)
            })
        );

    const rate = fc.oneof(
        fc.constantFrom(
            { n: 0n, scale: 0 },
            { n: 15n, scale: 2 },
            { n: 125n, scale: 3 },
            { n: 1n, scale: 1 },
            { n: 5n, scale: 1 },
            { n: 25n, scale: 2 },
            { n: 875n, scale: 4 },
            { n: 2n, scale: 1 }
        ),
        fc
            .integer({ min: 0, max: 4 })
            .chain((scale) =>
                fc.record({ n: fc.bigInt({ min: 0n, max: 10n ** BigInt(scale) }), scale: fc.constant(scale) })
            )
    );

    const ordinaryLine = fc.record({ q: scaled(3, 5), p: scaled(4, 6), t: rate });
    // Lines built to land on a half cent: an odd whole quantity times a price ending in 5 at the
    // third place, or a line total ending in 5 cents taxed at 10 %.
    const midpointLine = fc.oneof(
        fc.record({
            q: fc.integer({ min: 0, max: 499 }).map((k) => ({ n: BigInt(2 * k + 1), scale: 0 })),
            p: fc.bigInt({ min: 0n, max: 10n ** 6n }).map((k) => ({ n: k * 10n + 5n, scale: 3 })),
            t: rate
        }),
        fc.record({
            q: fc.constant({ n: 1n, scale: 0 }),
            p: fc.bigInt({ min: 0n, max: 10n ** 6n }).map((k) => ({ n: k * 10n + 5n, scale: 2 })),
            t: fc.constantFrom({ n: 1n, scale: 1 }, { n: 5n, scale: 1 }, { n: 15n, scale: 2 })
        })
    );
    const order = fc.array(
        fc.oneof({ arbitrary: ordinaryLine, weight: 3 }, { arbitrary: midpointLine, weight: 2 }),
        {
            minLength: 0,
            maxLength: 12
        }
    );

    it.each(MODES)('agrees to the cent on generated orders (%s)', (mode) => {
        let midpoints = 0;
        let lines = 0;
        fc.assert(
            fc.property(order, fc.boolean(), (gen, asNumbers) => {
                const ref: RefLine[] = gen.map((g) => ({
                    qty: g.q.n,
                    qtyScale: g.q.scale,
                    price: g.p.n,
                    priceScale: g.p.scale,
                    rate: g.t.n,
                    rateScale: g.t.scale
                }));
                // Inputs as decimal text, or as the JSON numbers Salesforce may send (all fit a double).
                const value = (n: bigint, s: number) =>
                    asNumbers ? Number(scaledText(n, s)) : scaledText(n, s);
                const input = ref.map((r) => ({
                    quantity: parseDecimal(value(r.qty, r.qtyScale), 'quantity'),
                    unitPrice: parseDecimal(value(r.price, r.priceScale), 'unitPrice'),
                    taxRate: parseDecimal(value(r.rate, r.rateScale), 'taxRate')
                }));
                const want = refOrderTotals(ref, mode);
                const got = texts(computeOrderTotals(input, mode));
                expect(got).toEqual({
                    lines: want.lines.map((l) => [centsText(l.lineTotal), centsText(l.lineTax)]),
                    subTotal: centsText(want.subTotal),
                    taxTotal: centsText(want.taxTotal),
                    total: centsText(want.total)
                });
                lines += want.lines.length;
                midpoints += want.lines.filter((l) => l.midpoint).length;
            }),
            { numRuns: 3000 }
        );
        // The generator must really exercise the midpoints, or the comparison proves little.
        expect(lines).toBeGreaterThan(10000);
        expect(midpoints).toBeGreaterThan(lines / 5);
    });

    it('the two modes differ by at most a cent per line, and only at midpoints', () => {
        fc.assert(
            fc.property(fc.oneof(ordinaryLine, midpointLine), (g) => {
                const r: RefLine = {
                    qty: g.q.n,
                    qtyScale: g.q.scale,
                    price: g.p.n,
                    priceScale: g.p.scale,
                    rate: g.t.n,
                    rateScale: g.t.scale
                };
                const input = [
                    {
                        quantity: parseDecimal(scaledText(r.qty, r.qtyScale), 'q'),
                        unitPrice: parseDecimal(scaledText(r.price, r.priceScale), 'p'),
                        taxRate: parseDecimal(scaledText(r.rate, r.rateScale), 't')
                    }
                ];
                const away = computeOrderTotals(input, 'half-away-from-zero').lines[0]!;
                const even = computeOrderTotals(input, 'half-even').lines[0]!;
                const diff = away.lineTotal.minus(even.lineTotal).abs();
                expect(diff.lte('0.01')).toBe(true);
                if (!diff.isZero()) expect(refOrderTotals([r], 'half-even').lines[0]!.midpoint).toBe(true);
            }),
            { numRuns: 3000 }
        );
    });
});
