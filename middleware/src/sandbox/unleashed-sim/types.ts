/**
 * Public shapes of the Unleashed simulator (dev and test only). Every behaviour that
 * docs/unleashed-api.md marks as uncertain is a setting here, so clients can be tested against each variant.
 */
import type { SimState } from './state/state';
import type { WebhookHub } from './webhooks';

export type SeedName = 'demo' | 'large' | 'empty';
export type RoundingMode = 'half-away-from-zero' | 'half-even';

export interface SimSettings {
    /** Reject a request whose Accept header does not ask for application/json. */
    requireAccept: boolean;
    /** Status used for a missing or wrong Accept header (the public sources disagree). */
    acceptErrorStatus: 400 | 406;
    /** Reject a request without a client-type header (required by Unleashed since mid-2025). */
    requireClientType: boolean;
    /**
     * Which form of the query string the signature is checked against: `decoded` (the evidence:
     * Unleashed verifies the percent-decoded `key=value&...` text) or `raw` (the bytes as received).
     */
    verifyQueryAs: 'raw' | 'decoded';
    /** `{"Description": ...}` or `{"Items": [{"Description": ...}]}`. */
    errorShape: 'description' | 'items';
    /** Calls allowed per API id per calendar month (UTC); null = unlimited. */
    monthlyQuota: number | null;
    /** Status answered once the monthly allowance is spent (undocumented: 403 reported, 429 possible). */
    quotaStatus: 403 | 429;
    /** What a POST to an existing sales order GUID does. */
    postExistingOrder: 'reject' | 'update';
    /**
     * What PUT /SalesOrders/{guid} does with lines: `replace` them with the body's, or keep the stored
     * lines and totals and change the header only (what one public client's real PUT suggests).
     */
    orderUpdate: 'replace' | 'header-only';
    /** The status stored when a POST asks for Placed (recorded traffic shows Parked answered). */
    createPlacedAs: 'Placed' | 'Parked';
    /** The name field of DeliveryMethods items (public clients disagree). */
    deliveryMethodNameField: 'Name' | 'DeliveryMethodName';
    /**
     * The name field of SalesOrderGroups items: public clients disagree (`Name`, `SalesOrderGroupName`)
     * and the brief names `GroupName`; the official page was not seen.
     */
    salesOrderGroupNameField: 'GroupName' | 'Name' | 'SalesOrderGroupName';
    /**
     * What an order's `SalesOrderGroup` that names no active group does: `reject` (400) or `keep` it
     * as sent. Unleashed's pages do not say.
     */
    unknownSalesOrderGroup: 'reject' | 'keep';
    /**
     * Whether the account answers GET /SalesOrderGroups (`listed`) or 404 (`absent`): public clients
     * read it, Unleashed's reference pages were not seen.
     */
    salesOrderGroupsList: 'listed' | 'absent';
    /** Rounding at an exact half cent when validating order money. */
    rounding: RoundingMode;
    /** Accept a non-zero line DiscountRate (a fraction): LineTotal = round2(qty x price x (1 - rate)). */
    allowDiscountRate: boolean;
    /**
     * Check each line's TaxRate against the rate Unleashed would use: the line tax code's, else the
     * product's sales tax, else the order's.
     */
    checkLineTaxRates: boolean;
    /** Warehouse fields of StockOnHand total rows (no warehouseCode filter): null or ''. */
    totalsWarehouseFields: 'null' | 'empty';
    /**
     * Whether allocating or releasing an order's stock moves StockOnHand's LastModifiedOn (what a
     * `modifiedSince` query sees). Unleashed does not say; a receipt or a shipment always does.
     */
    allocationMovesStockDate: boolean;
    /** Seed of the PRNG that decides which calls fail under failRate5xx. */
    /** Key name of a shipment's courier on the wire (public models show `ShippingCompany`; unconfirmed). */
    shipmentCourierField: 'ShippingCompany' | 'Courier';
    faultSeed: number;
}

export interface Faults {
    /** Delay before each API answer. */
    latencyMs: number;
    /** Share (0..1) of API calls answered 503, decided by a seeded PRNG. */
    failRate5xx: number;
    /** The next N API calls answer 429 with Retry-After: 1. */
    burst429: number;
    /** The next N API requests have their socket destroyed without an answer. */
    dropConnections: number;
    /** The next N writes commit, then never answer (the client times out). */
    timeoutAfterCommit: number;
}

export interface SimCredentials {
    apiId: string;
    apiKey: string;
}

export interface StartOptions {
    port?: number;
    host?: '127.0.0.1';
    seed?: SeedName;
    settings?: Partial<SimSettings>;
    faults?: Partial<Faults>;
    credentials?: SimCredentials[];
    /** Clock in ms since epoch; tests pin it to cross a month boundary or compare dates. */
    clock?: () => number;
}

export interface CallRecord {
    seq: number;
    at: string;
    method: string;
    path: string;
    query: string;
    apiId: string | null;
    status: number | null;
    /** ok | denied | quota | fault-429 | fault-5xx | dropped | hung | error */
    outcome: string;
    counted: boolean;
}

export interface UnleashedSim {
    url: string;
    readonly state: SimState;
    settings: SimSettings;
    readonly faults: Faults;
    setFaults(f: Partial<Faults>): void;
    setSettings(s: Partial<SimSettings>): void;
    reset(seed?: SeedName): void;
    close(): Promise<void>;
    /** Calls counted against the quota (authenticated), for one API id or all. */
    callCount(apiId?: string): number;
    calls(): CallRecord[];
    /** Webhook subscriptions, deliveries and their settings. */
    readonly webhooks: WebhookHub;
}
