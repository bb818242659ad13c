import { createElement } from 'lwc';
import UnleashedSalesOrder from 'c/unleashedSalesOrder';
import getOrder from '@salesforce/apex/UnleashedOrderController.getOrder';
import { registerRefreshHandler } from 'lightning/refresh';
import { errorAlert, errorText, clickRetry } from '../../../../../test/jest-utils/errorPanel';

jest.mock('@salesforce/apex/UnleashedOrderController.getOrder', () => ({ default: jest.fn() }), {
    virtual: true
});

const OPPORTUNITY_ID = '006000000000001AAA';

const ORDER = {
    hasOrder: true,
    orderGuid: 'a3c5e0a4-0000-5000-8000-000000000001',
    orderNumber: 'SF-00042',
    status: 'Placed',
    orderDate: '2026-03-01',
    requiredDate: '2026-03-10',
    subTotal: '59.97',
    taxTotal: '9.00',
    total: '68.97',
    currencyCode: 'NZD',
    warehouseCode: 'W1',
    customerCode: 'ACME',
    lines: [
        {
            lineNumber: '1',
            productCode: 'SKU1',
            description: 'Widget',
            quantity: '3',
            unitPrice: '19.99',
            lineTotal: '59.97',
            lineTax: '9.00'
        }
    ],
    lastSent: '2026-03-01T09:00:00.000Z'
};

function flushPromises() {
    // eslint-disable-next-line @lwc/lwc/no-async-operation
    return new Promise((resolve) => setTimeout(resolve, 0));
}

function text(node) {
    return node.textContent.replace(/\s+/g, ' ').trim();
}

const q = (element, selector) => element.shadowRoot.querySelector(selector);

function mount() {
    const element = createElement('c-unleashed-sales-order', { is: UnleashedSalesOrder });
    element.recordId = OPPORTUNITY_ID;
    document.body.appendChild(element);
    return element;
}

