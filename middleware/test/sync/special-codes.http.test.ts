import { Decimal } from 'decimal.js';
import { guidFor } from '../../src/sandbox/unleashed-sim/ids';
import { startStack, type Stack } from '../support/stack';

/**
 * Codes with a space, '#', '&', '+' and an accented letter, end to end through the middleware's
 * routes against the simulator in its default (decoded) signature check: the day-one path that
 * fails on real Unleashed when the encoded query is signed.
 */

// Each stack opens an embedded database: slow on a busy machine.
jest.setTimeout(60_000);

const PRODUCTS = ['CUP 250ML', 'DTC#13633', 'R&D KIT', 'A+B', 'CAF\u00c9-1'];
const CUSTOMER = 'SMITH & SONS #2+\u00c9';
const NEW_CUSTOMER = 'NEW #1 + \u00c9&CO';

let stack: Stack;
beforeAll(async () => {
    stack = await startStack();
    expect(stack.config.UNLEASHED_QUERY_ENCODING).toBe('sign-decoded');
    expect(stack.sim.settings.verifyQueryAs).toBe('decoded');
    const state = stack.sim.state;
    const template = state.products.product(state.products.indexOfCode('WIDGET-BLUE'));
    PRODUCTS.forEach((code, i) => {
        state.addProduct(
            {
                ...template,
                Guid: guidFor(`product:${code}`),
                ProductCode: code,
                ProductDescription: `Odd ${i}`
            },
            { MAIN: new Decimal(10 + i) }
        );
    });
    const acme = state.customerByCode('ACME')!;
    state.customers.push({ ...acme, Guid: guidFor(`customer:${CUSTOMER}`), CustomerCode: CUSTOMER });
});
afterAll(() => stack.close());

function snapshot(over: Record<string, unknown> = {}) {
    return {
        opportunityId: '0065g00000SPECIAL1',
        currencyIsoCode: 'NZD',
        account: { id: '0015g00000SPECAAAA', name: 'Smith & Sons', customerCode: CUSTOMER },
        warehouseCode: 'MAIN',
        taxCode: 'G.S.T.',
        lines: PRODUCTS.map((code, i) => ({
            lineId: `00k5g00000SPEC${i}`,
            productCode: code,
            quantity: 1,
            unitPrice: '10'
        })),
        ...over
    };
}

it('a stock request answers every product by its exact code', async () => {
    const q = `productCodes=${PRODUCTS.map(encodeURIComponent).join(',')}&warehouseCodes=MAIN`;
    const res = await stack.call('GET', `/v1/stock?${q}`);
    expect(res.statusCode).toBe(200);
    const products = res.json().products as {
        productCode: string;
        known: boolean;
        warehouses: { warehouseCode: string; onHand: string }[];
    }[];
    expect(products.map((p) => [p.productCode, p.known, p.warehouses[0]?.onHand])).toEqual(
        PRODUCTS.map((code, i) => [code, true, String(10 + i)])
    );
});

it('a preview and a send for an existing customer and these products succeed', async () => {
    const s = snapshot();
    const preview = await stack.call('POST', '/v1/sales-orders/preview', s);
    expect(preview.statusCode).toBe(200);
    expect(preview.json().errors).toEqual([]);
    expect(preview.json().customer).toEqual({ mode: 'existing', code: CUSTOMER, name: 'Acme Ltd' });
    const sent = await stack.call('POST', '/v1/sales-orders', s);
    expect(sent.statusCode).toBe(201);
    expect(sent.json()).toMatchObject({ customerCode: CUSTOMER, subTotal: '50.00', warnings: [] });
    const order = stack.sim.state.orderByGuid(sent.json().orderGuid)!;
    expect(order.Customer.CustomerCode).toBe(CUSTOMER);
    expect(order.SalesOrderLines.map((l) => l.Product?.ProductCode)).toEqual(PRODUCTS);
});

it('a send creating a customer whose code has these characters finds it on the next send', async () => {
    const s = snapshot({
        opportunityId: '0065g00000SPECIAL2',
        account: { id: '0015g00000SPECBBBB', name: 'New & Co', email: 'buy@new.example.com' },
        newCustomerCode: NEW_CUSTOMER
    });
    const preview = await stack.call('POST', '/v1/sales-orders/preview', s);
    expect(preview.json()).toMatchObject({
        errors: [],
        customer: { mode: 'create', code: NEW_CUSTOMER }
    });
    const sent = await stack.call('POST', '/v1/sales-orders', s);
    expect(sent.statusCode).toBe(201);
    expect(sent.json()).toMatchObject({ customerCode: NEW_CUSTOMER, customerCreated: true });
    // Another Opportunity of an Account that now carries the code: looked up by it (customerCode=...).
    const again = await stack.call(
        'POST',
        '/v1/sales-orders/preview',
        snapshot({
            opportunityId: '0065g00000SPECIAL3',
            account: { id: '0015g00000SPECCCCC', name: 'New & Co', customerCode: NEW_CUSTOMER }
        })
    );
    expect(again.json()).toMatchObject({ errors: [], customer: { mode: 'existing', code: NEW_CUSTOMER } });
    expect(stack.sim.calls().filter((c) => c.outcome === 'denied')).toEqual([]);
});
