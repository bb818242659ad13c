// lightning/refresh: components register handlers; a RefreshEvent (or the preview's Refresh button)
// calls every registered handler, as the record page does after an update.
const handlers = new Map();
let nextId = 1;

export class RefreshEvent extends CustomEvent {
    constructor() {
        super('lightning__refreshevent', { bubbles: true, composed: true });
    }
}

/** The handler runs with the registering component as `this`, as the record page calls it. */
export function registerRefreshHandler(element, handler) {
    const id = nextId++;
    handlers.set(id, () => handler.call(element));
    return id;
}

export function unregisterRefreshHandler(id) {
    handlers.delete(id);
}

export function registerRefreshContainer() {}

export function refreshAll() {
    return Promise.all([...handlers.values()].map((h) => Promise.resolve(h())));
}

window.addEventListener('lightning__refreshevent', () => refreshAll());