describe('c-unleashed-sales-order', () => {
    afterEach(() => {
        while (document.body.firstChild) {
            document.body.removeChild(document.body.firstChild);
        }
        jest.clearAllMocks();
    });

    it('shows a spinner while loading', async () => {
        let resolve;
        getOrder.mockReturnValue(new Promise((r) => (resolve = r)));
        const element = mount();
        await Promise.resolve();
        expect(q(element, 'lightning-spinner').alternativeText).toBe(
            'Loading the sales order from Unleashed'
        );
        resolve(ORDER);
        await flushPromises();
        expect(q(element, 'lightning-spinner')).toBeNull();
    });

    it('shows the order as Unleashed has it', async () => {
        getOrder.mockResolvedValue(ORDER);
        const element = mount();
        await flushPromises();
        expect(getOrder).toHaveBeenCalledWith({ opportunityId: OPPORTUNITY_ID });
        expect(q(element, 'lightning-card').title).toBe('Unleashed sales order');
        expect(text(q(element, '[data-id="order-number"]'))).toBe('SF-00042');
        expect(q(element, '[data-id="status"]').label).toBe('Placed');
        expect(q(element, '[data-id="order-date"]').value).toBe('2026-03-01');
        expect(q(element, '[data-id="required-date"]').value).toBe('2026-03-10');
        expect(q(element, '[data-id="last-sent"]').value).toBe('2026-03-01T09:00:00.000Z');
        expect(text(q(element, '[data-id="customer-code"]'))).toBe('ACME');
        expect(text(q(element, '[data-id="warehouse-code"]'))).toBe('W1');

        const lines = q(element, 'c-unleashed-order-lines').shadowRoot;
        const rows = lines.querySelectorAll('table[data-id="lines"] tbody tr');
        expect(rows).toHaveLength(1);
        expect(rows[0].querySelector('[data-field="productCode"]').textContent.trim()).toBe('SKU1');
        const lineTotal = rows[0].querySelector('[data-field="lineTotal"] lightning-formatted-number');
        expect(lineTotal.value).toBe('59.97');
        expect(lineTotal.currencyCode).toBe('NZD');
        expect(lines.querySelector('[data-id="sub-total"]').value).toBe('59.97');
        expect(lines.querySelector('[data-id="tax-total"]').value).toBe('9.00');
        expect(lines.querySelector('[data-id="total"]').value).toBe('68.97');
        expect(lines.querySelector('[data-id="total"]').currencyCode).toBe('NZD');
    });

    it('says when the opportunity has no order yet', async () => {
        getOrder.mockResolvedValue({ hasOrder: false, lines: [] });
        const element = mount();
        await flushPromises();
        expect(text(q(element, '[data-id="no-order"]'))).toContain('has not been sent to Unleashed yet');
        expect(q(element, 'c-unleashed-order-lines')).toBeNull();
        expect(q(element, '[data-id="summary"]')).toBeNull();
    });

    it('shows the Apex error message', async () => {
        getOrder.mockRejectedValue({ body: { message: 'Unleashed has no sales order with that GUID' } });
        const element = mount();
        await flushPromises();
        expect(errorAlert(element, 'error').getAttribute('role')).toBe('alert');
        expect(errorText(element, 'error')).toBe(
            'Could not load the sales order: Unleashed has no sales order with that GUID'
        );
        expect(q(element, '[data-id="no-order"]')).toBeNull();
    });

    it('loads the order again from the error with Try again', async () => {
        getOrder.mockRejectedValueOnce({ body: { message: 'Read timed out' } });
        const element = mount();
        await flushPromises();
        expect(errorText(element, 'error')).toBe('Could not load the sales order: Read timed out');

        getOrder.mockResolvedValueOnce({ hasOrder: false, lines: [] });
        clickRetry(element, 'error');
        await flushPromises();
        expect(getOrder).toHaveBeenCalledTimes(2);
        expect(errorAlert(element, 'error')).toBeNull();
        expect(q(element, '[data-id="no-order"]')).not.toBeNull();
    });

    it('reloads on refresh and when the record page refreshes', async () => {
        getOrder.mockResolvedValue({ hasOrder: false, lines: [] });
        const element = mount();
        await flushPromises();

        getOrder.mockResolvedValue({ ...ORDER, status: 'Completed' });
        q(element, '[data-id="refresh"]').click();
        await flushPromises();
        expect(getOrder).toHaveBeenCalledTimes(2);
        expect(q(element, '[data-id="status"]').label).toBe('Completed');

        const [registeredElement, handler] = registerRefreshHandler.mock.calls.at(-1);
        getOrder.mockResolvedValue({ ...ORDER, lines: [] });
        await handler.call(registeredElement);
        await flushPromises();
        expect(getOrder).toHaveBeenCalledTimes(3);
        const lines = q(element, 'c-unleashed-order-lines').shadowRoot;
        expect(text(lines.querySelector('[data-id="no-lines"]'))).toBe('The order has no lines.');
    });

    it('shows the shipments and invoices under the order', async () => {
        getOrder.mockResolvedValue({
            ...ORDER,
            shipments: [
                {
                    id: 'a01000000000001AAA',
                    shipmentNumber: 'SS-00000031',
                    status: 'Dispatched',
                    dispatchDate: '2026-12-03',
                    courier: 'NZ Post',
                    trackingNumber: 'LP123456789NZ',
                    trackingUrl: 'https://www.nzpost.co.nz/tools/tracking/item/LP123456789NZ',
                    lines: [{ lineNumber: '1', orderLineNumber: '1', productCode: 'SKU1', quantity: '3' }]
                }
            ],
            invoices: []
        });
        const element = mount();
        await flushPromises();
        const fulfilment = q(element, 'c-unleashed-fulfilment').shadowRoot;
        expect(fulfilment.querySelector('[data-id="tracking-link"]').href).toBe(
            'https://www.nzpost.co.nz/tools/tracking/item/LP123456789NZ'
        );
        expect(text(fulfilment.querySelector('[data-id="shipped-line"]'))).toBe('SKU1 × 3');
        expect(text(fulfilment.querySelector('[data-id="no-invoices"]'))).toBe('Not invoiced yet.');
    });

    it('shows no shipments or invoices while the order is not sent', async () => {
        getOrder.mockResolvedValue({ hasOrder: false, lines: [], shipments: [], invoices: [] });
        const element = mount();
        await flushPromises();
        expect(q(element, 'c-unleashed-fulfilment')).toBeNull();
        expect(q(element, '[data-id="no-order"]')).not.toBeNull();
    });
});
