import { orderGuidFor } from '../../../src/sync/ids';
import { startStack, type Stack } from '../../support/stack';

/** A successful send remembers which Opportunity the order belongs to; a refused one does not. */

// Servers and an embedded database start per file: generous under a loaded machine.
jest.setTimeout(30_000);
let stack: Stack;
beforeAll(async () => {
    stack = await startStack();
});
afterAll(() => stack?.close());

function snapshot(opportunityId: string, over: Record<string, unknown> = {}) {
    return {
        opportunityId,
        currencyIsoCode: 'NZD',
        account: { id: '0015g00000ACME1AAA', name: 'Acme Ltd', customerCode: 'ACME' },
        warehouseCode: 'MAIN',
        taxCode: 'G.S.T.',
        requiredDate: '2026-12-01',
        lines: [{ lineId: '00k5g000001AAA1', productCode: 'WIDGET-BLUE', quantity: 3, unitPrice: 19.99 }],
        ...over
    };
}

test('send records (org, order) -> opportunity, number and status; a re-send updates it', async () => {
    const opp = '0065g00000SENT1AAA';
    const first = await stack.call('POST', '/v1/sales-orders', snapshot(opp));
    expect(first.statusCode).toBe(201);
    const guid = orderGuidFor(stack.orgId, opp);
    const row = await stack.services.orderStatus.sentOrders.get(stack.orgId, guid);
    expect(row).toMatchObject({
        orderGuid: guid,
        opportunityId: opp,
        orderNumber: first.json().orderNumber,
        status: 'Parked',
        pending: null
    });

    const again = await stack.call('POST', '/v1/sales-orders', snapshot(opp, { orderStatus: 'Placed' }));
    expect(again.statusCode).toBe(200);
    const after = await stack.services.orderStatus.sentOrders.get(stack.orgId, guid);
    expect(after?.status).toBe('Placed');
    const rows = await stack.services.store.db.query('SELECT * FROM sent_orders WHERE org_id = $1', [
        stack.orgId
    ]);
    expect(rows).toHaveLength(1);
});

test('a refused send records nothing', async () => {
    const opp = '0065g00000SENT2AAA';
    const res = await stack.call('POST', '/v1/sales-orders', snapshot(opp, { warehouseCode: 'NOPE' }));
    expect(res.statusCode).toBe(422);
    expect(
        await stack.services.orderStatus.sentOrders.get(stack.orgId, orderGuidFor(stack.orgId, opp))
    ).toBeNull();
});

test('deleting the tenant removes its sent orders', async () => {
    const other = '00D5g000004OTHEREA';
    await stack.addTenant(other);
    const opp = '0065g00000SENT3AAA';
    expect((await stack.call('POST', '/v1/sales-orders', snapshot(opp), other)).statusCode).toBe(201);
    const guid = orderGuidFor(other, opp);
    expect(await stack.services.orderStatus.sentOrders.get(other, guid)).not.toBeNull();
    await stack.services.store.tenants.delete(other);
    expect(await stack.services.orderStatus.sentOrders.get(other, guid)).toBeNull();
});
