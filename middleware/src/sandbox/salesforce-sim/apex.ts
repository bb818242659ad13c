import { RecordError, RequestError } from './errors';
import type { SimOrg, WriteResult } from './org';

/**
 * Apex REST: `/services/apexrest/<ns>/<urlMapping>` in a namespaced org, `/services/apexrest/<urlMapping>`
 * otherwise. Every call is recorded. The package's `/events/*` resource is built in and does what
 * UnleashedEventsResource does (docs/datamodel.md); a test can put its own handler on any route.
 */

export interface ApexRestCall {
    method: string;
    /** Path after /services/apexrest, with the namespace segment. */
    path: string;
    body: unknown;
    userId: string;
    at: Date;
}

export interface ApexRequest {
    method: string;
    /** Path after the namespace, e.g. '/events'. */
    path: string;
    body: unknown;
    /** Size of the request body as sent. */
    bodyBytes: number;
    org: SimOrg;
}

/** As UnleashedEventsResource: larger bodies get 413 before they are read, and at most 1,000 events. */
export const EVENTS_MAX_BODY_BYTES = 1_048_576;
const EVENTS_MAX = 1000;

/** Save errors worth sending again unchanged (UnleashedEventService.isTransient). */
const TRANSIENT = new Set(['UNABLE_TO_LOCK_ROW', 'DUPLICATE_VALUE']);

/** One event refused: `retry` says whether the same event may pass later. */
class EventRefusal extends Error {
    constructor(
        message: string,
        readonly retry = false
    ) {
        super(message);
    }
}

export interface ApexResponse {
    status?: number;
    body: unknown;
}

export type ApexHandler = (req: ApexRequest) => ApexResponse | Promise<ApexResponse>;

/** The org's protected connection setting, written by the connection.secret event. */
export interface ConnectionSetting {
    secret: string;
    /** The org the secret was delivered to (Org_Id__c); a sandbox copy keeps production's. */
    orgId?: string;
    companyName: string | null;
    baseCurrency: string | null;
    connectedAt: string;
}

export class ApexRest {
    readonly calls: ApexRestCall[] = [];
    /**
     * order.shipment and order.invoice events accepted, the latest per document GUID (lower case),
     * for tests to read; the records they make are Unleashed_Shipment__c and Unleashed_Invoice__c
     * rows of the org, as UnleashedFulfilmentEvents keeps them (docs/architecture.md, the contract).
     */
    readonly shipments = new Map<string, Record<string, unknown>>();
    readonly invoices = new Map<string, Record<string, unknown>>();
    /** The Unleashed_Order_Shipped notifications sent (once per shipment, when it is dispatched). */
    readonly notifications: { ownerId: string; recordId: string; shipmentGuid: string }[] = [];
    connection: ConnectionSetting | null = null;
    /** Whether the API user holds the Unleashed_Manage_Connection custom permission. */
    userCanManageConnection = true;
    private readonly routes = new Map<string, ApexHandler>();

    constructor(private readonly org: SimOrg) {
        this.routes.set('/events', (req) => this.events(req));
    }

    /** Handler for a urlMapping such as '/events' (a trailing '/*' is implied). */
    setHandler(mapping: string, handler: ApexHandler): void {
        this.routes.set('/' + mapping.replace(/^\/|\/\*?$/g, ''), handler);
    }

    async handle(method: string, fullPath: string, body: unknown, bodyBytes = 0): Promise<ApexResponse> {
        this.calls.push({ method, path: fullPath, body, userId: this.org.currentUserId, at: new Date() });
        const ns = this.org.namespace;
        let path = fullPath;
        if (ns) {
            if (!fullPath.startsWith(`/${ns}/`))
                throw new RequestError(404, 'NOT_FOUND', `Could not find a match for URL ${fullPath}`);
            path = fullPath.slice(ns.length + 1);
        }
        const mapping = [...this.routes.keys()].find((m) => path === m || path.startsWith(m + '/'));
        if (!mapping) throw new RequestError(404, 'NOT_FOUND', `Could not find a match for URL ${fullPath}`);
        try {
            return await this.routes.get(mapping)!({ method, path, body, bodyBytes, org: this.org });
        } catch (err) {
            if (err instanceof RequestError) throw err;
            throw new RequestError(500, 'APEX_ERROR', `System.HandledException: ${(err as Error).message}`);
        }
    }

