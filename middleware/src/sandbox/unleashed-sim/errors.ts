import type { SimSettings } from './types';

/** A failure the simulator answers with an Unleashed-style error body. */
export class SimError extends Error {
    constructor(
        readonly status: number,
        readonly description: string,
        readonly headers: Record<string, string> = {}
    ) {
        super(description);
        this.name = 'SimError';
    }
}

export const badRequest = (description: string): SimError => new SimError(400, description);
export const notFound = (description = 'The requested resource was not found.'): SimError =>
    new SimError(404, description);

export function errorBody(shape: SimSettings['errorShape'], description: string): unknown {
    return shape === 'items' ? { Items: [{ Description: description }] } : { Description: description };
}
