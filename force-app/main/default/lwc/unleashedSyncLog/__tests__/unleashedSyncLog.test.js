import { createElement } from 'lwc';
import UnleashedSyncLog from 'c/unleashedSyncLog';
import getSyncLogs from '@salesforce/apex/UnleashedSyncLogController.getSyncLogs';
import retrySync from '@salesforce/apex/UnleashedSyncLogController.retrySync';
import { registerRefreshHandler } from 'lightning/refresh';
import { errorAlert, errorText, clickRetry } from '../../../../../test/jest-utils/errorPanel';

jest.mock('@salesforce/apex/UnleashedSyncLogController.getSyncLogs', () => ({ default: jest.fn() }), {
    virtual: true
});
jest.mock('@salesforce/apex/UnleashedSyncLogController.retrySync', () => ({ default: jest.fn() }), {
    virtual: true
});

const FAILED = {
    id: 'a02000000000001AAA',
    name: 'LOG-000001',
    operation: 'Send Order',
    recordId: '006000000000001AAA',
    status: 'Error',
    errorText: 'Unleashed answered 400: Tax code G.S.T. is obsolete',
    requestSummary: 'POST /v1/sales-orders',
    attempts: 1,
    occurredAt: '2026-03-01T10:00:00.000Z',
    canRetry: true
};
const OK = {
    id: 'a02000000000002AAA',
    name: 'LOG-000002',
    operation: 'Import',
    recordId: null,
    status: 'Success',
    errorText: null,
    attempts: 1,
    occurredAt: '2026-03-01T09:00:00.000Z',
    canRetry: false
};

function flushPromises() {
    // eslint-disable-next-line @lwc/lwc/no-async-operation
    return new Promise((resolve) => setTimeout(resolve, 0));
}

function text(node) {
    return node.textContent.replace(/\s+/g, ' ').trim();
}

const q = (element, selector) => element.shadowRoot.querySelector(selector);

async function mount() {
    const element = createElement('c-unleashed-sync-log', { is: UnleashedSyncLog });
    document.body.appendChild(element);
    await flushPromises();
    return element;
}

/** Clicks a row's Retry button (enabled or not: a disabled one must do nothing). */
function rowAction(element, row) {
    const button = q(element, `tr[data-row="${row.id}"] lightning-button[data-id="retry"]`);
    button.dispatchEvent(new CustomEvent('click'));
}

/** The table's rows, each as its cells' text by field. */
function tableRows(element) {
    return [...element.shadowRoot.querySelectorAll('table[data-id="logs"] tbody tr')];
}

