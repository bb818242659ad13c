import type { LoggerOptions } from 'pino';

/**
 * Every field or header that can carry a secret. pino replaces them with "[redacted]" before a
 * line is written, whatever the log level, so a secret never reaches a log line.
 */
export const REDACT_PATHS = [
    'req.headers.authorization',
    'req.headers.cookie',
    'req.headers["x-connector-signature"]',
    'req.headers["api-auth-signature"]',
    'req.headers["x-unleashed-signature"]',
    'headers.authorization',
    'headers["api-auth-signature"]',
    'headers["x-connector-signature"]',
    '*.apiKey',
    '*.api_key',
    '*.secret',
    '*.tenantSecret',
    '*.clientSecret',
    '*.refreshToken',
    '*.accessToken',
    '*.password',
    '*.masterKey',
    '*.privateKey',
    '*.signingKey',
    '*.signature',
    'apiKey',
    'secret',
    'tenantSecret',
    'clientSecret',
    'refreshToken',
    'accessToken',
    'password',
    'masterKey',
    'privateKey',
    'signingKey',
    'signature'
];

export function loggerOptions(level: string): LoggerOptions {
    return {
        level,
        redact: { paths: REDACT_PATHS, censor: '[redacted]' },
        base: { service: 'unleashed-connector' }
    };
}
