/**
 * A failure the caller can act on, with the HTTP status it deserves. Rules throw it without knowing
 * any web framework; `http/problem.ts` renders it as RFC 9457 problem+json. `extras` are merged into
 * the body (e.g. the Unleashed error text).
 */
export class HttpProblem extends Error {
    constructor(
        public readonly status: number,
        public readonly title: string,
        public readonly detail?: string,
        public readonly extras: Record<string, unknown> = {}
    ) {
        super(detail ?? title);
        this.name = 'HttpProblem';
    }
}