    private events(req: ApexRequest): ApexResponse {
        if (req.method !== 'POST')
            throw new RequestError(
                405,
                'METHOD_NOT_ALLOWED',
                `HTTP Method '${req.method}' not allowed. Allowed are POST`
            );
        const problem = (status: number, title: string, detail: string): ApexResponse => ({
            status,
            body: { status, title, detail }
        });
        if (req.bodyBytes > EVENTS_MAX_BODY_BYTES)
            return problem(
                413,
                'Payload too large',
                `The body has ${req.bodyBytes} bytes; at most ${EVENTS_MAX_BODY_BYTES} are accepted. Send fewer events per call.`
            );
        const events = (req.body as { events?: unknown } | null)?.events;
        if (!Array.isArray(events)) return problem(400, 'Malformed body', '"events" must be an array.');
        if (events.length > EVENTS_MAX)
            return problem(400, 'Malformed body', `At most ${EVENTS_MAX} events may be sent at once.`);
        const results = events.map((event, index) => {
            try {
                this.applyEvent(event as Record<string, unknown>);
                return { index, ok: true, error: null, retry: false };
            } catch (err) {
                const retry = err instanceof EventRefusal && err.retry;
                return { index, ok: false, error: (err as Error).message, retry };
            }
        });
        return { status: 200, body: { results } };
    }

