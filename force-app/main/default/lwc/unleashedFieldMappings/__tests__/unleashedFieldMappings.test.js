import { createElement } from 'lwc';
import UnleashedFieldMappings from 'c/unleashedFieldMappings';
import getFieldMappings from '@salesforce/apex/UnleashedFieldMappingController.getFieldMappings';
import { errorText, clickRetry } from '../../../../../test/jest-utils/errorPanel';

jest.mock(
    '@salesforce/apex/UnleashedFieldMappingController.getFieldMappings',
    () => ({ default: jest.fn() }),
    { virtual: true }
);

const MAPPINGS = [
    {
        name: 'Order_PO_Number',
        label: 'Order PO Number to Customer Ref',
        target: 'CustomerRef',
        sourceObject: 'Order',
        sourceField: 'PoNumber',
        active: true,
        problem: null
    },
    {
        name: 'Order_Description',
        label: 'Order Description to Comments',
        target: 'Comments',
        sourceObject: 'Order',
        sourceField: 'Description',
        active: false,
        problem: null
    },
    {
        name: 'Typo',
        label: 'Typo',
        target: 'DeliveryInstruction',
        sourceObject: 'Opportunity',
        sourceField: 'Delivry__c',
        active: true,
        problem: 'Opportunity has no field "Delivry__c". Use the field\'s API name.'
    }
];

function flushPromises() {
    // eslint-disable-next-line @lwc/lwc/no-async-operation
    return new Promise((resolve) => setTimeout(resolve, 0));
}

const text = (node) => node.textContent.replace(/\s+/g, ' ').trim();

async function mount() {
    const element = createElement('c-unleashed-field-mappings', { is: UnleashedFieldMappings });
    document.body.appendChild(element);
    await flushPromises();
    return element;
}

describe('c-unleashed-field-mappings', () => {
    afterEach(() => {
        while (document.body.firstChild) document.body.removeChild(document.body.firstChild);
        jest.clearAllMocks();
    });

    it('lists each mapping with its status and names what is wrong with a broken one', async () => {
        getFieldMappings.mockResolvedValue(MAPPINGS);
        const element = await mount();
        const rows = [...element.shadowRoot.querySelectorAll('[data-id="mapping"]')];
        expect(rows.map((r) => text(r.querySelector('[data-id="target"]')))).toEqual([
            'Customer reference',
            'Comments',
            'Delivery instruction'
        ]);
        expect(rows.map((r) => text(r.querySelector('[data-id="source"]')))).toEqual([
            'from Order.PoNumber',
            'from Order.Description',
            'from Opportunity.Delivry__c'
        ]);
        expect(rows.map((r) => text(r.querySelector('[data-id="status"]')))).toEqual([
            'Active',
            'Inactive',
            'Not used'
        ]);
        expect(rows[0].querySelector('[data-id="problem"]')).toBeNull();
        expect(text(rows[2].querySelector('[data-id="problem"]'))).toBe(
            'Opportunity has no field "Delivry__c". Use the field\'s API name.'
        );
        expect(text(element.shadowRoot.querySelector('[data-id="summary"]'))).toBe(
            '1 mapping cannot be used and is left out of sends.'
        );
    });

    it('says where to add mappings when there are none', async () => {
        getFieldMappings.mockResolvedValue([]);
        const element = await mount();
        expect(text(element.shadowRoot.querySelector('[data-id="empty"]'))).toMatch(/^No field mappings\./);
        expect(element.shadowRoot.querySelector('[data-id="mapping"]')).toBeNull();
    });

    it('shows a load error with a retry that loads again', async () => {
        getFieldMappings.mockRejectedValueOnce({ body: { message: 'Insufficient access' } });
        getFieldMappings.mockResolvedValueOnce(MAPPINGS.slice(0, 1));
        const element = await mount();
        expect(errorText(element, 'error')).toBe('Could not load the field mappings: Insufficient access');
        clickRetry(element, 'error');
        await flushPromises();
        expect(getFieldMappings).toHaveBeenCalledTimes(2);
        expect(element.shadowRoot.querySelectorAll('[data-id="mapping"]')).toHaveLength(1);
        expect(text(element.shadowRoot.querySelector('[data-id="summary"]'))).toBe(
            'Every mapping can be used.'
        );
    });
});
