import { LightningElement, api } from 'lwc';
import { CloseActionScreenEvent } from 'lightning/actions';
import { ShowToastEvent } from 'lightning/platformShowToastEvent';
import { RefreshEvent } from 'lightning/refresh';
import getSendContext from '@salesforce/apex/UnleashedSendController.getSendContext';
import previewOrder from '@salesforce/apex/UnleashedSendController.previewOrder';
import sendOrder from '@salesforce/apex/UnleashedSendController.sendOrder';
import { errorMessage, toOptions } from 'c/unleashedUtils';

export const STEPS = [
    { value: 'warehouse', label: 'Warehouse' },
    { value: 'customer', label: 'Customer' },
    { value: 'details', label: 'Details' },
    { value: 'review', label: 'Review' },
    { value: 'done', label: 'Done' }
];

/** A unit price as a rep reads it: at least two decimals (149 -> 149.00), the exact digits kept. */
function priceText(value) {
    const text = value === null || value === undefined ? '' : String(value);
    const [whole, fraction = ''] = text.split('.');
    return /^-?\d+$/.test(whole) ? `${whole}.${fraction.padEnd(2, '0')}` : text;
}

const ADDRESS_FIELDS = ['name', 'street', 'suburb', 'city', 'region', 'postalCode', 'country'];

const ADDRESS_SOURCES = [
    { label: 'Shipping address', value: 'shipping' },
    { label: 'Billing address', value: 'billing' },
    { label: 'Another address', value: 'typed' }
];

const ORDER_STATUSES = [
    { label: 'Parked (can still be changed)', value: 'Parked' },
    { label: 'Placed (allocates stock)', value: 'Placed' }
];

// The customer choice that creates a new Unleashed customer instead of using an existing one.
const NEW_CUSTOMER = '__new__';

const blank = (value) => value === undefined || value === null || String(value).trim() === '';
const orNull = (value) => (blank(value) ? null : String(value).trim());

function copyAddress(address) {
    const copy = {};
    ADDRESS_FIELDS.forEach((f) => {
        copy[f] = (address && address[f]) || '';
    });
    return copy;
}

function sameAddress(a, b) {
    return ADDRESS_FIELDS.every((f) => ((a && a[f]) || '') === ((b && b[f]) || ''));
}

function isEmptyAddress(address) {
    return ADDRESS_FIELDS.every((f) => blank(address && address[f]));
}

/**
 * The "Send to Unleashed" quick action: warehouse, customer, order details, a preview with the exact
 * totals Unleashed will store, then the send (create, or update in place while the order is Parked).
 */
export default class UnleashedSendOrder extends LightningElement {
    context;
    loadError;
    isLoading = false;

    step = 'warehouse';
    choices = {};
    addressSource = 'shipping';
    stepError;

    preview;
    previewError;
    isPreviewing = false;

    /** Keys of the preview's confirmations the rep ticked. */
    confirmed = [];

    sending = false;
    sendError;
    result;

    steps = STEPS;
    addressSourceOptions = ADDRESS_SOURCES;
    orderStatusOptions = ORDER_STATUSES;

    _recordId;
    _connected = false;
    _previewSeq = 0;
    _stepChanging = false;

    /** The record page's object (Opportunity or Order); hosts that do not say are read by the id. */
    @api objectApiName;

    @api
    get recordId() {
        return this._recordId;
    }
    set recordId(value) {
        const changed = value !== this._recordId;
        this._recordId = value;
        // Quick actions may set the record id after the component is connected.
        if (changed && this._connected) {
            this.load();
        }
    }

    /** Opportunity or Order: what the dialog calls the record it sends (Order ids start with 801). */
    get recordKind() {
        if (this.objectApiName === 'Order' || this.objectApiName === 'Opportunity') {
            return this.objectApiName;
        }
        return String(this._recordId || '').startsWith('801') ? 'Order' : 'Opportunity';
    }

    get recordWord() {
        return this.recordKind.toLowerCase();
    }

    /** Stock per line is shown for an Opportunity's lines. */
    get isOpportunity() {
        return this.recordKind === 'Opportunity';
    }

    get blockedTitle() {
        return `This ${this.recordWord} cannot be sent yet:`;
    }

    get recordAmountLabel() {
        return `${this.recordKind} amount`;
    }

    get recordPricesLabel() {
        return `${this.recordKind}'s prices`;
    }

    connectedCallback() {
        this._connected = true;
        this.load();
    }

