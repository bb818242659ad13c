import { toDateOrNull, type SqlAdapter } from './sql';

/**
 * What the fulfilment back-sync keeps (migration 6): per shipment and invoice of a sent order, the
 * fingerprint of the state Salesforce accepted (so the same state is pushed once however often it
 * is seen) and an event still to deliver; and the watermarks of the shipment and invoice lists,
 * polled under the order poll's lease. Plain SQL, the same on PGlite and PostgreSQL.
 */

export type FulfilmentKind = 'shipment' | 'invoice';

export interface FulfilmentDoc {
    kind: FulfilmentKind;
    guid: string;
    orderGuid: string;
    deliveredFingerprint: string | null;
    modifiedAt: Date | null;
    pending: Record<string, unknown> | null;
    pendingFingerprint: string | null;
    attempts: number;
    lastError: string | null;
}

export interface FulfilmentDocRepo {
    getMany(
        orgId: string,
        kind: FulfilmentKind,
        guids: readonly string[]
    ): Promise<Map<string, FulfilmentDoc>>;
    delivered(
        orgId: string,
        d: {
            kind: FulfilmentKind;
            guid: string;
            orderGuid: string;
            fingerprint: string;
            modifiedAt: Date | null;
        }
    ): Promise<void>;
    failed(
        orgId: string,
        d: {
            kind: FulfilmentKind;
            guid: string;
            orderGuid: string;
            event: Record<string, unknown>;
            fingerprint: string;
            error: string;
            attempts: number;
            modifiedAt: Date | null;
        }
    ): Promise<void>;
    /** Gives up on a pending event; its fingerprint stays, so that state is not tried again. */
    abandon(orgId: string, kind: FulfilmentKind, guid: string): Promise<void>;
    /** Documents with an undelivered event, oldest first. */
    pending(orgId: string, limit: number): Promise<FulfilmentDoc[]>;
}

export interface FulfilmentPollRepo {
    /** The watermarks when the lists are due (the caller holds the tenant's poll lease), else null. */
    due(orgId: string): Promise<{ shipmentsSince: Date | null; invoicesSince: Date | null } | null>;
    release(
        orgId: string,
        r: { shipmentsSince: Date | null; invoicesSince: Date | null; nextInSeconds: number }
    ): Promise<void>;
}

export interface FulfilmentRepos {
    docs: FulfilmentDocRepo;
    polls: FulfilmentPollRepo;
}

interface DocRow {
    kind: FulfilmentKind;
    guid: string;
    order_guid: string;
    delivered_fingerprint: string | null;
    modified_at: unknown;
    pending: Record<string, unknown> | null;
    pending_fingerprint: string | null;
    attempts: number;
    last_error: string | null;
}

const COLUMNS =
    'kind, guid::text AS guid, order_guid::text AS order_guid, delivered_fingerprint, modified_at, pending, pending_fingerprint, attempts, last_error';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const iso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);

function toDoc(r: DocRow): FulfilmentDoc {
    return {
        kind: r.kind,
        guid: r.guid,
        orderGuid: r.order_guid,
        deliveredFingerprint: r.delivered_fingerprint,
        modifiedAt: toDateOrNull(r.modified_at),
        pending: r.pending,
        pendingFingerprint: r.pending_fingerprint,
        attempts: Number(r.attempts),
        lastError: r.last_error
    };
}

