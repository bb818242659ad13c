import { AuraError, auraDatetime } from './aura';
import { isConnected, isCopiedFromAnotherOrg, type ApexContext } from './context';
import { bool, dec, integerValue, isBlank, isObject, num, obj, str, urlEncode, type Json } from './json';
import { MiddlewareError } from './middleware-client';
import { OP_CONNECT, STATUS_SUCCESS, recordLog } from './sync-log';

/**
 * UnleashedSetupController with UnleashedConnectionService and UnleashedConnectionStore: the
 * connection card's state, the Unleashed credentials, the quota and disconnect.
 */

const CONNECTION_PATH = '/v1/connection';
const UNLEASHED_ACCOUNT_PATH = '/v1/connection/unleashed';
const ADMIN_TAB = 'Unleashed_Admin';

export function requireManageConnection(ctx: ApexContext, action: string): void {
    if (!ctx.org.user.canManageConnection) {
        throw new AuraError(
            `You need the Unleashed Manage Connection permission (Unleashed Admin permission set) to ${action}.`
        );
    }
}

const asMap = (answer: unknown): Json => (isObject(answer) ? answer : {});

export async function fetchConnection(ctx: ApexContext): Promise<Json> {
    return asMap(await ctx.middleware.get(CONNECTION_PATH));
}

/**
 * The quota as the components read it, as the middleware worked it out: used, limit, month, percent
 * used, and what keeping orders up to date costs a day (UnleashedConnectionService.quota).
 */
export function quota(connection: Json): Json | null {
    const source = obj(connection, 'quota');
    if (!source) return null;
    const polling = obj(source, 'polling');
    const hooked = polling ? obj(polling, 'withWebhooks') : null;
    return {
        used: integerValue(source, 'used'),
        limit: integerValue(source, 'limit'),
        month: str(source, 'month'),
        percent: num(dec(source, 'percent')) ?? 0,
        pollingCallsPerDay: polling ? integerValue(polling, 'callsPerDay') : null,
        pollingPercent: polling ? num(dec(polling, 'percentOfLimit')) : null,
        pollingWebhookCallsPerDay: hooked ? integerValue(hooked, 'callsPerDay') : null,
        pollingWebhookPercent: hooked ? num(dec(hooked, 'percentOfLimit')) : null
    };
}

/** The quota, or null when the org is not connected or the middleware cannot be asked. */
export async function quotaOrNull(ctx: ApexContext): Promise<Json | null> {
    if (!isConnected(ctx)) return null;
    try {
        return quota(await fetchConnection(ctx));
    } catch (err) {
        if (err instanceof MiddlewareError) return null;
        throw err;
    }
}

function connectUrl(ctx: ApexContext): string | null {
    const endpoint = ctx.org.middlewareUrl;
    if (isBlank(endpoint)) return null;
    const tab = ctx.org.namespace ? `${ctx.org.namespace}__${ADMIN_TAB}` : ADMIN_TAB;
    const returnUrl = `${ctx.org.orgDomainUrl.replace(/\/$/, '')}/lightning/n/${tab}`;
    const loginUrl = ctx.org.orgLoginUrl.replace(/\/$/, '');
    return (
        `${(endpoint as string).replace(/\/$/, '')}/oauth/salesforce/start?orgId=${urlEncode(ctx.org.orgId)}` +
        `&returnUrl=${urlEncode(returnUrl)}&loginUrl=${urlEncode(loginUrl)}`
    );
}

interface SetupState {
    canManage: boolean;
    middlewareConnected: boolean;
    unleashedConnected: boolean;
    orgId: string;
    connectUrl: string | null;
    companyName: string | null;
    baseCurrency: string | null;
    message: string | null;
    connectedAt: string | null;
    quota: Json | null;
    copiedFromOrgId: string | null;
    needsReconnect: boolean;
}

function localState(ctx: ApexContext): SetupState {
    const stored = ctx.org.connection;
    const canManage = ctx.org.user.canManageConnection;
    const state: SetupState = {
        canManage,
        middlewareConnected: isConnected(ctx),
        unleashedConnected: false,
        orgId: ctx.org.orgId,
        connectUrl: canManage ? connectUrl(ctx) : null,
        companyName: stored.companyName,
        baseCurrency: stored.baseCurrency,
        message: null,
        connectedAt: auraDatetime(stored.connectedAt),
        quota: null,
        copiedFromOrgId: null,
        needsReconnect: false
    };
    if (isCopiedFromAnotherOrg(ctx)) {
        state.copiedFromOrgId = stored.orgId;
        state.needsReconnect = true;
        state.message =
            `This org holds the Unleashed connection of org ${stored.orgId}, copied here when this sandbox was ` +
            'refreshed or copied from it. That connection cannot work in this org. Connect this org to give it ' +
            'its own connection; the org it came from keeps its own.';
    } else if (!state.middlewareConnected) {
        state.message =
            state.connectUrl === null && canManage
                ? 'The Named Credential Unleashed_Middleware is missing or has no URL.'
                : 'Connect this org to the Unleashed connector service to start.';
    }
    return state;
}

