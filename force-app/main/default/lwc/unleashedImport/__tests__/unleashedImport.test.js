import { createElement } from 'lwc';
import UnleashedImport from 'c/unleashedImport';
import getImportState from '@salesforce/apex/UnleashedImportController.getImportState';
import startImport from '@salesforce/apex/UnleashedImportController.startImport';
import getImportJob from '@salesforce/apex/UnleashedImportController.getImportJob';
import { errorAlert, errorText, clickRetry } from '../../../../../test/jest-utils/errorPanel';

jest.mock('@salesforce/apex/UnleashedImportController.getImportState', () => ({ default: jest.fn() }), {
    virtual: true
});
jest.mock('@salesforce/apex/UnleashedImportController.startImport', () => ({ default: jest.fn() }), {
    virtual: true
});
jest.mock('@salesforce/apex/UnleashedImportController.getImportJob', () => ({ default: jest.fn() }), {
    virtual: true
});

const ENTITIES = [
    { name: 'warehouses', label: 'Warehouses', lastRun: '2026-02-01T10:00:00.000Z' },
    { name: 'taxes', label: 'Taxes', lastRun: null },
    { name: 'salesPersons', label: 'Salespersons', lastRun: null },
    { name: 'deliveryMethods', label: 'Delivery methods', lastRun: null },
    { name: 'salesOrderGroups', label: 'Sales order groups', lastRun: null },
    { name: 'products', label: 'Products', lastRun: '2026-02-01T10:05:00.000Z' },
    { name: 'priceTiers', label: 'Price tiers', lastRun: null },
    { name: 'customers', label: 'Customers', lastRun: null }
];

const QUOTA = { used: 1234, limit: 15000, month: '2026-03', percent: 8.23 };

function state(overrides = {}) {
    return { canImport: true, entities: ENTITIES, job: null, quota: QUOTA, ...overrides };
}

function job(overrides = {}) {
    return {
        jobId: 'job-1',
        status: 'Running',
        done: 0,
        total: 500,
        percent: 0,
        created: 0,
        updated: 0,
        unchanged: 0,
        failed: 0,
        errors: [],
        startedAt: '2026-03-01T10:00:00.000Z',
        finishedAt: null,
        ...overrides
    };
}

// Fake timers also fake setTimeout, so promises are flushed through the microtask queue.
async function flush() {
    for (let i = 0; i < 10; i++) {
        // eslint-disable-next-line no-await-in-loop
        await Promise.resolve();
    }
}

function text(node) {
    return node.textContent.replace(/\s+/g, ' ').trim();
}

const q = (element, selector) => element.shadowRoot.querySelector(selector);

async function mount() {
    const element = createElement('c-unleashed-import', { is: UnleashedImport });
    document.body.appendChild(element);
    await flush();
    return element;
}

