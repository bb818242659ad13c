/**
 * Fulfilment from Unleashed back to the Opportunity: shipments (with tracking links) and invoices
 * of the orders an org sent, as `order.shipment` and `order.invoice` events through the same events
 * resource as `order.status`; and the customer's history for the Account (history.ts).
 */
export { courierTable, trackingUrl, DEFAULT_COURIER_TRACKING, type CourierTable } from './couriers';
export { shipmentEvent, invoiceEvent, fingerprint, type ShipmentEvent, type InvoiceEvent } from './events';
export { FulfilmentPusher, type FulfilmentReport } from './push';
export { FulfilmentSync, pollCost } from './sync';
export {
    CustomerHistoryService,
    customerHistorySchema,
    HISTORY_PAGE_SIZE,
    type CustomerHistory
} from './history';
