/** Error shapes of the REST API, so every route answers them the same way. */

export interface SfError {
    statusCode: string;
    message: string;
    fields: string[];
}

/** A whole request is refused: answered as `[{message, errorCode, fields?}]` with an HTTP status. */
export class RequestError extends Error {
    readonly status: number;
    readonly errorCode: string;
    readonly fields: string[] | undefined;

    constructor(status: number, errorCode: string, message: string, fields?: string[]) {
        super(message);
        this.status = status;
        this.errorCode = errorCode;
        this.fields = fields;
    }

    body(): unknown {
        return [
            {
                message: this.message,
                errorCode: this.errorCode,
                ...(this.fields ? { fields: this.fields } : {})
            }
        ];
    }
}

/** One record is refused; in a collection the others go on (allOrNone false). */
export class RecordError extends Error {
    readonly errors: SfError[];

    constructor(errors: SfError[]) {
        super(errors.map((e) => `${e.statusCode}: ${e.message}`).join('; '));
        this.errors = errors;
    }
}

export const notFound = (message = 'The requested resource does not exist'): RequestError =>
    new RequestError(404, 'NOT_FOUND', message);
