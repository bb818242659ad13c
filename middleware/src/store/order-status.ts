import { blobKeyId, decryptSecret, encryptSecret, keyId } from './crypto';
import { toDateOrNull, type SqlAdapter } from './sql';
import type { MasterKeys } from './tenants';

/**
 * What the order status back-sync keeps (migration 3): the orders we sent, the webhook inbox,
 * Unleashed webhook subscriptions (signing keys encrypted like every other secret) and the
 * per-tenant poll state. Plain SQL, the same on PGlite and PostgreSQL.
 */

export interface SentOrder {
    orgId: string;
    orderGuid: string;
    opportunityId: string;
    orderNumber: string | null;
    /** The status Salesforce last accepted. */
    status: string;
    /** The account's own status name delivered with it (null: none). */
    customStatus: string | null;
    /** Unleashed's LastModifiedOn of the state last seen. */
    modifiedAt: Date | null;
    /** An event Salesforce has not accepted yet. */
    pending: Record<string, unknown> | null;
    attempts: number;
    lastError: string | null;
    createdAt: Date;
}

export interface SentOrderRepo {
    /** After a send: Salesforce now shows this status (the send answer), nothing is pending. */
    record(
        orgId: string,
        o: {
            orderGuid: string;
            opportunityId: string;
            orderNumber: string | null;
            status: string;
            modifiedAt?: Date | null;
        }
    ): Promise<void>;
    get(orgId: string, orderGuid: string): Promise<SentOrder | null>;
    /** The rows of these GUIDs (unknown GUIDs are simply absent). */
    getMany(orgId: string, orderGuids: readonly string[]): Promise<Map<string, SentOrder>>;
    /** Rows with an undelivered event, oldest first. */
    pending(orgId: string, limit: number): Promise<SentOrder[]>;
    /** When the first order of the tenant was recorded (the polls' first watermark). */
    earliest(orgId: string): Promise<Date | null>;
    /** Salesforce accepted the event: its status is now the one shown. */
    delivered(
        orgId: string,
        orderGuid: string,
        s: {
            status: string;
            customStatus?: string | null;
            orderNumber: string | null;
            modifiedAt: Date | null;
        }
    ): Promise<void>;
    /** The tenant's orders with these order numbers (invoices name their order by number). */
    getManyByNumber(orgId: string, orderNumbers: readonly string[]): Promise<Map<string, SentOrder>>;
    /** Salesforce did not accept the event: keep it for the next attempt, with the refusals so far. */
    failed(
        orgId: string,
        orderGuid: string,
        s: { event: Record<string, unknown>; error: string; modifiedAt: Date | null; attempts: number }
    ): Promise<void>;
    /**
     * Gives up on a pending event (it kept failing); the error, the attempts and the state's
     * modified time stay, so the same state is not tried again (a newer one is).
     */
    abandon(orgId: string, orderGuid: string): Promise<void>;
}

export interface WebhookInboxRepo {
    /** True the first time (org, eventNotificationId) is seen; false for a repeat delivery. */
    accept(
        orgId: string,
        e: { eventId: string; eventType: string; orderGuid: string | null }
    ): Promise<boolean>;
    finish(orgId: string, eventId: string, outcome: string): Promise<void>;
    get(
        orgId: string,
        eventId: string
    ): Promise<{ eventType: string; processedAt: Date | null; outcome: string | null } | null>;
    /** Forgets deliveries received before `before` (long past any redelivery). */
    prune(before: Date): Promise<number>;
}

export interface WebhookSubscription {
    subscriptionId: string;
    targetUrl: string;
    eventTypes: string[];
    createdAt: Date;
}

export interface WebhookSubscriptionRepo {
    add(orgId: string, s: Omit<WebhookSubscription, 'createdAt'> & { signingKey: string }): Promise<void>;
    list(orgId: string): Promise<WebhookSubscription[]>;
    /** The decrypted signing keys of the tenant's subscriptions (at most a handful). */
    signingKeys(orgId: string): Promise<{ subscriptionId: string; signingKey: string }[]>;
    remove(orgId: string, subscriptionId: string): Promise<boolean>;
    /** Re-encrypts keys not under the current master key; returns how many changed. */
    reencryptAll(): Promise<number>;
}

export interface StatusPollRepo {
    /**
     * Takes the tenant's poll when it is due and no other instance holds it (a lease that lapses if
     * its holder dies). Null when not due or taken. Times come from the database clock.
     */
    claim(orgId: string, owner: string, leaseSeconds: number): Promise<{ modifiedSince: Date | null } | null>;
    /** Ends the lease; the next poll is due `nextInSeconds` from now. */
    release(
        orgId: string,
        owner: string,
        r: { modifiedSince?: Date | null; nextInSeconds: number; error?: string | null }
    ): Promise<void>;
    get(orgId: string): Promise<{ modifiedSince: Date | null; lastError: string | null } | null>;
    /** Tenants with sent orders whose poll is due and not leased (a hint; claim() decides). */
    due(limit: number): Promise<string[]>;
}

