import { Decimal } from 'decimal.js';
import { formatMoney, type RoundingMode } from '../../money/decimal';
import type { SalesforceWriter } from '../../salesforce/types';
import { parseUnleashedDate } from '../../unleashed/dates';
import type { UnleashedSalesOrder } from '../../unleashed/schemas';

/**
 * The `order.status` event of the package's Apex REST resource (docs/datamodel.md), and the port the
 * status rules deliver through. Money travels as decimal strings with two places, like every
 * money value the middleware hands to Salesforce.
 */
export interface OrderStatusEvent {
    type: 'order.status';
    opportunityId: string;
    orderGuid: string;
    orderNumber: string | null;
    status: string;
    subTotal: string;
    taxTotal: string;
    total: string;
    /** The account's own status name shown with `status` (Unleashed's CustomOrderStatus), or null. */
    customStatus?: string | null;
    /** The status Salesforce showed before this change (null when unknown). */
    previousStatus?: string | null;
    /** When Unleashed made the change (its LastModifiedOn, ISO 8601 UTC), or null when it did not say. */
    changedAt?: string | null;
    /**
     * What the package must do with the Opportunity: `unlock` when the order was Deleted in
     * Unleashed (clear the order link and allow a new send, keeping `note` in the Sync Log); `none`
     * otherwise.
     */
    action?: 'none' | 'unlock';
    /** A sentence for the rep (set with `unlock`). */
    note?: string | null;
}

/** Any event of the package's events resource: `type` says which (docs/architecture.md). */
export interface SalesforceEvent {
    type: string;
}

export interface DeliveryResult {
    ok: boolean;
    error: string | null;
    /**
     * True when Salesforce looked at this event and refused it (bad Opportunity, validation); false
     * when the call as a whole failed (outage, session, limits), which says nothing about the event.
     */
    rejected: boolean;
    /**
     * True when the org said the same event would be refused again (a validation rule, a locked
     * record, an Opportunity it cannot see): the event is given up at once instead of retried.
     * Orgs on a package version that does not say so are retried up to the attempt limit.
     */
    final: boolean;
}

/** Delivers events to an org; one result per event, in order. Never throws. */
export interface SalesforceEvents {
    deliver(orgId: string, events: readonly SalesforceEvent[]): Promise<DeliveryResult[]>;
}

/** The Apex resource is bulk-safe per call; a call carries at most this many events. */
export const MAX_EVENTS_PER_CALL = 200;

export function statusEvent(
    opportunityId: string,
    order: UnleashedSalesOrder,
    rounding: RoundingMode,
    previousStatus: string | null = null
): OrderStatusEvent {
    const money = (v: number | string | null | undefined) =>
        formatMoney(new Decimal(v === null || v === undefined ? '0' : String(v)), rounding);
    const status = order.OrderStatus ?? 'Unknown';
    const number = order.OrderNumber ?? null;
    const deleted = status.toLowerCase() === 'deleted';
    return {
        type: 'order.status',
        opportunityId,
        orderGuid: order.Guid.toLowerCase(),
        orderNumber: number,
        status,
        subTotal: money(order.SubTotal),
        taxTotal: money(order.TaxTotal),
        total: money(order.Total),
        customStatus: order.CustomOrderStatus?.trim() || null,
        previousStatus,
        changedAt: modifiedOn(order)?.toISOString() ?? null,
        action: deleted ? 'unlock' : 'none',
        note: deleted
            ? `Sales order ${number ?? order.Guid} was deleted in Unleashed. The Opportunity is no longer linked ` +
              'to it and can be sent to Unleashed again.'
            : null
    };
}

/** What identifies a state Salesforce shows: the status and the account's own status name. */
export function statusKey(status: string, customStatus: string | null | undefined): string {
    return customStatus ? `${status}\u0000${customStatus}` : status;
}

/** LastModifiedOn as a Date, or null when absent or unreadable. */
export function modifiedOn(order: UnleashedSalesOrder): Date | null {
    try {
        return parseUnleashedDate(order.LastModifiedOn ?? null);
    } catch {
        return null;
    }
}

interface ApexAnswer {
    results?: { index?: number; ok?: boolean; error?: string | null; retry?: boolean }[];
}

/**
 * Events through each org's Salesforce writer: POST /events of the package's Apex REST resource,
 * 200 events a call, calls one after another (they update the same Opportunities' org).
 */
export function eventsViaWriter(writerFor: (orgId: string) => Promise<SalesforceWriter>): SalesforceEvents {
    return {
        async deliver(orgId, events) {
            const out: DeliveryResult[] = [];
            let writer: SalesforceWriter | null = null;
            for (let i = 0; i < events.length; i += MAX_EVENTS_PER_CALL) {
                const chunk = events.slice(i, i + MAX_EVENTS_PER_CALL);
                try {
                    writer ??= await writerFor(orgId);
                    const answer = await writer.apexRest<ApexAnswer>('/events', { events: chunk });
                    const byIndex = new Map((answer?.results ?? []).map((r) => [r.index, r]));
                    chunk.forEach((_, j) => {
                        const r = byIndex.get(j);
                        if (!r)
                            out.push({
                                ok: false,
                                error: 'Salesforce returned no result for the event',
                                rejected: false,
                                final: false
                            });
                        else if (r.ok === true)
                            out.push({ ok: true, error: null, rejected: false, final: false });
                        else
                            out.push({
                                ok: false,
                                error: r.error ?? 'refused by Salesforce',
                                rejected: true,
                                final: r.retry === false
                            });
                    });
                } catch (err) {
                    const error = err instanceof Error ? err.message : String(err);
                    for (const _ of chunk) out.push({ ok: false, error, rejected: false, final: false });
                }
            }
            return out;
        }
    };
}
