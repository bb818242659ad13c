// lightning/actions: a screen quick action closes itself with this event; the preview's modal listens.
export class CloseActionScreenEvent extends CustomEvent {
    constructor() {
        super('lightning__actionsclosescreen', { bubbles: true, composed: true });
    }
}
