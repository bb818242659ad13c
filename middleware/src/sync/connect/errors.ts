/** A refusal of the connect flow: status, a title and a sentence for the admin, and where to go back to. */
export class ConnectError extends Error {
    constructor(
        public readonly status: number,
        public readonly title: string,
        public readonly detail: string,
        /** The Setup page the flow started from, when it is known to be the org's own. */
        public readonly returnUrl: string | null = null
    ) {
        super(`${title}: ${detail}`);
        this.name = 'ConnectError';
    }
}

export const START_AGAIN = "Start again from the org's Unleashed Admin tab.";
