import { createElement } from 'lwc';
import UnleashedSetup from 'c/unleashedSetup';
import LightningConfirm from 'lightning/confirm';
import { navigateCalls } from 'lightning/navigation';
import getSetupState from '@salesforce/apex/UnleashedSetupController.getSetupState';
import saveUnleashedCredentials from '@salesforce/apex/UnleashedSetupController.saveUnleashedCredentials';
import disconnect from '@salesforce/apex/UnleashedSetupController.disconnect';
import { errorText } from '../../../../../test/jest-utils/errorPanel';

jest.mock('@salesforce/apex/UnleashedSetupController.getSetupState', () => ({ default: jest.fn() }), {
    virtual: true
});
jest.mock(
    '@salesforce/apex/UnleashedSetupController.saveUnleashedCredentials',
    () => ({ default: jest.fn() }),
    {
        virtual: true
    }
);
jest.mock('@salesforce/apex/UnleashedSetupController.disconnect', () => ({ default: jest.fn() }), {
    virtual: true
});
// The stock stub's Navigate does nothing; this one records the page references.
jest.mock('lightning/navigation', () => {
    const Navigate = Symbol('Navigate');
    const GenerateUrl = Symbol('GenerateUrl');
    const calls = [];
    const NavigationMixin = (Base) =>
        class extends Base {
            [Navigate](pageReference, replace) {
                calls.push({ pageReference, replace });
            }
            [GenerateUrl]() {
                return Promise.resolve('');
            }
        };
    NavigationMixin.Navigate = Navigate;
    NavigationMixin.GenerateUrl = GenerateUrl;
    return { NavigationMixin, navigateCalls: calls };
});

const ORG_ID = '00D000000000001EAA';
const CONNECT_URL =
    'https://connector.unleashed-connector.app/oauth/salesforce/start?orgId=00D000000000001EAA&returnUrl=x';

function state(overrides = {}) {
    return {
        canManage: true,
        middlewareConnected: true,
        unleashedConnected: true,
        orgId: ORG_ID,
        connectUrl: CONNECT_URL,
        companyName: 'Acme Trading Ltd',
        baseCurrency: 'NZD',
        message: null,
        connectedAt: '2026-02-01T08:00:00.000Z',
        quota: { used: 500, limit: 10000, month: '2026-03', percent: 5 },
        ...overrides
    };
}

function flushPromises() {
    // eslint-disable-next-line @lwc/lwc/no-async-operation
    return new Promise((resolve) => setTimeout(resolve, 0));
}

function text(node) {
    return node.textContent.replace(/\s+/g, ' ').trim();
}

const q = (element, selector) => element.shadowRoot.querySelector(selector);

async function mount() {
    const element = createElement('c-unleashed-setup', { is: UnleashedSetup });
    document.body.appendChild(element);
    await flushPromises();
    return element;
}

function type(element, dataId, value) {
    q(element, `lightning-input[data-id="${dataId}"]`).dispatchEvent(
        new CustomEvent('change', { detail: { value } })
    );
}

