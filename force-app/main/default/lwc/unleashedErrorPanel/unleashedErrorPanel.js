import { LightningElement, api } from 'lwc';

/**
 * One way to show an error in the Unleashed components: an SLDS alert banner (variant "alert", the default)
 * or an inline error text under a form or a step (variant "inline"), announced to screen readers
 * (role="alert"). The title, when given, comes first ("Could not load the sync log:"), then anything slotted
 * (a list of reasons), then the message. With retry-label set, a button fires a "retry" event.
 */
export default class UnleashedErrorPanel extends LightningElement {
    /** Text before the message, e.g. "Could not load the sync log:". */
    @api title;
    /** The message the user should read; usually the Apex or middleware error text. */
    @api message;
    /** "alert" (banner) or "inline" (error text). */
    @api variant = 'alert';
    /** SLDS icon of the error; utility:error unless the situation has a better one (utility:ban). */
    @api iconName = 'utility:error';
    /** Label of the retry button; no button when blank. */
    @api retryLabel;

    get isInline() {
        return this.variant === 'inline';
    }

    get containerClass() {
        return this.isInline
            ? 'slds-text-color_error slds-grid slds-grid_vertical-align-center'
            : 'slds-notify slds-notify_alert slds-alert_error slds-grid slds-grid_vertical-align-center';
    }

    get iconSize() {
        return this.isInline ? 'xx-small' : 'x-small';
    }

    get iconVariant() {
        return this.isInline ? 'error' : 'inverse';
    }

    get iconAlternativeText() {
        return this.iconName === 'utility:ban' ? 'Blocked' : 'Error';
    }

    get retryVariant() {
        return this.isInline ? 'base' : 'neutral';
    }

    // The template drops whitespace between elements, so the space after the title is part of its text.
    get titleText() {
        return `${this.title} `;
    }

    handleRetry() {
        this.dispatchEvent(new CustomEvent('retry'));
    }
}
