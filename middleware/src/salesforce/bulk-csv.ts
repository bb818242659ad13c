import Decimal from 'decimal.js';
import type { SObjectRecord } from './types';

/**
 * CSV for Bulk API 2.0 ingest, built here rather than by jsforce so the header is exactly the
 * fields the records carry (jsforce always adds an Id column). Conventions of Bulk API 2.0:
 * an empty cell leaves a field unchanged, `#N/A` clears it, an external-id reference is a column
 * named `Relationship__r.ExternalId__c`.
 */

/** One column per field path, in the order first seen; the external id column first. */
export function bulkColumns(records: SObjectRecord[], externalIdField: string): string[] {
    const seen = new Set<string>([externalIdField]);
    for (const record of records) {
        for (const [key, value] of Object.entries(record)) {
            if (key === 'attributes') continue;
            if (isReference(value)) {
                for (const sub of Object.keys(value)) if (sub !== 'attributes') seen.add(`${key}.${sub}`);
            } else {
                seen.add(key);
            }
        }
    }
    return [...seen];
}

function isReference(v: unknown): v is Record<string, unknown> {
    return (
        v !== null &&
        typeof v === 'object' &&
        !Array.isArray(v) &&
        !(v instanceof Date) &&
        !Decimal.isDecimal(v)
    );
}

function cell(value: unknown, column: string): string {
    if (value === undefined) return '';
    if (value === null) return '#N/A';
    let text: string;
    if (typeof value === 'string') text = value;
    else if (typeof value === 'boolean') text = value ? 'true' : 'false';
    else if (typeof value === 'number') {
        if (!Number.isFinite(value)) throw new Error(`${column}: ${value} cannot be written to Salesforce`);
        text = String(value);
    } else if (value instanceof Date) text = value.toISOString();
    else if (Decimal.isDecimal(value)) text = value.toFixed();
    else throw new Error(`${column}: a value of type ${typeof value} cannot be written to a CSV cell`);
    if (text === '') return '#N/A';
    return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function valueAt(record: SObjectRecord, column: string): unknown {
    const dot = column.indexOf('.');
    if (dot < 0) return record[column];
    const ref = record[column.slice(0, dot)];
    return isReference(ref) ? ref[column.slice(dot + 1)] : undefined;
}

export function toBulkCsv(records: SObjectRecord[], columns: string[]): string {
    const lines = [columns.map((c) => cell(c, 'header')).join(',')];
    for (const record of records) lines.push(columns.map((c) => cell(valueAt(record, c), c)).join(','));
    return lines.join('\n') + '\n';
}

/**
 * `sf__Error` text of a failed row: `STATUS_CODE:message:field1,field2 --` (several errors are
 * separated by spaces after the `--`). The exact layout is not documented; this reads what the
 * API is seen to return and keeps the whole text as the message when it does not fit.
 */
export function parseBulkError(text: string): { statusCode: string; message: string; fields: string[] }[] {
    const parts = text.split(/ --(?:\s+|$)/).filter((p) => p.trim() !== '');
    const parsed = parts.map((part) => {
        const m = /^([A-Z_]+):(.*?)(?::([^:]*))?$/s.exec(part.trim());
        if (!m) return { statusCode: 'UNKNOWN_EXCEPTION', message: part.trim(), fields: [] };
        const fields = (m[3] ?? '')
            .split(',')
            .map((f) => f.trim())
            .filter(Boolean);
        return { statusCode: m[1]!, message: m[2]!.trim(), fields };
    });
    return parsed.length ? parsed : [{ statusCode: 'UNKNOWN_EXCEPTION', message: text, fields: [] }];
}
