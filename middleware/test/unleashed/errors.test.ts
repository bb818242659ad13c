import { Decimal } from 'decimal.js';
import { errorTextFromBody, isRetryableStatus, redact, UnleashedError } from '../../src/unleashed/errors';
import { toUnleashedJson } from '../../src/unleashed/json';

describe('isRetryableStatus', () => {
    it('retries 429 and 5xx only', () => {
        expect([429, 500, 502, 503, 504, 599].every(isRetryableStatus)).toBe(true);
        expect([200, 201, 400, 401, 403, 404, 405, 409, 422].some(isRetryableStatus)).toBe(false);
    });
});

describe('errorTextFromBody', () => {
    it('prefers Description over Items', () => {
        expect(errorTextFromBody('{"Description":"top","Items":[{"Description":"item"}]}', 400)).toBe('top');
    });
    it('falls back to the raw JSON text when no known field is there', () => {
        expect(errorTextFromBody('{"Error":"odd"}', 400)).toBe('{"Error":"odd"}');
        expect(errorTextFromBody('{"Items":[{"Code":1}]}', 400)).toBe('{"Items":[{"Code":1}]}');
    });
    it('uses the status line for an empty body', () => {
        expect(errorTextFromBody('  ', 503, 'Service Unavailable')).toBe('HTTP 503 Service Unavailable');
        expect(errorTextFromBody('', 500)).toBe('HTTP 500');
    });
});

describe('redact', () => {
    it('replaces every occurrence and ignores empty secrets', () => {
        expect(redact('a SECRET b SECRET', ['SECRET', ''])).toBe('a [redacted] b [redacted]');
    });
});

describe('UnleashedError', () => {
    it('describes a network failure by its kind', () => {
        const e = new UnleashedError({
            kind: 'timeout',
            status: 0,
            message: 'no answer within 10 ms',
            method: 'GET',
            path: '/Products/1',
            retryable: true,
            attempts: 5
        });
        expect(e.describe()).toBe(
            'Unleashed GET /Products/1 failed (timeout, 5 attempts): no answer within 10 ms'
        );
        expect(e.name).toBe('UnleashedError');
        expect(e).toBeInstanceOf(Error);
    });
});

describe('toUnleashedJson', () => {
    it('writes Decimals as exact number literals, nested or at the top', () => {
        expect(toUnleashedJson({ a: new Decimal('0.1'), b: [new Decimal('-12.50')], c: 'x', d: null })).toBe(
            '{"a":0.1,"b":[-12.5],"c":"x","d":null}'
        );
        expect(toUnleashedJson(new Decimal('123456789012345678901234.5'))).toBe('123456789012345678901234.5');
        expect(() => toUnleashedJson({ bad: new Decimal(NaN) })).toThrow(/bad is not a finite number/);
    });
});
