import type { Faults, SimSettings } from './types';

export const DEFAULT_SETTINGS: Readonly<SimSettings> = Object.freeze({
    requireAccept: true,
    acceptErrorStatus: 406,
    requireClientType: true,
    verifyQueryAs: 'decoded',
    errorShape: 'description',
    monthlyQuota: null,
    quotaStatus: 403,
    postExistingOrder: 'reject',
    orderUpdate: 'replace',
    createPlacedAs: 'Placed',
    deliveryMethodNameField: 'Name',
    salesOrderGroupNameField: 'GroupName',
    unknownSalesOrderGroup: 'reject',
    salesOrderGroupsList: 'listed',
    rounding: 'half-away-from-zero',
    allowDiscountRate: false,
    checkLineTaxRates: true,
    totalsWarehouseFields: 'null',
    allocationMovesStockDate: true,
    shipmentCourierField: 'ShippingCompany',
    faultSeed: 1
});

export const NO_FAULTS: Readonly<Faults> = Object.freeze({
    latencyMs: 0,
    failRate5xx: 0,
    burst429: 0,
    dropConnections: 0,
    timeoutAfterCommit: 0
});

type Check = (v: unknown) => boolean;
const oneOf =
    (...allowed: unknown[]): Check =>
    (v) =>
        allowed.includes(v);
const isBool: Check = (v) => typeof v === 'boolean';
const count: Check = (v) => typeof v === 'number' && Number.isInteger(v) && v >= 0;

const SETTING_CHECKS: Record<keyof SimSettings, Check> = {
    requireAccept: isBool,
    acceptErrorStatus: oneOf(400, 406),
    requireClientType: isBool,
    verifyQueryAs: oneOf('raw', 'decoded'),
    errorShape: oneOf('description', 'items'),
    monthlyQuota: (v) => v === null || count(v),
    quotaStatus: oneOf(403, 429),
    postExistingOrder: oneOf('reject', 'update'),
    orderUpdate: oneOf('replace', 'header-only'),
    createPlacedAs: oneOf('Placed', 'Parked'),
    deliveryMethodNameField: oneOf('Name', 'DeliveryMethodName'),
    salesOrderGroupNameField: oneOf('GroupName', 'Name', 'SalesOrderGroupName'),
    unknownSalesOrderGroup: oneOf('reject', 'keep'),
    salesOrderGroupsList: oneOf('listed', 'absent'),
    rounding: oneOf('half-away-from-zero', 'half-even'),
    allowDiscountRate: isBool,
    checkLineTaxRates: isBool,
    totalsWarehouseFields: oneOf('null', 'empty'),
    allocationMovesStockDate: isBool,
    shipmentCourierField: oneOf('ShippingCompany', 'Courier'),
    faultSeed: (v) => typeof v === 'number' && Number.isInteger(v)
};

const FAULT_CHECKS: Record<keyof Faults, Check> = {
    latencyMs: count,
    failRate5xx: (v) => typeof v === 'number' && v >= 0 && v <= 1,
    burst429: count,
    dropConnections: count,
    timeoutAfterCommit: count
};

/** Checks a partial object against a table of field checks; throws naming the first bad field. */
function checked<T extends object>(input: unknown, checks: Record<keyof T, Check>, what: string): Partial<T> {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
        throw new TypeError(`${what} must be a JSON object`);
    }
    const out: Partial<T> = {};
    for (const [key, value] of Object.entries(input)) {
        if (value === undefined) continue;
        const check = (checks as Record<string, Check | undefined>)[key];
        if (!check) throw new TypeError(`unknown ${what} field: ${key}`);
        if (!check(value))
            throw new TypeError(`invalid value for ${what} field ${key}: ${JSON.stringify(value)}`);
        (out as Record<string, unknown>)[key] = value;
    }
    return out;
}

export function checkSettings(input: unknown): Partial<SimSettings> {
    return checked<SimSettings>(input, SETTING_CHECKS, 'settings');
}

export function checkFaults(input: unknown): Partial<Faults> {
    return checked<Faults>(input, FAULT_CHECKS, 'faults');
}