    disconnectedCallback() {
        this._connected = false;
    }

    load() {
        if (!this._recordId) {
            return Promise.resolve();
        }
        this.isLoading = true;
        this.loadError = undefined;
        return getSendContext({ opportunityId: this._recordId })
            .then((context) => {
                this.context = context;
                this.initChoices(context);
            })
            .catch((error) => {
                this.context = undefined;
                this.loadError = errorMessage(error);
            })
            .finally(() => {
                this.isLoading = false;
            });
    }

    /** The dialog starts from the defaults the middleware chose, as they come. */
    initChoices(context) {
        const defaults = context.defaults || {};
        const given = defaults.deliveryAddress;
        let source = 'typed';
        if (!isEmptyAddress(given) && sameAddress(given, context.shippingAddress)) {
            source = 'shipping';
        } else if (!isEmptyAddress(given) && sameAddress(given, context.billingAddress)) {
            source = 'billing';
        }
        this.addressSource = source;
        const text = (value) => (blank(value) ? '' : String(value));
        this.choices = {
            warehouseCode: text(defaults.warehouseCode),
            customerCode: text(defaults.customerCode),
            newCustomerCode: text(defaults.newCustomerCode),
            taxCode: text(defaults.taxCode),
            salesPersonEmail: text(defaults.salesPersonEmail),
            deliveryMethod: text(defaults.deliveryMethod),
            orderStatus: text(defaults.orderStatus),
            requiredDate: text(defaults.requiredDate),
            comments: text(defaults.comments),
            deliveryAddress: copyAddress(given),
            salesOrderGroup: text(defaults.salesOrderGroup),
            useUnleashedPrices: defaults.useUnleashedPrices === true
        };
        this.confirmed = [];
        this.step = 'warehouse';
    }

    /** A copy of the account's address with the account name as the delivery name when none is given. */
    addressFrom(address) {
        const copy = copyAddress(address);
        if (blank(copy.name) && this.context && this.context.account) {
            copy.name = this.context.account.name || '';
        }
        return copy;
    }

    // ---- state ----

    get showSpinner() {
        return this.isLoading;
    }

    get hasContext() {
        return !!this.context && !this.isLoading;
    }

    get order() {
        const order = this.context && this.context.order;
        return order && (order.orderGuid || order.orderNumber) ? order : undefined;
    }

    /** An order Unleashed has moved past Parked cannot be changed from Salesforce. */
    get isLocked() {
        return !!this.order && this.order.editable === false;
    }

    get lockedText() {
        const order = this.order;
        return `Sales order ${order.orderNumber || order.orderGuid} is ${order.status || 'no longer Parked'} in Unleashed. Unleashed only accepts changes while an order is Parked, so it cannot be sent again from Salesforce.`;
    }

    get updatesInPlace() {
        return !!this.order && this.order.editable !== false;
    }

    get updateText() {
        const order = this.order;
        return `Sales order ${order.orderNumber || order.orderGuid} is ${order.status || 'Parked'} in Unleashed. Sending will update it in place.`;
    }

    get showFlow() {
        return this.hasContext && !this.isLocked;
    }

    get blockingReasons() {
        return (this.context && this.context.blocking) || [];
    }

    /** What the rep should know but may send anyway, in the middleware's words. */
    get notices() {
        return (this.context && this.context.notices) || [];
    }

    get hasNotices() {
        return this.notices.length > 0;
    }

    get isBlocked() {
        return this.blockingReasons.length > 0;
    }

    get account() {
        return this.context && this.context.account;
    }

    get isWarehouseStep() {
        return this.step === 'warehouse';
    }
    get isCustomerStep() {
        return this.step === 'customer';
    }
    get isDetailsStep() {
        return this.step === 'details';
    }
    get isReviewStep() {
        return this.step === 'review';
    }
    get isDoneStep() {
        return this.step === 'done';
    }

    get stepIndex() {
        return STEPS.findIndex((s) => s.value === this.step);
    }

    get showBack() {
        return this.stepIndex > 0 && !this.isDoneStep;
    }

    get showNext() {
        return this.stepIndex < 3;
    }

    get nextDisabled() {
        return this.isBlocked || (this.isCustomerStep && !!this.customerBlock);
    }

    // ---- step 1: warehouse ----

    get warehouseOptions() {
        return toOptions(this.context && this.context.warehouses);
    }

    get hasWarehouses() {
        return this.warehouseOptions.length > 0;
    }

    // ---- step 2: customer ----

