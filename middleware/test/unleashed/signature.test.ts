import { createHmac } from 'node:crypto';
import { signQuery } from '../../src/unleashed/signature';

// Published vectors (docs/unleashed-api.md, from an open-source Go client's tests).
const KEY_A = 'sq7Uz7ChGPC2oC2ZCiFFIAvXix7rTjWBzSPKY7w69uPJoOmvIbZCiUAuB6pbAeGqkpym9347ALqShWX8j2CFkQ==';
const KEY_B = 'li0PveO71YKrvPg8SUBVJ0FNMqKL352LKi21bT8698CtCqyzg8cTUtbYAM2LSI49ghMSLXCnsexrAoAQoIQ==';

describe('signQuery', () => {
    it.each([
        [KEY_A, '', 'f6tsD9YgjXRuAsKFe1NKMr3dKdB8hHsnUep35hz5ukU='],
        [KEY_A, 'a=b&c=d', 'q6npNDkHLOyuRxAAinvUThJHJILA08j68E1J6g947Ek='],
        [KEY_B, '', 'aJAWxUbG7BpVcL1i4TPrEO/91QfP/2ryYv1yTIMlq9o=']
    ])('published vector: key %#', (key, query, signature) => {
        expect(signQuery(key, query)).toBe(signature);
    });

    it('uses the key as text, not its base64-decoded bytes', () => {
        const decoded = createHmac('sha256', Buffer.from(KEY_A, 'base64')).update('').digest('base64');
        expect(signQuery(KEY_A, '')).not.toBe(decoded);
    });

    it('signs the exact bytes: an escaped and a raw colon differ', () => {
        expect(signQuery(KEY_A, 'modifiedSince=2024-01-01T00:00:00')).not.toBe(
            signQuery(KEY_A, 'modifiedSince=2024-01-01T00%3A00%3A00')
        );
    });

    // Fixed vectors computed apart from this code (openssl dgst -sha256 -hmac ... | base64).
    it('hashes non-ASCII key and query text as UTF-8', () => {
        expect(signQuery('k\u00e9y', 'name=\u00e9')).toBe('hUE8OvgCukh8ss3DaMYdWcb3ScM3RumuSwQVpn0i1VA=');
    });

    it('signs a decoded query with reserved characters byte for byte', () => {
        expect(signQuery(KEY_A, 'customerCode=A B#&+/%\u00e9&modifiedSince=2024-01-01T00:00:00')).toBe(
            'rdYkiOpXY6rc8mQijSAtlLiOlLjBizhGbRyHQUBk7KQ='
        );
        expect(signQuery(KEY_A, 'customerCode=test@test.com')).toBe(
            'QTwfcVY7xODZL79TgByH4aZpgUhrfTDnecSG9L5boME='
        );
    });
});
