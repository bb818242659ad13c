import { createElement } from 'lwc';
import UnleashedSendOrder from 'c/unleashedSendOrder';
import getSendContext from '@salesforce/apex/UnleashedSendController.getSendContext';
import previewOrder from '@salesforce/apex/UnleashedSendController.previewOrder';
import sendOrder from '@salesforce/apex/UnleashedSendController.sendOrder';
import getOpportunityStock from '@salesforce/apex/UnleashedStockController.getOpportunityStock';
import { errorAlert, errorText, clickRetry } from '../../../../../test/jest-utils/errorPanel';

jest.mock('@salesforce/apex/UnleashedSendController.getSendContext', () => ({ default: jest.fn() }), {
    virtual: true
});
jest.mock('@salesforce/apex/UnleashedSendController.previewOrder', () => ({ default: jest.fn() }), {
    virtual: true
});
jest.mock('@salesforce/apex/UnleashedSendController.sendOrder', () => ({ default: jest.fn() }), {
    virtual: true
});
jest.mock('@salesforce/apex/UnleashedStockController.getOpportunityStock', () => ({ default: jest.fn() }), {
    virtual: true
});
jest.mock('@salesforce/apex/UnleashedStockController.getProductStock', () => ({ default: jest.fn() }), {
    virtual: true
});
// sfdx-lwc-jest ships no stub for lightning/actions.
jest.mock(
    'lightning/actions',
    () => ({
        CloseActionScreenEvent: class extends CustomEvent {
            constructor() {
                super('lightning__actionsclosescreen', { bubbles: true, composed: true });
            }
        }
    }),
    { virtual: true }
);

const OPPORTUNITY_ID = '006000000000001AAA';

const SHIPPING = {
    name: 'Acme Ltd',
    street: '1 Queen Street',
    suburb: 'CBD',
    city: 'Auckland',
    region: 'Auckland',
    postalCode: '1010',
    country: 'New Zealand'
};
const BILLING = {
    name: 'Acme Accounts',
    street: 'PO Box 5',
    suburb: null,
    city: 'Wellington',
    region: null,
    postalCode: '6011',
    country: 'New Zealand'
};

function context(overrides = {}) {
    return {
        opportunityId: OPPORTUNITY_ID,
        opportunityName: 'Acme order',
        currencyIsoCode: 'NZD',
        amount: 68.64,
        doNotSend: false,
        doNotSendReason: null,
        account: {
            id: '001000000000001AAA',
            name: 'Acme Ltd',
            isPersonAccount: false,
            customerCode: 'ACME',
            proposedCustomerCode: null,
            email: null,
            phone: null,
            contactName: null,
            customerMatches: []
        },
        warehouses: [
            { value: 'W1', label: 'Main', detail: 'Auckland', isDefault: false },
            { value: 'W2', label: 'North', detail: null, isDefault: true }
        ],
        taxes: [{ value: 'G.S.T.', label: 'G.S.T.', detail: '15%', isDefault: true }],
        salesPersons: [{ value: 'sam@example.com', label: 'Sam Seller', isDefault: false }],
        deliveryMethods: [{ value: 'Courier', label: 'Courier', isDefault: false }],
        // The middleware's defaults: the dialog takes them as they come.
        defaults: {
            warehouseCode: 'W2',
            customerCode: 'ACME',
            newCustomerCode: null,
            taxCode: 'G.S.T.',
            salesPersonEmail: null,
            deliveryMethod: null,
            orderStatus: 'Parked',
            requiredDate: '2026-12-01',
            comments: null,
            deliveryAddress: SHIPPING,
            confirmed: []
        },
        shippingAddress: SHIPPING,
        billingAddress: BILLING,
        order: null,
        blocking: [],
        notices: [],
        ...overrides
    };
}

const PREVIEW = {
    lines: [
        {
            lineNumber: '1',
            productCode: 'SKU1',
            description: 'Widget',
            quantity: '3',
            unitPrice: '19.99',
            discountPercent: '0',
            taxCode: 'G.S.T.',
            taxRate: '0.15',
            lineTotal: '59.97',
            lineTax: '9.00'
        }
    ],
    subTotal: '59.97',
    taxTotal: '9.00',
    total: '68.97',
    currencyCode: 'NZD',
    opportunityAmount: 68.64,
    amountDiffers: true,
    warnings: ['Only 2 of SKU1 available in North'],
    errors: []
};

const RESULT = {
    orderGuid: 'a3c5e0a4-0000-5000-8000-000000000001',
    orderNumber: 'SF-00042',
    status: 'Parked',
    subTotal: '59.97',
    taxTotal: '9.00',
    total: '68.97',
    customerCode: 'ACME',
    created: true
};

function flushPromises() {
    // eslint-disable-next-line @lwc/lwc/no-async-operation
    return new Promise((resolve) => setTimeout(resolve, 0));
}

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

const q = (element, selector) => element.shadowRoot.querySelector(selector);

async function mount() {
    const element = createElement('c-unleashed-send-order', { is: UnleashedSendOrder });
    element.recordId = OPPORTUNITY_ID;
    document.body.appendChild(element);
    await flushPromises();
    return element;
}