    get customerBlock() {
        const context = this.context;
        if (!context || !context.account) {
            return `This ${this.recordWord} has no account. Add an account before sending it to Unleashed.`;
        }
        if (context.doNotSend) {
            return `${context.account.name} is marked "Do not send to Unleashed"${
                context.doNotSendReason ? `: ${context.doNotSendReason}` : '.'
            }`;
        }
        return undefined;
    }

    get hasExistingCustomer() {
        return !!(this.account && this.account.customerCode);
    }

    /** Unleashed customers that look like this Account, offered instead of creating a new one. */
    get customerMatches() {
        return (this.account && this.account.customerMatches) || [];
    }

    get hasCustomerMatches() {
        return !this.hasExistingCustomer && this.customerMatches.length > 0;
    }

    get customerChoiceOptions() {
        return [
            ...this.customerMatches.map((m) => ({
                label: `Use existing customer ${m.name} (${m.code})`,
                value: m.code
            })),
            { label: 'Create a new customer in Unleashed', value: NEW_CUSTOMER }
        ];
    }

    get customerChoice() {
        return blank(this.choices.customerCode) ? NEW_CUSTOMER : this.choices.customerCode;
    }

    /** A new customer is created: no customer code of the Account's, none of Unleashed's chosen. */
    get createsCustomer() {
        return !this.hasExistingCustomer && blank(this.choices.customerCode);
    }

    get contactName() {
        return this.account && this.account.contactName;
    }

    // ---- step 3: details ----

    get taxOptions() {
        return toOptions(this.context && this.context.taxes, {
            includeNone: true,
            noneLabel: 'Unleashed default for the customer'
        });
    }

    get salesPersonOptions() {
        return toOptions(this.context && this.context.salesPersons, {
            includeNone: true,
            noneLabel: 'No salesperson'
        });
    }

    get deliveryMethodOptions() {
        return toOptions(this.context && this.context.deliveryMethods, {
            includeNone: true,
            noneLabel: 'No delivery method'
        });
    }

    get salesOrderGroupOptions() {
        return toOptions(this.context && this.context.salesOrderGroups, {
            includeNone: true,
            noneLabel: 'No sales order group'
        });
    }

    get hasSalesOrderGroups() {
        return Boolean(this.context && this.context.salesOrderGroups && this.context.salesOrderGroups.length);
    }

    get addressReadOnly() {
        return this.addressSource !== 'typed';
    }

    get address() {
        return this.choices.deliveryAddress || {};
    }

    // ---- step 4: review ----

    get currencyCode() {
        return (this.preview && this.preview.currencyCode) || (this.context && this.context.currencyIsoCode);
    }

    get previewWarnings() {
        return ((this.preview && this.preview.warnings) || []).map((text, i) => ({ key: `w${i}`, text }));
    }

    get previewErrors() {
        return ((this.preview && this.preview.errors) || []).map((text, i) => ({ key: `e${i}`, text }));
    }

    get hasPreviewWarnings() {
        return this.previewWarnings.length > 0;
    }

    get hasPreviewErrors() {
        return this.previewErrors.length > 0;
    }

    get showPreview() {
        return !!this.preview && !this.isPreviewing && !this.previewError;
    }

    get amountDiffers() {
        return !!(this.preview && this.preview.amountDiffers);
    }

    get opportunityAmount() {
        return this.preview && this.preview.opportunityAmount;
    }

    get amountNote() {
        return this.preview && this.preview.amountNote;
    }

    /** Unleashed charges this customer other prices than the Opportunity's, or its prices are in use. */
    get showsCustomerPrices() {
        return Boolean(
            this.preview && (this.preview.customerPricesDiffer || this.preview.usingUnleashedPrices)
        );
    }

    get customerPricesText() {
        return this.preview && this.preview.usingUnleashedPrices
            ? `The lines carry the prices Unleashed charges this customer, not the ${this.recordKind}'s.`
            : `Unleashed charges this customer other prices than the ${this.recordKind}'s:`;
    }

    /** Each line whose price differs: the Opportunity's net price beside the customer's Unleashed price. */
    get customerPriceLines() {
        const lines = (this.preview && this.preview.lines) || [];
        return lines
            .filter((l) => l.customerPriceDiffers)
            .map((l) => ({
                key: l.lineNumber,
                text: `${l.productCode}: ${priceText(l.unitPrice)} on the ${this.recordKind}, ${priceText(
                    l.customerPrice
                )} in Unleashed`
            }));
    }

