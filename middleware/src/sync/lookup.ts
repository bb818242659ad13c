import type { ZodType } from 'zod';
import { ProductSchema, type UnleashedProduct } from '../unleashed/schemas';
import type { Query, UnleashedClient } from '../unleashed/types';

/**
 * Exact-code lookups on Unleashed's prefix filters, with a bound on what one lookup may cost.
 *
 * `productCode=P` answers every product whose code starts with P (100,000 in a large account, 100
 * pages). Unleashed documents no order for list results (`orderBy` exists, its values and collation
 * are undocumented, and the simulator returns creation order), so a lookup cannot stop at "past the
 * place where P would sort". It stops instead when the code is found, when the list ends, after
 * `maxPages` pages, or when the request's shared call budget is spent; the last two answer
 * "unresolved" rather than a false "missing", and callers remember either answer for a while.
 */

/**
 * The pages past the first that one request's lookups may read, shared by all of them: a request
 * costs at most one call per code plus this budget.
 */
export class CallBudget {
    constructor(private left: number) {}

    /** Takes one call from the budget; false when none is left. */
    take(): boolean {
        if (this.left <= 0) return false;
        this.left--;
        return true;
    }

    get remaining(): number {
        return this.left;
    }
}

export interface LookupLimits {
    /** Pages (of 1,000) one code may read; the first page is always read. */
    maxPages: number;
    /** Pages past each code's first that the whole request may read. */
    extraPages: number;
}

export const DEFAULT_LOOKUP_LIMITS: LookupLimits = { maxPages: 3, extraPages: 10 };

export function lookupBudget(limits: LookupLimits): CallBudget {
    return new CallBudget(limits.extraPages);
}

export type CodeLookup<T> =
    | { status: 'found'; item: T }
    | { status: 'missing' }
    /** Candidates remained unread when a bound was reached: the code may exist. */
    | { status: 'unresolved'; pagesRead: number };

const PAGE_SIZE = 1000;

export async function findExactCode<T>(
    client: UnleashedClient,
    resource: string,
    filterName: string,
    code: string,
    codeOf: (item: T) => string | null | undefined,
    itemSchema: ZodType<T>,
    opts: {
        extraQuery?: Query;
        limits: LookupLimits;
        budget: CallBudget;
        /** Runs each call (e.g. within the tenant's concurrency bound); directly by default. */
        run?: <R>(call: () => Promise<R>) => Promise<R>;
    }
): Promise<CodeLookup<T>> {
    if (code === '') throw new RangeError(`${filterName} must not be empty`);
    const query: Query = { ...opts.extraQuery, [filterName]: code, pageSize: PAGE_SIZE };
    for (let page = 1; ; page++) {
        // The first page is every code's due; later ones come out of the request's budget.
        if (page > 1 && (page > opts.limits.maxPages || !opts.budget.take())) {
            return { status: 'unresolved', pagesRead: page - 1 };
        }
        const n = page;
        const get = () => client.getPage(resource, n, query, itemSchema);
        const p = await (opts.run ? opts.run(get) : get());
        const hit = p.items.find((item) => codeOf(item) === code);
        if (hit !== undefined) return { status: 'found', item: hit };
        // PageNumber 0 is Unleashed's empty result; an empty page also ends it (a wrong count never loops).
        if (p.items.length === 0 || p.pagination.PageNumber === 0 || page >= p.pagination.NumberOfPages) {
            return { status: 'missing' };
        }
    }
}

/** A product by its exact code, obsolete ones included (an order or a stock view may still name them). */
export function findProductByCode(
    client: UnleashedClient,
    code: string,
    opts: { limits: LookupLimits; budget: CallBudget; run?: <R>(call: () => Promise<R>) => Promise<R> }
): Promise<CodeLookup<UnleashedProduct>> {
    return findExactCode(client, 'Products', 'productCode', code, (x) => x.ProductCode, ProductSchema, {
        extraQuery: { includeObsolete: true },
        ...opts
    });
}
