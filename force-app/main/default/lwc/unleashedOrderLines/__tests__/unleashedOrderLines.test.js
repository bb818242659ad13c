import { createElement } from 'lwc';
import UnleashedOrderLines from 'c/unleashedOrderLines';

const LINE = {
    lineNumber: 1,
    productCode: 'SKU1',
    description: 'Widget',
    quantity: '3',
    unitPrice: '19.99',
    discountPercent: '0',
    taxCode: 'G.S.T.',
    taxRate: '0.15',
    lineTotal: '59.97',
    lineTax: '9.00'
};

const q = (element, selector) => element.shadowRoot.querySelector(selector);
const fields = (table) => table.columns.map((c) => c.fieldName);

function mount(props) {
    const element = createElement('c-unleashed-order-lines', { is: UnleashedOrderLines });
    Object.assign(element, {
        currencyCode: 'NZD',
        subTotal: '59.97',
        taxTotal: '9.00',
        total: '68.97',
        ...props
    });
    document.body.appendChild(element);
    return element;
}

describe('c-unleashed-order-lines', () => {
    afterEach(() => {
        while (document.body.firstChild) {
            document.body.removeChild(document.body.firstChild);
        }
    });

    it('lists the lines with money in the order currency and the exact totals', () => {
        const element = mount({ lines: [LINE] });
        const table = q(element, 'lightning-datatable[data-id="lines"]');
        expect(table.data).toEqual([
            expect.objectContaining({ key: '1', lineNumber: '1', lineTotal: '59.97' })
        ]);
        expect(fields(table)).toEqual([
            'lineNumber',
            'productCode',
            'description',
            'quantity',
            'unitPrice',
            'lineTotal',
            'lineTax'
        ]);
        expect(table.columns.find((c) => c.fieldName === 'unitPrice').label).toBe('Unit price');
        for (const column of table.columns.filter((c) => c.type === 'currency')) {
            expect(column.typeAttributes.currencyCode).toBe('NZD');
        }
        expect(q(element, '[data-id="sub-total"]').value).toBe('59.97');
        expect(q(element, '[data-id="tax-total"]').value).toBe('9.00');
        expect(q(element, '[data-id="total"]').value).toBe('68.97');
        expect(q(element, '[data-id="total"]').currencyCode).toBe('NZD');
        expect(q(element, '[data-id="no-lines"]')).toBeNull();
    });

    it('shows the list price, the discount and the net price, and the tax code with its rate for the preview', () => {
        const element = mount({
            lines: [
                { ...LINE, listPrice: '19.99', discountPercent: '7.5', unitPrice: '18.49' },
                { ...LINE, lineNumber: null, taxCode: null }
            ],
            showLineTax: true
        });
        const table = q(element, 'lightning-datatable[data-id="lines"]');
        expect(fields(table)).toEqual([
            'lineNumber',
            'productCode',
            'description',
            'quantity',
            'listPrice',
            'discountPercent',
            'unitPrice',
            'taxText',
            'lineTotal',
            'lineTax'
        ]);
        const label = (field) => table.columns.find((c) => c.fieldName === field).label;
        expect([label('listPrice'), label('discountPercent'), label('unitPrice')]).toEqual([
            'List price',
            'Discount %',
            'Net price'
        ]);
        expect(table.data[0]).toMatchObject({
            listPrice: '19.99',
            discountPercent: '7.5',
            unitPrice: '18.49'
        });
        expect(table.data[0].taxText).toBe('G.S.T. (15%)');
        expect(table.data[1]).toMatchObject({ key: '2', lineNumber: '2', taxText: '' });
    });

    it('says when the order has no lines', () => {
        const element = mount({ lines: [] });
        expect(q(element, 'lightning-datatable')).toBeNull();
        expect(q(element, '[data-id="no-lines"]').textContent).toBe('The order has no lines.');
    });
});