export interface OrderStatusRepos {
    sentOrders: SentOrderRepo;
    inbox: WebhookInboxRepo;
    subscriptions: WebhookSubscriptionRepo;
    polls: StatusPollRepo;
}

interface SentRow {
    org_id: string;
    order_guid: string;
    opportunity_id: string;
    order_number: string | null;
    status: string;
    custom_status: string | null;
    modified_at: unknown;
    pending: Record<string, unknown> | null;
    attempts: number;
    last_error: string | null;
    created_at: unknown;
}

const SENT_COLUMNS =
    'org_id, order_guid::text AS order_guid, opportunity_id, order_number, status, custom_status, modified_at, pending, attempts, last_error, created_at';

const iso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);

function toSent(r: SentRow): SentOrder {
    return {
        orgId: r.org_id,
        orderGuid: r.order_guid,
        opportunityId: r.opportunity_id,
        orderNumber: r.order_number,
        status: r.status,
        customStatus: r.custom_status ?? null,
        modifiedAt: toDateOrNull(r.modified_at),
        pending: r.pending,
        attempts: Number(r.attempts),
        lastError: r.last_error,
        createdAt: toDateOrNull(r.created_at) as Date
    };
}

/** Bound into each ciphertext, so a key only decrypts in the row it was written for. */
const keyContext = (orgId: string, subscriptionId: string) =>
    `webhook_subscriptions:${orgId}:${subscriptionId}`;