export function createFulfilmentRepos(db: SqlAdapter): FulfilmentRepos {
    const docs: FulfilmentDocRepo = {
        async getMany(orgId, kind, guids) {
            const out = new Map<string, FulfilmentDoc>();
            const list = [...new Set(guids.map((g) => g.toLowerCase()))].filter((g) => GUID.test(g));
            for (let i = 0; i < list.length; i += 500) {
                const chunk = list.slice(i, i + 500);
                const rows = await db.query<DocRow>(
                    `SELECT ${COLUMNS} FROM fulfilment_docs WHERE org_id = $1 AND kind = $2
                     AND guid::text IN (${chunk.map((_, j) => `$${j + 3}`).join(', ')})`,
                    [orgId, kind, ...chunk]
                );
                for (const r of rows) out.set(r.guid, toDoc(r));
            }
            return out;
        },
        async delivered(orgId, d) {
            await db.query(
                `INSERT INTO fulfilment_docs (org_id, kind, guid, order_guid, delivered_fingerprint, modified_at)
                 VALUES ($1, $2, $3::uuid, $4::uuid, $5, $6::timestamptz)
                 ON CONFLICT (org_id, kind, guid) DO UPDATE SET delivered_fingerprint = EXCLUDED.delivered_fingerprint,
                     modified_at = COALESCE(EXCLUDED.modified_at, fulfilment_docs.modified_at),
                     pending = NULL, pending_fingerprint = NULL, attempts = 0, last_error = NULL, updated_at = now()`,
                [orgId, d.kind, d.guid, d.orderGuid, d.fingerprint, iso(d.modifiedAt)]
            );
        },
        async failed(orgId, d) {
            await db.query(
                `INSERT INTO fulfilment_docs (org_id, kind, guid, order_guid, modified_at, pending, pending_fingerprint, attempts, last_error)
                 VALUES ($1, $2, $3::uuid, $4::uuid, $5::timestamptz, $6::jsonb, $7, $8, $9)
                 ON CONFLICT (org_id, kind, guid) DO UPDATE SET
                     modified_at = COALESCE(EXCLUDED.modified_at, fulfilment_docs.modified_at),
                     pending = EXCLUDED.pending, pending_fingerprint = EXCLUDED.pending_fingerprint,
                     attempts = EXCLUDED.attempts, last_error = EXCLUDED.last_error, updated_at = now()`,
                [
                    orgId,
                    d.kind,
                    d.guid,
                    d.orderGuid,
                    iso(d.modifiedAt),
                    JSON.stringify(d.event),
                    d.fingerprint,
                    d.attempts,
                    d.error.slice(0, 2000)
                ]
            );
        },
        async abandon(orgId, kind, guid) {
            await db.query(
                `UPDATE fulfilment_docs SET pending = NULL, updated_at = now()
                 WHERE org_id = $1 AND kind = $2 AND guid = $3::uuid`,
                [orgId, kind, guid]
            );
        },
        async pending(orgId, limit) {
            const rows = await db.query<DocRow>(
                `SELECT ${COLUMNS} FROM fulfilment_docs WHERE org_id = $1 AND pending IS NOT NULL
                 ORDER BY updated_at LIMIT $2`,
                [orgId, limit]
            );
            return rows.map(toDoc);
        }
    };

    const polls: FulfilmentPollRepo = {
        async due(orgId) {
            await db.query(
                'INSERT INTO fulfilment_polls (org_id) VALUES ($1) ON CONFLICT (org_id) DO NOTHING',
                [orgId]
            );
            const rows = await db.query<{ shipments_since: unknown; invoices_since: unknown }>(
                `SELECT shipments_since, invoices_since FROM fulfilment_polls
                 WHERE org_id = $1 AND next_poll_at <= now()`,
                [orgId]
            );
            const r = rows[0];
            return r
                ? {
                      shipmentsSince: toDateOrNull(r.shipments_since),
                      invoicesSince: toDateOrNull(r.invoices_since)
                  }
                : null;
        },
        async release(orgId, r) {
            await db.query(
                `UPDATE fulfilment_polls SET shipments_since = $2::timestamptz, invoices_since = $3::timestamptz,
                     next_poll_at = now() + make_interval(secs => $4::double precision)
                 WHERE org_id = $1`,
                [orgId, iso(r.shipmentsSince), iso(r.invoicesSince), r.nextInSeconds]
            );
        }
    };
    return { docs, polls };
}
