import { StockMirror } from '../../src/sync/stock-mirror';

/**
 * The mirror's own rules, on a pinned clock: which products may be checked instead of read, the
 * time a check asks from, and when the connector's own order proves a check wrong.
 */

const T = 'org1';
const G1 = '11111111-1111-4111-8111-111111111111';
const G2 = '22222222-2222-4222-8222-222222222222';
const q = (onHand: string) => ({ onHand, allocated: '0', available: onHand, onPurchase: '0' });

function mirror(start = 1_000_000_000_000) {
    let now = start;
    const m = new StockMirror({ maxAgeMs: 3_600_000, marginMs: 60_000, now: () => now });
    return { m, at: (ms: number) => (now = start + ms) };
}

describe('StockMirror', () => {
    it('checks a product read within maxAge for the warehouses it covered, from its last check less the margin', () => {
        const { m, at } = mirror();
        m.store(T, G1, ['MAIN', 'WLG'], new Map([['MAIN', q('5')]]), 1_000_000_000_000);
        at(10_000);
        expect(m.checkable(T, [G1, G2], ['MAIN'])).toEqual({
            guids: [G1],
            since: 1_000_000_000_000 - 60_000
        });
        // A warehouse the read did not cover: read it all again.
        expect(m.checkable(T, [G1], ['MAIN', 'AKL']).guids).toEqual([]);
        expect(m.quantities(T, G1, 'MAIN')).toEqual(q('5'));
        expect(m.quantities(T, G1, 'WLG')).toBeUndefined();

        // Unchanged at a check: known up to the check's start, so the next one asks from there.
        expect(m.checked(T, [G1], new Set(), 1_000_000_000_000 - 60_000, 1_000_000_020_000)).toBeNull();
        expect(m.checkable(T, [G1], ['MAIN']).since).toBe(1_000_000_020_000 - 60_000);

        // Past maxAge since the full read: read again, however many checks said nothing moved.
        at(3_600_001);
        expect(m.checkable(T, [G1], ['MAIN']).guids).toEqual([]);
    });

    it("stops a tenant's checks when a check misses a product the connector's order moved, and only then", () => {
        const { m, at } = mirror();
        const t0 = 1_000_000_000_000;
        m.store(T, G1, ['MAIN'], new Map(), t0);
        m.store(T, G2, ['MAIN'], new Map(), t0);
        at(5_000);
        m.expectChange(T, [G1.toUpperCase()], 'sales order SO-1');
        // A check that started before the order was written need not name it.
        expect(m.checked(T, [G1, G2], new Set(), t0 - 60_000, t0 + 4_000)).toBeNull();
        // One that names it settles the expectation.
        expect(m.checked(T, [G1, G2], new Set([G1]), t0 - 60_000, t0 + 6_000)).toBeNull();
        expect(m.stoppedBecause(T)).toBeNull();

        at(7_000);
        m.expectChange(T, [G2], 'sales order SO-2');
        const reason = m.checked(T, [G1, G2], new Set(), t0 - 60_000, t0 + 8_000);
        expect(reason).toContain('sales order SO-2');
        expect(m.stoppedBecause(T)).toBe(reason);
        expect(m.checkable(T, [G1, G2], ['MAIN']).guids).toEqual([]);
        // Another tenant is not affected; forgetting the tenant starts afresh.
        expect(m.stoppedBecause('org2')).toBeNull();
        m.invalidate(T);
        expect(m.stoppedBecause(T)).toBeNull();
    });

    it('expects nothing of products it does not hold, or that a later full read has seen', () => {
        const { m, at } = mirror();
        const t0 = 1_000_000_000_000;
        m.expectChange(T, [G1], 'sales order SO-3', t0);
        m.store(T, G2, ['MAIN'], new Map(), t0);
        m.expectChange(T, [G2], 'sales order SO-4', t0 + 1_000);
        m.store(T, G2, ['MAIN'], new Map(), t0 + 2_000);
        at(3_000);
        expect(m.checked(T, [G1, G2], new Set(), t0 - 60_000, t0 + 3_000)).toBeNull();
    });

    it('keeps at most maxEntries products, oldest out first', () => {
        const m = new StockMirror({ maxAgeMs: 3_600_000, maxEntries: 1, now: () => 0 });
        m.store(T, G1, ['MAIN'], new Map([['MAIN', q('1')]]), 0);
        m.store(T, G2, ['MAIN'], new Map([['MAIN', q('2')]]), 0);
        expect(m.checkable(T, [G1, G2], ['MAIN']).guids).toEqual([G2]);
    });
});