// Copies the middleware's view into the state and keeps the company facts in the org.
function applyConnection(ctx: ApexContext, state: SetupState, connection: Json): void {
    state.unleashedConnected = bool(connection, 'unleashedConnected') === true;
    const company = str(connection, 'companyName');
    const baseCurrency = str(connection, 'baseCurrency');
    state.quota = quota(connection);
    if (!state.unleashedConnected) state.message = 'Enter the Unleashed API id and key to finish connecting.';
    if (
        (company !== null && company !== state.companyName) ||
        (baseCurrency !== null && baseCurrency !== state.baseCurrency)
    ) {
        const stored = ctx.org.connection;
        // UnleashedConnectionStore.saveCompany: nothing to update before the first connect.
        if (!(isBlank(stored.tenantSecret) && stored.connectedAt === null)) {
            if (company !== null) stored.companyName = company.slice(0, 255);
            if (baseCurrency !== null) stored.baseCurrency = baseCurrency.slice(0, 3).toUpperCase();
        }
        state.companyName = company ?? state.companyName;
        state.baseCurrency = baseCurrency ?? state.baseCurrency;
    }
}

export async function getSetupState(ctx: ApexContext): Promise<unknown> {
    const state = localState(ctx);
    if (!state.middlewareConnected || !state.canManage) return state;
    try {
        applyConnection(ctx, state, await fetchConnection(ctx));
    } catch (err) {
        if (!(err instanceof MiddlewareError)) throw err;
        if (err.status === 401) {
            // The service no longer knows this org's secret (disconnected there, or replaced by another connect).
            state.needsReconnect = true;
            state.message =
                `The Unleashed connector service does not accept this org's connection any more (${err.message}). ` +
                'Connect again to renew it; the Unleashed settings stay as they are.';
        } else {
            state.message = `The Unleashed connector service could not be asked about this org: ${err.message}`;
        }
    }
    return state;
}

export async function saveUnleashedCredentials(
    ctx: ApexContext,
    apiId: string | null,
    apiKey: string | null
): Promise<unknown> {
    requireManageConnection(ctx, 'connect Unleashed');
    // Whether they look right is the middleware's to say, in its words.
    const id = (apiId ?? '').trim();
    const key = (apiKey ?? '').trim();
    const state = localState(ctx);
    let answer: Json;
    try {
        answer = asMap(await ctx.middleware.post(UNLEASHED_ACCOUNT_PATH, { apiId: id, apiKey: key }));
    } catch (err) {
        if (err instanceof MiddlewareError) {
            throw new AuraError(err.message);
        }
        throw err;
    }
    applyConnection(ctx, state, answer);
    const company = state.companyName === null ? '' : ` (company ${state.companyName})`;
    await recordLog(ctx, {
        operation: OP_CONNECT,
        status: STATUS_SUCCESS,
        requestSummary: `Unleashed API credentials saved for API id ending ${id.slice(-4)}${company}`,
        errorText: null
    });
    return state;
}

export async function disconnect(ctx: ApexContext): Promise<unknown> {
    requireManageConnection(ctx, 'disconnect Unleashed');
    if (isConnected(ctx)) {
        try {
            await ctx.middleware.del(CONNECTION_PATH);
        } catch (err) {
            if (!(err instanceof MiddlewareError)) throw err;
            // 401 and 404: the middleware no longer knows this org, which is the goal.
            if (err.status !== 401 && err.status !== 404) {
                throw new AuraError(`The connector service could not disconnect this org: ${err.message}`);
            }
        }
    }
    Object.assign(ctx.org.connection, {
        tenantSecret: null,
        orgId: null,
        connectedAt: null,
        connectedBy: null,
        companyName: null,
        baseCurrency: null
    });
    await recordLog(ctx, {
        operation: OP_CONNECT,
        status: STATUS_SUCCESS,
        requestSummary: 'Disconnected from the Unleashed connector service',
        errorText: null
    });
    return localState(ctx);
}
