import { createElement } from 'lwc';
import UnleashedFulfilment from 'c/unleashedFulfilment';

const SHIPMENTS = [
    {
        id: 'a01000000000001AAA',
        shipmentNumber: 'SS-00000031',
        status: 'Dispatched',
        dispatchDate: '2026-12-03',
        courier: 'NZ Post',
        trackingNumber: 'LP123456789NZ',
        trackingUrl: 'https://www.nzpost.co.nz/tools/tracking/item/LP123456789NZ',
        lines: [
            { lineNumber: '1', orderLineNumber: '1', productCode: 'WIDGET', quantity: '2.5' },
            { lineNumber: '2', orderLineNumber: '2', productCode: 'GADGET', quantity: '1' }
        ]
    },
    {
        id: 'a01000000000002AAA',
        shipmentNumber: 'SS-00000032',
        status: 'Packed',
        dispatchDate: null,
        courier: 'Local Van',
        trackingNumber: 'VAN-7',
        trackingUrl: null,
        lines: []
    }
];

const INVOICES = [
    {
        id: 'a02000000000001AAA',
        invoiceNumber: 'SI-00000012',
        status: 'Completed',
        invoiceDate: '2026-12-04',
        dueDate: '2027-01-20',
        currencyCode: 'NZD',
        subTotal: '68.64',
        taxTotal: '10.30',
        total: '78.94'
    }
];

const all = (element, selector) => Array.from(element.shadowRoot.querySelectorAll(selector));
const q = (element, selector) => element.shadowRoot.querySelector(selector);
const text = (node) => node.textContent.replace(/\s+/g, ' ').trim();

function mount(props) {
    const element = createElement('c-unleashed-fulfilment', { is: UnleashedFulfilment });
    Object.assign(element, props);
    document.body.appendChild(element);
    return element;
}

describe('c-unleashed-fulfilment', () => {
    afterEach(() => {
        while (document.body.firstChild) {
            document.body.removeChild(document.body.firstChild);
        }
    });

    it('links a tracking number to the courier page only when its URL is known', () => {
        const element = mount({ shipments: SHIPMENTS, invoices: [] });
        const rows = all(element, '[data-id="shipment"]');
        expect(rows).toHaveLength(2);

        const link = rows[0].querySelector('[data-id="tracking-link"]');
        expect(link.href).toBe('https://www.nzpost.co.nz/tools/tracking/item/LP123456789NZ');
        expect(link.target).toBe('_blank');
        expect(link.rel).toBe('noopener noreferrer');
        expect(text(link)).toBe('LP123456789NZ');
        expect(link.getAttribute('aria-label')).toBe('Track LP123456789NZ with NZ Post (opens a new tab)');

        expect(rows[1].querySelector('[data-id="tracking-link"]')).toBeNull();
        expect(text(rows[1].querySelector('[data-id="tracking-number"]'))).toBe('VAN-7');
        expect(text(rows[1].querySelector('[data-id="dispatch-date"]'))).toBe('Not yet');
    });

    it('shows the number, status, courier and shipped quantity per line', () => {
        const element = mount({ shipments: SHIPMENTS, invoices: [] });
        const first = all(element, '[data-id="shipment"]')[0];
        expect(text(first.querySelector('[data-id="shipment-number"]'))).toBe('Shipment SS-00000031');
        expect(first.querySelector('[data-id="shipment-status"]').label).toBe('Dispatched');
        expect(text(first.querySelector('[data-id="courier"]'))).toBe('NZ Post');
        expect(Array.from(first.querySelectorAll('[data-id="shipped-line"]')).map((li) => text(li))).toEqual([
            'WIDGET × 2.5',
            'GADGET × 1'
        ]);
        expect(first.querySelector('lightning-formatted-date-time').value).toBe('2026-12-03');
    });

    it('shows each invoice with its dates, status and total in its currency', () => {
        const element = mount({ shipments: [], invoices: INVOICES });
        const invoice = q(element, '[data-id="invoice"]');
        expect(text(invoice.querySelector('[data-id="invoice-number"]'))).toBe('Invoice SI-00000012');
        expect(invoice.querySelector('[data-id="invoice-status"]').label).toBe('Completed');
        expect(invoice.querySelector('[data-id="invoice-date"]').value).toBe('2026-12-04');
        expect(invoice.querySelector('[data-id="due-date"]').value).toBe('2027-01-20');
        const total = invoice.querySelector('[data-id="invoice-total"]');
        expect(total.value).toBe('78.94');
        expect(total.currencyCode).toBe('NZD');
        expect(q(element, '[data-id="no-shipments"]')).not.toBeNull();
    });

    it('says when nothing has shipped or been invoiced', () => {
        const element = mount({ shipments: undefined, invoices: undefined });
        expect(text(q(element, '[data-id="no-shipments"]'))).toBe('Nothing has shipped yet.');
        expect(text(q(element, '[data-id="no-invoices"]'))).toBe('Not invoiced yet.');
        expect(all(element, '[data-id="shipment"]')).toHaveLength(0);
    });
});
