import { createHash } from 'node:crypto';
import type { AppConfig } from './config';
import { HttpProblem } from './http/problem';
import { loggerOptions } from './logger';
import pino from 'pino';
import { connectSalesforce, createSalesforceWriter } from './salesforce';
import { openStore, storeConfigFrom, type OrderStatusRepos, type Store, type Tenant } from './store';
import { UnleashedCatalog } from './sync/catalog';
import { ConnectService, deliverSelfHostedSecret, type SelfHostedDelivery } from './sync/connect';
import type { SalesforceEdge } from './sync/imports/context';
import { ImportService, type ImportServiceOptions } from './sync/imports/service';
import { workerTimingsFor } from './sync/imports/worker';
import { SalesOrderService } from './sync/orders/service';
import { SendFlow } from './sync/sends/flow';
import {
    courierTable,
    CustomerHistoryService,
    FulfilmentPusher,
    FulfilmentSync,
    pollCost
} from './sync/fulfilment';
import { createStatusSync, eventsViaWriter, type SalesforceEvents, type StatusSync } from './sync/status';
import { StockService } from './sync/stock';
import { createUnleashedClient } from './unleashed/client';
import type { UnleashedClient, UnleashedClientOptions, UnleashedCredentials } from './unleashed/types';

/**
 * Everything the routes use, built once per process from the configuration: the store, the rules,
 * and a factory for each tenant's Unleashed client (every call counted on that tenant's quota).
 * Tests build their own with `createServices(config, { store })`.
 */
export interface Services {
    config: AppConfig;
    store: Store;
    stock: StockService;
    catalog: UnleashedCatalog;
    orders: SalesOrderService;
    /** Send to Unleashed from the records Salesforce gathered (sync/sends). */
    sends: SendFlow;
    /** Hosted connect (OAuth) and disconnect. */
    connect: ConnectService;
    /** Self-hosted mode: hands the org its tenant secret (at start-up). */
    deliverSelfHostedSecret(): Promise<SelfHostedDelivery>;
    /** Sent orders, webhook inbox and subscriptions, status polls (sync/status). */
    orderStatus: OrderStatusRepos;
    /** Order status back to Salesforce: webhook processing, the poller, subscriptions. */
    statusSync: StatusSync;
    /** Shipments and invoices of sent orders back to Salesforce (sync/fulfilment). */
    fulfilment: FulfilmentSync;
    /** The customer's Unleashed orders and invoices from every channel, for the Account. */
    history: CustomerHistoryService;
    /** What polling costs a tenant with sent orders, for the quota meter's help text. */
    /** What polling costs a tenant with sent orders: at the usual pace, and while webhooks deliver changes. */
    pollCost(
        monthlyLimit: number
    ): ReturnType<typeof pollCost> & { withWebhooks: ReturnType<typeof pollCost> };
    /** The tenant's Unleashed client; 409 when the tenant has not connected Unleashed yet. */
    unleashedFor(tenant: Tenant): Promise<UnleashedClient>;
    /** A client for credentials not stored yet (to validate them), counted on the tenant. */
    unleashedWith(orgId: string, credentials: UnleashedCredentials): UnleashedClient;
    /** The tenant's Salesforce connection and writer; 409 when the org has not connected yet. */
    salesforceFor(tenant: Tenant): Promise<SalesforceEdge>;
    /** Import jobs and the worker that runs them. */
    imports: ImportService;
    /** Drops cached clients and data of a tenant (new credentials, disconnect). */
    forget(orgId: string): void;
    close(): Promise<void>;
}

