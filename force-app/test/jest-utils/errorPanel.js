// Queries for an error shown in c-unleashed-error-panel, shared by the components' jest tests: its
// text (slotted reasons included) is read in the panel's alert, and its Try again button clicked.

export function errorAlert(element, id) {
    const panel = element.shadowRoot.querySelector(`c-unleashed-error-panel[data-id="${id}"]`);
    return panel ? panel.shadowRoot.querySelector('[data-id="alert"]') : null;
}

export function errorText(element, id) {
    const parts = [];
    const walker = document.createTreeWalker(errorAlert(element, id), NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
        parts.push(walker.currentNode.textContent);
    }
    return parts.join('').replace(/\s+/g, ' ').trim();
}

export function clickRetry(element, id) {
    errorAlert(element, id).querySelector('lightning-button[data-id="retry"]').click();
}
