import { createElement } from 'lwc';
import UnleashedErrorPanel from 'c/unleashedErrorPanel';

const flush = () => Promise.resolve();
const q = (element, selector) => element.shadowRoot.querySelector(selector);
// The template compiler drops whitespace between elements, so text is read node by node.
function text(node) {
    const parts = [];
    const walker = document.createTreeWalker(node, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
        parts.push(walker.currentNode.textContent);
    }
    return parts.join('').replace(/\s+/g, ' ').trim();
}

function mount(props) {
    const element = createElement('c-unleashed-error-panel', { is: UnleashedErrorPanel });
    Object.assign(element, props);
    document.body.appendChild(element);
    return element;
}

describe('c-unleashed-error-panel', () => {
    afterEach(() => {
        while (document.body.firstChild) {
            document.body.removeChild(document.body.firstChild);
        }
    });

    it('announces the title and the message as an SLDS error alert', () => {
        const element = mount({ title: 'Could not load the sync log:', message: 'Insufficient access' });
        const alert = q(element, '[data-id="alert"]');
        expect(alert.getAttribute('role')).toBe('alert');
        expect(alert.classList).toContain('slds-alert_error');
        expect(text(alert)).toBe('Could not load the sync log: Insufficient access');
        expect(q(element, 'lightning-icon').iconName).toBe('utility:error');
        expect(q(element, 'lightning-icon').alternativeText).toBe('Error');
        expect(q(element, '[data-id="retry"]')).toBeNull();
    });

    it('shows only the message when there is no title', () => {
        const element = mount({ message: 'Unleashed is not connected yet.' });
        expect(q(element, '[data-id="title"]')).toBeNull();
        expect(text(q(element, '[data-id="alert"]'))).toBe('Unleashed is not connected yet.');
    });

    it('renders inline under a form with the error colour and a small icon', () => {
        const element = mount({ message: 'Enter both the API ID and the API key.', variant: 'inline' });
        const alert = q(element, '[data-id="alert"]');
        expect(alert.classList).toContain('slds-text-color_error');
        expect(alert.classList).not.toContain('slds-alert_error');
        expect(q(element, 'lightning-icon').size).toBe('xx-small');
        expect(q(element, 'lightning-icon').variant).toBe('error');
    });

    it('names a blocking icon for screen readers', () => {
        const element = mount({ message: 'Customer on hold', iconName: 'utility:ban' });
        expect(q(element, 'lightning-icon').alternativeText).toBe('Blocked');
    });

    it('fires retry when its button is clicked', async () => {
        const element = mount({ message: 'Timed out', retryLabel: 'Try again' });
        const onRetry = jest.fn();
        element.addEventListener('retry', onRetry);
        const button = q(element, 'lightning-button[data-id="retry"]');
        expect(button.label).toBe('Try again');
        button.click();
        await flush();
        expect(onRetry).toHaveBeenCalledTimes(1);
    });

    it('updates when the message changes', async () => {
        const element = mount({ message: 'First' });
        element.message = 'Second';
        await flush();
        expect(text(q(element, '[data-id="message"]'))).toBe('Second');
    });
});