export async function createServices(
    config: AppConfig,
    given: {
        store?: Store;
        clientOverrides?: Partial<UnleashedClientOptions>;
        /** Where order status events go; each tenant's Salesforce writer by default. */
        salesforceEvents?: SalesforceEvents;
        /** Test knobs of the status back-sync. */
        statusOverrides?: { webhookNotFoundDelayMs?: number; now?: () => number };
        imports?: Partial<ImportServiceOptions>;
        /** The stock reads' clock (cache ages, change checks); the quota benchmark runs a month on it. */
        stockNow?: () => number;
    } = {}
): Promise<Services> {
    const store = given.store ?? (await openStore(storeConfigFrom(config)));
    await ensureSelfHostedTenant(config, store);
    const lookup = { maxPages: config.CODE_LOOKUP_MAX_PAGES, extraPages: config.CODE_LOOKUP_EXTRA_PAGES };
    const stockLog = componentLog(config, 'stock');
    const stock = new StockService({
        cacheSeconds: config.STOCK_CACHE_SECONDS,
        concurrency: config.UNLEASHED_TENANT_CONCURRENCY,
        missSeconds: config.CODE_LOOKUP_MISS_SECONDS,
        perProductReads: config.STOCK_PER_PRODUCT_READS,
        unallocatedStatuses: config.STOCK_UNALLOCATED_ORDER_STATUSES,
        changeCheckSeconds: config.STOCK_CHANGE_CHECK_SECONDS,
        onChangeCheckStopped: (orgId, reason) => stockLog.warn({ orgId }, reason),
        lookup,
        ...(given.stockNow ? { now: given.stockNow } : {})
    });
    const catalog = new UnleashedCatalog({ concurrency: config.UNLEASHED_TENANT_CONCURRENCY, lookup });
    const orderStatus = store.orderStatus;
    const orders = new SalesOrderService({
        catalog,
        stock,
        locks: store.idempotency,
        sentOrders: orderStatus.sentOrders,
        settings: { rounding: config.MONEY_ROUNDING, unitPriceDecimals: config.MONEY_UNIT_PRICE_DECIMALS }
    });
    const clients = new Map<string, UnleashedClient>();

    const unleashedWith = (orgId: string, credentials: UnleashedCredentials): UnleashedClient =>
        createUnleashedClient({
            baseUrl: config.UNLEASHED_BASE_URL,
            credentials,
            clientType: config.UNLEASHED_CLIENT_TYPE,
            queryEncoding: config.UNLEASHED_QUERY_ENCODING,
            timeoutMs: config.UNLEASHED_TIMEOUT_MS,
            maxRetries: config.UNLEASHED_MAX_RETRIES,
            counter: store.quota.counterFor(orgId),
            ...given.clientOverrides
        });

    // One connection per tenant, kept while its instance URL, refresh token and namespace stay the same.
    const edges = new Map<string, { key: string; edge: SalesforceEdge }>();
    const salesforceFor = async (tenant: Tenant): Promise<SalesforceEdge> => {
        if (!tenant.salesforce || !tenant.instanceUrl) {
            throw new HttpProblem(
                409,
                'Salesforce is not connected',
                'An administrator can connect the org on the Unleashed Admin tab.'
            );
        }
        if (!config.SALESFORCE_CLIENT_ID) {
            throw new HttpProblem(503, 'Salesforce is not configured', 'SALESFORCE_CLIENT_ID is not set.');
        }
        const namespace = tenant.settings.namespace;
        const key = createHash('sha256')
            .update(`${tenant.instanceUrl}|${tenant.salesforce.refreshToken}|${namespace}`)
            .digest('hex');
        const cached = edges.get(tenant.orgId);
        if (cached?.key === key) return cached.edge;
        const conn = connectSalesforce({
            instanceUrl: tenant.instanceUrl,
            // Refreshed at the org's own My Domain URL, which serves production orgs and sandboxes alike.
            loginUrl: tenant.instanceUrl,
            apiVersion: config.SALESFORCE_API_VERSION,
            clientId: config.SALESFORCE_CLIENT_ID,
            ...(config.SALESFORCE_CLIENT_SECRET ? { clientSecret: config.SALESFORCE_CLIENT_SECRET } : {}),
            refreshToken: tenant.salesforce.refreshToken
        });
        const edge = { conn, writer: createSalesforceWriter(conn, { namespace }), namespace };
        edges.set(tenant.orgId, { key, edge });
        return edge;
    };
    const writerOf = async (orgId: string) => {
        const tenant = await store.tenants.get(orgId);
        if (!tenant) throw new Error('The org is no longer connected to the middleware');
        return (await salesforceFor(tenant)).writer;
    };

    const salesforceEvents = given.salesforceEvents ?? eventsViaWriter(writerOf);
    const fulfilment = new FulfilmentSync({
        polls: store.fulfilment.polls,
        pollSeconds: config.FULFILMENT_POLL_SECONDS,
        pusher: new FulfilmentPusher({
            repos: { sentOrders: orderStatus.sentOrders, docs: store.fulfilment.docs },
            locks: store.idempotency,
            salesforce: salesforceEvents,
            rounding: config.MONEY_ROUNDING,
            couriers: courierTable(config.COURIER_TRACKING_URLS)
        })
    });
    const history = new CustomerHistoryService({
        cacheSeconds: config.HISTORY_CACHE_SECONDS,
        rounding: config.MONEY_ROUNDING,
        async sentByOrg(orgId, guids) {
            return new Set((await orderStatus.sentOrders.getMany(orgId, guids)).keys());
        }
    });
    const statusSync = createStatusSync({
        tenants: store.tenants,
        repos: orderStatus,
        locks: store.idempotency,
        salesforce: salesforceEvents,
        unleashedFor: (tenant) => services.unleashedFor(tenant),
        rounding: config.MONEY_ROUNDING,
        pollSeconds: config.ORDER_STATUS_POLL_SECONDS,
        webhookPollSeconds: config.ORDER_STATUS_POLL_SECONDS_WITH_WEBHOOKS,
        publicUrl: config.PUBLIC_URL,
        fulfilment,
        fulfilmentEventTypes: config.UNLEASHED_FULFILMENT_EVENTS,
        ...given.statusOverrides
    });

    const services: Services = {
        config,
        store,
        stock,
        catalog,
        orders,
        sends: new SendFlow({ orders, catalog }),
        connect: new ConnectService({ store, config }),
        deliverSelfHostedSecret: () => deliverSelfHostedSecret({ config, store, salesforceFor }),
        orderStatus,
        statusSync,
        fulfilment,
        history,
        pollCost: (limit) => ({
            ...pollCost(config.ORDER_STATUS_POLL_SECONDS, config.FULFILMENT_POLL_SECONDS, limit),
            // While the tenant's webhooks deliver changes the order poll slows down (sync/status/poller.ts).
            withWebhooks: pollCost(
                Math.max(config.ORDER_STATUS_POLL_SECONDS, config.ORDER_STATUS_POLL_SECONDS_WITH_WEBHOOKS),
                config.FULFILMENT_POLL_SECONDS,
                limit
            )
        }),
        unleashedWith,
        salesforceFor,
        imports: new ImportService(
            {
                jobs: store.jobs,
                tenants: store.tenants,
                unleashedFor: (tenant) => services.unleashedFor(tenant),
                salesforceFor,
                log: componentLog(config, 'imports')
            },
            {
                autoStart: config.NODE_ENV !== 'test',
                ...given.imports,
                worker: { ...workerTimingsFor(config.IMPORT_TAKEOVER_SECONDS), ...given.imports?.worker }
            }
        ),
        async unleashedFor(tenant) {
            if (!tenant.unleashed) {
                throw new HttpProblem(
                    409,
                    'Unleashed is not connected',
                    'An administrator can connect Unleashed on the Unleashed Admin tab.'
                );
            }
            // Keyed by a hash of the credentials, so new credentials get a new client at once.
            const key = `${tenant.orgId}|${createHash('sha256').update(`${tenant.unleashed.apiId}:${tenant.unleashed.apiKey}`).digest('hex')}`;
            let client = clients.get(key);
            if (!client) {
                client = unleashedWith(tenant.orgId, tenant.unleashed);
                clients.set(key, client);
            }
            return client;
        },
        forget(orgId) {
            for (const k of [...clients.keys()]) if (k.startsWith(`${orgId}|`)) clients.delete(k);
            edges.delete(orgId);
            stock.invalidate(orgId);
            catalog.invalidate(orgId);
            history.invalidate(orgId);
        },
        async close() {
            await statusSync.close();
            if (!given.store) await store.close();
        }
    };
    return services;
}