    /** What the rep must tick before sending, each with whether it is ticked. */
    get confirmations() {
        const ticked = new Set(this.confirmed);
        return ((this.preview && this.preview.confirmations) || []).map((c) => ({
            ...c,
            checked: ticked.has(c.key)
        }));
    }

    get hasConfirmations() {
        return this.confirmations.length > 0;
    }

    get allConfirmed() {
        return this.confirmations.every((c) => c.checked);
    }

    get sendDisabled() {
        return (
            this.sending ||
            this.isBlocked ||
            this.isLocked ||
            this.isPreviewing ||
            !!this.previewError ||
            !this.preview ||
            this.hasPreviewErrors ||
            !this.allConfirmed
        );
    }

    get sendLabel() {
        if (this.sending) {
            return 'Sending…';
        }
        return this.updatesInPlace ? 'Update order' : 'Send order';
    }

    get sendBlockedText() {
        if (this.hasPreviewErrors) {
            return 'Fix the errors above before sending.';
        }
        return undefined;
    }

    get confirmHint() {
        return this.allConfirmed ? undefined : 'Tick each confirmation to send the order.';
    }

    // ---- step 5: done ----

    get resultText() {
        const result = this.result;
        if (!result) {
            return '';
        }
        return result.created
            ? `Sales order ${result.orderNumber} was created in Unleashed.`
            : `Sales order ${result.orderNumber} was updated in Unleashed.`;
    }

    /** What Unleashed did differently from what was sent (for example, stored the order as Parked). */
    get hasResultWarnings() {
        return Boolean(this.result && Array.isArray(this.result.warnings) && this.result.warnings.length);
    }

    // ---- events ----

    handleChoiceChange(event) {
        const field = event.target.dataset.field;
        this.choices = { ...this.choices, [field]: event.detail.value };
        this.stepError = undefined;
    }

    handleCustomerChoice(event) {
        const value = event.detail.value;
        this.choices = { ...this.choices, customerCode: value === NEW_CUSTOMER ? '' : value };
        this.stepError = undefined;
    }

    /** Switches between the Opportunity's and Unleashed's prices; the preview shows the result. */
    handleUseUnleashedPrices(event) {
        this.choices = { ...this.choices, useUnleashedPrices: event.detail.checked };
        this.confirmed = [];
        this.runPreview();
    }

    handleConfirm(event) {
        const key = event.target.dataset.key;
        const others = this.confirmed.filter((k) => k !== key);
        this.confirmed = event.detail.checked ? [...others, key] : others;
    }

    handleAddressSourceChange(event) {
        const source = event.detail.value;
        this.addressSource = source;
        if (source === 'shipping') {
            this.choices = {
                ...this.choices,
                deliveryAddress: this.addressFrom(this.context.shippingAddress)
            };
        } else if (source === 'billing') {
            this.choices = {
                ...this.choices,
                deliveryAddress: this.addressFrom(this.context.billingAddress)
            };
        }
    }

    handleAddressChange(event) {
        const field = event.target.dataset.addressField;
        this.choices = {
            ...this.choices,
            deliveryAddress: { ...this.address, [field]: event.detail.value }
        };
    }

    // lightning-input-address calls the region "province"; the name and the suburb are inputs of their own.
    handleDeliveryAddressChange(event) {
        const { street, city, province, postalCode, country } = event.detail;
        this.choices = {
            ...this.choices,
            deliveryAddress: { ...this.address, street, city, region: province, postalCode, country }
        };
    }

    renderedCallback() {
        this._stepChanging = false;
    }

    handleBack() {
        const index = this.stepIndex;
        // A second click before the new step has rendered must not move another step.
        if (index > 0 && !this._stepChanging) {
            this._stepChanging = true;
            this.stepError = undefined;
            this.sendError = undefined;
            this.step = STEPS[index - 1].value;
        }
    }

    handleNext() {
        if (this.nextDisabled || !this.showNext || this._stepChanging) {
            return;
        }
        const problem = this.validateStep();
        // The base components show their own messages next to the fields.
        [...this.template.querySelectorAll('[data-validate]')].forEach((input) => input.reportValidity());
        if (problem) {
            this.stepError = problem;
            return;
        }
        this.stepError = undefined;
        this._stepChanging = true;
        this.step = STEPS[this.stepIndex + 1].value;
        if (this.step === 'review') {
            this.runPreview();
        }
    }

