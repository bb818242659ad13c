import type { SimState } from '../state/state';
import type { SimSettings } from '../types';
import type { WebhookHub } from '../webhooks';
import type { QueryParams } from './query';

export interface ApiContext {
    state: SimState;
    settings: SimSettings;
    /** ms since epoch, from the simulator's clock. */
    now: number;
    apiId: string;
    query: QueryParams;
    /** The parsed JSON body; undefined when there was none. */
    body: unknown;
    /** Webhook subscriptions and deliveries of the account (webhooks.ts). */
    webhooks?: WebhookHub;
}

export interface ApiResult {
    status: number;
    body?: unknown;
}

/** The routes of one Unleashed resource; a missing entry answers 405. */
export interface ResourceRoutes {
    list?(ctx: ApiContext, page: number): unknown;
    get?(ctx: ApiContext, guid: string): unknown;
    /** POST/PUT/DELETE /{Resource}/{guid} */
    write?(ctx: ApiContext, method: string, guid: string): ApiResult;
    /** /{Resource}/{guid}/{action} (action lower case). */
    action?(ctx: ApiContext, method: string, guid: string, action: string): ApiResult;
}
