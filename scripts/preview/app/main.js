// The preview shell: Salesforce-like pages (record pages, an admin tab) that host the package's real
// components. Routes follow Lightning Experience URLs so links read like the real thing.
import { createElement } from 'lwc';

let registry = {};

function h(tag, attrs = {}, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
        if (k === 'class') el.className = v;
        else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
        else el.setAttribute(k, v);
    }
    for (const c of children.flat()) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
    return el;
}

/** Mounts a package component by tag, or says plainly that this build does not have it. */
function mount(tag, props = {}) {
    const ctor = registry[tag];
    if (!ctor) {
        return h(
            'div',
            { class: 'slds-box slds-theme_shade', 'data-missing': tag },
            `${tag} is not part of this build`
        );
    }
    const el = createElement(tag, { is: ctor });
    Object.assign(el, props);
    return el;
}

async function bridge(path) {
    const res = await fetch(`/__bridge/${path}`);
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return res.json();
}

function recordHeader(record, actions = []) {
    return h(
        'div',
        { class: 'slds-page-header slds-page-header_record-home' },
        h(
            'div',
            { class: 'slds-page-header__row slds-wrap', style: 'gap:.5rem' },
            h(
                'div',
                { class: 'slds-page-header__col-title' },
                h('span', { class: 'slds-text-title_caps' }, record.objectLabel),
                h('h1', { class: 'slds-page-header__title', 'data-id': 'record-name' }, record.name)
            ),
            h('div', { class: 'slds-page-header__col-actions slds-grid', style: 'gap:.5rem' }, actions)
        ),
        h(
            'ul',
            // The highlights wrap onto more rows on a narrow page, as on a phone.
            {
                class: 'slds-page-header__detail-row slds-grid slds-wrap',
                style: 'gap:.5rem 2rem;list-style:none'
            },
            (record.highlights ?? []).map((f) =>
                h('li', {}, h('div', { class: 'slds-text-title' }, f.label), h('div', {}, f.value ?? '—'))
            )
        )
    );
}

/**
 * A screen quick action as Lightning Experience shows it: the component inside the modal container.
 * The component brings its own header, body and footer (slds-modal__header/__content/__footer).
 */
function openQuickAction(title, content) {
    const close = () => {
        modal.remove();
        backdrop.remove();
    };
    const modal = h(
        'section',
        {
            role: 'dialog',
            'aria-modal': 'true',
            'aria-label': title,
            class: 'slds-modal slds-fade-in-open preview-modal'
        },
        h(
            'div',
            { class: 'slds-modal__container' },
            h(
                'button',
                {
                    class: 'slds-button slds-modal__close',
                    title: 'Close',
                    'aria-label': 'Close',
                    'data-id': 'quick-action-close',
                    onclick: close
                },
                '✕'
            ),
            content
        )
    );
    const backdrop = h('div', { class: 'slds-backdrop slds-backdrop_open', role: 'presentation' });
    modal.addEventListener('lightning__actionsclosescreen', close);
    document.body.append(modal, backdrop);
}

async function homePage(page) {
    const data = await bridge('records');
    const list = (title, rows, type) =>
        h(
            'article',
            { class: 'slds-card slds-p-around_medium' },
            h('h2', { class: 'slds-text-heading_small slds-m-bottom_small' }, title),
            h(
                'ul',
                { class: 'slds-list_dotted' },
                rows.map((r) =>
                    h(
                        'li',
                        {},
                        h('a', { href: `/lightning/r/${type}/${r.id}/view` }, r.name),
                        r.detail ? ` — ${r.detail}` : ''
                    )
                )
            )
        );
    page.append(
        h(
            'div',
            { class: 'preview-columns' },
            list('Accounts', data.accounts ?? [], 'Account'),
            list('Opportunities', data.opportunities, 'Opportunity'),
            list('Orders', data.orders ?? [], 'Order'),
            list('Products', data.products, 'Product2')
        )
    );
}

/** An Account's record page: the customer's Unleashed sales orders and invoices from every channel. */
async function accountPage(page, id) {
    const record = await bridge(`record/${id}`);
    page.append(
        recordHeader(record),
        h('div', { class: 'preview-columns' }, mount('c-unleashed-account-history', { recordId: id }))
    );
}

async function productPage(page, id) {
    const record = await bridge(`record/${id}`);
    page.append(
        recordHeader(record),
        h(
            'div',
            { class: 'preview-columns' },
            mount('c-unleashed-stock-panel', { recordId: id, objectApiName: 'Product2' })
        )
    );
}

/**
 * The Send to Unleashed quick action of an Opportunity or an Order and the record header it refreshes:
 * the record page re-reads its record after a RefreshEvent (the send action fires one).
 */
