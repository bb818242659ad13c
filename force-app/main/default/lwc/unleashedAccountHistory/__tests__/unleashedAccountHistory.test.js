import { createElement } from 'lwc';
import UnleashedAccountHistory from 'c/unleashedAccountHistory';
import getHistory from '@salesforce/apex/UnleashedAccountHistoryController.getHistory';

jest.mock('@salesforce/apex/UnleashedAccountHistoryController.getHistory', () => ({ default: jest.fn() }), {
    virtual: true
});

const ACCOUNT_ID = '001000000000001AAA';

const order = (n, extra = {}) => ({
    guid: `o${n}`,
    documentNumber: `SO-${n}`,
    status: 'Completed',
    customStatus: null,
    sentFromSalesforce: false,
    documentDate: '2026-12-01',
    currencyCode: 'NZD',
    total: '11.50',
    ...extra
});

const PAGE_1 = {
    hasCustomerCode: true,
    customerCode: 'ACME',
    customerName: 'Acme Ltd',
    page: 1,
    pageSize: 20,
    orderCount: 21,
    orderPages: 2,
    invoiceCount: 1,
    invoicePages: 1,
    orders: [order(1, { sentFromSalesforce: true, customStatus: 'Packed', status: 'Placed' }), order(2)],
    invoices: [
        {
            guid: 'i1',
            documentNumber: 'SI-1',
            status: 'Completed',
            orderNumber: 'SO-1',
            documentDate: '2026-12-02',
            dueDate: '2027-01-20',
            currencyCode: 'NZD',
            total: '11.50'
        }
    ]
};

const PAGE_2 = { ...PAGE_1, page: 2, orders: [order(21)], invoices: [] };

function flushPromises() {
    // eslint-disable-next-line @lwc/lwc/no-async-operation
    return new Promise((resolve) => setTimeout(resolve, 0));
}

const q = (element, selector) => element.shadowRoot.querySelector(selector);
const all = (element, selector) => Array.from(element.shadowRoot.querySelectorAll(selector));
const text = (node) => node.textContent.replace(/\s+/g, ' ').trim();

function mount() {
    const element = createElement('c-unleashed-account-history', { is: UnleashedAccountHistory });
    element.recordId = ACCOUNT_ID;
    document.body.appendChild(element);
    return element;
}

describe('c-unleashed-account-history', () => {
    afterEach(() => {
        while (document.body.firstChild) {
            document.body.removeChild(document.body.firstChild);
        }
        jest.clearAllMocks();
    });

    it('shows a spinner while loading', async () => {
        let resolve;
        getHistory.mockReturnValue(new Promise((r) => (resolve = r)));
        const element = mount();
        await Promise.resolve();
        expect(q(element, 'lightning-spinner').alternativeText).toBe(
            "Loading the customer's history from Unleashed"
        );
        resolve(PAGE_1);
        await flushPromises();
        expect(q(element, 'lightning-spinner')).toBeNull();
    });

    it('lists the orders and invoices with statuses and totals', async () => {
        getHistory.mockResolvedValue(PAGE_1);
        const element = mount();
        await flushPromises();
        expect(getHistory).toHaveBeenCalledWith({ accountId: ACCOUNT_ID, page: 1 });
        expect(text(q(element, '[data-id="customer"]'))).toBe('Acme Ltd (ACME)');
        expect(text(q(element, '#orders-heading, [data-id="orders"] h3'))).toBe('Sales orders (21)');
        const orders = all(element, '[data-id="order"]');
        expect(orders.map((o) => text(o.querySelector('[data-id="order-number"]')))).toEqual([
            'SO-1',
            'SO-2'
        ]);
        expect(orders[0].querySelector('[data-id="order-status"]').label).toBe('Placed (Packed)');
        expect(orders[0].querySelector('[data-id="from-salesforce"]')).not.toBeNull();
        expect(orders[1].querySelector('[data-id="from-salesforce"]')).toBeNull();
        const total = orders[0].querySelector('[data-id="order-total"]');
        expect(total.value).toBe('11.50');
        expect(total.currencyCode).toBe('NZD');
        const invoice = q(element, '[data-id="invoice"]');
        expect(text(invoice.querySelector('[data-id="invoice-order"]'))).toBe('for SO-1');
        expect(invoice.querySelector('[data-id="invoice-status"]').label).toBe('Completed');
    });

    it('adds the next page with More, and hides More on the last page', async () => {
        getHistory.mockResolvedValueOnce(PAGE_1).mockResolvedValueOnce(PAGE_2);
        const element = mount();
        await flushPromises();
        q(element, '[data-id="more"]').click();
        await flushPromises();
        expect(getHistory).toHaveBeenLastCalledWith({ accountId: ACCOUNT_ID, page: 2 });
        expect(
            all(element, '[data-id="order"]').map((o) => text(o.querySelector('[data-id="order-number"]')))
        ).toEqual(['SO-1', 'SO-2', 'SO-21']);
        expect(all(element, '[data-id="invoice"]')).toHaveLength(1);
        expect(q(element, '[data-id="more"]')).toBeNull();
    });

    it('says so when the account has no customer code', async () => {
        getHistory.mockResolvedValue({ hasCustomerCode: false, page: 1, orders: [], invoices: [] });
        const element = mount();
        await flushPromises();
        expect(text(q(element, '[data-id="no-code"]'))).toMatch(
            /^This account has no Unleashed customer code/
        );
        expect(q(element, '[data-id="orders"]')).toBeNull();
        expect(q(element, '[data-id="more"]')).toBeNull();
    });

    it('shows the reason when Unleashed does not know the customer', async () => {
        getHistory.mockResolvedValue({
            hasCustomerCode: true,
            customerCode: 'GONE',
            message: 'Unleashed has no customer with the code GONE.',
            page: 1,
            orders: [],
            invoices: []
        });
        const element = mount();
        await flushPromises();
        expect(text(q(element, '[data-id="message"]'))).toBe('Unleashed has no customer with the code GONE.');
        expect(q(element, '[data-id="orders"]')).toBeNull();
    });

    it('shows the error with a retry that loads again', async () => {
        getHistory
            .mockRejectedValueOnce({ body: { message: 'The Unleashed history could not be read: down' } })
            .mockResolvedValueOnce(PAGE_1);
        const element = mount();
        await flushPromises();
        const panel = q(element, '[data-id="error"]');
        expect(panel.message).toBe('The Unleashed history could not be read: down');
        panel.dispatchEvent(new CustomEvent('retry'));
        await flushPromises();
        expect(getHistory).toHaveBeenCalledTimes(2);
        expect(q(element, '[data-id="error"]')).toBeNull();
        expect(all(element, '[data-id="order"]')).toHaveLength(2);
    });
});
