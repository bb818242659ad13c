import { createElement } from 'lwc';
import UnleashedStockPanel from 'c/unleashedStockPanel';
import getProductStock from '@salesforce/apex/UnleashedStockController.getProductStock';
import getOpportunityStock from '@salesforce/apex/UnleashedStockController.getOpportunityStock';
import { registerRefreshHandler } from 'lightning/refresh';
import { errorAlert, errorText } from '../../../../../test/jest-utils/errorPanel';

jest.mock('@salesforce/apex/UnleashedStockController.getProductStock', () => ({ default: jest.fn() }), {
    virtual: true
});
jest.mock('@salesforce/apex/UnleashedStockController.getOpportunityStock', () => ({ default: jest.fn() }), {
    virtual: true
});

const PRODUCT_ID = '01t000000000001AAA';
const OPPORTUNITY_ID = '006000000000001AAA';
const AS_OF = '2026-03-01T10:15:00Z';

const MAIN = {
    warehouseCode: 'W1',
    warehouseName: 'Main',
    onHand: 5,
    allocated: 1,
    available: 4,
    onPurchase: 0
};
const NORTH = {
    warehouseCode: 'W2',
    warehouseName: 'North',
    onHand: 10,
    allocated: 0,
    available: 10,
    onPurchase: 6
};

const PRODUCT_VIEW = { connected: true, asOf: AS_OF, ageSeconds: 0, warehouses: [MAIN, NORTH], lines: [] };

const OPPORTUNITY_VIEW = {
    connected: true,
    asOf: AS_OF,
    ageSeconds: 3,
    warehouses: [
        { ...MAIN, available: 4.5 },
        { ...NORTH, available: 12 }
    ],
    lines: [
        {
            lineId: '00k000000000001AAA',
            productCode: 'SKU1',
            productName: 'Widget',
            quantity: 6,
            known: true,
            hasCode: true,
            warehouses: [
                { ...MAIN, available: 4 },
                { ...NORTH, available: 10 }
            ]
        },
        {
            lineId: '00k000000000002AAA',
            productCode: 'SKU2',
            productName: 'Gadget',
            quantity: 0.3,
            known: true,
            hasCode: true,
            warehouses: [
                { warehouseCode: 'W1', warehouseName: 'Main', available: 0.5 },
                { warehouseCode: 'W2', warehouseName: 'North', available: 0.1 }
            ]
        },
        {
            lineId: '00k000000000003AAA',
            productCode: 'GONE',
            productName: 'Old thing',
            quantity: 1,
            known: false,
            hasCode: true,
            warehouses: []
        },
        {
            lineId: '00k000000000004AAA',
            productCode: null,
            productName: 'Service',
            quantity: 2,
            known: false,
            hasCode: false,
            warehouses: []
        }
    ]
};

function flushPromises() {
    // eslint-disable-next-line @lwc/lwc/no-async-operation
    return new Promise((resolve) => setTimeout(resolve, 0));
}

function mount(props) {
    const element = createElement('c-unleashed-stock-panel', { is: UnleashedStockPanel });
    Object.assign(element, props);
    document.body.appendChild(element);
    return element;
}

const q = (element, selector) => element.shadowRoot.querySelector(selector);
const qa = (element, selector) => [...element.shadowRoot.querySelectorAll(selector)];
// The template compiler drops whitespace between elements, so text is read node by node.
function text(node) {
    const parts = [];
    const walker = document.createTreeWalker(node, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
        parts.push(walker.currentNode.textContent);
    }
    return parts
        .map((p) => p.trim())
        .filter(Boolean)
        .join(' ')
        .replace(/\s+/g, ' ');
}