describe('c-unleashed-import', () => {
    beforeEach(() => {
        jest.useFakeTimers();
    });

    afterEach(() => {
        while (document.body.firstChild) {
            document.body.removeChild(document.body.firstChild);
        }
        jest.clearAllMocks();
        jest.useRealTimers();
    });

    it('shows a spinner while the state loads', async () => {
        let resolve;
        getImportState.mockReturnValue(new Promise((r) => (resolve = r)));
        const element = createElement('c-unleashed-import', { is: UnleashedImport });
        document.body.appendChild(element);
        await Promise.resolve();
        expect(q(element, 'lightning-spinner').alternativeText).toBe('Loading import status');
        resolve(state());
        await flush();
        expect(q(element, 'lightning-spinner')).toBeNull();
    });

    it('shows the Apex error when the state cannot be read', async () => {
        getImportState.mockRejectedValue({ body: { message: 'Unleashed is not connected yet.' } });
        const element = await mount();
        expect(errorText(element, 'error')).toBe('Unleashed is not connected yet.');
    });

    it('hides Start and explains why for a user who cannot import', async () => {
        getImportState.mockResolvedValue(state({ canImport: false }));
        const element = await mount();
        expect(q(element, 'lightning-button[data-id="start"]')).toBeNull();
        expect(q(element, 'lightning-checkbox-group')).toBeNull();
        expect(text(q(element, '[data-id="no-permission"]'))).toContain(
            'Importing needs the Manage Unleashed Connection permission'
        );
    });

    it('offers every entity, selected, with the two options', async () => {
        getImportState.mockResolvedValue(state());
        const element = await mount();
        const group = q(element, 'lightning-checkbox-group');
        expect(group.label).toBe('What to import');
        expect(group.options.map((o) => o.value)).toEqual([
            'warehouses',
            'taxes',
            'salesPersons',
            'deliveryMethods',
            'salesOrderGroups',
            'products',
            'priceTiers',
            'customers'
        ]);
        expect(group.value).toEqual(group.options.map((o) => o.value));
        expect(q(element, 'lightning-input[data-id="full-reimport"]').label).toBe('Full re-import');
        const createAccounts = q(element, 'lightning-input[data-id="create-accounts"]');
        expect(createAccounts.label).toBe('Create missing accounts');
        // The admin learns that accounts are linked by name first, and where ambiguous names show.
        expect(createAccounts.fieldLevelHelp).toMatch(/links the one account of the same name/);
        expect(createAccounts.fieldLevelHelp).toMatch(/listed under the records not imported/);
        expect(q(element, 'lightning-button[data-id="start"]').disabled).toBe(false);

        group.dispatchEvent(new CustomEvent('change', { detail: { value: [] } }));
        await flush();
        expect(q(element, 'lightning-button[data-id="start"]').disabled).toBe(true);
        expect(text(q(element, '[data-id="start-hint"]'))).toBe(
            'Choose at least one kind of record to import.'
        );
    });

    it('starts an import and polls every two seconds until the bar reaches 100', async () => {
        getImportState.mockResolvedValue(state());
        startImport.mockResolvedValue(job({ status: 'Queued', total: 0 }));
        getImportJob
            .mockResolvedValueOnce(job({ done: 200, percent: 40, created: 150, updated: 50 }))
            .mockResolvedValueOnce(
                job({
                    status: 'Succeeded',
                    done: 500,
                    percent: 100,
                    created: 300,
                    updated: 150,
                    unchanged: 50,
                    finishedAt: '2026-03-01T10:02:00.000Z'
                })
            );
        const element = await mount();
        const toasts = [];
        element.addEventListener('lightning__showtoast', (e) => toasts.push(e.detail));
        const refreshes = jest.fn();
        element.addEventListener('lightning__refresh', refreshes);

        q(element, 'lightning-checkbox-group').dispatchEvent(
            new CustomEvent('change', { detail: { value: ['customers', 'warehouses'] } })
        );
        q(element, 'lightning-input[data-id="full-reimport"]').dispatchEvent(
            new CustomEvent('change', { detail: { checked: true } })
        );
        q(element, 'lightning-input[data-id="create-accounts"]').dispatchEvent(
            new CustomEvent('change', { detail: { checked: true } })
        );
        await flush();
        q(element, 'lightning-button[data-id="start"]').click();
        await flush();

        expect(startImport).toHaveBeenCalledWith({
            entities: ['warehouses', 'customers'],
            fullReimport: true,
            createMissingAccounts: true
        });
        expect(text(q(element, '[data-id="status"]'))).toBe('Queued');
        expect(q(element, 'lightning-progress-bar[data-id="progress"]').value).toBe(0);
        expect(q(element, 'lightning-button[data-id="start"]').disabled).toBe(true);
        expect(text(q(element, '[data-id="start-hint"]'))).toContain('An import is running.');

        jest.advanceTimersByTime(1999);
        await flush();
        expect(getImportJob).not.toHaveBeenCalled();
        jest.advanceTimersByTime(1);
        await flush();
        expect(getImportJob).toHaveBeenCalledWith({ jobId: 'job-1' });
        expect(q(element, 'lightning-progress-bar[data-id="progress"]').value).toBe(40);
        expect(text(q(element, '[data-id="progress-text"]'))).toBe('200 of 500 (40%)');
        expect(text(q(element, '[data-id="counts"]'))).toBe(
            'Created 150 · Updated 50 · Unchanged 0 · Failed 0'
        );

        jest.advanceTimersByTime(2000);
        await flush();
        expect(q(element, 'lightning-progress-bar[data-id="progress"]').value).toBe(100);
        expect(text(q(element, '[data-id="progress-text"]'))).toBe('500 of 500 (100%)');
        expect(text(q(element, '[data-id="status"]'))).toBe('Succeeded');
        expect(text(q(element, '[data-id="succeeded"]'))).toBe('Every record was imported.');
        expect(toasts).toEqual([
            {
                title: 'Import succeeded',
                message: '300 created, 150 updated, 50 unchanged, 0 failed.',
                variant: 'success'
            }
        ]);
        // Finished: the state is read again, the page's other components are told, polling stops.
        expect(getImportState).toHaveBeenCalledTimes(2);
        expect(refreshes).toHaveBeenCalledTimes(1);
        jest.advanceTimersByTime(10000);
        await flush();
        expect(getImportJob).toHaveBeenCalledTimes(2);
    });

    it('resumes polling a job that is still running when the page opens', async () => {
        getImportState.mockResolvedValue(state({ job: job({ done: 100, percent: 20 }) }));
        getImportJob.mockResolvedValue(job({ done: 300, percent: 60 }));
        const element = await mount();
        expect(q(element, 'lightning-progress-bar[data-id="progress"]').value).toBe(20);
        jest.advanceTimersByTime(2000);
        await flush();
        expect(q(element, 'lightning-progress-bar[data-id="progress"]').value).toBe(60);
    });

    it('stops polling when the component is removed', async () => {
        getImportState.mockResolvedValue(state({ job: job() }));
        getImportJob.mockResolvedValue(job());
        const element = await mount();
        jest.advanceTimersByTime(2000);
        await flush();
        expect(getImportJob).toHaveBeenCalledTimes(1);
        document.body.removeChild(element);
        jest.advanceTimersByTime(20000);
        await flush();
        expect(getImportJob).toHaveBeenCalledTimes(1);
        expect(jest.getTimerCount()).toBe(0);
    });

    it('lists the records that failed when the import completes with errors', async () => {
        const AMBIGUOUS =
            'ambiguous: 2 Accounts without a customer are named "Beta Builders": "Beta Builders" (001000000000001AAA), "beta builders" (001000000000002AAA); nothing was linked or created. Put the customer code BETA on the right Account, then import again';
        getImportState.mockResolvedValue(
            state({
                job: job({
                    status: 'Completed With Errors',
                    done: 500,
                    percent: 100,
                    created: 498,
                    failed: 2,
                    errors: [
                        { entity: 'customers', key: 'BETA', reason: AMBIGUOUS },
                        { entity: 'products', key: 'SKU9', reason: 'Price is not a number' }
                    ]
                })
            })
        );
        const element = await mount();
        expect(text(q(element, '[data-id="status"]'))).toBe('Completed with errors');
        const table = q(element, 'lightning-datatable[data-id="job-errors"]');
        expect(table.columns.map((c) => c.label)).toEqual(['Entity', 'Key', 'Reason']);
        expect(table.data).toHaveLength(2);
        // An ambiguous name shows whole, the customer and every candidate account, wrapped.
        expect(table.data[0]).toMatchObject({ entity: 'customers', key: 'BETA', reason: AMBIGUOUS });
        expect(table.columns.find((c) => c.fieldName === 'reason').wrapText).toBe(true);
        expect(table.data[1]).toMatchObject({
            entity: 'products',
            key: 'SKU9',
            reason: 'Price is not a number'
        });
        expect(text(q(element, '[data-id="counts"]'))).toContain('Failed 2');
        expect(getImportJob).not.toHaveBeenCalled();
    });

    it('shows a failed import', async () => {
        getImportState.mockResolvedValue(
            state({ job: job({ status: 'Failed', done: 120, percent: 24, errors: [] }) })
        );
        const element = await mount();
        expect(text(q(element, '[data-id="status"]'))).toBe('Failed');
        expect(errorAlert(element, 'failed').getAttribute('role')).toBe('alert');
        expect(errorText(element, 'failed')).toContain('The import failed.');
        expect(q(element, 'lightning-icon[alternative-text="Failed"]')).toBeNull();
        const statusIcon = q(element, '[data-id="job"] h3 lightning-icon');
        expect(statusIcon.alternativeText).toBe('Failed');
        expect(statusIcon.iconName).toBe('utility:error');
    });

    it('shows the last run per entity and the quota meter', async () => {
        getImportState.mockResolvedValue(state());
        const element = await mount();
        expect(q(element, '[data-entity="warehouses"] lightning-formatted-date-time').value).toBe(
            '2026-02-01T10:00:00.000Z'
        );
        expect(text(q(element, '[data-entity="taxes"]'))).toBe('Never');
        expect(q(element, 'lightning-progress-bar[data-id="quota-bar"]').value).toBe(8.23);
        expect(text(q(element, '[data-id="quota-text"]'))).toBe(
            '1,234 of 15,000 API calls used this month (2026-03)'
        );
        // Only when the middleware says what polling costs.
        expect(q(element, '[data-id="quota-polling"]')).toBeNull();
    });

    it('says what keeping sent orders up to date costs a day, as the middleware worked it out', async () => {
        getImportState.mockResolvedValue(
            state({ quota: { ...QUOTA, pollingCallsPerDay: 1440, pollingPercent: 35.7 } })
        );
        const element = await mount();
        expect(text(q(element, '[data-id="quota-polling"]'))).toBe(
            "Keeping sent orders' status, shipments and invoices up to date costs about 1,440 calls a day (35.7% of the monthly allowance)."
        );
    });

    it('says what polling costs while webhooks deliver changes, and without them', async () => {
        getImportState.mockResolvedValue(
            state({
                quota: {
                    ...QUOTA,
                    pollingCallsPerDay: 336,
                    pollingPercent: 8.3,
                    pollingWebhookCallsPerDay: 72,
                    pollingWebhookPercent: 1.8
                }
            })
        );
        const element = await mount();
        expect(text(q(element, '[data-id="quota-polling"]'))).toBe(
            "Keeping sent orders' status, shipments and invoices up to date costs about 72 a day while Unleashed's webhooks deliver changes (1.8%), about 336 calls a day without them (8.3% of the monthly allowance)."
        );
    });

    it('shows the Apex error when the import cannot start', async () => {
        getImportState.mockResolvedValue(state());
        startImport.mockRejectedValue({ body: { message: 'Monthly Unleashed quota used up' } });
        const element = await mount();
        q(element, 'lightning-button[data-id="start"]').click();
        await flush();
        expect(errorText(element, 'error')).toBe('Monthly Unleashed quota used up');
        expect(q(element, 'lightning-button[data-id="start"]').disabled).toBe(false);
    });

    it('stops after three failed polls and can check again', async () => {
        getImportState.mockResolvedValue(state({ job: job() }));
        getImportJob.mockRejectedValue({ body: { message: 'Read timed out' } });
        const element = await mount();
        for (let i = 0; i < 5; i++) {
            jest.advanceTimersByTime(2000);
            // eslint-disable-next-line no-await-in-loop
            await flush();
        }
        expect(getImportJob).toHaveBeenCalledTimes(3);
        expect(errorText(element, 'poll-error')).toContain(
            'Could not read the import progress: Read timed out'
        );

        getImportJob.mockResolvedValue(job({ status: 'Succeeded', done: 500, percent: 100 }));
        clickRetry(element, 'poll-error');
        await flush();
        expect(q(element, '[data-id="poll-error"]')).toBeNull();
        expect(q(element, 'lightning-progress-bar[data-id="progress"]').value).toBe(100);
    });
});
