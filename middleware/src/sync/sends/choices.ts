import type { ChoicesInput, RecordAddress, RecordContact, SendRecords } from './records';

/**
 * The send dialog's starting choices and the pick-list options, from the gathered records: what the
 * last send stored on the Opportunity wins, then the package settings, then what the imported
 * reference data marks as default.
 */

export const STATUS_PARKED = 'Parked';
export const STATUS_PLACED = 'Placed';
const CUSTOMER_CODE_MAX = 20;

export interface Address {
    name: string | null;
    street: string | null;
    suburb: string | null;
    city: string | null;
    region: string | null;
    postalCode: string | null;
    country: string | null;
}

export interface Choices {
    warehouseCode: string | null;
    customerCode: string | null;
    newCustomerCode: string | null;
    taxCode: string | null;
    salesPersonEmail: string | null;
    deliveryMethod: string | null;
    orderStatus: string | null;
    requiredDate: string | null;
    comments: string | null;
    deliveryAddress: Address | null;
    salesOrderGroup: string | null;
    useUnleashedPrices: boolean;
    confirmed: string[];
}

export interface Option {
    value: string;
    label: string;
    detail: string | null;
    isDefault: boolean;
}

const TEXT_CHOICES = [
    'warehouseCode',
    'customerCode',
    'newCustomerCode',
    'taxCode',
    'salesPersonEmail',
    'deliveryMethod',
    'orderStatus',
    'requiredDate',
    'comments',
    'salesOrderGroup'
] as const;

export const blank = (v: string | null | undefined): v is null | undefined | '' => !v || v.trim() === '';
export const trimmed = (v: string | null | undefined): string | null => (blank(v) ? null : v.trim());
const firstNonBlank = (...values: (string | null | undefined)[]): string | null =>
    values.find((v) => !blank(v))?.trim() ?? null;

export function toAddress(name: string | null | undefined, a: RecordAddress | null | undefined): Address {
    return {
        name: trimmed(a?.name ?? name),
        street: trimmed(a?.street),
        suburb: trimmed(a?.suburb),
        city: trimmed(a?.city),
        region: trimmed(a?.region),
        postalCode: trimmed(a?.postalCode),
        country: trimmed(a?.country)
    };
}

/** An account address named after the account (null without an account). */
export function accountAddress(records: SendRecords, kind: 'billing' | 'shipping'): Address | null {
    const account = records.account;
    if (!account) return null;
    const a = kind === 'billing' ? account.billingAddress : account.shippingAddress;
    return { ...toAddress(account.name, a), name: trimmed(account.name) };
}

/** A code proposed for an Account Unleashed does not know: its name's letters and digits, upper case. */
export function proposedCustomerCode(records: SendRecords): string | null {
    const account = records.account;
    if (!account) return null;
    const letters = (account.name ?? '').toUpperCase().replace(/[^A-Z0-9]/g, '');
    return letters === '' ? account.id : letters.slice(0, CUSTOMER_CODE_MAX);
}

/**
 * Who Unleashed should know as the contact of a new customer: a Person Account is its own contact;
 * a business Account's is its primary contact, else its billing contact, else its first contact
 * with an email.
 */
export function customerContact(records: SendRecords): {
    firstName: string | null;
    lastName: string | null;
    email: string | null;
    phone: string | null;
    source: 'person-account' | 'contact' | null;
} {
    const account = records.account;
    if (!account) return { firstName: null, lastName: null, email: null, phone: null, source: null };
    if (account.isPersonAccount) {
        return {
            firstName: trimmed(account.firstName),
            lastName: trimmed(account.lastName),
            email: trimmed(account.email),
            phone: trimmed(account.phone),
            source: 'person-account'
        };
    }
    const contacts = account.contacts;
    const usable = (c: RecordContact) => !blank(c.email) || !blank(c.firstName) || !blank(c.lastName);
    const chosen =
        contacts.find((c) => c.isPrimary && usable(c)) ??
        contacts.find((c) => /billing/i.test(c.role ?? '') && usable(c)) ??
        contacts.find((c) => !blank(c.email)) ??
        contacts.find(usable);
    return {
        firstName: trimmed(chosen?.firstName),
        lastName: trimmed(chosen?.lastName),
        email: trimmed(chosen?.email) ?? trimmed(account.email),
        phone: trimmed(account.phone) ?? trimmed(chosen?.phone),
        source: chosen ? 'contact' : null
    };
}

export class ReferenceOptions {
    constructor(private readonly records: SendRecords) {}

    warehouses(): Option[] {
        const preferred = this.defaultWarehouseCode();
        return this.records.reference.warehouses.map((w) => ({
            value: w.code,
            label: w.name ?? w.code,
            detail: trimmed(w.place),
            isDefault: w.code === preferred
        }));
    }

    taxes(): Option[] {
        return this.records.reference.taxes.map((t) => ({
            value: t.code,
            label: t.name ?? t.code,
            detail: t.rate === null || t.rate === undefined || t.rate === '' ? null : `${String(t.rate)}%`,
            isDefault: t.isDefault
        }));
    }