describe('c-unleashed-sync-log', () => {
    afterEach(() => {
        while (document.body.firstChild) {
            document.body.removeChild(document.body.firstChild);
        }
        jest.clearAllMocks();
    });

    it('shows a spinner while loading', async () => {
        let resolve;
        getSyncLogs.mockReturnValue(new Promise((r) => (resolve = r)));
        const element = createElement('c-unleashed-sync-log', { is: UnleashedSyncLog });
        document.body.appendChild(element);
        await Promise.resolve();
        expect(q(element, 'lightning-spinner').alternativeText).toBe('Loading sync log');
        resolve([]);
        await flushPromises();
        expect(q(element, 'lightning-spinner')).toBeNull();
    });

    it('lists the log rows with a record link, status icon and error text', async () => {
        getSyncLogs.mockResolvedValue([FAILED, OK]);
        const element = await mount();
        expect(getSyncLogs).toHaveBeenCalledWith({ limitSize: 100, status: null });
        const table = q(element, 'table[data-id="logs"]');
        expect([...table.querySelectorAll('thead th')].map((th) => text(th))).toEqual([
            'Time',
            'Operation',
            'Record',
            'Status',
            'Error',
            'Attempts',
            'Log',
            'Actions'
        ]);
        const [failed, ok] = tableRows(element);
        const cell = (row, field) => row.querySelector(`td[data-field="${field}"]`);
        expect(text(cell(failed, 'operation'))).toBe('Send Order');
        expect(cell(failed, 'record').querySelector('a').getAttribute('href')).toBe(
            '/lightning/r/006000000000001AAA/view'
        );
        expect(text(cell(failed, 'status'))).toBe('Error');
        expect(cell(failed, 'status').querySelector('lightning-icon').iconName).toBe('utility:error');
        expect(cell(failed, 'status').querySelector('lightning-icon').alternativeText).toBe('Error');
        expect(text(cell(failed, 'errorText'))).toBe('Unleashed answered 400: Tax code G.S.T. is obsolete');
        expect(text(cell(failed, 'attempts'))).toBe('1');
        // Each cell carries its label for the stacked layout of a narrow page.
        expect(cell(failed, 'errorText').dataset.label).toBe('Error');
        expect(cell(ok, 'record').querySelector('a')).toBeNull();
        expect(cell(ok, 'status').querySelector('lightning-icon').iconName).toBe('utility:success');
    });

    it('offers Retry only on rows that can be retried', async () => {
        getSyncLogs.mockResolvedValue([FAILED, OK]);
        const element = await mount();
        const [failed, ok] = tableRows(element).map((r) =>
            r.querySelector('lightning-button[data-id="retry"]')
        );
        expect([failed.label, failed.disabled]).toEqual(['Retry', false]);
        expect(ok.disabled).toBe(true);
        expect(ok.title).toBe('Only a failed order send can be retried');
    });

    it('filters by status', async () => {
        getSyncLogs.mockResolvedValue([FAILED, OK]);
        const element = await mount();
        const filter = q(element, 'lightning-combobox[data-id="status-filter"]');
        expect(filter.label).toBe('Status');
        expect(filter.options.map((o) => o.value)).toEqual(['', 'Success', 'Error']);
        getSyncLogs.mockResolvedValue([FAILED]);
        filter.dispatchEvent(new CustomEvent('change', { detail: { value: 'Error' } }));
        await flushPromises();
        expect(getSyncLogs).toHaveBeenLastCalledWith({ limitSize: 100, status: 'Error' });
        expect(tableRows(element)).toHaveLength(1);
    });

    it('says when there is nothing to show', async () => {
        getSyncLogs.mockResolvedValue([]);
        const element = await mount();
        expect(text(q(element, '[data-id="empty"]'))).toBe('No sync log entries yet.');
        q(element, 'lightning-combobox').dispatchEvent(
            new CustomEvent('change', { detail: { value: 'Error' } })
        );
        await flushPromises();
        expect(text(q(element, '[data-id="empty"]'))).toBe('No sync log entries with status Error.');
        expect(q(element, 'table[data-id="logs"]')).toBeNull();
    });

    it('shows the Apex error', async () => {
        getSyncLogs.mockRejectedValue({ body: { message: 'Insufficient privileges' } });
        const element = await mount();
        expect(errorText(element, 'error')).toBe('Could not load the sync log: Insufficient privileges');
        expect(q(element, '[data-id="empty"]')).toBeNull();
    });

    it('loads again from the error with Try again', async () => {
        getSyncLogs.mockRejectedValueOnce({ body: { message: 'Read timed out' } });
        const element = await mount();
        expect(errorText(element, 'error')).toBe('Could not load the sync log: Read timed out');

        getSyncLogs.mockResolvedValueOnce([FAILED, OK]);
        clickRetry(element, 'error');
        await flushPromises();
        expect(getSyncLogs).toHaveBeenCalledTimes(2);
        expect(errorAlert(element, 'error')).toBeNull();
        expect(tableRows(element)).toHaveLength(2);
    });

    it('retries a failed row once, toasts the outcome and reloads', async () => {
        getSyncLogs.mockResolvedValue([FAILED, OK]);
        let resolveRetry;
        retrySync.mockReturnValue(new Promise((r) => (resolveRetry = r)));
        const element = await mount();
        const toasts = [];
        element.addEventListener('lightning__showtoast', (e) => toasts.push(e.detail));

        rowAction(element, FAILED);
        rowAction(element, FAILED);
        expect(retrySync).toHaveBeenCalledTimes(1);
        expect(retrySync).toHaveBeenCalledWith({ logId: FAILED.id });

        getSyncLogs.mockResolvedValue([
            { ...FAILED, id: 'a02000000000003AAA', status: 'Success', canRetry: false },
            FAILED,
            OK
        ]);
        resolveRetry({
            ...FAILED,
            id: 'a02000000000003AAA',
            name: 'LOG-000003',
            status: 'Success',
            errorText: null
        });
        await flushPromises();
        expect(toasts).toEqual([
            { title: 'Retry succeeded', message: 'Send Order succeeded (LOG-000003).', variant: 'success' }
        ]);
        expect(getSyncLogs).toHaveBeenCalledTimes(2);
        expect(tableRows(element)).toHaveLength(3);
    });

    it('toasts the error text when the retry fails again or throws', async () => {
        getSyncLogs.mockResolvedValue([FAILED]);
        retrySync.mockResolvedValueOnce({ ...FAILED, id: 'x', status: 'Error', errorText: 'Still obsolete' });
        const element = await mount();
        const toasts = [];
        element.addEventListener('lightning__showtoast', (e) => toasts.push(e.detail));
        rowAction(element, FAILED);
        await flushPromises();
        expect(toasts[0]).toEqual({ title: 'Retry failed', message: 'Still obsolete', variant: 'error' });

        retrySync.mockRejectedValueOnce({ body: { message: 'Nothing to retry: the payload is gone' } });
        rowAction(element, FAILED);
        await flushPromises();
        expect(toasts[1]).toEqual({
            title: 'Retry failed',
            message: 'Nothing to retry: the payload is gone',
            variant: 'error'
        });
    });

    it('does not retry a row that cannot be retried', async () => {
        getSyncLogs.mockResolvedValue([OK]);
        const element = await mount();
        rowAction(element, OK);
        await flushPromises();
        expect(retrySync).not.toHaveBeenCalled();
    });

    it('reloads on refresh', async () => {
        getSyncLogs.mockResolvedValue([OK]);
        const element = await mount();
        q(element, '[data-id="refresh"]').click();
        await flushPromises();
        expect(getSyncLogs).toHaveBeenCalledTimes(2);
    });

    it('reloads when the page refreshes (after an import or a send)', async () => {
        getSyncLogs.mockResolvedValue([OK]);
        await mount();
        const [registered, handler] = registerRefreshHandler.mock.calls.at(-1);
        getSyncLogs.mockResolvedValue([FAILED, OK]);
        await expect(handler.call(registered)).resolves.toBe(true);
        await flushPromises();
        expect(getSyncLogs).toHaveBeenCalledTimes(2);
    });
});
