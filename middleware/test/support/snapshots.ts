import type { Stack } from './stack';

/** Opportunity ids unique within a test file; the suffix keeps the files' ids apart. */
export function opportunityIds(suffix: string): () => string {
    let n = 0;
    return () => {
        n += 1;
        return `0065g00000${String(n).padStart(5, '0')}${suffix}`;
    };
}

/** An Opportunity snapshot for the Unleashed simulator's demo account: Acme, MAIN, G.S.T., two lines. */
export function demoSnapshot(opportunityId: string, over: Record<string, unknown> = {}) {
    return {
        opportunityId,
        currencyIsoCode: 'NZD',
        account: { id: '0015g00000ACME1AAA', name: 'Acme Ltd', customerCode: 'ACME' },
        warehouseCode: 'MAIN',
        taxCode: 'G.S.T.',
        lines: [
            { lineId: '00k5g000001AAA1', productCode: 'WIDGET-BLUE', quantity: 3, unitPrice: 19.99 },
            { lineId: '00k5g000001AAA2', productCode: 'GIFT-CARD-50', quantity: '2', unitPrice: '50' }
        ],
        ...over
    };
}

/** The orders the Unleashed simulator holds, Deleted ones left out. */
export function liveOrders(sim: Stack['sim']) {
    return sim.state.orders.filter((o) => o.OrderStatus !== 'Deleted');
}