async function sendableHeader(id, objectApiName) {
    const record = await bridge(`record/${id}`);
    const send = h(
        'button',
        {
            class: 'slds-button slds-button_brand',
            'data-id': 'send-to-unleashed',
            onclick: () =>
                openQuickAction(
                    'Send to Unleashed',
                    mount('c-unleashed-send-order', { recordId: id, objectApiName })
                )
        },
        'Send to Unleashed'
    );
    const actions = [send, demoControls(id)];
    let header = recordHeader(record, actions);
    window.addEventListener('lightning__refreshevent', async () => {
        const fresh = recordHeader(await bridge(`record/${id}`), actions);
        header.replaceWith(fresh);
        header = fresh;
    });
    return header;
}

/** A Salesforce Order's record page: its highlights and the Send to Unleashed action. */
async function orderPage(page, id) {
    page.append(await sendableHeader(id, 'Order'));
}

async function opportunityPage(page, id) {
    const header = await sendableHeader(id, 'Opportunity');
    page.append(
        header,
        h(
            'div',
            { class: 'preview-columns' },
            mount('c-unleashed-stock-panel', { recordId: id, objectApiName: 'Opportunity' }),
            h('div', { class: 'preview-stack' }, mount('c-unleashed-sales-order', { recordId: id }))
        )
    );
}

async function adminPage(page) {
    page.append(
        h(
            'div',
            { class: 'slds-page-header' },
            h('h1', { class: 'slds-page-header__title' }, 'Unleashed Admin')
        ),
        h('div', { class: 'preview-columns' }, mount('c-unleashed-import'), mount('c-unleashed-setup')),
        // The log's table needs the page's full width for its fixed columns and the error text.
        mount('c-unleashed-sync-log'),
        mount('c-unleashed-field-mappings')
    );
}

/**
 * The demo only (not part of the package): play the warehouse's side of the record's order in the
 * Unleashed simulator, so a user can watch its status, shipment and invoice come back.
 */
function demoControls(id) {
    const act = (action, label) =>
        h(
            'button',
            {
                class: 'slds-button slds-button_neutral',
                'data-id': `demo-${action}`,
                title: `Demo: ${label} in the Unleashed simulator`,
                onclick: async () => {
                    const res = await fetch(`/__bridge/demo/unleashed/${id}/${action}`, { method: 'POST' });
                    const body = await res.json().catch(() => ({}));
                    showToast({
                        detail: res.ok
                            ? {
                                  title: `In Unleashed (simulator): ${label}`,
                                  message:
                                      'Salesforce hears of it within 30 seconds; refresh the sales order to see it.',
                                  variant: 'success'
                              }
                            : {
                                  title: `Could not ${label.toLowerCase()} the order`,
                                  message: body.message ?? '',
                                  variant: 'error'
                              }
                    });
                }
            },
            label
        );
    return h(
        'div',
        { class: 'slds-button-group', role: 'group', 'aria-label': 'Demo: in Unleashed' },
        act('place', 'Place'),
        act('ship', 'Ship'),
        act('invoice', 'Invoice')
    );
}

function showToast(event) {
    const { title, message, variant = 'info' } = event.detail ?? {};
    const toast = h(
        'div',
        {
            class: `slds-notify slds-notify_toast slds-theme_${variant}`,
            role: 'status',
            'data-toast': variant
        },
        h(
            'div',
            { class: 'slds-notify__content' },
            h('h2', { class: 'slds-text-heading_small' }, title ?? ''),
            h('p', {}, message ?? '')
        )
    );
    document.getElementById('toasts').append(toast);
    setTimeout(() => toast.remove(), 6000);
}

export async function startPreview(components) {
    registry = components;
    window.addEventListener('lightning__showtoast', showToast);
    const page = document.getElementById('page');
    const path = window.location.pathname;
    let m;
    try {
        if ((m = path.match(/^\/lightning\/r\/Product2\/(\w+)\/view$/))) await productPage(page, m[1]);
        else if ((m = path.match(/^\/lightning\/r\/Account\/(\w+)\/view$/))) await accountPage(page, m[1]);
        else if ((m = path.match(/^\/lightning\/r\/Opportunity\/(\w+)\/view$/)))
            await opportunityPage(page, m[1]);
        else if ((m = path.match(/^\/lightning\/r\/Order\/(\w+)\/view$/))) await orderPage(page, m[1]);
        else if (/^\/lightning\/n\/(\w+__)?Unleashed_Admin$/.test(path)) await adminPage(page);
        else await homePage(page);
        document.body.dataset.ready = 'true';
    } catch (err) {
        page.append(
            h(
                'div',
                { class: 'slds-notify slds-notify_alert slds-theme_error', role: 'alert' },
                String(err.message ?? err)
            )
        );
        document.body.dataset.ready = 'error';
    }
}
