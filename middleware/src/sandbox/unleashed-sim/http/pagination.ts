import { badRequest } from '../errors';

export interface Pagination {
    NumberOfItems: number;
    PageSize: number;
    PageNumber: number;
    NumberOfPages: number;
}

export interface ListBody<T> {
    Pagination: Pagination;
    Items: T[];
}

export function parsePage(segment: string | undefined): number {
    if (segment === undefined) return 1;
    const n = Number(segment);
    if (!Number.isSafeInteger(n) || n < 1) throw badRequest('The page number must be 1 or more.');
    return n;
}

/**
 * One page of `total` matches; only that page's items are materialised. An empty result answers
 * PageNumber 0 and NumberOfPages 0; a page past the end answers no items with the pages counted.
 */
export function paginate<T>(
    total: number,
    page: number,
    pageSize: number,
    materialise: (start: number, end: number) => T[]
): ListBody<T> {
    if (total === 0) {
        return {
            Pagination: { NumberOfItems: 0, PageSize: pageSize, PageNumber: 0, NumberOfPages: 0 },
            Items: []
        };
    }
    const pages = Math.ceil(total / pageSize);
    const start = (page - 1) * pageSize;
    const items = start >= total ? [] : materialise(start, Math.min(total, start + pageSize));
    return {
        Pagination: { NumberOfItems: total, PageSize: pageSize, PageNumber: page, NumberOfPages: pages },
        Items: items
    };
}

export function paginateArray<T>(items: T[], page: number, pageSize: number): ListBody<T> {
    return paginate(items.length, page, pageSize, (s, e) => items.slice(s, e));
}