    private applyEvent(e: Record<string, unknown>): void {
        const org = this.org;
        const put = (tableName: string, values: Record<string, unknown>) => {
            const table = org.tableByName(tableName);
            const out: Record<string, unknown> = {};
            for (const [k, v] of Object.entries(values))
                if (v !== undefined) out[table.byName.get(k)!.apiName] = v;
            return { table, out };
        };
        switch (e.type) {
            case 'connection.secret': {
                if (!this.userCanManageConnection)
                    throw new Error('Only a user with Unleashed_Manage_Connection may connect');
                if (typeof e.secret !== 'string' || Buffer.from(e.secret, 'base64').length !== 32) {
                    throw new Error('secret must be the base64 text of 32 bytes');
                }
                // As UnleashedConnectionStore.saveSecret: company facts the event leaves out are kept.
                const before = this.connection;
                this.connection = {
                    secret: e.secret,
                    orgId: org.orgId,
                    companyName: (e.companyName as string | undefined) ?? before?.companyName ?? null,
                    baseCurrency: (e.baseCurrency as string | undefined) ?? before?.baseCurrency ?? null,
                    connectedAt: new Date().toISOString()
                };
                return;
            }
            case 'order.status': {
                const { table, out } = put('Opportunity', {
                    Unleashed_Order_Guid__c: e.orderGuid,
                    Unleashed_Order_Number__c: e.orderNumber,
                    Unleashed_Order_Status__c: e.status,
                    Unleashed_Sub_Total__c: e.subTotal,
                    Unleashed_Tax_Total__c: e.taxTotal,
                    Unleashed_Total__c: e.total
                });
                const opp = typeof e.opportunityId === 'string' ? org.get(table, e.opportunityId) : undefined;
                if (!opp) throw new Error(`Opportunity not found: ${String(e.opportunityId)}`);
                // As UnleashedOrderStatusEvents: one Sync Log row, owned by the Opportunity's owner, with
                // the status Unleashed has and, when the org refuses it, the reason.
                const summary =
                    `Order ${typeof e.orderNumber === 'string' ? `${e.orderNumber} ` : ''}status ${String(e.status)}` +
                    (e.total === undefined || e.total === null
                        ? ''
                        : `, total ${Number(e.total).toFixed(2)}`);
                let refusal: EventRefusal | null = null;
                try {
                    wrap(() => org.update(table, String(opp.Id), out));
                } catch (err) {
                    refusal = err as EventRefusal;
                }
                const log = put('Unleashed_Sync_Log__c', {
                    Operation__c: 'Order Status',
                    Status__c: refusal ? 'Error' : 'Success',
                    Record_Id__c: opp.Id,
                    Opportunity__c: opp.Id,
                    Request_Summary__c: refusal
                        ? `${summary} in Unleashed; not shown on the Opportunity${refusal.retry ? ' yet (sent again later).' : '.'}`
                        : summary,
                    Error_Text__c: refusal?.message,
                    Attempts__c: 1,
                    Occurred_At__c: new Date().toISOString(),
                    OwnerId: opp.OwnerId || undefined
                });
                org.create(log.table, log.out);
                if (refusal) throw refusal;
                return;
            }
            case 'order.shipment':
            case 'order.invoice': {
                const shipment = e.type === 'order.shipment';
                const raw = shipment ? e.shipmentGuid : e.invoiceGuid;
                if (typeof raw !== 'string' || raw === '')
                    throw new Error(`${e.type}: the document GUID is required`);
                const key = raw.toLowerCase();
                const opps = org.tableByName('Opportunity');
                const opp = typeof e.opportunityId === 'string' ? org.get(opps, e.opportunityId) : undefined;
                if (!opp) throw new Error(`Opportunity not found: ${String(e.opportunityId)}`);
                (shipment ? this.shipments : this.invoices).set(key, e);
                // As UnleashedFulfilmentEvents: the record is upserted by GUID, or deleted.
                const objectName = shipment ? 'Unleashed_Shipment__c' : 'Unleashed_Invoice__c';
                const { table, out } = put(objectName, shipment ? shipmentValues(e) : invoiceValues(e));
                const guidField = table.byName.get('Unleashed_Guid__c')!;
                const [existingId] = org.findByExternalId(table, guidField, key);
                if (e.deleted === true) {
                    if (existingId) wrap(() => org.delete(table, existingId));
                    return;
                }
                Object.assign(
                    out,
                    put(objectName, {
                        Name: (shipment ? e.shipmentNumber : e.invoiceNumber) ?? key,
                        Opportunity__c: opp.Id,
                        Account__c: opp.AccountId ?? undefined,
                        Order_Guid__c: e.orderGuid,
                        Order_Number__c: e.orderNumber,
                        Status__c: e.status,
                        Changed_At__c: e.changedAt ?? undefined
                    }).out
                );
                if (shipment && String(e.status).toLowerCase() === 'dispatched') {
                    const notifiedField = table.byName.get('Notified__c')!;
                    const before = existingId ? org.get(table, existingId) : undefined;
                    if (!before?.[notifiedField.name]) {
                        out[notifiedField.apiName] = true;
                        this.notifications.push({
                            ownerId: String(opp.OwnerId ?? ''),
                            recordId: String(opp.Id),
                            shipmentGuid: key
                        });
                    }
                }
                wrap(() => org.upsert(table, guidField, key, out));
                return;
            }
            case 'import.progress': {
                const counts = (e.counts ?? {}) as Record<string, unknown>;
                const { table, out } = put('Unleashed_Import_Job__c', {
                    Status__c: importStatus(e.status),
                    Entities__c: Array.isArray(e.entities) ? e.entities.join(';') : undefined,
                    Done__c: e.done,
                    Total__c: e.total,
                    Created_Count__c: counts.created,
                    Updated_Count__c: counts.updated,
                    Unchanged_Count__c: counts.unchanged,
                    Failed_Count__c: counts.failed,
                    Error_Summary__c: e.errorSummary,
                    Started_At__c: e.startedAt,
                    Finished_At__c: e.finishedAt
                });
                if (typeof e.jobId !== 'string' || !e.jobId) throw new Error('jobId is required');
                const jobIdField = table.byName.get('Job_Id__c')!;
                const statusField = table.byName.get('Status__c')!;
                const [previousId] = org.findByExternalId(table, jobIdField, e.jobId);
                const before = previousId ? org.get(table, previousId)?.[statusField.name] : undefined;
                let saved: WriteResult | undefined;
                wrap(() => (saved = org.upsert(table, jobIdField, e.jobId, out)));
                // As UnleashedImportProgressEvents: a job that has just finished writes one Sync Log row.
                const status = out[statusField.apiName];
                if (saved && FINISHED.has(String(status)) && !FINISHED.has(String(before))) {
                    const summary =
                        `Import ${e.jobId} ${String(status)}` +
                        (Array.isArray(e.entities) ? ` (${e.entities.join(';')})` : '') +
                        `: created ${Number(counts.created ?? 0)}, updated ${Number(counts.updated ?? 0)}, ` +
                        `unchanged ${Number(counts.unchanged ?? 0)}, failed ${Number(counts.failed ?? 0)}`;
                    const log = put('Unleashed_Sync_Log__c', {
                        Operation__c: 'Import',
                        Status__c: status === 'Succeeded' ? 'Success' : 'Error',
                        Record_Id__c: saved.id,
                        Import_Job__c: saved.id,
                        Request_Summary__c: summary,
                        Error_Text__c: status === 'Succeeded' ? undefined : e.errorSummary,
                        Attempts__c: 1,
                        Occurred_At__c: new Date().toISOString()
                    });
                    wrap(() => org.create(log.table, log.out));
                }
                return;
            }
            default:
                throw new Error(`Unknown event type: ${String(e.type)}`);
        }
    }
}

