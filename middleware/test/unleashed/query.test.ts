import fc from 'fast-check';
import {
    buildQuery,
    buildQueryString,
    encodeQueryComponent,
    signingDependsOnEncoding
} from '../../src/unleashed/query';

describe('buildQueryString', () => {
    it('keeps key order, skips null and undefined, joins arrays with commas', () => {
        expect(
            buildQueryString(
                {
                    b: 'x',
                    a: 1,
                    skip: null,
                    gone: undefined,
                    flag: true,
                    off: false,
                    ids: ['g1', 'g2', 3],
                    empty: ''
                },
                'minimal'
            )
        ).toBe('b=x&a=1&flag=true&off=false&ids=g1,g2,3&empty=');
        expect(buildQueryString(undefined, 'minimal')).toBe('');
        expect(buildQueryString({}, 'rfc3986')).toBe('');
        expect(buildQueryString({ a: null }, 'rfc3986')).toBe('');
    });

    it('minimal keeps the colons of a filter date raw', () => {
        expect(buildQueryString({ modifiedSince: '2024-03-05T14:07:09', pageSize: 1000 }, 'minimal')).toBe(
            'modifiedSince=2024-03-05T14:07:09&pageSize=1000'
        );
    });

    it('rfc3986 escapes the colons of a filter date', () => {
        expect(buildQueryString({ modifiedSince: '2024-03-05T14:07:09' }, 'rfc3986')).toBe(
            'modifiedSince=2024-03-05T14%3A07%3A09'
        );
    });

    it('minimal keeps : , @ / raw and escapes space, &, +, =, #, %, ? and non-ASCII', () => {
        expect(buildQueryString({ contactEmail: 'a.b+c@x.co', note: 'a b&c=d#e%f?g/h,i:j' }, 'minimal')).toBe(
            'contactEmail=a.b%2Bc@x.co&note=a%20b%26c%3Dd%23e%25f%3Fg/h,i:j'
        );
        expect(buildQueryString({ customerName: 'Caf\u00e9 M\u0101ori \u20ac \u{1F600}' }, 'minimal')).toBe(
            'customerName=Caf%C3%A9%20M%C4%81ori%20%E2%82%AC%20%F0%9F%98%80'
        );
    });

    it('rfc3986 escapes everything but unreserved', () => {
        expect(buildQueryString({ 'a b': 'x:y,z@w/v-._~' }, 'rfc3986')).toBe('a%20b=x%3Ay%2Cz%40w%2Fv-._~');
        expect(buildQueryString({ ids: ['a', 'b'] }, 'rfc3986')).toBe('ids=a%2Cb');
    });

    it('escapes the characters a URL parser would otherwise rewrite', () => {
        // The WHATWG URL parser percent-encodes " < > ' and space in a query: send them escaped already.
        expect(buildQueryString({ q: `"<>'\`{}|\\^[]` }, 'minimal')).toBe(
            'q=%22%3C%3E%27%60%7B%7D%7C%5C%5E%5B%5D'
        );
    });

    it('rejects values that cannot be sent', () => {
        expect(() => buildQueryString({ pageSize: Number.NaN }, 'minimal')).toThrow(
            /pageSize is not a finite/
        );
        expect(() => buildQueryString({ name: 'a\ud800b' }, 'minimal')).toThrow(/name is not well-formed/);
    });

    it('both encodings decode back to the original text', () => {
        fc.assert(
            fc.property(
                fc.string({ unit: 'grapheme' }),
                fc.constantFrom('minimal' as const, 'rfc3986' as const, 'sign-decoded' as const),
                (s, enc) => {
                    const encoded = encodeQueryComponent(s, enc);
                    expect(decodeURIComponent(encoded)).toBe(s);
                    // Nothing left raw that separates or terminates a query parameter.
                    expect(encoded.replace(/%[0-9A-F]{2}/g, '')).not.toMatch(/[&=+# ?%]|[^\x21-\x7e]/);
                    if (enc !== 'minimal') expect(encoded).toMatch(/^([A-Za-z0-9\-._~]|%[0-9A-F]{2})*$/);
                }
            ),
            { numRuns: 2000 }
        );
    });

    it("rfc3986 matches encodeURIComponent except for !'()*", () => {
        fc.assert(
            fc.property(fc.string({ unit: 'grapheme' }), (s) => {
                const std = encodeURIComponent(s).replace(
                    /[!'()*]/g,
                    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`
                );
                expect(encodeQueryComponent(s, 'rfc3986')).toBe(std);
            }),
            { numRuns: 2000 }
        );
    });

    it('sign-decoded sends the RFC 3986 form and signs the decoded key=value text in order', () => {
        const q = {
            customerCode: 'A B#&+/%\u00e9',
            modifiedSince: '2024-01-01T00:00:00',
            gone: null,
            pageSize: 200
        };
        expect(buildQuery(q, 'sign-decoded')).toEqual({
            sent: 'customerCode=A%20B%23%26%2B%2F%25%C3%A9&modifiedSince=2024-01-01T00%3A00%3A00&pageSize=200',
            signed: 'customerCode=A B#&+/%\u00e9&modifiedSince=2024-01-01T00:00:00&pageSize=200'
        });
        // The older settings sign exactly what they send.
        for (const enc of ['minimal', 'rfc3986'] as const) {
            const b = buildQuery(q, enc);
            expect(b.signed).toBe(b.sent);
        }
        expect(buildQuery(q, 'minimal').sent).toBe(
            'customerCode=A%20B%23%26%2B/%25%C3%A9&modifiedSince=2024-01-01T00:00:00&pageSize=200'
        );
        expect(buildQuery(undefined, 'sign-decoded')).toEqual({ sent: '', signed: '' });
    });

    it('sign-decoded: percent-decoding the sent text gives the signed text', () => {
        fc.assert(
            fc.property(
                fc.array(fc.tuple(fc.string({ minLength: 1 }), fc.string({ unit: 'grapheme' })), {
                    maxLength: 4
                }),
                (entries) => {
                    const q = Object.fromEntries(entries.filter(([k]) => !/\p{Cs}/u.test(k)));
                    const b = buildQuery(q, 'sign-decoded');
                    expect(decodeURIComponent(b.sent)).toBe(b.signed);
                }
            ),
            { numRuns: 500 }
        );
    });

    it('knows which queries each setting signs alike', () => {
        expect(signingDependsOnEncoding({ productCode: 'WIDGET-BLUE', pageSize: 1000 })).toBe(false);
        expect(signingDependsOnEncoding(undefined)).toBe(false);
        // A colon is raw in minimal and sign-decoded but escaped (and so signed escaped) in rfc3986.
        expect(signingDependsOnEncoding({ modifiedSince: '2024-01-01T00:00:00' })).toBe(true);
        for (const code of ['A B', 'A#1', 'A&B', 'A+B', 'A/B', '100%', 'CAF\u00c9']) {
            expect(signingDependsOnEncoding({ customerCode: code })).toBe(true);
        }
    });
});
