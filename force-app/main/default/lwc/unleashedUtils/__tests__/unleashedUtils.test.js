import {
    errorMessage,
    decimalSubtract,
    decimalSum,
    decimalCompare,
    formatQuantity,
    toScaled,
    toOptions
} from 'c/unleashedUtils';

describe('c-unleashed-utils', () => {
    describe('errorMessage', () => {
        it('reads the message of an AuraHandledException', () => {
            expect(errorMessage({ body: { message: 'Unleashed is not connected yet.' } })).toBe(
                'Unleashed is not connected yet.'
            );
        });

        it('joins page errors, field errors and body arrays', () => {
            expect(errorMessage({ body: { pageErrors: [{ message: 'A' }, { message: 'B' }] } })).toBe('A B');
            expect(errorMessage({ body: { fieldErrors: { Name: [{ message: 'Required' }] } } })).toBe(
                'Required'
            );
            expect(errorMessage({ body: [{ message: 'X' }, { message: 'Y' }] })).toBe('X Y');
        });

        it('falls back to a JavaScript error message, a string, then a generic text', () => {
            expect(errorMessage(new Error('boom'))).toBe('boom');
            expect(errorMessage('plain')).toBe('plain');
            expect(errorMessage(undefined)).toBe('Unknown error');
            expect(errorMessage({})).toBe('Unknown error');
        });
    });

    describe('decimals', () => {
        it('subtracts exactly where numbers would not', () => {
            expect(decimalSubtract(0.3, 0.1)).toBe('0.2');
            expect(decimalSubtract('5', '7.25')).toBe('-2.25');
            expect(decimalSubtract(null, 2)).toBe('-2');
        });

        it('sums and compares', () => {
            expect(decimalSum([0.1, 0.2, '1.7', null])).toBe('2');
            expect(decimalCompare('2.50', 2.5)).toBe(0);
            expect(decimalCompare(3, '2.9999')).toBe(1);
            expect(decimalCompare(-1, 0)).toBe(-1);
        });

        it('rejects what is not a number', () => {
            expect(toScaled('abc')).toBeNull();
            expect(toScaled('')).toBeNull();
            expect(toScaled('.')).toBeNull();
            expect(toScaled(Number.NaN)).toBeNull();
        });

        it('formats quantities with grouping and up to four places', () => {
            expect(formatQuantity('1234567.5')).toBe('1,234,567.5');
            expect(formatQuantity(-1000)).toBe('-1,000');
            expect(formatQuantity('2.123456')).toBe('2.1234');
            expect(formatQuantity(null)).toBe('—');
        });
    });

    describe('toOptions', () => {
        it('maps Apex options and can add a None choice', () => {
            const options = [
                { value: 'W1', label: 'Main', detail: 'Auckland' },
                { value: 'W2', label: 'North' }
            ];
            expect(toOptions(options)).toEqual([
                { label: 'Main (Auckland)', value: 'W1' },
                { label: 'North', value: 'W2' }
            ]);
            expect(toOptions(null, { includeNone: true })[0]).toEqual({ label: 'None', value: '' });
        });
    });
});