function shipmentValues(e: Record<string, unknown>): Record<string, unknown> {
    const url =
        typeof e.trackingUrl === 'string' && e.trackingUrl.startsWith('https://') ? e.trackingUrl : null;
    return {
        Dispatch_Date__c: e.dispatchDate ?? null,
        Courier__c: e.courier ?? null,
        Tracking_Number__c: e.trackingNumber ?? null,
        Tracking_Url__c: url,
        Lines__c: JSON.stringify(Array.isArray(e.lines) ? e.lines : [])
    };
}

function invoiceValues(e: Record<string, unknown>): Record<string, unknown> {
    const money = (v: unknown) => (v === null || v === undefined ? null : Number(v));
    return {
        Invoice_Date__c: e.invoiceDate ?? null,
        Due_Date__c: e.dueDate ?? null,
        Currency__c: e.currency ?? null,
        Sub_Total__c: money(e.subTotal),
        Tax_Total__c: money(e.taxTotal),
        Total__c: money(e.total)
    };
}

const STATUSES: Record<string, string> = {
    queued: 'Queued',
    running: 'Running',
    succeeded: 'Succeeded',
    completedwitherrors: 'Completed With Errors',
    failed: 'Failed'
};

const FINISHED = new Set(['Succeeded', 'Completed With Errors', 'Failed']);

function importStatus(status: unknown): string | undefined {
    if (status === undefined || status === null) return undefined;
    const s =
        STATUSES[
            String(status)
                .replace(/[\s_-]/g, '')
                .toLowerCase()
        ];
    if (!s) throw new Error(`Unknown import status: ${String(status)}`);
    return s;
}

function wrap(fn: () => unknown): void {
    try {
        fn();
    } catch (err) {
        if (err instanceof RecordError) {
            const first = err.errors[0];
            throw new EventRefusal(first?.message ?? err.message, TRANSIENT.has(first?.statusCode ?? ''));
        }
        if (err instanceof RequestError) throw new EventRefusal(err.message);
        throw err;
    }
}
