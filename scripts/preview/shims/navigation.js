// lightning/navigation: page references resolve to the preview's own routes (the same URL shapes as
// Lightning Experience), and a web page leaves the preview as Salesforce would.
const NAVIGATE = Symbol('Navigate');
const GENERATE_URL = Symbol('GenerateUrl');

// Key prefixes of the objects the preview has pages for, for references that omit objectApiName.
const OBJECT_BY_PREFIX = { '006': 'Opportunity', '01t': 'Product2', '001': 'Account' };

/** The URL a page reference stands for in the preview; throws for a type the preview has no page for. */
export function urlFor(pageRef) {
    const type = pageRef && pageRef.type;
    const attributes = (pageRef && pageRef.attributes) || {};
    if (type === 'standard__webPage') {
        return attributes.url;
    }
    if (type === 'standard__recordPage') {
        const id = attributes.recordId;
        const object = attributes.objectApiName || OBJECT_BY_PREFIX[String(id).slice(0, 3)] || 'Record';
        return `/lightning/r/${object}/${id}/${attributes.actionName || 'view'}`;
    }
    if (type === 'standard__navItemPage') {
        return `/lightning/n/${attributes.apiName}`;
    }
    if (type === 'standard__objectPage') {
        return `/lightning/o/${attributes.objectApiName}/${attributes.actionName || 'home'}`;
    }
    throw new Error(`The local preview cannot navigate to a ${type} page`);
}

export function NavigationMixin(Base) {
    return class extends Base {
        [NAVIGATE](pageRef, replace) {
            const url = urlFor(pageRef);
            if (replace) window.location.replace(url);
            else window.location.assign(url);
        }

        [GENERATE_URL](pageRef) {
            return Promise.resolve(urlFor(pageRef));
        }
    };
}
NavigationMixin.Navigate = NAVIGATE;
NavigationMixin.GenerateUrl = GENERATE_URL;

/** Wire adapter: the current page as a page reference. */
export class CurrentPageReference {
    constructor(dataCallback) {
        this.dataCallback = dataCallback;
    }
    connect() {
        const path = window.location.pathname;
        const record = path.match(/^\/lightning\/r\/(\w+)\/(\w+)\/(\w+)$/);
        const state = Object.fromEntries(new URLSearchParams(window.location.search));
        this.dataCallback(
            record
                ? {
                      type: 'standard__recordPage',
                      attributes: { objectApiName: record[1], recordId: record[2], actionName: record[3] },
                      state
                  }
                : { type: 'standard__webPage', attributes: { url: window.location.href }, state }
        );
    }
    disconnect() {}
    update() {}
}