export function createOrderStatusRepos(db: SqlAdapter, keys: MasterKeys): OrderStatusRepos {
    const allKeys = [keys.current, ...keys.previous];

    const sentOrders: SentOrderRepo = {
        async record(orgId, o) {
            await db.query(
                `INSERT INTO sent_orders (org_id, order_guid, opportunity_id, order_number, status, modified_at)
                 VALUES ($1, $2::uuid, $3, $4, $5, $6::timestamptz)
                 ON CONFLICT (org_id, order_guid) DO UPDATE SET
                     opportunity_id = EXCLUDED.opportunity_id,
                     order_number = COALESCE(EXCLUDED.order_number, sent_orders.order_number),
                     status = EXCLUDED.status,
                     modified_at = COALESCE(EXCLUDED.modified_at, sent_orders.modified_at),
                     pending = NULL, attempts = 0, last_error = NULL, updated_at = now()`,
                [orgId, o.orderGuid, o.opportunityId, o.orderNumber, o.status, iso(o.modifiedAt)]
            );
        },
        async get(orgId, orderGuid) {
            const rows = await db.query<SentRow>(
                `SELECT ${SENT_COLUMNS} FROM sent_orders WHERE org_id = $1 AND order_guid = $2::uuid`,
                [orgId, orderGuid]
            );
            return rows[0] ? toSent(rows[0]) : null;
        },
        async getMany(orgId, orderGuids) {
            const out = new Map<string, SentOrder>();
            const guids = [...new Set(orderGuids.map((g) => g.toLowerCase()))].filter(isGuid);
            // A bounded IN list per statement; callers pass one Unleashed page (<= 1000) at most.
            for (let i = 0; i < guids.length; i += 500) {
                const chunk = guids.slice(i, i + 500);
                const rows = await db.query<SentRow>(
                    `SELECT ${SENT_COLUMNS} FROM sent_orders
                     WHERE org_id = $1 AND order_guid::text IN (${chunk.map((_, j) => `$${j + 2}`).join(', ')})`,
                    [orgId, ...chunk]
                );
                for (const r of rows) out.set(r.order_guid, toSent(r));
            }
            return out;
        },
        async pending(orgId, limit) {
            const rows = await db.query<SentRow>(
                `SELECT ${SENT_COLUMNS} FROM sent_orders WHERE org_id = $1 AND pending IS NOT NULL
                 ORDER BY updated_at LIMIT $2`,
                [orgId, limit]
            );
            return rows.map(toSent);
        },
        async earliest(orgId) {
            const rows = await db.query<{ at: unknown }>(
                'SELECT min(created_at) AS at FROM sent_orders WHERE org_id = $1',
                [orgId]
            );
            return toDateOrNull(rows[0]?.at);
        },
        async delivered(orgId, orderGuid, s) {
            await db.query(
                `UPDATE sent_orders SET status = $3, order_number = COALESCE($4, order_number),
                     modified_at = COALESCE($5::timestamptz, modified_at), custom_status = $6,
                     pending = NULL, attempts = 0, last_error = NULL, updated_at = now()
                 WHERE org_id = $1 AND order_guid = $2::uuid`,
                [orgId, orderGuid, s.status, s.orderNumber, iso(s.modifiedAt), s.customStatus ?? null]
            );
        },
        async getManyByNumber(orgId, orderNumbers) {
            const out = new Map<string, SentOrder>();
            const numbers = [...new Set(orderNumbers.filter((n) => n.length > 0 && n.length <= 100))];
            for (let i = 0; i < numbers.length; i += 500) {
                const chunk = numbers.slice(i, i + 500);
                const rows = await db.query<SentRow>(
                    `SELECT ${SENT_COLUMNS} FROM sent_orders
                     WHERE org_id = $1 AND order_number IN (${chunk.map((_, j) => `$${j + 2}`).join(', ')})`,
                    [orgId, ...chunk]
                );
                for (const r of rows) if (r.order_number) out.set(r.order_number, toSent(r));
            }
            return out;
        },
        async failed(orgId, orderGuid, s) {
            await db.query(
                `UPDATE sent_orders SET pending = $3::jsonb, last_error = $4, attempts = $6,
                     modified_at = COALESCE($5::timestamptz, modified_at), updated_at = now()
                 WHERE org_id = $1 AND order_guid = $2::uuid`,
                [
                    orgId,
                    orderGuid,
                    JSON.stringify(s.event),
                    s.error.slice(0, 2000),
                    iso(s.modifiedAt),
                    s.attempts
                ]
            );
        },
        async abandon(orgId, orderGuid) {
            await db.query(
                `UPDATE sent_orders SET pending = NULL, updated_at = now()
                 WHERE org_id = $1 AND order_guid = $2::uuid`,
                [orgId, orderGuid]
            );
        }
    };

    const inbox: WebhookInboxRepo = {
        async accept(orgId, e) {
            const rows = await db.query(
                `INSERT INTO webhook_inbox (org_id, event_id, event_type, order_guid)
                 VALUES ($1, $2, $3, $4::uuid) ON CONFLICT (org_id, event_id) DO NOTHING RETURNING event_id`,
                [orgId, e.eventId, e.eventType, e.orderGuid && isGuid(e.orderGuid) ? e.orderGuid : null]
            );
            return rows.length > 0;
        },
        async finish(orgId, eventId, outcome) {
            await db.query(
                `UPDATE webhook_inbox SET processed_at = now(), outcome = $3 WHERE org_id = $1 AND event_id = $2`,
                [orgId, eventId, outcome.slice(0, 2000)]
            );
        },
        async get(orgId, eventId) {
            const rows = await db.query<{
                event_type: string;
                processed_at: unknown;
                outcome: string | null;
            }>(
                'SELECT event_type, processed_at, outcome FROM webhook_inbox WHERE org_id = $1 AND event_id = $2',
                [orgId, eventId]
            );
            const r = rows[0];
            return r
                ? { eventType: r.event_type, processedAt: toDateOrNull(r.processed_at), outcome: r.outcome }
                : null;
        },
        async prune(before) {
            const rows = await db.query(
                'DELETE FROM webhook_inbox WHERE received_at < $1::timestamptz RETURNING event_id',
                [before.toISOString()]
            );
            return rows.length;
        }
    };

    interface SubRow {
        org_id: string;
        subscription_id: string;
        target_url: string;
        event_types: string[];
        signing_key_enc: string;
        created_at: unknown;
    }
    const subscriptions: WebhookSubscriptionRepo = {
        async add(orgId, s) {
            await db.query(
                `INSERT INTO webhook_subscriptions (org_id, subscription_id, target_url, event_types, signing_key_enc)
                 VALUES ($1, $2, $3, $4::jsonb, $5)
                 ON CONFLICT (org_id, subscription_id) DO UPDATE SET target_url = EXCLUDED.target_url,
                     event_types = EXCLUDED.event_types, signing_key_enc = EXCLUDED.signing_key_enc`,
                [
                    orgId,
                    s.subscriptionId,
                    s.targetUrl,
                    JSON.stringify(s.eventTypes),
                    encryptSecret(s.signingKey, keys.current, keyContext(orgId, s.subscriptionId))
                ]
            );
        },
        async list(orgId) {
            const rows = await db.query<SubRow>(
                `SELECT org_id, subscription_id, target_url, event_types, signing_key_enc, created_at
                 FROM webhook_subscriptions WHERE org_id = $1 ORDER BY created_at`,
                [orgId]
            );
            return rows.map((r) => ({
                subscriptionId: r.subscription_id,
                targetUrl: r.target_url,
                eventTypes: r.event_types,
                createdAt: toDateOrNull(r.created_at) as Date
            }));
        },
        async signingKeys(orgId) {
            const rows = await db.query<SubRow>(
                'SELECT subscription_id, signing_key_enc FROM webhook_subscriptions WHERE org_id = $1',
                [orgId]
            );
            return rows.map((r) => ({
                subscriptionId: r.subscription_id,
                signingKey: decryptSecret(
                    r.signing_key_enc,
                    allKeys,
                    keyContext(orgId, r.subscription_id)
                ).toString('utf8')
            }));
        },
        async remove(orgId, subscriptionId) {
            const rows = await db.query(
                'DELETE FROM webhook_subscriptions WHERE org_id = $1 AND subscription_id = $2 RETURNING org_id',
                [orgId, subscriptionId]
            );
            return rows.length > 0;
        },
        async reencryptAll() {
            const currentId = keyId(keys.current);
            const rows = await db.query<SubRow>(
                'SELECT org_id, subscription_id, signing_key_enc FROM webhook_subscriptions'
            );
            let changed = 0;
            for (const r of rows) {
                if (blobKeyId(r.signing_key_enc) === currentId) continue;
                const ctx = keyContext(r.org_id, r.subscription_id);
                const fresh = encryptSecret(
                    decryptSecret(r.signing_key_enc, allKeys, ctx),
                    keys.current,
                    ctx
                );
                // Only if nobody replaced it meanwhile.
                const done = await db.query(
                    `UPDATE webhook_subscriptions SET signing_key_enc = $4
                     WHERE org_id = $1 AND subscription_id = $2 AND signing_key_enc = $3 RETURNING org_id`,
                    [r.org_id, r.subscription_id, r.signing_key_enc, fresh]
                );
                changed += done.length;
            }
            return changed;
        }
    };

    const polls: StatusPollRepo = {
        async claim(orgId, owner, leaseSeconds) {
            await db.query(
                'INSERT INTO order_status_polls (org_id) VALUES ($1) ON CONFLICT (org_id) DO NOTHING',
                [orgId]
            );
            // One conditional UPDATE: concurrent claimers in any instance queue on the row lock and
            // re-check the condition, so exactly one of them gets the lease.
            const rows = await db.query<{ modified_since: unknown }>(
                `UPDATE order_status_polls
                 SET lease_owner = $2, lease_until = now() + make_interval(secs => $3::double precision)
                 WHERE org_id = $1 AND next_poll_at <= now() AND (lease_until IS NULL OR lease_until < now())
                 RETURNING modified_since`,
                [orgId, owner, leaseSeconds]
            );
            return rows[0] ? { modifiedSince: toDateOrNull(rows[0].modified_since) } : null;
        },
        async release(orgId, owner, r) {
            await db.query(
                `UPDATE order_status_polls SET lease_owner = NULL, lease_until = NULL, last_polled_at = now(),
                     next_poll_at = now() + make_interval(secs => $3::double precision),
                     modified_since = CASE WHEN $4::boolean THEN $5::timestamptz ELSE modified_since END,
                     last_error = $6
                 WHERE org_id = $1 AND lease_owner = $2`,
                [
                    orgId,
                    owner,
                    r.nextInSeconds,
                    r.modifiedSince !== undefined,
                    iso(r.modifiedSince ?? null),
                    r.error ? r.error.slice(0, 2000) : null
                ]
            );
        },
        async get(orgId) {
            const rows = await db.query<{ modified_since: unknown; last_error: string | null }>(
                'SELECT modified_since, last_error FROM order_status_polls WHERE org_id = $1',
                [orgId]
            );
            const r = rows[0];
            return r ? { modifiedSince: toDateOrNull(r.modified_since), lastError: r.last_error } : null;
        },
        async due(limit) {
            const rows = await db.query<{ org_id: string }>(
                `SELECT t.org_id FROM tenants t
                 LEFT JOIN order_status_polls p ON p.org_id = t.org_id
                 WHERE EXISTS (SELECT 1 FROM sent_orders s WHERE s.org_id = t.org_id)
                   AND (p.org_id IS NULL OR (p.next_poll_at <= now() AND (p.lease_until IS NULL OR p.lease_until < now())))
                 ORDER BY p.next_poll_at NULLS FIRST, t.org_id LIMIT $1`,
                [limit]
            );
            return rows.map((r) => r.org_id);
        }
    };

    return { sentOrders, inbox, subscriptions, polls };
}

function isGuid(s: string): boolean {
    return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);
}
