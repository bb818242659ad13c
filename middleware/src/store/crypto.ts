import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * Secrets at rest: AES-256-GCM with a random 96-bit IV per value, stored as
 * `v1:<keyId>:<iv>:<tag>:<ciphertext>` (base64 parts). keyId names the master key (first 8 hex of
 * its SHA-256) so a value can be read while keys rotate. `context` is bound as associated data, so a
 * value copied into another tenant's row or column does not decrypt.
 */

const VERSION = 'v1';

export class SecretDecryptError extends Error {
    constructor(message: string) {
        super(message);
        this.name = 'SecretDecryptError';
    }
}

export function keyId(key: Buffer): string {
    return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

function checkKey(key: Buffer): void {
    if (key.length !== 32) throw new Error(`master key must be 32 bytes, got ${key.length}`);
}

export function encryptSecret(plain: string | Buffer, key: Buffer, context = ''): string {
    checkKey(key);
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ct = Buffer.concat([
        cipher.update(typeof plain === 'string' ? Buffer.from(plain, 'utf8') : plain),
        cipher.final()
    ]);
    return [
        VERSION,
        keyId(key),
        iv.toString('base64'),
        cipher.getAuthTag().toString('base64'),
        ct.toString('base64')
    ].join(':');
}

/** The id of the key a blob was encrypted under (no decryption). */
export function blobKeyId(blob: string): string {
    return parseBlob(blob).kid;
}

function parseBlob(blob: string): { kid: string; iv: Buffer; tag: Buffer; ct: Buffer } {
    const parts = blob.split(':');
    if (parts.length !== 5 || parts[0] !== VERSION) {
        throw new SecretDecryptError(`not an encrypted secret of format ${VERSION}`);
    }
    const [, kid, iv, tag, ct] = parts as [string, string, string, string, string];
    const ivBuf = Buffer.from(iv, 'base64');
    const tagBuf = Buffer.from(tag, 'base64');
    if (!/^[0-9a-f]{8}$/.test(kid) || ivBuf.length !== 12 || tagBuf.length !== 16) {
        throw new SecretDecryptError('encrypted secret is malformed');
    }
    return { kid, iv: ivBuf, tag: tagBuf, ct: Buffer.from(ct, 'base64') };
}

/** Decrypts with whichever of `keys` the blob names; fails clearly for an unknown key or tampering. */
export function decryptSecret(blob: string, keys: readonly Buffer[], context = ''): Buffer {
    const { kid, iv, tag, ct } = parseBlob(blob);
    const key = keys.find((k) => keyId(k) === kid);
    if (!key) {
        throw new SecretDecryptError(
            `secret was encrypted under master key ${kid}, which is neither MASTER_KEY nor in MASTER_KEYS_PREVIOUS`
        );
    }
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(tag);
    try {
        return Buffer.concat([decipher.update(ct), decipher.final()]);
    } catch {
        throw new SecretDecryptError(
            `secret failed authentication under master key ${kid} (altered or moved)`
        );
    }
}
