import type { FulfilmentRepos } from '../../store/fulfilment';
import { percentOf } from '../connect/view';
import { formatFilterDate } from '../../unleashed/dates';
import { isUnleashedError } from '../../unleashed/errors';
import {
    InvoiceSchema,
    SalesShipmentSchema,
    type UnleashedInvoice,
    type UnleashedSalesShipment
} from '../../unleashed/schemas';
import type { UnleashedClient } from '../../unleashed/types';
import { modifiedOf } from './events';
import type { FulfilmentPusher, FulfilmentReport } from './push';

/**
 * Where shipments and invoices are read from Unleashed, for the pusher:
 * - with an order change (a webhook or the order poll saw one of our orders change): that order's
 *   shipments and invoices by `orderNumber` (2 calls);
 * - the list poll, under the order poll's lease, every `pollSeconds`: `SalesShipments` and
 *   `Invoices` modified since their own watermarks (1 call each when under 1,000 changed), which
 *   catches a tracking number typed in later without the order changing;
 * - a shipment or invoice webhook event (when the account offers them): that document by GUID.
 */

export interface FulfilmentSyncDeps {
    polls: FulfilmentRepos['polls'];
    pusher: FulfilmentPusher;
    /** Seconds between list polls of one tenant; 0 = lists never polled. */
    pollSeconds: number;
    overlapSeconds?: number;
}

export class FulfilmentSync {
    constructor(private readonly deps: FulfilmentSyncDeps) {}

    get pusher(): FulfilmentPusher {
        return this.deps.pusher;
    }

    /** Reads and pushes the shipments and invoices of orders that changed (by order number). */
    async refreshOrders(
        orgId: string,
        client: UnleashedClient,
        orderNumbers: readonly string[]
    ): Promise<FulfilmentReport> {
        const shipments: UnleashedSalesShipment[] = [];
        const invoices: UnleashedInvoice[] = [];
        for (const orderNumber of new Set(orderNumbers.filter((n) => n))) {
            shipments.push(
                ...(await client.all('SalesShipments', { orderNumber }, SalesShipmentSchema, {
                    pageSize: 200
                }))
            );
            invoices.push(
                ...(await client.all('Invoices', { orderNumber }, InvoiceSchema, { pageSize: 200 }))
            );
        }
        return this.deps.pusher.push(orgId, { shipments, invoices }, { includePending: true });
    }

    /**
     * The list poll, when due (the caller holds the tenant's poll lease); otherwise only retries
     * undelivered events, which costs no Unleashed call. `first` is the first watermark.
     */
    async poll(
        orgId: string,
        client: UnleashedClient,
        first: Date
    ): Promise<FulfilmentReport & { listed: boolean }> {
        const due = this.deps.pollSeconds > 0 ? await this.deps.polls.due(orgId) : null;
        if (!due)
            return { ...(await this.deps.pusher.push(orgId, {}, { includePending: true })), listed: false };
        const overlap = (this.deps.overlapSeconds ?? 60) * 1000;
        const since = (d: Date | null) => formatFilterDate(new Date((d ?? first).getTime() - overlap));
        const shipments = await client.all(
            'SalesShipments',
            { modifiedSince: since(due.shipmentsSince) },
            SalesShipmentSchema,
            { pageSize: 1000 }
        );
        const invoices = await client.all(
            'Invoices',
            { modifiedSince: since(due.invoicesSince) },
            InvoiceSchema,
            {
                pageSize: 1000
            }
        );
        const report = await this.deps.pusher.push(orgId, { shipments, invoices }, { includePending: true });
        // Undelivered events are stored now, so the watermarks may pass them.
        await this.deps.polls.release(orgId, {
            shipmentsSince: newestOf(shipments) ?? due.shipmentsSince,
            invoicesSince: newestOf(invoices) ?? due.invoicesSince,
            nextInSeconds: this.deps.pollSeconds
        });
        return { ...report, listed: true };
    }

    /** A shipment or invoice event: the document by GUID (null outcome when Unleashed has none). */
    async fromEvent(
        orgId: string,
        client: UnleashedClient,
        kind: 'shipment' | 'invoice',
        guid: string
    ): Promise<FulfilmentReport | null> {
        try {
            if (kind === 'shipment') {
                const s = await client.get(`/SalesShipments/${guid}`, undefined, SalesShipmentSchema);
                return await this.deps.pusher.push(orgId, { shipments: [s] }, { includePending: true });
            }
            const inv = await client.get(`/Invoices/${guid}`, undefined, InvoiceSchema);
            return await this.deps.pusher.push(orgId, { invoices: [inv] }, { includePending: true });
        } catch (err) {
            if (isUnleashedError(err) && err.status === 404) return null;
            throw err;
        }
    }
}

function newestOf(docs: readonly { LastModifiedOn?: string | null }[]): Date | null {
    let out: Date | null = null;
    for (const d of docs) {
        const at = modifiedOf(d);
        if (at && (!out || at > out)) out = at;
    }
    return out;
}

/**
 * What polling costs one tenant with sent orders, at the least (one page per list; a list with more
 * than 1,000 changes since the last poll takes a call per extra page): the order list every
 * `orderPollSeconds`, the shipment and invoice lists every `fulfilmentPollSeconds`. The month is
 * counted as 31 days, the longest. The quota meter's help text shows it.
 */
export function pollCost(
    orderPollSeconds: number,
    fulfilmentPollSeconds: number,
    monthlyLimit: number
): { callsPerDay: number; callsPerMonth: number; percentOfLimit: number } {
    const perDay = (every: number, calls: number) => (every > 0 ? Math.ceil(86400 / every) * calls : 0);
    // The lists are polled under the order poll, so never more often than it.
    const listEvery =
        orderPollSeconds > 0 && fulfilmentPollSeconds > 0
            ? Math.max(orderPollSeconds, fulfilmentPollSeconds)
            : 0;
    const callsPerDay = perDay(orderPollSeconds, 1) + perDay(listEvery, 2);
    const callsPerMonth = callsPerDay * 31;
    return { callsPerDay, callsPerMonth, percentOfLimit: percentOf(callsPerMonth, monthlyLimit) };
}
