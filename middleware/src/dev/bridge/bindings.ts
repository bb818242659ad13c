import { booleanParam, idParam, integerParam, stringListParam, stringParam } from './aura';
import type { ApexContext } from './context';
import { getFieldMappings } from './field-mappings';
import { getHistory } from './history';
import { getImportJob, getImportState, startImport } from './imports';
import { getOrder } from './order';
import { getSendContext, previewOrder, sendOrder, sendWithChoices } from './send';
import { disconnect, getSetupState, saveUnleashedCredentials } from './setup';
import { getOpportunityStock, getProductStock } from './stock';
import { getSyncLogs, retrySync } from './sync-log';

/**
 * Every @AuraEnabled method of the package, by class and method, bound to what it does. The
 * parameters arrive by name as the component passes them (`{ opportunityId, choicesJson }`).
 * A check (middleware/test/dev/bridge-coverage.test.ts) fails when a method has no binding here.
 */

export type Binding = (ctx: ApexContext, params: Record<string, unknown>) => Promise<unknown>;

export const APEX_BINDINGS: Record<string, Record<string, Binding>> = {
    UnleashedStockController: {
        getProductStock: (ctx, p) => getProductStock(ctx, idParam(p, 'productId')),
        getOpportunityStock: (ctx, p) => getOpportunityStock(ctx, idParam(p, 'opportunityId'))
    },
    UnleashedSendController: {
        getSendContext: (ctx, p) => getSendContext(ctx, idParam(p, 'opportunityId')),
        previewOrder: (ctx, p) =>
            previewOrder(ctx, idParam(p, 'opportunityId'), stringParam(p, 'choicesJson')),
        sendOrder: (ctx, p) => sendOrder(ctx, idParam(p, 'opportunityId'), stringParam(p, 'choicesJson'))
    },
    UnleashedOrderController: {
        getOrder: (ctx, p) => getOrder(ctx, idParam(p, 'opportunityId'))
    },
    UnleashedAccountHistoryController: {
        getHistory: (ctx, p) => getHistory(ctx, idParam(p, 'accountId'), integerParam(p, 'page'))
    },
    UnleashedImportController: {
        getImportState: (ctx) => getImportState(ctx),
        startImport: (ctx, p) =>
            startImport(
                ctx,
                stringListParam(p, 'entities'),
                booleanParam(p, 'fullReimport'),
                booleanParam(p, 'createMissingAccounts')
            ),
        getImportJob: (ctx, p) => getImportJob(ctx, stringParam(p, 'jobId'))
    },
    UnleashedSyncLogController: {
        getSyncLogs: (ctx, p) => getSyncLogs(ctx, integerParam(p, 'limitSize'), stringParam(p, 'status')),
        retrySync: (ctx, p) => retrySync(ctx, idParam(p, 'logId'), sendWithChoices)
    },
    UnleashedFieldMappingController: {
        getFieldMappings: (ctx) => getFieldMappings(ctx)
    },
    UnleashedSetupController: {
        getSetupState: (ctx) => getSetupState(ctx),
        saveUnleashedCredentials: (ctx, p) =>
            saveUnleashedCredentials(ctx, stringParam(p, 'apiId'), stringParam(p, 'apiKey')),
        disconnect: (ctx) => disconnect(ctx)
    }
};

export function bindingFor(cls: string, method: string): Binding | undefined {
    return Object.prototype.hasOwnProperty.call(APEX_BINDINGS, cls) &&
        Object.prototype.hasOwnProperty.call(APEX_BINDINGS[cls], method)
        ? APEX_BINDINGS[cls]?.[method]
        : undefined;
}