    salesPersons(): Option[] {
        const me = (this.records.user.email ?? '').toLowerCase();
        return this.records.reference.salesPersons.map((p) => ({
            value: p.email,
            label: p.name ?? p.email,
            detail: p.email,
            isDefault: me !== '' && p.email.toLowerCase() === me
        }));
    }

    salesOrderGroups(): Option[] {
        return this.records.reference.salesOrderGroups.map((g) => ({
            value: g.name,
            label: g.name,
            detail: null,
            isDefault: g.name === trimmed(this.records.account?.defaults?.salesOrderGroup)
        }));
    }

    deliveryMethods(): Option[] {
        return this.records.reference.deliveryMethods.map((d) => ({
            value: d.name,
            label: d.name,
            detail: null,
            isDefault: false
        }));
    }

    defaultWarehouseCode(): string | null {
        const ofAccount = trimmed(this.records.account?.defaults?.warehouseCode);
        if (ofAccount) return ofAccount;
        const configured = trimmed(this.records.settings.defaultWarehouseCode);
        if (configured) return configured;
        const warehouses = this.records.reference.warehouses;
        const marked = warehouses.find((w) => w.isDefault);
        if (marked) return marked.code;
        return warehouses.length === 1 ? (warehouses[0]?.code ?? null) : null;
    }

    defaultTaxCode(): string | null {
        return this.records.reference.taxes.find((t) => t.isDefault)?.code ?? null;
    }

    defaultSalesPersonEmail(): string | null {
        return (
            trimmed(this.records.account?.defaults?.salesPersonEmail) ??
            this.salesPersons().find((o) => o.isDefault)?.value ??
            null
        );
    }

    /** The Salesforce records of the chosen codes, so the Opportunity remembers them (null: not imported). */
    lookups(choices: Choices): {
        warehouseId: string | null;
        taxId: string | null;
        salesPersonId: string | null;
        deliveryMethodId: string | null;
    } {
        const ref = this.records.reference;
        return {
            warehouseId: ref.warehouses.find((w) => w.code === choices.warehouseCode)?.id ?? null,
            taxId: ref.taxes.find((t) => t.code === choices.taxCode)?.id ?? null,
            salesPersonId: ref.salesPersons.find((p) => p.email === choices.salesPersonEmail)?.id ?? null,
            deliveryMethodId: ref.deliveryMethods.find((d) => d.name === choices.deliveryMethod)?.id ?? null
        };
    }
}

export function defaultOrderStatus(records: SendRecords): string {
    return records.settings.defaultOrderStatus === STATUS_PLACED ? STATUS_PLACED : STATUS_PARKED;
}

/** The choices the dialog starts with. */
export function defaultChoices(records: SendRecords, refs: ReferenceOptions): Choices {
    const stored = records.opportunity.stored;
    const customerCode = trimmed(records.account?.customerCode);
    const storedAddress = stored.deliveryAddress;
    const accountDefaults = records.account?.defaults;
    const hasStoredAddress =
        !!storedAddress &&
        (!blank(storedAddress.street) || !blank(storedAddress.city) || !blank(storedAddress.name));
    return {
        warehouseCode: firstNonBlank(stored.warehouseCode, refs.defaultWarehouseCode()),
        customerCode,
        newCustomerCode: customerCode ? null : proposedCustomerCode(records),
        taxCode: firstNonBlank(stored.taxCode, refs.defaultTaxCode()),
        salesPersonEmail: firstNonBlank(stored.salesPersonEmail, refs.defaultSalesPersonEmail()),
        deliveryMethod: firstNonBlank(stored.deliveryMethod, accountDefaults?.deliveryMethod),
        orderStatus: firstNonBlank(stored.orderStatus, defaultOrderStatus(records)),
        requiredDate: trimmed(stored.requiredDate),
        comments: stored.comments ?? records.mapped?.comments ?? null,
        deliveryAddress: hasStoredAddress
            ? toAddress(null, storedAddress)
            : accountAddress(records, accountDefaults?.deliverTo === 'billing' ? 'billing' : 'shipping'),
        salesOrderGroup: trimmed(accountDefaults?.salesOrderGroup),
        useUnleashedPrices: false,
        confirmed: []
    };
}

/** Every blank choice taken from the defaults. */
export function withDefaults(given: ChoicesInput | null | undefined, defaults: Choices): Choices {
    const result: Choices = { ...defaults };
    if (!given) return result;
    for (const key of TEXT_CHOICES) {
        const v = given[key];
        if (!blank(v)) result[key] = key === 'comments' ? (v as string) : (v as string).trim();
    }
    if (given.deliveryAddress) result.deliveryAddress = toAddress(null, given.deliveryAddress);
    // An explicit existing customer code means no new customer is wanted.
    if (!blank(given.customerCode) && blank(given.newCustomerCode)) result.newCustomerCode = null;
    result.useUnleashedPrices = given.useUnleashedPrices === true;
    result.confirmed = [...new Set(given.confirmed ?? [])];
    return result;
}
