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

    it('lists each warehouse of a product with on hand, allocated, available and on purchase', async () => {
        getProductStock.mockResolvedValue(PRODUCT_VIEW);
        const element = mount({ recordId: PRODUCT_ID, objectApiName: 'Product2' });
        await flushPromises();

        expect(getProductStock).toHaveBeenCalledWith({ productId: PRODUCT_ID });
        expect(getOpportunityStock).not.toHaveBeenCalled();
        const table = q(element, 'table[data-id="product-table"]');
        expect([...table.querySelectorAll('thead th')].map(text)).toEqual([
            'Warehouse',
            'On hand',
            'Allocated',
            'Available',
            'On purchase'
        ]);
        const rows = [...table.querySelectorAll('tbody tr')].map((tr) =>
            [...tr.querySelectorAll('th, td')].map(text)
        );
        expect(rows).toEqual([
            ['Main (W1)', '5', '1', '4', '0'],
            ['North (W2)', '10', '0', '10', '6']
        ]);
        // Each figure carries its label, for the stacked layout of a narrow panel.
        expect([...table.querySelectorAll('tbody tr td')].slice(0, 4).map((td) => td.dataset.label)).toEqual([
            'On hand',
            'Allocated',
            'Available',
            'On purchase'
        ]);

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
        const rows = qa(element, 'table[data-id="product-table"] tbody tr');
        expect(rows.map((r) => r.dataset.warehouse)).toEqual(['W2']);
        expect(q(element, 'lightning-card').title).toBe('Unleashed stock in North');
    });

    it('says so when Unleashed has no stock for the product', async () => {
        getProductStock.mockResolvedValue({ ...PRODUCT_VIEW, warehouses: [] });
        const element = mount({ recordId: PRODUCT_ID, objectApiName: 'Product2' });
        await flushPromises();
        expect(text(q(element, '[data-id="empty"]'))).toBe('No stock recorded in Unleashed');
        expect(q(element, 'table')).toBeNull();
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
        expect(q(element, 'table')).toBeNull();
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
        expect(q(element, 'table')).toBeNull();
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
        expect(qa(element, 'table[data-id="product-table"] tbody tr')).toHaveLength(1);

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

        it('never adds up different products: per warehouse, how many lines it cannot cover', async () => {
            getOpportunityStock.mockResolvedValue(OPPORTUNITY_VIEW);
            const element = mount({ recordId: OPPORTUNITY_ID, objectApiName: 'Opportunity' });
            await flushPromises();
            expect(qa(element, '[data-id="total"]')).toEqual([]);
            expect(text(element.shadowRoot)).not.toMatch(/All lines:|\d+ available(?! in)/);
            // Two of the four lines have figures; the unknown code and the line without one do not.
            expect(qa(element, '[data-id="summary"] li').map(text)).toEqual([
                '1 of 4 lines short in Main',
                '1 of 4 lines short in North'
            ]);
            expect(q(element, '[data-id="summary"] lightning-icon').alternativeText).toBe('Shortfall');
        });

        it('says when every line is fully available', async () => {
            getOpportunityStock.mockResolvedValue({
                ...OPPORTUNITY_VIEW,
                lines: OPPORTUNITY_VIEW.lines.slice(0, 1).map((l) => ({ ...l, quantity: 2 }))
            });
            const element = mount({
                recordId: OPPORTUNITY_ID,
                objectApiName: 'Opportunity',
                selectedWarehouseCode: 'W1'
            });
            await flushPromises();
            expect(qa(element, '[data-id="summary"] li').map(text)).toEqual([
                'The line is fully available in Main'
            ]);

            getOpportunityStock.mockResolvedValue({
                ...OPPORTUNITY_VIEW,
                lines: [OPPORTUNITY_VIEW.lines[0], OPPORTUNITY_VIEW.lines[0]].map((l, i) => ({
                    ...l,
                    lineId: `L${i}`,
                    quantity: 1
                }))
            });
            q(element, '[data-id="refresh"]').click();
            await flushPromises();
            expect(qa(element, '[data-id="summary"] li').map(text)).toEqual([
                'All lines fully available in Main'
            ]);
        });

        it('offers on hand, allocated and on purchase on each line', async () => {
            getOpportunityStock.mockResolvedValue(OPPORTUNITY_VIEW);
            const element = mount({ recordId: OPPORTUNITY_ID, objectApiName: 'Opportunity' });
            await flushPromises();
            expect(qa(element, '[data-id="figures"]')).toHaveLength(0);

            const toggle = q(element, 'lightning-input[data-id="figures-toggle"]');
            expect(toggle.label).toBe('Show on hand, allocated and on purchase');
            toggle.checked = true;
            toggle.dispatchEvent(new CustomEvent('change'));
            await flushPromises();

            const widget = q(element, '[data-line="00k000000000001AAA"]');
            expect([...widget.querySelectorAll('[data-id="figures"]')].map(text)).toEqual([
                'On hand 5 Allocated 1 On purchase 0',
                'On hand 10 Allocated 0 On purchase 6'
            ]);
        });

        it('shows what the Opportunity’s own order holds allocated, counted as available', async () => {
            getOpportunityStock.mockResolvedValue({
                ...OPPORTUNITY_VIEW,
                lines: [
                    {
                        ...OPPORTUNITY_VIEW.lines[0],
                        quantity: 12,
                        warehouses: [{ ...MAIN, onHand: 14, allocated: 2, available: 12, orderAllocated: 12 }]
                    }
                ]
            });
            const element = mount({ recordId: OPPORTUNITY_ID, objectApiName: 'Opportunity' });
            await flushPromises();
            const cell = q(element, '[data-id="available"]');
            expect(text(cell)).toBe('12 12 allocated to this order');
            expect(cell.querySelector('[data-id="short"]')).toBeNull();
            expect(text(q(element, '[data-id="own-order-note"]'))).toContain(
                'what it holds allocated is counted as available for its lines'
            );
        });

        it('says nothing about an own order when there is none', async () => {
            getOpportunityStock.mockResolvedValue(OPPORTUNITY_VIEW);
            const element = mount({ recordId: OPPORTUNITY_ID, objectApiName: 'Opportunity' });
            await flushPromises();
            expect(q(element, '[data-id="own-order-note"]')).toBeNull();
            expect(q(element, '[data-id="own-order"]')).toBeNull();
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
            expect(qa(element, '[data-id="summary"] li').map(text)).toEqual(['1 of 4 lines short in North']);

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
