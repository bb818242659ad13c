import { MiddlewareClient } from './middleware-client';
import type { BridgeOrg } from './org';

/** What every bound Apex method runs with: the org, a middleware client, the clock. */
export interface ApexContext {
    org: BridgeOrg;
    middleware: MiddlewareClient;
    now: () => Date;
}

export function apexContext(
    org: BridgeOrg,
    opts: { fetchImpl?: typeof fetch; now?: () => Date } = {}
): ApexContext {
    return {
        org,
        middleware: new MiddlewareClient(org, opts.fetchImpl),
        now: opts.now ?? (() => new Date())
    };
}

/** UnleashedConnectionStore.isCopiedFromAnotherOrg(): a secret stored for another org (a sandbox copy). */
export function isCopiedFromAnotherOrg(ctx: ApexContext): boolean {
    const { tenantSecret, orgId } = ctx.org.connection;
    if (!tenantSecret?.trim() || !orgId?.trim()) return false;
    return orgId.trim().slice(0, 15) !== ctx.org.orgId.slice(0, 15);
}

/** UnleashedConnectionStore.isConnected(): a secret is stored, and it is this org's. */
export function isConnected(ctx: ApexContext): boolean {
    const secret = ctx.org.connection.tenantSecret;
    return typeof secret === 'string' && secret.trim() !== '' && !isCopiedFromAnotherOrg(ctx);
}
