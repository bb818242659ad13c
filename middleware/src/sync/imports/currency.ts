import { SalesforceError } from '../../salesforce/errors';
import type { SalesforceWriter } from '../../salesforce/types';

/**
 * Which currencies price book entries are written in. Unleashed keeps sell prices (default and
 * tiers) in the company's base currency only, so that is the one currency with a price. In a
 * multi-currency org an entry needs an explicit CurrencyIsoCode, and the base currency must be
 * active there, or Salesforce refuses it; entries in other currencies are never made up (no
 * conversion). A single-currency org has no CurrencyIsoCode field: entries are written without one.
 */
export interface CurrencyPlan {
    multiCurrency: boolean;
    /** Currencies to write entries in; [''] in a single-currency org (no CurrencyIsoCode field). */
    slots: string[];
    /** Why no currency can be written, when `slots` is empty. */
    reason: string | null;
    /** The org's active currencies, when it is multi-currency and lets us read them. */
    active: Set<string> | null;
}

const isCode = (code: string) => (err: unknown) => err instanceof SalesforceError && err.code === code;

export async function currencyPlan(
    writer: SalesforceWriter,
    baseCurrency: string | null
): Promise<CurrencyPlan> {
    try {
        await writer.query('SELECT Id, CurrencyIsoCode FROM PricebookEntry LIMIT 1');
    } catch (err) {
        if (isCode('INVALID_FIELD')(err))
            return { multiCurrency: false, slots: [''], reason: null, active: null };
        throw err;
    }
    let active: Set<string> | null = null;
    try {
        const rows = await writer.query<{ IsoCode: string }>(
            'SELECT IsoCode FROM CurrencyType WHERE IsActive = true'
        );
        active = new Set(rows.map((r) => String(r.IsoCode).toUpperCase()));
    } catch (err) {
        // Some API users cannot read CurrencyType; the base currency is then assumed active, and
        // Salesforce's own refusal names the problem on each entry if it is not.
        if (!isCode('INVALID_TYPE')(err) && !isCode('INSUFFICIENT_ACCESS')(err)) throw err;
    }
    return planFor(baseCurrency, active);
}

/** The currency rule on its own: the base currency when the org has it active. */
export function planFor(baseCurrency: string | null, active: Set<string> | null): CurrencyPlan {
    if (!baseCurrency) {
        return {
            multiCurrency: true,
            slots: [],
            reason: 'Unleashed did not say which currency its prices are in (the company has no base currency)',
            active
        };
    }
    const code = baseCurrency.toUpperCase();
    if (active && !active.has(code)) {
        return {
            multiCurrency: true,
            slots: [],
            reason: `Unleashed prices are in ${code}, which is not an active currency in this Salesforce org`,
            active
        };
    }
    return { multiCurrency: true, slots: [code], reason: null, active };
}