/**
 * A log for work outside any one request (the import worker, a stopped stock change check), at the
 * configured level.
 */
function componentLog(config: AppConfig, component: string) {
    return pino(loggerOptions(config.LOG_LEVEL)).child({ component });
}

/**
 * Self-hosted mode: the environment names one org (and usually its Unleashed credentials); that
 * tenant is created or updated at every start, so the environment stays the source of truth.
 */
export async function ensureSelfHostedTenant(config: AppConfig, store: Store): Promise<Tenant | null> {
    if (!config.CONNECTOR_ORG_ID || !config.CONNECTOR_TENANT_SECRET) return null;
    return store.tenants.upsert({
        orgId: config.CONNECTOR_ORG_ID,
        tenantSecret: Buffer.from(config.CONNECTOR_TENANT_SECRET, 'base64'),
        ...(config.SALESFORCE_INSTANCE_URL ? { instanceUrl: config.SALESFORCE_INSTANCE_URL } : {}),
        ...(config.UNLEASHED_API_ID && config.UNLEASHED_API_KEY
            ? { unleashed: { apiId: config.UNLEASHED_API_ID, apiKey: config.UNLEASHED_API_KEY } }
            : {}),
        ...(config.SALESFORCE_REFRESH_TOKEN
            ? { salesforce: { refreshToken: config.SALESFORCE_REFRESH_TOKEN } }
            : {})
    });
}
