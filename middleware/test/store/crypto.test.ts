import { randomBytes } from 'node:crypto';
import { decryptSecret, encryptSecret, keyId, SecretDecryptError } from '../../src/store/crypto';

describe('secret encryption', () => {
    const key = randomBytes(32);
    const other = randomBytes(32);

    it('round-trips and names the key', () => {
        const blob = encryptSecret('api-key-value', key, 'ctx');
        const parts = blob.split(':');
        expect(parts).toHaveLength(5);
        expect(parts[0]).toBe('v1');
        expect(parts[1]).toBe(keyId(key));
        expect(parts[1]).toMatch(/^[0-9a-f]{8}$/);
        expect(Buffer.from(parts[2] as string, 'base64')).toHaveLength(12);
        expect(Buffer.from(parts[3] as string, 'base64')).toHaveLength(16);
        expect(blob).not.toContain('api-key-value');
        expect(decryptSecret(blob, [other, key], 'ctx').toString()).toBe('api-key-value');
    });

    it('uses a fresh IV every time', () => {
        const a = encryptSecret('same', key);
        const b = encryptSecret('same', key);
        expect(a).not.toBe(b);
        expect(a.split(':')[2]).not.toBe(b.split(':')[2]);
    });

    it('fails clearly without the key the blob names', () => {
        const blob = encryptSecret(randomBytes(32), key);
        expect(() => decryptSecret(blob, [other])).toThrow(SecretDecryptError);
        expect(() => decryptSecret(blob, [other])).toThrow(
            new RegExp(`master key ${keyId(key)}, which is neither MASTER_KEY nor in MASTER_KEYS_PREVIOUS`)
        );
    });

    it('detects tampering and a blob moved to another context', () => {
        const blob = encryptSecret('x'.repeat(40), key, 'tenants:A:unleashed');
        expect(() => decryptSecret(blob, [key], 'tenants:B:unleashed')).toThrow(/failed authentication/);
        const parts = blob.split(':');
        const ct = Buffer.from(parts[4] as string, 'base64');
        ct[0] = (ct[0] as number) ^ 1;
        parts[4] = ct.toString('base64');
        expect(() => decryptSecret(parts.join(':'), [key], 'tenants:A:unleashed')).toThrow(
            /failed authentication/
        );
        expect(() => decryptSecret('plaintext', [key])).toThrow(/not an encrypted secret/);
    });

    it('refuses a key of the wrong length', () => {
        expect(() => encryptSecret('x', Buffer.alloc(16))).toThrow(/32 bytes/);
    });
});
