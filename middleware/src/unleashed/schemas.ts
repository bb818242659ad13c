import { z } from 'zod';

/**
 * Shapes of Unleashed responses. Objects are loose (unknown fields kept, so nothing Unleashed adds
 * is lost on a round trip) and fields are nullish wherever real responses carry nulls. Dates stay
 * strings ("/Date(ms)/"); read them with parseUnleashedDate.
 */

export const PaginationSchema = z.looseObject({
    NumberOfItems: z.number().int().min(0),
    PageSize: z.number().int().min(0),
    PageNumber: z.number().int().min(0),
    NumberOfPages: z.number().int().min(0)
});

/** A list page; items are validated one by one so an error can name the item. */
export const PageEnvelopeSchema = z.looseObject({
    Pagination: PaginationSchema,
    Items: z.array(z.unknown())
});