async function click(element, dataId) {
    const button = q(element, `lightning-button[data-id="${dataId}"]`);
    expect(button).not.toBeNull();
    button.click();
    await flushPromises();
}

function change(input, detail) {
    input.dispatchEvent(new CustomEvent('change', { detail }));
}

/** Walks from the warehouse step to the review step with the defaults. */
async function goToReview(element) {
    await click(element, 'next');
    await click(element, 'next');
    await click(element, 'next');
}

describe('c-unleashed-send-order', () => {
    beforeEach(() => {
        getOpportunityStock.mockResolvedValue({ connected: true, asOf: null, warehouses: [], lines: [] });
    });

    afterEach(() => {
        while (document.body.firstChild) {
            document.body.removeChild(document.body.firstChild);
        }
        jest.clearAllMocks();
    });

    it('shows a spinner while the opportunity loads, then the first step', async () => {
        let resolve;
        getSendContext.mockReturnValue(new Promise((r) => (resolve = r)));
        const element = createElement('c-unleashed-send-order', { is: UnleashedSendOrder });
        element.recordId = OPPORTUNITY_ID;
        document.body.appendChild(element);
        await Promise.resolve();
        expect(q(element, 'lightning-spinner').alternativeText).toBe('Loading order details');
        resolve(context());
        await flushPromises();
        expect(q(element, 'lightning-spinner')).toBeNull();
        expect(getSendContext).toHaveBeenCalledWith({ opportunityId: OPPORTUNITY_ID });
        expect(q(element, 'lightning-progress-indicator').currentStep).toBe('warehouse');
    });

    it('loads when the quick action sets the record id after connecting', async () => {
        getSendContext.mockResolvedValue(context());
        const element = createElement('c-unleashed-send-order', { is: UnleashedSendOrder });
        document.body.appendChild(element);
        await flushPromises();
        expect(getSendContext).not.toHaveBeenCalled();
        element.recordId = OPPORTUNITY_ID;
        await flushPromises();
        expect(getSendContext).toHaveBeenCalledWith({ opportunityId: OPPORTUNITY_ID });
        expect(q(element, '[data-step="warehouse"]')).not.toBeNull();
    });

    it('shows the Apex error when the opportunity cannot be loaded', async () => {
        getSendContext.mockRejectedValue({ body: { message: 'Insufficient access to the opportunity' } });
        const element = await mount();
        expect(errorText(element, 'load-error')).toBe('Insufficient access to the opportunity');
        expect(q(element, 'lightning-progress-indicator')).toBeNull();
        expect(q(element, 'lightning-button[data-id="next"]')).toBeNull();
    });

    it('loads the opportunity again from the error with Try again', async () => {
        getSendContext.mockRejectedValueOnce({ body: { message: 'Read timed out' } });
        const element = await mount();
        expect(errorText(element, 'load-error')).toBe('Read timed out');

        getSendContext.mockResolvedValueOnce(context());
        clickRetry(element, 'load-error');
        await flushPromises();
        expect(getSendContext).toHaveBeenCalledTimes(2);
        expect(errorAlert(element, 'load-error')).toBeNull();
        expect(q(element, '[data-step="warehouse"]')).not.toBeNull();
    });

    it('walks through the steps with Next and Back', async () => {
        getSendContext.mockResolvedValue(context());
        const element = await mount();
        const indicator = () => q(element, 'lightning-progress-indicator');
        const steps = [...element.shadowRoot.querySelectorAll('lightning-progress-step')];
        expect(steps.map((s) => s.label)).toEqual(['Warehouse', 'Customer', 'Details', 'Review', 'Done']);
        expect(q(element, 'lightning-button[data-id="back"]')).toBeNull();

        // Step 1: the default warehouse is chosen and the stock panel follows the choice.
        const warehouse = q(element, 'lightning-radio-group[data-field="warehouseCode"]');
        expect(warehouse.label).toBe('Warehouse');
        expect(warehouse.value).toBe('W2');
        expect(warehouse.options).toEqual([
            { label: 'Main (Auckland)', value: 'W1' },
            { label: 'North', value: 'W2' }
        ]);
        const panel = q(element, 'c-unleashed-stock-panel');
        expect(panel.selectedWarehouseCode).toBe('W2');
        expect(panel.recordId).toBe(OPPORTUNITY_ID);
        change(warehouse, { value: 'W1' });
        await flushPromises();
        expect(q(element, 'c-unleashed-stock-panel').selectedWarehouseCode).toBe('W1');

        await click(element, 'next');
        expect(indicator().currentStep).toBe('customer');
        expect(text(q(element, '[data-id="existing-customer"]'))).toBe(
            'Acme Ltd is Unleashed customer ACME .'
        );

        await click(element, 'next');
        expect(indicator().currentStep).toBe('details');
        expect(q(element, '[data-step="details"]')).not.toBeNull();

        await click(element, 'back');
        expect(indicator().currentStep).toBe('customer');
        await click(element, 'next');
        expect(indicator().currentStep).toBe('details');
        // The warehouse chosen earlier survives the round trip.
        previewOrder.mockResolvedValue(PREVIEW);
        await click(element, 'next');
        expect(indicator().currentStep).toBe('review');
        expect(JSON.parse(previewOrder.mock.calls[0][0].choicesJson).warehouseCode).toBe('W1');
        expect(q(element, 'lightning-button[data-id="next"]')).toBeNull();
    });

    it('moves one step per double click on Next or Back', async () => {
        getSendContext.mockResolvedValue(context());
        previewOrder.mockResolvedValue(PREVIEW);
        const element = await mount();
        const next = q(element, 'lightning-button[data-id="next"]');
        next.click();
        next.click();
        await flushPromises();
        expect(q(element, 'lightning-progress-indicator').currentStep).toBe('customer');

        await click(element, 'next');
        const toReview = q(element, 'lightning-button[data-id="next"]');
        toReview.click();
        toReview.click();
        await flushPromises();
        expect(q(element, 'lightning-progress-indicator').currentStep).toBe('review');
        expect(previewOrder).toHaveBeenCalledTimes(1);

        const back = q(element, 'lightning-button[data-id="back"]');
        back.click();
        back.click();
        await flushPromises();
        expect(q(element, 'lightning-progress-indicator').currentStep).toBe('details');
    });

    it('asks for a warehouse when none is chosen', async () => {
        const none = { ...context().defaults, warehouseCode: null };
        getSendContext.mockResolvedValue(
            context({ warehouses: [{ value: 'W1', label: 'Main', isDefault: false }], defaults: none })
        );
        const element = await mount();
        expect(q(element, 'lightning-radio-group[data-field="warehouseCode"]').value).toBe('');
        await click(element, 'next');
        expect(q(element, 'lightning-progress-indicator').currentStep).toBe('warehouse');
        expect(errorText(element, 'step-error')).toBe('Choose the warehouse the order ships from.');
    });

    it('proposes an editable code for a new customer and requires one', async () => {
        getSendContext.mockResolvedValue(
            context({
                account: {
                    id: '001000000000002AAA',
                    name: 'Bright Homes',
                    customerCode: null,
                    proposedCustomerCode: 'BRIGHTHOMES',
                    contactName: 'Kim Bright, kim@brighthomes.example',
                    customerMatches: []
                },
                // The defaults' code, as the middleware chose it, not a copy made here.
                defaults: { orderStatus: 'Parked', warehouseCode: 'W1', newCustomerCode: 'BRIGHTHOM' }
            })
        );
        const element = await mount();
        await click(element, 'next');
        expect(text(q(element, '[data-id="new-customer"]'))).toContain(
            'Bright Homes is not an Unleashed customer yet'
        );
        const code = q(element, 'lightning-input[data-field="newCustomerCode"]');
        expect(code.label).toBe('New customer code');
        expect(code.value).toBe('BRIGHTHOM');
        expect(text(q(element, '[data-id="contact-name"]'))).toBe(
            'Contact in Unleashed: Kim Bright, kim@brighthomes.example'
        );
        expect(q(element, '[data-id="customer-matches"]')).toBeNull();

        change(code, { value: '  ' });
        await click(element, 'next');
        expect(errorText(element, 'step-error')).toBe(
            'Enter a customer code for the new Unleashed customer.'
        );
        expect(q(element, 'lightning-progress-indicator').currentStep).toBe('customer');

        change(q(element, 'lightning-input[data-field="newCustomerCode"]'), { value: 'BRIGHT1' });
        await click(element, 'next');
        previewOrder.mockResolvedValue({ ...PREVIEW, warnings: [], amountDiffers: false });
        await click(element, 'next');
        const choices = JSON.parse(previewOrder.mock.calls[0][0].choicesJson);
        expect(choices.customerCode).toBeNull();
        expect(choices.newCustomerCode).toBe('BRIGHT1');
    });

    it('blocks an account marked do-not-send with its reason', async () => {
        getSendContext.mockResolvedValue(
            context({ doNotSend: true, doNotSendReason: 'Account on credit hold' })
        );
        const element = await mount();
        await click(element, 'next');
        expect(errorText(element, 'customer-blocked')).toBe(
            'Acme Ltd is marked "Do not send to Unleashed": Account on credit hold'
        );
        expect(q(element, 'lightning-button[data-id="next"]').disabled).toBe(true);
        await click(element, 'next');
        expect(q(element, 'lightning-progress-indicator').currentStep).toBe('customer');
    });

    it('lists what blocks the opportunity and disables Next', async () => {
        getSendContext.mockResolvedValue(context({ blocking: ['The opportunity has no products.'] }));
        const element = await mount();
        expect(errorText(element, 'blocking')).toContain('The opportunity has no products.');
        expect(q(element, 'lightning-button[data-id="next"]').disabled).toBe(true);
    });

    it('does not offer Send for an order that is no longer Parked', async () => {
        getSendContext.mockResolvedValue(
            context({
                order: { orderGuid: 'g-1', orderNumber: 'SF-00042', status: 'Placed', editable: false }
            })
        );
        const element = await mount();
        expect(text(q(element, '[data-id="locked"]'))).toContain(
            'Sales order SF-00042 is Placed in Unleashed.'
        );
        expect(q(element, 'lightning-progress-indicator')).toBeNull();
        expect(q(element, 'lightning-button[data-id="send"]')).toBeNull();
        expect(q(element, 'lightning-button[data-id="next"]')).toBeNull();
        expect(q(element, 'lightning-button[data-id="cancel"]')).not.toBeNull();
    });

    it('says a Parked order will be updated in place', async () => {
        getSendContext.mockResolvedValue(
            context({
                order: { orderGuid: 'g-1', orderNumber: 'SF-00042', status: 'Parked', editable: true }
            })
        );
        previewOrder.mockResolvedValue(PREVIEW);
        const element = await mount();
        expect(text(q(element, '[data-id="update-in-place"]'))).toBe(
            'Sales order SF-00042 is Parked in Unleashed. Sending will update it in place.'
        );
        await goToReview(element);
        expect(q(element, 'lightning-button[data-id="send"]').label).toBe('Update order');
    });

    it('fills the delivery address from shipping, billing or typed entries', async () => {
        getSendContext.mockResolvedValue(context());
        const element = await mount();
        await click(element, 'next');
        await click(element, 'next');
        const field = (name) => q(element, `lightning-input[data-address-field="${name}"]`);
        const address = () => q(element, 'lightning-input-address[data-id="delivery-address"]');

        expect(q(element, 'lightning-radio-group[data-id="address-source"]').value).toBe('shipping');
        expect(address().street).toBe('1 Queen Street');
        expect(field('name').value).toBe('Acme Ltd');
        expect(address().readOnly).toBe(true);
        expect(field('name').readOnly).toBe(true);

        change(q(element, 'lightning-radio-group[data-id="address-source"]'), { value: 'billing' });
        await flushPromises();
        expect(address().street).toBe('PO Box 5');
        expect(address().city).toBe('Wellington');
        expect(address().postalCode).toBe('6011');
        expect(address().country).toBe('New Zealand');
        expect(field('name').value).toBe('Acme Accounts');

        change(q(element, 'lightning-radio-group[data-id="address-source"]'), { value: 'typed' });
        await flushPromises();
        expect(address().readOnly).toBe(false);
        expect(field('suburb').readOnly).toBe(false);
        change(address(), {
            street: '9 Dock Road',
            city: 'Wellington',
            province: 'Wellington Region',
            postalCode: '6011',
            country: 'New Zealand'
        });
        change(field('suburb'), { value: 'Te Aro' });
        change(q(element, 'lightning-combobox[data-field="deliveryMethod"]'), { value: 'Courier' });
        change(q(element, 'lightning-combobox[data-field="salesPersonEmail"]'), { value: 'sam@example.com' });
        change(q(element, 'lightning-radio-group[data-field="orderStatus"]'), { value: 'Placed' });
        change(q(element, 'lightning-textarea[data-field="comments"]'), { value: 'Leave at door' });
        await flushPromises();

        expect(q(element, 'lightning-combobox[data-field="taxCode"]').value).toBe('G.S.T.');
        expect(q(element, 'lightning-input[data-field="requiredDate"]').value).toBe('2026-12-01');
        previewOrder.mockResolvedValue(PREVIEW);
        await click(element, 'next');
        expect(previewOrder).toHaveBeenCalledTimes(1);
        const args = previewOrder.mock.calls[0][0];
        expect(args.opportunityId).toBe(OPPORTUNITY_ID);
        expect(JSON.parse(args.choicesJson)).toEqual({
            warehouseCode: 'W2',
            customerCode: 'ACME',
            newCustomerCode: null,
            taxCode: 'G.S.T.',
            salesPersonEmail: 'sam@example.com',
            deliveryMethod: 'Courier',
            orderStatus: 'Placed',
            requiredDate: '2026-12-01',
            comments: 'Leave at door',
            deliveryAddress: {
                name: 'Acme Accounts',
                street: '9 Dock Road',
                suburb: 'Te Aro',
                city: 'Wellington',
                region: 'Wellington Region',
                postalCode: '6011',
                country: 'New Zealand'
            },
            salesOrderGroup: null,
            useUnleashedPrices: false,
            confirmed: []
        });
    });

    it('previews the exact totals, the opportunity amount beside them and the warnings', async () => {
        getSendContext.mockResolvedValue(context());
        previewOrder.mockResolvedValue(PREVIEW);
        const element = await mount();
        await goToReview(element);

        const lines = q(element, 'c-unleashed-order-lines[data-id="preview-lines"]').shadowRoot;
        const rows = lines.querySelectorAll('table[data-id="lines"] tbody tr');
        expect(rows).toHaveLength(1);
        const cell = (field) => rows[0].querySelector(`[data-field="${field}"]`);
        expect(cell('productCode').textContent.trim()).toBe('SKU1');
        expect(cell('taxText').textContent.trim()).toBe('G.S.T. (15%)');
        expect(cell('lineTax').querySelector('lightning-formatted-number').value).toBe('9.00');
        const lineTotal = cell('lineTotal').querySelector('lightning-formatted-number');
        expect(lineTotal.value).toBe('59.97');
        expect(lineTotal.currencyCode).toBe('NZD');
        expect(lines.querySelector('[data-id="sub-total"]').value).toBe('59.97');
        expect(lines.querySelector('[data-id="tax-total"]').value).toBe('9.00');
        expect(lines.querySelector('[data-id="total"]').value).toBe('68.97');
        expect(q(element, '[data-id="opportunity-amount"]').value).toBe(68.64);
        expect(text(q(element, '[data-id="amount-differs"]'))).toContain(
            'Differs from the total Unleashed will store'
        );
        expect(text(q(element, '[data-id="warnings"]'))).toBe('Only 2 of SKU1 available in North');
        expect(q(element, '[data-id="errors"]')).toBeNull();
        expect(q(element, 'lightning-button[data-id="send"]').disabled).toBe(false);
        expect(q(element, 'lightning-button[data-id="send"]').label).toBe('Send order');
    });

    it('disables Send while the preview has blocking errors', async () => {
        getSendContext.mockResolvedValue(context());
        previewOrder.mockResolvedValue({
            ...PREVIEW,
            amountDiffers: false,
            errors: ['Line 1: product SKU1 is obsolete in Unleashed']
        });
        const element = await mount();
        await goToReview(element);
        expect(errorText(element, 'errors')).toContain('Line 1: product SKU1 is obsolete in Unleashed');
        expect(errorText(element, 'errors')).toContain('Fix the errors above before sending.');
        expect(q(element, '[data-id="amount-differs"]')).toBeNull();
        const send = q(element, 'lightning-button[data-id="send"]');
        expect(send.disabled).toBe(true);
        send.click();
        await flushPromises();
        expect(sendOrder).not.toHaveBeenCalled();
    });

    it('shows a failed preview and can try again', async () => {
        getSendContext.mockResolvedValue(context());
        previewOrder.mockRejectedValueOnce({ body: { message: 'Unleashed rejected the tax code' } });
        const element = await mount();
        await goToReview(element);
        expect(errorText(element, 'preview-error')).toBe(
            'Could not calculate the order: Unleashed rejected the tax code'
        );
        expect(q(element, 'lightning-button[data-id="send"]').disabled).toBe(true);

        previewOrder.mockResolvedValueOnce(PREVIEW);
        clickRetry(element, 'preview-error');
        await flushPromises();
        expect(previewOrder).toHaveBeenCalledTimes(2);
        expect(q(element, '[data-id="preview-error"]')).toBeNull();
        expect(q(element, 'lightning-button[data-id="send"]').disabled).toBe(false);
    });

    it('sends once even on a double click, then shows the order and closes', async () => {
        getSendContext.mockResolvedValue(context());
        previewOrder.mockResolvedValue(PREVIEW);
        let resolveSend;
        sendOrder.mockReturnValue(new Promise((r) => (resolveSend = r)));
        const element = await mount();
        await goToReview(element);

        const toasts = [];
        const refreshes = [];
        element.addEventListener('lightning__showtoast', (e) => toasts.push(e.detail));
        element.addEventListener('lightning__refresh', (e) => refreshes.push(e));

        const send = q(element, 'lightning-button[data-id="send"]');
        send.click();
        send.click();
        await Promise.resolve();
        expect(sendOrder).toHaveBeenCalledTimes(1);
        expect(q(element, 'lightning-button[data-id="send"]').disabled).toBe(true);
        expect(q(element, 'lightning-button[data-id="send"]').label).toBe('Sending…');
        q(element, 'lightning-button[data-id="send"]').click();
        expect(sendOrder).toHaveBeenCalledTimes(1);
        expect(sendOrder.mock.calls[0][0].choicesJson).toBe(previewOrder.mock.calls[0][0].choicesJson);

        resolveSend(RESULT);
        await flushPromises();
        expect(q(element, 'lightning-progress-indicator').currentStep).toBe('done');
        expect(text(q(element, '[data-id="done"]'))).toBe('Sales order SF-00042 was created in Unleashed.');
        expect(text(q(element, '[data-id="order-number"]'))).toBe('SF-00042');
        expect(q(element, '[data-id="status"]').label).toBe('Parked');
        expect(q(element, '[data-id="result-total"]').value).toBe('68.97');
        expect(toasts).toEqual([
            {
                title: 'Sales order created',
                message: 'Unleashed sales order SF-00042 is Parked.',
                variant: 'success'
            }
        ]);
        expect(refreshes).toHaveLength(1);
        expect(q(element, 'lightning-button[data-id="send"]')).toBeNull();

        const closeHandler = jest.fn();
        element.addEventListener('lightning__actionsclosescreen', closeHandler);
        await click(element, 'close');
        expect(closeHandler).toHaveBeenCalledTimes(1);
    });

    it('shows what Unleashed did differently from what was sent', async () => {
        getSendContext.mockResolvedValue(context());
        previewOrder.mockResolvedValue(PREVIEW);
        sendOrder.mockResolvedValue({
            ...RESULT,
            warnings: ['Placed was sent; Unleashed stored the order as Parked.']
        });
        const element = await mount();
        await goToReview(element);
        await click(element, 'send');
        await flushPromises();
        expect(q(element, '[data-id="status"]').label).toBe('Parked');
        expect(text(q(element, '[data-id="result-warnings"]'))).toBe(
            'Placed was sent; Unleashed stored the order as Parked.'
        );
    });

    it('shows no warning block when Unleashed kept what was sent', async () => {
        getSendContext.mockResolvedValue(context());
        previewOrder.mockResolvedValue(PREVIEW);
        sendOrder.mockResolvedValue({ ...RESULT, warnings: [] });
        const element = await mount();
        await goToReview(element);
        await click(element, 'send');
        await flushPromises();
        expect(q(element, '[data-id="done"]')).not.toBeNull();
        expect(q(element, '[data-id="result-warnings"]')).toBeNull();
    });

    it('keeps the review open with the error when sending fails', async () => {
        getSendContext.mockResolvedValue(context());
        previewOrder.mockResolvedValue(PREVIEW);
        sendOrder.mockRejectedValue({ body: { message: 'Unleashed is unavailable (503). Try again.' } });
        const element = await mount();
        await goToReview(element);
        const toasts = [];
        element.addEventListener('lightning__showtoast', (e) => toasts.push(e.detail));
        await click(element, 'send');
        expect(q(element, 'lightning-progress-indicator').currentStep).toBe('review');
        expect(errorText(element, 'send-error')).toBe(
            'The order was not sent: Unleashed is unavailable (503). Try again.'
        );
        expect(toasts[0].variant).toBe('error');
        expect(q(element, 'lightning-button[data-id="send"]').disabled).toBe(false);
    });

    it("keeps the review open with Unleashed's words when Apex reports a refusal", async () => {
        getSendContext.mockResolvedValue(context());
        previewOrder.mockResolvedValue(PREVIEW);
        sendOrder.mockResolvedValue({
            success: false,
            errorMessage: 'Unleashed rejected the request: Customer ACME is on credit hold.',
            syncLogId: 'a0B000000000001'
        });
        const element = await mount();
        await goToReview(element);
        const toasts = [];
        element.addEventListener('lightning__showtoast', (e) => toasts.push(e.detail));
        await click(element, 'send');
        expect(q(element, 'lightning-progress-indicator').currentStep).toBe('review');
        expect(errorText(element, 'send-error')).toBe(
            'The order was not sent: Unleashed rejected the request: Customer ACME is on credit hold.'
        );
        expect(toasts.map((t) => t.variant)).toEqual(['error']);
    });

    it('offers the Unleashed customers that look like the Account, and links the chosen one', async () => {
        getSendContext.mockResolvedValue(
            context({
                account: {
                    id: '001000000000003AAA',
                    name: 'Beta Builders',
                    customerCode: null,
                    proposedCustomerCode: 'BETABUILDERS',
                    contactName: 'Ben Baxter, ben@beta.example',
                    customerMatches: [
                        { code: 'BETA', name: 'Beta Builders', matchedBy: 'name' },
                        { code: 'BB2', name: 'Beta Builders South', matchedBy: 'email' }
                    ]
                },
                defaults: { ...context().defaults, customerCode: null, newCustomerCode: 'BETABUILDERS' }
            })
        );
        previewOrder.mockResolvedValue(PREVIEW);
        const element = await mount();
        await click(element, 'next');
        const matches = q(element, 'lightning-radio-group[data-id="customer-matches"]');
        expect(matches.options.map((o) => o.label)).toEqual([
            'Use existing customer Beta Builders (BETA)',
            'Use existing customer Beta Builders South (BB2)',
            'Create a new customer in Unleashed'
        ]);
        // Until one is chosen, a new customer is created, with its contact shown.
        expect(q(element, 'lightning-input[data-field="newCustomerCode"]').value).toBe('BETABUILDERS');
        expect(text(q(element, '[data-id="contact-name"]'))).toContain('Ben Baxter');

        change(matches, { value: 'BETA' });
        await flushPromises();
        expect(q(element, 'lightning-input[data-field="newCustomerCode"]')).toBeNull();
        expect(q(element, '[data-id="contact-name"]')).toBeNull();
        await click(element, 'next');
        await click(element, 'next');
        const choices = JSON.parse(previewOrder.mock.calls[0][0].choicesJson);
        expect({ customerCode: choices.customerCode, newCustomerCode: choices.newCustomerCode }).toEqual({
            customerCode: 'BETA',
            newCustomerCode: null
        });
    });

    it('shows the notices and the blocking problems in the middleware’s words, with no Try again', async () => {
        getSendContext.mockResolvedValue(
            context({
                blocking: [
                    "Line 2 (Bolt M6) has a quantity of 0. Enter a quantity greater than 0 on the Opportunity's product line, or remove the line."
                ],
                notices: ['Left out because you cannot read them: Account Phone.']
            })
        );
        const element = await mount();
        expect(q(element, 'lightning-progress-indicator').currentStep).toBe('warehouse');
        expect(errorText(element, 'blocking')).toContain('Line 2 (Bolt M6) has a quantity of 0.');
        expect(errorText(element, 'blocking')).not.toMatch(/body\.|lines\.\d/);
        expect(errorAlert(element, 'blocking').querySelector('lightning-button')).toBeNull();
        expect(text(q(element, '[data-id="notices"]'))).toBe(
            'Left out because you cannot read them: Account Phone.'
        );
        expect(q(element, 'lightning-button[data-id="next"]').disabled).toBe(true);
    });

    it('shows list price, discount and net price, and the rounding note in words', async () => {
        getSendContext.mockResolvedValue(context());
        previewOrder.mockResolvedValue({
            ...PREVIEW,
            lines: [{ ...PREVIEW.lines[0], listPrice: '19.99', discountPercent: '7.5', unitPrice: '18.49' }],
            amountNote:
                "Unleashed's subtotal 55.47 differs from the Opportunity's 55.46 by 0.01 NZD: Unleashed rounds each line's discounted unit price to cents before multiplying by the quantity, Salesforce multiplies first."
        });
        const element = await mount();
        await goToReview(element);
        const table = q(element, 'c-unleashed-order-lines[data-id="preview-lines"]').shadowRoot.querySelector(
            'table[data-id="lines"]'
        );
        const headers = [...table.querySelectorAll('thead th')].map((th) => th.textContent.trim());
        expect(headers).toEqual(expect.arrayContaining(['List price', 'Discount %', 'Net price']));
        const cell = (field) =>
            table.querySelector(`tbody tr td[data-field="${field}"] lightning-formatted-number`).value;
        expect([cell('listPrice'), cell('discountPercent'), cell('unitPrice')]).toEqual([
            '19.99',
            '7.5',
            '18.49'
        ]);
        expect(text(q(element, '[data-id="amount-note"]'))).toContain('Unleashed rounds each line');
    });

    it('offers the sales order groups and sends the one chosen', async () => {
        getSendContext.mockResolvedValue({
            ...context(),
            salesOrderGroups: [{ value: 'Trade', label: 'Trade', detail: null, isDefault: true }],
            defaults: { ...context().defaults, salesOrderGroup: 'Trade' }
        });
        previewOrder.mockResolvedValue(PREVIEW);
        const element = await mount();
        // Warehouse, customer, then the details step with the delivery method and the group.
        await click(element, 'next');
        await click(element, 'next');
        const group = q(element, 'lightning-combobox[data-field="salesOrderGroup"]');
        expect(group.value).toBe('Trade');
        expect(group.options.map((o) => o.label)).toEqual(['No sales order group', 'Trade']);
        change(group, { value: '' });
        await click(element, 'next');
        expect(JSON.parse(previewOrder.mock.calls[0][0].choicesJson).salesOrderGroup).toBeNull();
    });

    it("shows the customer's Unleashed prices beside the Opportunity's and previews them when chosen", async () => {
        getSendContext.mockResolvedValue(context());
        const differing = {
            ...PREVIEW,
            lines: [
                {
                    ...PREVIEW.lines[0],
                    unitPrice: '19.99',
                    customerPrice: '17.50',
                    customerPriceDiffers: true
                },
                {
                    ...PREVIEW.lines[0],
                    lineNumber: '2',
                    productCode: 'GADGET-100',
                    unitPrice: '149',
                    customerPrice: '129.5',
                    customerPriceDiffers: true
                }
            ],
            customerPricesDiffer: true,
            usingUnleashedPrices: false
        };
        previewOrder.mockResolvedValueOnce(differing);
        previewOrder.mockResolvedValueOnce({
            ...differing,
            lines: [{ ...differing.lines[0], unitPrice: '17.5', customerPriceDiffers: false }],
            customerPricesDiffer: false,
            usingUnleashedPrices: true
        });
        const element = await mount();
        await goToReview(element);
        const box = q(element, '[data-id="customer-prices"]');
        expect([...box.querySelectorAll('[data-id="customer-price"]')].map(text)).toEqual([
            `${PREVIEW.lines[0].productCode}: 19.99 on the Opportunity, 17.50 in Unleashed`,
            // Prices as a rep reads them: two decimals at least, the exact digits kept.
            'GADGET-100: 149.00 on the Opportunity, 129.50 in Unleashed'
        ]);
        const toggle = q(element, 'lightning-input[data-id="use-unleashed-prices"]');
        toggle.checked = true;
        toggle.dispatchEvent(new CustomEvent('change', { detail: { checked: true } }));
        await flushPromises();
        expect(previewOrder).toHaveBeenCalledTimes(2);
        expect(JSON.parse(previewOrder.mock.calls[1][0].choicesJson).useUnleashedPrices).toBe(true);
        expect(text(q(element, '[data-id="customer-prices"]'))).toMatch(
            /^The lines carry the prices Unleashed/
        );
    });

    it('names a Salesforce Order as an Order, without the Opportunity stock panel', async () => {
        const ORDER_ID = '801000000000001AAA';
        getSendContext.mockResolvedValue(
            context({ opportunityId: ORDER_ID, blocking: ['The Order has no product lines.'] })
        );
        const element = createElement('c-unleashed-send-order', { is: UnleashedSendOrder });
        element.recordId = ORDER_ID;
        document.body.appendChild(element);
        await flushPromises();
        expect(getSendContext).toHaveBeenCalledWith({ opportunityId: ORDER_ID });
        expect(q(element, '[data-id="blocking"]').title).toBe('This order cannot be sent yet:');
        expect(q(element, 'c-unleashed-stock-panel')).toBeNull();
        expect(getOpportunityStock).not.toHaveBeenCalled();

        getSendContext.mockResolvedValue(context({ opportunityId: ORDER_ID, account: null }));
        const noAccount = createElement('c-unleashed-send-order', { is: UnleashedSendOrder });
        noAccount.objectApiName = 'Order';
        noAccount.recordId = ORDER_ID;
        document.body.appendChild(noAccount);
        await flushPromises();
        await click(noAccount, 'next');
        expect(text(q(noAccount, '[data-step="customer"]'))).toContain(
            'This order has no account. Add an account before sending it to Unleashed.'
        );
    });

    it("compares an Order's prices with the customer's Unleashed prices in the Order's words", async () => {
        getSendContext.mockResolvedValue(context());
        previewOrder.mockResolvedValue({
            ...PREVIEW,
            lines: [{ ...PREVIEW.lines[0], customerPrice: '17.50', customerPriceDiffers: true }],
            customerPricesDiffer: true,
            usingUnleashedPrices: false
        });
        const element = createElement('c-unleashed-send-order', { is: UnleashedSendOrder });
        element.objectApiName = 'Order';
        element.recordId = '801000000000002AAA';
        document.body.appendChild(element);
        await flushPromises();
        await goToReview(element);
        const box = q(element, '[data-id="customer-prices"]');
        expect(text(box)).toContain("Unleashed charges this customer other prices than the Order's:");
        expect(text(box.querySelector('[data-id="customer-price"]'))).toBe(
            'SKU1: 19.99 on the Order, 17.50 in Unleashed'
        );
        expect(q(element, 'lightning-input[data-id="use-unleashed-prices"]').messageToggleInactive).toBe(
            "Order's prices"
        );
        expect(text(q(element, '[data-id="amount-differs"]').parentElement)).toMatch(/^Order amount/);
    });

    it('sends only once every confirmation is ticked, with their keys', async () => {
        getSendContext.mockResolvedValue(context());
        previewOrder.mockResolvedValue({
            ...PREVIEW,
            confirmations: [
                {
                    key: 'large-quantity:00k1',
                    message: 'Line 1 (Widget) orders 3000 units. Confirm the quantity.'
                },
                { key: 'large-total', message: 'The order totals 150000.00 NZD. Confirm the total.' }
            ]
        });
        sendOrder.mockResolvedValue(RESULT);
        const element = await mount();
        await goToReview(element);
        const boxes = () => [
            ...element.shadowRoot.querySelectorAll('[data-id="confirmations"] lightning-input')
        ];
        expect(boxes().map((b) => [b.type, b.label, b.required, b.checked])).toEqual([
            ['checkbox', 'Line 1 (Widget) orders 3000 units. Confirm the quantity.', true, false],
            ['checkbox', 'The order totals 150000.00 NZD. Confirm the total.', true, false]
        ]);
        const send = () => q(element, 'lightning-button[data-id="send"]');
        expect(send().disabled).toBe(true);
        expect(text(q(element, '[data-id="confirm-hint"]'))).toBe(
            'Tick each confirmation to send the order.'
        );

        boxes()[0].dispatchEvent(new CustomEvent('change', { detail: { checked: true } }));
        await flushPromises();
        expect(send().disabled).toBe(true);
        send().click();
        await flushPromises();
        expect(sendOrder).not.toHaveBeenCalled();

        boxes()[1].dispatchEvent(new CustomEvent('change', { detail: { checked: true } }));
        await flushPromises();
        expect(send().disabled).toBe(false);
        expect(q(element, '[data-id="confirm-hint"]')).toBeNull();
        // The preview is asked without them, so it keeps listing them.
        expect(JSON.parse(previewOrder.mock.calls[0][0].choicesJson).confirmed).toEqual([]);
        send().click();
        await flushPromises();
        expect(JSON.parse(sendOrder.mock.calls[0][0].choicesJson).confirmed).toEqual([
            'large-quantity:00k1',
            'large-total'
        ]);
    });

    it('closes from Cancel', async () => {
        getSendContext.mockResolvedValue(context());
        const element = await mount();
        const closeHandler = jest.fn();
        element.addEventListener('lightning__actionsclosescreen', closeHandler);
        await click(element, 'cancel');
        expect(closeHandler).toHaveBeenCalledTimes(1);
    });
});
