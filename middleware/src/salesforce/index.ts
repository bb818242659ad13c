/** The Salesforce edge: connection, writer, namespace rule, OAuth connect flow. */
export type { SalesforceWriter, SObjectRecord, UpsertResult } from './types';
export { connectSalesforce, type ConnectSalesforceOptions } from './connection';
export { createSalesforceWriter, type SalesforceWriterOptions } from './writer';
export { applyNamespace, removeNamespace, namespaceRecord, namespaceSoql, stripRecord } from './namespace';
export { SalesforceError, toSalesforceError } from './errors';
export {
    buildAuthorizeUrl,
    createPkcePair,
    exchangeCode,
    parseIdentityUrl,
    verifyTokenSignature,
    type AuthorizeUrlOptions,
    type ExchangeCodeOptions,
    type OrgGrant,
    type PkcePair
} from './oauth';