describe('c-unleashed-setup', () => {
    afterEach(() => {
        while (document.body.firstChild) {
            document.body.removeChild(document.body.firstChild);
        }
        jest.clearAllMocks();
        navigateCalls.length = 0;
    });

    it('shows a spinner while loading', async () => {
        let resolve;
        getSetupState.mockReturnValue(new Promise((r) => (resolve = r)));
        const element = createElement('c-unleashed-setup', { is: UnleashedSetup });
        document.body.appendChild(element);
        await Promise.resolve();
        expect(q(element, 'lightning-spinner').alternativeText).toBe('Loading connection status');
        resolve(state());
        await flushPromises();
        expect(q(element, 'lightning-spinner')).toBeNull();
    });

    it('offers Connect when the org is not connected and goes to the connect URL', async () => {
        getSetupState.mockResolvedValue(
            state({ middlewareConnected: false, unleashedConnected: false, connectedAt: null, quota: null })
        );
        const element = await mount();
        expect(text(q(element, '[data-id="not-connected"]'))).toContain('This org is not connected');
        expect(q(element, '[data-id="connected"]')).toBeNull();
        expect(q(element, 'lightning-button[data-id="disconnect"]')).toBeNull();
        const connect = q(element, 'lightning-button[data-id="connect"]');
        expect(connect.disabled).toBe(false);
        connect.click();
        expect(navigateCalls).toEqual([
            {
                pageReference: { type: 'standard__webPage', attributes: { url: CONNECT_URL } },
                replace: undefined
            }
        ]);
    });

    it('tells a sandbox copied from production that its connection is the other org’s, and connects this org', async () => {
        getSetupState.mockResolvedValue(
            state({
                middlewareConnected: false,
                unleashedConnected: false,
                copiedFromOrgId: '00D000000000009AAA',
                needsReconnect: true,
                message: 'This org holds the Unleashed connection of org 00D000000000009AAA.'
            })
        );
        const element = await mount();
        const copied = q(element, '[data-id="copied"]');
        expect(copied.getAttribute('role')).toBe('alert');
        expect(text(copied)).toContain('copied from (00D000000000009AAA)');
        expect(text(copied)).toContain('does not work here');
        expect(text(copied)).toContain('the other org is not affected');
        expect(q(element, '[data-id="connected"]')).toBeNull();
        const connect = q(element, 'lightning-button[data-id="connect"]');
        expect(connect.label).toBe('Connect this org');
        connect.click();
        expect(navigateCalls.map((c) => c.pageReference.attributes.url)).toEqual([CONNECT_URL]);
    });

    it('says nothing about a copy when the org was never connected', async () => {
        getSetupState.mockResolvedValue(state({ middlewareConnected: false, copiedFromOrgId: null }));
        const element = await mount();
        expect(q(element, '[data-id="copied"]')).toBeNull();
        expect(q(element, 'lightning-button[data-id="connect"]').label).toBe('Connect');
    });

    it('offers Reconnect on a working connection, and asks to connect again when the service refuses it', async () => {
        getSetupState.mockResolvedValue(state());
        const element = await mount();
        const reconnect = q(element, 'lightning-button[data-id="reconnect"]');
        expect(reconnect.label).toBe('Reconnect');
        expect(reconnect.variant).toBe('neutral');
        expect(q(element, '[data-id="reconnect-needed"]')).toBeNull();

        getSetupState.mockResolvedValue(state({ needsReconnect: true }));
        q(element, 'lightning-button-icon[data-id="refresh"]').click();
        await flushPromises();
        const again = q(element, 'lightning-button[data-id="reconnect"]');
        expect(again.label).toBe('Connect again');
        expect(again.variant).toBe('brand');
        expect(errorText(element, 'reconnect-needed')).toContain('no longer accepts');
        again.click();
        expect(navigateCalls.map((c) => c.pageReference.attributes.url)).toEqual([CONNECT_URL]);
    });

    it('disables Connect when there is no connect URL', async () => {
        getSetupState.mockResolvedValue(state({ middlewareConnected: false, connectUrl: null }));
        const element = await mount();
        const connect = q(element, 'lightning-button[data-id="connect"]');
        expect(connect.disabled).toBe(true);
        connect.click();
        expect(navigateCalls).toHaveLength(0);
    });

    it('shows the connection, the Unleashed company and the quota meter', async () => {
        getSetupState.mockResolvedValue(state());
        const element = await mount();
        expect(text(q(element, '[data-id="status"]'))).toBe('Connected to Unleashed');
        expect(text(q(element, '[data-id="org-id"]'))).toBe(ORG_ID);
        expect(q(element, '[data-id="connected-at"]').value).toBe('2026-02-01T08:00:00.000Z');
        expect(text(q(element, '[data-id="company"]'))).toBe('Acme Trading Ltd');
        expect(text(q(element, '[data-id="base-currency"]'))).toBe('NZD');
        expect(q(element, 'lightning-progress-bar[data-id="quota-bar"]').value).toBe(5);
        expect(text(q(element, '[data-id="quota-text"]'))).toBe(
            '500 of 10,000 API calls used this month (2026-03)'
        );
        expect(q(element, 'lightning-button[data-id="connect"]')).toBeNull();
    });

    it('asks for credentials when the Unleashed account is missing', async () => {
        getSetupState.mockResolvedValue(
            state({ unleashedConnected: false, companyName: null, baseCurrency: null, quota: null })
        );
        const element = await mount();
        expect(text(q(element, '[data-id="status"]'))).toBe('Connected, Unleashed account missing');
        expect(text(q(element, '[data-id="unleashed-status"]'))).toContain('No Unleashed account yet.');
        expect(q(element, '[data-id="quota"]')).toBeNull();
        expect(q(element, '[data-id="company"]')).toBeNull();
        const key = q(element, 'lightning-input[data-id="api-key"]');
        expect(key.type).toBe('password');
        expect(key.label).toBe('API key');
        expect(q(element, 'lightning-input[data-id="api-id"]').label).toBe('API ID');
    });

    it('requires both credentials before saving', async () => {
        getSetupState.mockResolvedValue(state({ unleashedConnected: false }));
        const element = await mount();
        type(element, 'api-id', 'abc');
        await flushPromises();
        q(element, 'lightning-button[data-id="save"]').click();
        await flushPromises();
        expect(saveUnleashedCredentials).not.toHaveBeenCalled();
        expect(errorText(element, 'form-error')).toBe('Enter both the API ID and the API key.');
    });

    it('saves the credentials and never shows the key again', async () => {
        getSetupState.mockResolvedValue(state({ unleashedConnected: false, quota: null }));
        let resolveSave;
        saveUnleashedCredentials.mockReturnValue(new Promise((r) => (resolveSave = r)));
        const element = await mount();
        const toasts = [];
        element.addEventListener('lightning__showtoast', (e) => toasts.push(e.detail));

        type(element, 'api-id', ' 11111111-2222 ');
        type(element, 'api-key', 'secret-key==');
        await flushPromises();
        expect(q(element, 'lightning-input[data-id="api-key"]').value).toBe('secret-key==');
        q(element, 'lightning-button[data-id="save"]').click();
        q(element, 'lightning-button[data-id="save"]').click();
        await Promise.resolve();
        expect(saveUnleashedCredentials).toHaveBeenCalledTimes(1);
        expect(saveUnleashedCredentials).toHaveBeenCalledWith({
            apiId: '11111111-2222',
            apiKey: 'secret-key=='
        });
        expect(q(element, 'lightning-button[data-id="save"]').disabled).toBe(true);

        resolveSave(state());
        await flushPromises();
        expect(q(element, 'lightning-input[data-id="api-key"]').value).toBe('');
        expect(q(element, 'lightning-input[data-id="api-id"]').value).toBe('');
        expect(text(q(element, '[data-id="company"]'))).toBe('Acme Trading Ltd');
        expect(toasts).toEqual([
            { title: 'Unleashed connected', message: 'Connected to Acme Trading Ltd.', variant: 'success' }
        ]);
        expect(element.shadowRoot.textContent).not.toContain('secret-key==');
    });

    it('shows why Unleashed rejected the credentials', async () => {
        getSetupState.mockResolvedValue(state({ unleashedConnected: false }));
        saveUnleashedCredentials.mockRejectedValue({
            body: { message: 'Unleashed rejected the API ID or key (403).' }
        });
        const element = await mount();
        type(element, 'api-id', 'id');
        type(element, 'api-key', 'bad');
        await flushPromises();
        q(element, 'lightning-button[data-id="save"]').click();
        await flushPromises();
        expect(errorText(element, 'form-error')).toBe('Unleashed rejected the API ID or key (403).');
        expect(q(element, 'lightning-button[data-id="save"]').disabled).toBe(false);
    });

    it('disconnects only after confirmation', async () => {
        getSetupState.mockResolvedValue(state());
        disconnect.mockResolvedValue(
            state({ middlewareConnected: false, unleashedConnected: false, connectedAt: null, quota: null })
        );
        LightningConfirm.open = jest.fn().mockResolvedValueOnce(false).mockResolvedValueOnce(true);
        const element = await mount();

        q(element, 'lightning-button[data-id="disconnect"]').click();
        await flushPromises();
        expect(LightningConfirm.open).toHaveBeenCalledTimes(1);
        expect(LightningConfirm.open.mock.calls[0][0]).toMatchObject({
            label: 'Disconnect from Unleashed',
            theme: 'warning'
        });
        expect(disconnect).not.toHaveBeenCalled();
        expect(q(element, '[data-id="connected"]')).not.toBeNull();

        q(element, 'lightning-button[data-id="disconnect"]').click();
        await flushPromises();
        expect(disconnect).toHaveBeenCalledTimes(1);
        expect(q(element, '[data-id="connected"]')).toBeNull();
        expect(q(element, 'lightning-button[data-id="connect"]')).not.toBeNull();
    });

    it('shows the Apex error when disconnecting fails', async () => {
        getSetupState.mockResolvedValue(state());
        disconnect.mockRejectedValue({ body: { message: 'The connector did not answer' } });
        LightningConfirm.open = jest.fn().mockResolvedValue(true);
        const element = await mount();
        q(element, 'lightning-button[data-id="disconnect"]').click();
        await flushPromises();
        expect(errorText(element, 'error')).toBe('The connector did not answer');
    });

    it('shows the Apex error when the state cannot be read', async () => {
        getSetupState.mockRejectedValue({ body: { message: 'Callout failed: Unauthorized endpoint' } });
        const element = await mount();
        expect(errorText(element, 'error')).toBe('Callout failed: Unauthorized endpoint');
        expect(q(element, 'lightning-button[data-id="connect"]')).toBeNull();
    });

    it('explains the missing permission and offers no actions', async () => {
        getSetupState.mockResolvedValue(state({ canManage: false }));
        const element = await mount();
        expect(text(q(element, '[data-id="no-permission"]'))).toContain(
            'needs the Manage Unleashed Connection permission'
        );
        expect(text(q(element, '[data-id="no-permission"]'))).toContain(
            'Current status: Connected to Unleashed.'
        );
        expect(q(element, 'lightning-button[data-id="disconnect"]')).toBeNull();
        expect(q(element, 'lightning-input[data-id="api-key"]')).toBeNull();
        expect(q(element, 'lightning-button[data-id="connect"]')).toBeNull();
    });

    it('shows the message the controller sends', async () => {
        getSetupState.mockResolvedValue(state({ message: 'The connector is in maintenance until 10:00.' }));
        const element = await mount();
        expect(text(q(element, '[data-id="message"]'))).toBe('The connector is in maintenance until 10:00.');
    });

    it('checks the connection again on refresh', async () => {
        getSetupState
            .mockResolvedValueOnce(state({ middlewareConnected: false }))
            .mockResolvedValueOnce(state());
        const element = await mount();
        q(element, '[data-id="refresh"]').click();
        await flushPromises();
        expect(getSetupState).toHaveBeenCalledTimes(2);
        expect(q(element, '[data-id="connected"]')).not.toBeNull();
    });
});
