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
const fields = (table) => [...table.querySelectorAll('thead th')].map((th) => th.dataset.field);
/** The cells of one line by field: the text, or the formatted number's value and currency. */
function line(table, n) {
    const cells = [...table.querySelectorAll('tbody tr')[n].querySelectorAll('td')];
    return Object.fromEntries(
        cells.map((td) => {
            const number = td.querySelector('lightning-formatted-number');
            return [
                td.dataset.field,
                number
                    ? { value: number.value, style: number.formatStyle, currency: number.currencyCode }
                    : td.textContent.trim()
            ];
        })
    );
}

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
        const table = q(element, 'table[data-id="lines"]');
        expect(table.querySelectorAll('tbody tr')).toHaveLength(1);
        expect(line(table, 0)).toMatchObject({
            lineNumber: '1',
            productCode: 'SKU1',
            description: 'Widget',
            quantity: { value: '3', style: 'decimal' },
            lineTotal: { value: '59.97', style: 'currency', currency: 'NZD' },
            lineTax: { value: '9.00', style: 'currency', currency: 'NZD' }
        });
        // Each cell carries its column's label for the stacked layout of a narrow card.
        expect(table.querySelector('td[data-field="lineTotal"]').dataset.label).toBe('Line total');
        expect(fields(table)).toEqual([
            'lineNumber',
            'productCode',
            'description',
            'quantity',
            'unitPrice',
            'lineTotal',
            'lineTax'
        ]);
        const header = (field) => table.querySelector(`thead th[data-field="${field}"]`).textContent.trim();
        expect(header('unitPrice')).toBe('Unit price');
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
        const table = q(element, 'table[data-id="lines"]');
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
        const header = (field) => table.querySelector(`thead th[data-field="${field}"]`).textContent.trim();
        expect([header('listPrice'), header('discountPercent'), header('unitPrice')]).toEqual([
            'List price',
            'Discount %',
            'Net price'
        ]);
        expect(line(table, 0)).toMatchObject({
            listPrice: { value: '19.99', style: 'currency', currency: 'NZD' },
            discountPercent: { value: '7.5', style: 'decimal' },
            unitPrice: { value: '18.49', style: 'currency', currency: 'NZD' },
            taxText: 'G.S.T. (15%)'
        });
        expect(line(table, 1)).toMatchObject({ lineNumber: '2', taxText: '' });
    });

    it('says when the order has no lines', () => {
        const element = mount({ lines: [] });
        expect(q(element, 'table')).toBeNull();
        expect(q(element, '[data-id="no-lines"]').textContent).toBe('The order has no lines.');
    });
});
