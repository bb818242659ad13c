import { createHash } from 'node:crypto';
import { to18 } from '../salesforce/ids';

/**
 * Deterministic GUIDs (UUID v5, RFC 9562) for what we create in Unleashed. Unleashed lets the
 * client choose the GUID of a sales order or customer, so deriving it from the Salesforce record
 * makes every retry, double click or concurrent send address the same Unleashed record: a second
 * order can never exist.
 */

/** Our own namespace UUID for v5 names; fixed forever (changing it would re-key every record). */
export const CONNECTOR_NAMESPACE = '6f1c1d0e-5b7a-4c55-9a3e-2f0c8b1d4e77';

export function uuidV5(name: string, namespace: string = CONNECTOR_NAMESPACE): string {
    const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
    if (ns.length !== 16) throw new Error('namespace must be a UUID');
    const hash = createHash('sha1').update(ns).update(name, 'utf8').digest();
    const bytes = hash.subarray(0, 16);
    bytes[6] = (bytes[6]! & 0x0f) | 0x50;
    bytes[8] = (bytes[8]! & 0x3f) | 0x80;
    const hex = bytes.toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The sales order GUID of an Opportunity (docs/architecture.md: orgId + ":" + opportunityId). */
export function orderGuidFor(orgId: string, opportunityId: string, generation = 0): string {
    // Generation 0 is the Opportunity's first order; after it was Deleted in Unleashed, the next send
    // makes generation 1, and so on: still one order per Opportunity at a time, found again after a
    // lost answer because the chain is deterministic.
    const base = `${to18(orgId)}:${to18(opportunityId)}`;
    return uuidV5(generation === 0 ? base : `${base}:${generation}`);
}

/** The customer GUID of an Account, derived the same way. */
export function customerGuidFor(orgId: string, accountId: string): string {
    return uuidV5(`customer:${to18(orgId)}:${to18(accountId)}`);
}