    /** What stops the current step from being complete, in words; undefined when it is complete. */
    validateStep() {
        const c = this.choices;
        if (this.isWarehouseStep && blank(c.warehouseCode)) {
            return 'Choose the warehouse the order ships from.';
        }
        if (this.isCustomerStep && this.createsCustomer && blank(c.newCustomerCode)) {
            return 'Enter a customer code for the new Unleashed customer.';
        }
        if (this.isDetailsStep) {
            if (c.orderStatus !== 'Parked' && c.orderStatus !== 'Placed') {
                return 'Choose whether the order is Parked or Placed.';
            }
            if (!blank(c.requiredDate) && !/^\d{4}-\d{2}-\d{2}$/.test(c.requiredDate)) {
                return 'Enter the required date as a date.';
            }
        }
        return undefined;
    }

    /**
     * The choices in the shape the controller expects (Choices DTO), blanks as null. The preview is
     * asked without the confirmations so that it always lists them; the send carries the ticked ones.
     */
    choicesPayload(confirmed = []) {
        const c = this.choices;
        const address = {};
        ADDRESS_FIELDS.forEach((f) => {
            address[f] = orNull(c.deliveryAddress && c.deliveryAddress[f]);
        });
        return {
            warehouseCode: orNull(c.warehouseCode),
            customerCode: this.hasExistingCustomer ? this.account.customerCode : orNull(c.customerCode),
            newCustomerCode: this.createsCustomer ? orNull(c.newCustomerCode) : null,
            taxCode: orNull(c.taxCode),
            salesPersonEmail: orNull(c.salesPersonEmail),
            deliveryMethod: orNull(c.deliveryMethod),
            orderStatus: c.orderStatus,
            requiredDate: orNull(c.requiredDate),
            comments: orNull(c.comments),
            deliveryAddress: address,
            salesOrderGroup: orNull(c.salesOrderGroup),
            useUnleashedPrices: c.useUnleashedPrices === true,
            confirmed
        };
    }

    runPreview() {
        const seq = ++this._previewSeq;
        this.isPreviewing = true;
        this.preview = undefined;
        this.previewError = undefined;
        this.sendError = undefined;
        return previewOrder({
            opportunityId: this._recordId,
            choicesJson: JSON.stringify(this.choicesPayload())
        })
            .then((preview) => {
                if (seq === this._previewSeq) {
                    this.preview = preview;
                }
            })
            .catch((error) => {
                if (seq === this._previewSeq) {
                    this.previewError = errorMessage(error);
                }
            })
            .finally(() => {
                if (seq === this._previewSeq) {
                    this.isPreviewing = false;
                }
            });
    }

    handleRetryLoad() {
        this.load();
    }

    handleRetryPreview() {
        this.runPreview();
    }

    handleSend() {
        // The flag is set before the first await, so a second click in the same moment does nothing.
        if (this.sendDisabled) {
            return;
        }
        this.sending = true;
        this.sendError = undefined;
        // Only the confirmations this preview asks for go with the send.
        const keys = this.confirmations.map((c) => c.key);
        sendOrder({
            opportunityId: this._recordId,
            choicesJson: JSON.stringify(this.choicesPayload(this.confirmed.filter((k) => keys.includes(k))))
        })
            .then((result) => {
                // Apex answers a refusal (Unleashed's own words) as a result rather than an
                // exception, so its Sync Log row and the Opportunity's last error are kept.
                if (result && result.success === false) {
                    this.sendError = result.errorMessage || 'Unleashed refused the order.';
                    this.dispatchEvent(
                        new ShowToastEvent({
                            title: 'The order was not sent',
                            message: this.sendError,
                            variant: 'error'
                        })
                    );
                    return;
                }
                this.result = result;
                this.step = 'done';
                this.dispatchEvent(
                    new ShowToastEvent({
                        title: result.created ? 'Sales order created' : 'Sales order updated',
                        message: `Unleashed sales order ${result.orderNumber} is ${result.status}.`,
                        variant: 'success'
                    })
                );
                // Lets the record page (stock, sales order, fields) reload.
                this.dispatchEvent(new RefreshEvent());
            })
            .catch((error) => {
                this.sendError = errorMessage(error);
                this.dispatchEvent(
                    new ShowToastEvent({
                        title: 'The order was not sent',
                        message: this.sendError,
                        variant: 'error'
                    })
                );
            })
            .finally(() => {
                this.sending = false;
            });
    }

    handleClose() {
        this.dispatchEvent(new CloseActionScreenEvent());
    }
}
