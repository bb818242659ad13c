import type { ZodType } from 'zod';

/**
 * Unleashed items are read loosely (the page itself must be well formed) and checked one by one
 * here, so one malformed record is reported with its reason instead of failing its whole page.
 */

interface Issue {
    path: readonly PropertyKey[];
    message: string;
}

export type Parsed<T> =
    | { ok: true; value: T }
    | {
          ok: false;
          issues: readonly Issue[];
          /** the record's code or GUID when readable */ label: string | null;
      };

const LABEL_FIELDS = ['ProductCode', 'CustomerCode', 'WarehouseCode', 'TaxCode', 'Email', 'Name', 'Guid'];

export function parseItem<T>(schema: ZodType<T>, raw: unknown): Parsed<T> {
    const r = schema.safeParse(raw);
    if (r.success) return { ok: true, value: r.data };
    let label: string | null = null;
    if (raw && typeof raw === 'object') {
        for (const f of LABEL_FIELDS) {
            const v = (raw as Record<string, unknown>)[f];
            if (typeof v === 'string' && v.trim() !== '') {
                label = v;
                break;
            }
        }
    }
    return { ok: false, issues: r.error.issues, label };
}

/** `Unleashed sent a malformed record: ProductCode: expected string, received null` */
export function describeIssues(issues: readonly Issue[]): string {
    const parts = issues.slice(0, 3).map((i) => {
        const where = i.path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p))).join('.');
        return `${where || '(record)'}: ${i.message.replace(/^Invalid input: /, '')}`;
    });
    const more = issues.length > 3 ? ` (and ${issues.length - 3} more)` : '';
    return `Unleashed sent a malformed record: ${parts.join('; ')}${more}`;
}