describe('c-unleashed-stock-panel', () => {
    afterEach(() => {
        while (document.body.firstChild) {
            document.body.removeChild(document.body.firstChild);
        }
        jest.clearAllMocks();
    });

    it('shows a spinner while the stock loads', async () => {
        let resolve;
        getProductStock.mockReturnValue(new Promise((r) => (resolve = r)));
        const element = mount({ recordId: PRODUCT_ID, objectApiName: 'Product2' });
        await Promise.resolve();
        const spinner = q(element, 'lightning-spinner');
        expect(spinner).not.toBeNull();
        expect(spinner.alternativeText).toBe('Loading stock');
        resolve(PRODUCT_VIEW);
        await flushPromises();
        expect(q(element, 'lightning-spinner')).toBeNull();
    });

    it('lists each warehouse of a product in a datatable with the as-of time', async () => {
        getProductStock.mockResolvedValue(PRODUCT_VIEW);
        const element = mount({ recordId: PRODUCT_ID, objectApiName: 'Product2' });
        await flushPromises();

        expect(getProductStock).toHaveBeenCalledWith({ productId: PRODUCT_ID });
        expect(getOpportunityStock).not.toHaveBeenCalled();
        const table = q(element, 'lightning-datatable');
        expect(table.keyField).toBe('warehouseCode');
        expect(table.columns.map((c) => c.label)).toEqual([
            'Warehouse',
            'On hand',
            'Allocated',
            'Available',
            'On purchase'
        ]);
        expect(table.data).toHaveLength(2);
        expect(table.data[0]).toMatchObject({
            warehouseLabel: 'Main (W1)',
            onHand: 5,
            allocated: 1,
            available: 4
        });
        expect(table.data[1]).toMatchObject({ warehouseLabel: 'North (W2)', onPurchase: 6 });

        expect(text(q(element, '[data-id="as-of"]'))).toContain('As of');
        expect(q(element, 'lightning-formatted-date-time').value).toBe(AS_OF);
        expect(q(element, 'lightning-relative-date-time').value).toBe(Date.parse(AS_OF));
    });

    it('limits the product view to the selected warehouse', async () => {
        getProductStock.mockResolvedValue(PRODUCT_VIEW);
        const element = mount({
            recordId: PRODUCT_ID,
            objectApiName: 'Product2',
            selectedWarehouseCode: 'W2'
        });
        await flushPromises();
        const table = q(element, 'lightning-datatable');
        expect(table.data.map((r) => r.warehouseCode)).toEqual(['W2']);
        expect(q(element, 'lightning-card').title).toBe('Unleashed stock in North');
    });

    it('says so when Unleashed has no stock for the product', async () => {
        getProductStock.mockResolvedValue({ ...PRODUCT_VIEW, warehouses: [] });
        const element = mount({ recordId: PRODUCT_ID, objectApiName: 'Product2' });
        await flushPromises();
        expect(text(q(element, '[data-id="empty"]'))).toBe('No stock recorded in Unleashed');
        expect(q(element, 'lightning-datatable')).toBeNull();
    });

    it('shows the not-connected message instead of stock', async () => {
        getProductStock.mockResolvedValue({
            connected: false,
            message:
                'Unleashed is not connected yet. An administrator can connect it on the Unleashed Admin tab.',
            warehouses: [],
            lines: []
        });
        const element = mount({ recordId: PRODUCT_ID, objectApiName: 'Product2' });
        await flushPromises();
        expect(text(q(element, '[data-id="not-connected"]'))).toContain('Unleashed is not connected yet.');
        expect(q(element, 'lightning-datatable')).toBeNull();
        expect(q(element, '[data-id="empty"]')).toBeNull();
    });

    it('shows the Apex error message', async () => {
        getProductStock.mockRejectedValue({
            body: { message: 'Middleware answered 503: Unleashed is down' }
        });
        const element = mount({ recordId: PRODUCT_ID, objectApiName: 'Product2' });
        await flushPromises();
        expect(errorAlert(element, 'error').getAttribute('role')).toBe('alert');
        expect(errorText(element, 'error')).toBe(
            'Could not load stock: Middleware answered 503: Unleashed is down'
        );
        expect(q(element, 'lightning-datatable')).toBeNull();
    });

    it('explains an unknown product code and a product without a code', async () => {
        getProductStock.mockResolvedValue({
            ...PRODUCT_VIEW,
            warehouses: [],
            lines: [{ productCode: 'NOPE', known: false, hasCode: true, warehouses: [] }]
        });
        const element = mount({ recordId: PRODUCT_ID, objectApiName: 'Product2' });
        await flushPromises();
        expect(text(q(element, '[data-id="product-issue"]'))).toBe(
            'Unleashed has no product with the code NOPE.'
        );
        expect(q(element, '[data-id="empty"]')).toBeNull();

        getProductStock.mockResolvedValue({
            ...PRODUCT_VIEW,
            warehouses: [],
            lines: [{ productCode: null, known: false, hasCode: false, warehouses: [] }]
        });
        q(element, '[data-id="refresh"]').click();
        await flushPromises();
        expect(text(q(element, '[data-id="product-issue"]'))).toContain(
            'This product has no Unleashed product code'
        );
    });

    it('refreshes on the button and on the record page refresh event', async () => {
        getProductStock.mockResolvedValue(PRODUCT_VIEW);
        const element = mount({ recordId: PRODUCT_ID, objectApiName: 'Product2' });
        await flushPromises();
        expect(getProductStock).toHaveBeenCalledTimes(1);

        getProductStock.mockResolvedValue({ ...PRODUCT_VIEW, warehouses: [{ ...MAIN, available: 1 }] });
        q(element, '[data-id="refresh"]').click();
        await flushPromises();
        expect(getProductStock).toHaveBeenCalledTimes(2);
        expect(q(element, 'lightning-datatable').data).toHaveLength(1);

        expect(registerRefreshHandler).toHaveBeenCalled();
        const [registeredElement, handler] = registerRefreshHandler.mock.calls.at(-1);
        await expect(handler.call(registeredElement)).resolves.toBe(true);
        expect(getProductStock).toHaveBeenCalledTimes(3);
    });

    describe('opportunity view', () => {
        it('puts each line quantity beside every warehouse and spells out shortfalls', async () => {
            getOpportunityStock.mockResolvedValue(OPPORTUNITY_VIEW);
            const element = mount({ recordId: OPPORTUNITY_ID, objectApiName: 'Opportunity' });
            await flushPromises();

            expect(getOpportunityStock).toHaveBeenCalledWith({ opportunityId: OPPORTUNITY_ID });
            const headers = qa(element, 'thead th').map(text);
            expect(headers).toEqual(['Product', 'Quantity', 'Available in Main', 'Available in North']);

            const widget = q(element, '[data-line="00k000000000001AAA"]');
            expect(text(widget.querySelector('[data-id="quantity"]'))).toBe('6');
            const [main, north] = [...widget.querySelectorAll('[data-id="available"]')];
            expect(text(main)).toBe('4 Short by 2');
            const shortIcon = main.querySelector('lightning-icon');
            expect(shortIcon.alternativeText).toBe('Shortfall');
            expect(text(north)).toBe('10');
            expect(north.querySelector('[data-id="short"]')).toBeNull();

            // Exact decimals: 0.3 wanted, 0.1 available is short by 0.2, not 0.19999999999999998.
            const gadget = q(element, '[data-line="00k000000000002AAA"]');
            const gadgetCells = [...gadget.querySelectorAll('[data-id="available"]')].map(text);
            expect(gadgetCells).toEqual(['0.5', '0.1 Short by 0.2']);
        });

        it('flags lines with an unknown code and lines without a code', async () => {
            getOpportunityStock.mockResolvedValue(OPPORTUNITY_VIEW);
            const element = mount({ recordId: OPPORTUNITY_ID, objectApiName: 'Opportunity' });
            await flushPromises();

            const unknown = q(element, '[data-line="00k000000000003AAA"] [data-id="line-message"]');
            expect(text(unknown)).toBe('Unleashed has no product with the code GONE');
            expect(unknown.getAttribute('colspan')).toBe('2');
            expect(unknown.querySelector('lightning-icon').alternativeText).toBe('Warning');
            const noCode = q(element, '[data-line="00k000000000004AAA"] [data-id="line-message"]');
            expect(text(noCode)).toBe('No Unleashed product code on this product');
        });

        it('says which lines were not loaded when the view reached its callout bound', async () => {
            const notLoaded = {
                lineId: '00k000000000005AAA',
                productCode: 'LATE',
                productName: 'Late thing',
                quantity: 1,
                known: false,
                hasCode: true,
                loaded: false,
                warehouses: []
            };
            getOpportunityStock.mockResolvedValue({
                ...OPPORTUNITY_VIEW,
                message: 'Stock was loaded for the first 500 products only.',
                lines: [...OPPORTUNITY_VIEW.lines, notLoaded]
            });
            const element = mount({ recordId: OPPORTUNITY_ID, objectApiName: 'Opportunity' });
            await flushPromises();

            const cell = q(element, '[data-line="00k000000000005AAA"] [data-id="line-message"]');
            expect(text(cell)).toBe('Stock not loaded: too many products for one view');
            expect(cell.querySelector('lightning-icon').alternativeText).toBe('Warning');
            expect(text(q(element, '[data-id="info"]'))).toBe(
                'Stock was loaded for the first 500 products only.'
            );
            // The other lines keep their figures.
            const widget = q(element, '[data-line="00k000000000001AAA"]');
            expect(widget.querySelectorAll('[data-id="available"]')).toHaveLength(2);
        });

        it('totals each warehouse and counts the lines it cannot cover', async () => {
            getOpportunityStock.mockResolvedValue(OPPORTUNITY_VIEW);
            const element = mount({ recordId: OPPORTUNITY_ID, objectApiName: 'Opportunity' });
            await flushPromises();
            const totals = qa(element, '[data-id="total"]').map(text);
            expect(totals).toEqual(['4.5 available 1 line short', '12 available 1 line short']);
        });

        it('shows only the selected warehouse', async () => {
            getOpportunityStock.mockResolvedValue(OPPORTUNITY_VIEW);
            const element = mount({
                recordId: OPPORTUNITY_ID,
                objectApiName: 'Opportunity',
                selectedWarehouseCode: 'W2'
            });
            await flushPromises();
            expect(qa(element, 'thead th').map(text)).toEqual(['Product', 'Quantity', 'Available in North']);
            expect(qa(element, '[data-id="total-status"]').map(text)).toEqual(['1 line short']);

            element.selectedWarehouseCode = 'W1';
            await flushPromises();
            expect(qa(element, 'thead th').map(text)).toEqual(['Product', 'Quantity', 'Available in Main']);
        });

        it('treats a record id starting with 006 as an opportunity when the object is not given', async () => {
            getOpportunityStock.mockResolvedValue(OPPORTUNITY_VIEW);
            mount({ recordId: OPPORTUNITY_ID });
            await flushPromises();
            expect(getOpportunityStock).toHaveBeenCalledTimes(1);
            expect(getProductStock).not.toHaveBeenCalled();
        });

        it('says when there is no stock at all and when there are no lines', async () => {
            getOpportunityStock.mockResolvedValue({
                connected: true,
                asOf: AS_OF,
                warehouses: [],
                lines: [
                    {
                        lineId: 'L1',
                        productCode: 'SKU1',
                        productName: 'Widget',
                        quantity: 1,
                        known: true,
                        hasCode: true,
                        warehouses: []
                    }
                ]
            });
            const element = mount({ recordId: OPPORTUNITY_ID, objectApiName: 'Opportunity' });
            await flushPromises();
            expect(text(q(element, '[data-id="empty"]'))).toBe('No stock recorded in Unleashed');
            expect(text(q(element, '[data-id="line-message"]'))).toBe('No stock recorded in Unleashed');

            getOpportunityStock.mockResolvedValue({
                connected: true,
                asOf: AS_OF,
                warehouses: [],
                lines: []
            });
            q(element, '[data-id="refresh"]').click();
            await flushPromises();
            expect(text(q(element, '[data-id="no-lines"]'))).toBe('This opportunity has no products.');
            expect(q(element, 'table')).toBeNull();
        });

        it('reloads when the record id changes', async () => {
            getOpportunityStock.mockResolvedValue(OPPORTUNITY_VIEW);
            const element = mount({ recordId: OPPORTUNITY_ID, objectApiName: 'Opportunity' });
            await flushPromises();
            element.recordId = '006000000000002AAA';
            await flushPromises();
            expect(getOpportunityStock).toHaveBeenLastCalledWith({ opportunityId: '006000000000002AAA' });
        });
    });
});
