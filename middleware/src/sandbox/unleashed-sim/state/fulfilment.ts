import { randomUUID } from 'node:crypto';
import Decimal from 'decimal.js';
import type { SalesOrder } from './records';

/**
 * Sales shipments and sales invoices of the simulated account (docs/unleashed-api.md, Fulfilment).
 * Field names follow Unleashed's API pages and a public client's model of the same resources; the
 * courier's field name is unconfirmed, so it is a setting (`shipmentCourierField`).
 */

export type ShipmentStatus = 'Parked' | 'Placed' | 'Picking' | 'Picked' | 'Packed' | 'Dispatched' | 'Deleted';
export const SHIPMENT_STATUSES: readonly ShipmentStatus[] = [
    'Parked',
    'Placed',
    'Picking',
    'Picked',
    'Packed',
    'Dispatched',
    'Deleted'
];

export interface SalesShipmentLine {
    Guid: string;
    LineNumber: number;
    SalesOrderLineNumber: number;
    Product: { Guid: string; ProductCode: string; ProductDescription: string } | null;
    ShipmentQty: Decimal;
}

export interface SalesShipment {
    Guid: string;
    ShipmentNumber: string;
    OrderGuid: string;
    OrderNumber: string;
    ShipmentStatus: ShipmentStatus;
    DispatchDate: Date | null;
    /** Courier: stored here, written to the wire under the `shipmentCourierField` setting's name. */
    ShippingCompany: string | null;
    TrackingNumber: string | null;
    Customer: SalesOrder['Customer'];
    Warehouse: SalesOrder['Warehouse'];
    Comments: string | null;
    SalesShipmentLines: SalesShipmentLine[];
    CreatedOn: Date;
    LastModifiedOn: Date;
}

export type InvoiceStatus = 'Parked' | 'Completed' | 'Deleted';
export const INVOICE_STATUSES: readonly InvoiceStatus[] = ['Parked', 'Completed', 'Deleted'];

export interface InvoiceLine {
    LineNumber: number;
    Product: { Guid: string; ProductCode: string; ProductDescription: string } | null;
    InvoiceQuantity: Decimal;
    UnitPrice: Decimal;
    LineTotal: Decimal;
    LineTax: Decimal;
}

export interface SalesInvoice {
    Guid: string;
    InvoiceNumber: string;
    OrderNumber: string;
    SalesOrderGuid: string;
    InvoiceStatus: InvoiceStatus;
    InvoiceDate: Date;
    DueDate: Date;
    Customer: SalesOrder['Customer'];
    Currency: SalesOrder['Currency'];
    ExchangeRate: Decimal;
    SubTotal: Decimal;
    TaxTotal: Decimal;
    Total: Decimal;
    InvoiceLines: InvoiceLine[];
    CreatedOn: Date;
    LastModifiedOn: Date;
}

export interface ShipInput {
    courier?: string | null;
    trackingNumber?: string | null;
    status?: ShipmentStatus;
    /** ISO date; default now when the status is Dispatched, else none. */
    dispatchDate?: string | null;
    /** Quantities per sales order line number; default every product line in full. */
    lines?: { lineNumber: number; quantity: number | string }[];
}

export interface InvoiceInput {
    status?: InvoiceStatus;
    /** Days from the invoice date to the due date (default 20). */
    dueInDays?: number;
}

/** The account's shipments and invoices, numbered SS-00000001 and SI-00000001 as the UI does. */
export class FulfilmentBook {
    readonly shipments: SalesShipment[] = [];
    readonly invoices: SalesInvoice[] = [];

    shipmentByGuid(guid: string): SalesShipment | undefined {
        return this.shipments.find((s) => s.Guid.toLowerCase() === guid.toLowerCase());
    }

    invoiceByGuid(guid: string): SalesInvoice | undefined {
        return this.invoices.find((i) => i.Guid.toLowerCase() === guid.toLowerCase());
    }

    /** A shipment of the order (all product lines in full unless lines are given). Throws on bad input. */
    ship(order: SalesOrder, input: ShipInput, nowMs: number): SalesShipment {
        if (order.OrderStatus === 'Deleted' || order.OrderStatus === 'Parked') {
            throw new TypeError(
                `Sales order ${order.OrderNumber} is ${order.OrderStatus} and cannot be shipped.`
            );
        }
        const status = input.status ?? 'Dispatched';
        if (!SHIPMENT_STATUSES.includes(status))
            throw new TypeError(`unknown shipment status ${String(status)}`);
        const now = new Date(nowMs);
        const productLines = order.SalesOrderLines.filter((l) => l.Product);
        const wanted =
            input.lines ??
            productLines.map((l) => ({ lineNumber: l.LineNumber, quantity: l.OrderQuantity.toString() }));
        const lines: SalesShipmentLine[] = wanted.map((w, i) => {
            const line = productLines.find((l) => l.LineNumber === w.lineNumber);
            if (!line) throw new TypeError(`order ${order.OrderNumber} has no product line ${w.lineNumber}`);
            const qty = new Decimal(w.quantity);
            if (!qty.isPositive() || qty.gt(line.OrderQuantity)) {
                throw new TypeError(
                    `line ${w.lineNumber}: quantity must be above 0 and at most ${line.OrderQuantity.toString()}`
                );
            }
            return {
                Guid: randomUUID(),
                LineNumber: i + 1,
                SalesOrderLineNumber: line.LineNumber,
                Product: line.Product,
                ShipmentQty: qty
            };
        });
        const dispatch = input.dispatchDate
            ? new Date(input.dispatchDate)
            : status === 'Dispatched'
              ? now
              : null;
        if (dispatch && Number.isNaN(dispatch.getTime())) throw new TypeError('dispatchDate is not a date');
        const shipment: SalesShipment = {
            Guid: randomUUID(),
            ShipmentNumber: `SS-${String(this.shipments.length + 1).padStart(8, '0')}`,
            OrderGuid: order.Guid,
            OrderNumber: order.OrderNumber,
            ShipmentStatus: status,
            DispatchDate: dispatch,
            ShippingCompany: input.courier ?? null,
            TrackingNumber: input.trackingNumber ?? null,
            Customer: order.Customer,
            Warehouse: order.Warehouse,
            Comments: null,
            SalesShipmentLines: lines,
            CreatedOn: now,
            LastModifiedOn: now
        };
        this.shipments.push(shipment);
        return shipment;
    }

    /** Changes a shipment's status, courier or tracking number (as a user does later in the UI). */
    updateShipment(shipment: SalesShipment, input: Omit<ShipInput, 'lines'>, nowMs: number): SalesShipment {
        if (input.status !== undefined) {
            if (!SHIPMENT_STATUSES.includes(input.status))
                throw new TypeError(`unknown shipment status ${String(input.status)}`);
            shipment.ShipmentStatus = input.status;
            if (input.status === 'Dispatched' && !shipment.DispatchDate)
                shipment.DispatchDate = new Date(nowMs);
        }
        if (input.courier !== undefined) shipment.ShippingCompany = input.courier;
        if (input.trackingNumber !== undefined) shipment.TrackingNumber = input.trackingNumber;
        if (input.dispatchDate !== undefined)
            shipment.DispatchDate = input.dispatchDate ? new Date(input.dispatchDate) : null;
        shipment.LastModifiedOn = new Date(nowMs);
        return shipment;
    }

    /** An invoice of the whole order, its totals the order's (the UI invoices a completed order so). */
    invoice(order: SalesOrder, input: InvoiceInput, nowMs: number): SalesInvoice {
        if (order.OrderStatus === 'Deleted' || order.OrderStatus === 'Parked') {
            throw new TypeError(
                `Sales order ${order.OrderNumber} is ${order.OrderStatus} and cannot be invoiced.`
            );
        }
        const status = input.status ?? 'Completed';
        if (!INVOICE_STATUSES.includes(status))
            throw new TypeError(`unknown invoice status ${String(status)}`);
        const days = input.dueInDays ?? 20;
        if (!Number.isInteger(days) || days < 0 || days > 365)
            throw new TypeError('dueInDays must be 0 to 365');
        const now = new Date(nowMs);
        const invoice: SalesInvoice = {
            Guid: randomUUID(),
            InvoiceNumber: `SI-${String(this.invoices.length + 1).padStart(8, '0')}`,
            OrderNumber: order.OrderNumber,
            SalesOrderGuid: order.Guid,
            InvoiceStatus: status,
            InvoiceDate: now,
            DueDate: new Date(nowMs + days * 86_400_000),
            Customer: order.Customer,
            Currency: order.Currency,
            ExchangeRate: order.ExchangeRate,
            SubTotal: order.SubTotal,
            TaxTotal: order.TaxTotal,
            Total: order.Total,
            InvoiceLines: order.SalesOrderLines.filter((l) => l.Product).map((l) => ({
                LineNumber: l.LineNumber,
                Product: l.Product,
                InvoiceQuantity: l.OrderQuantity,
                UnitPrice: l.UnitPrice,
                LineTotal: l.LineTotal,
                LineTax: l.LineTax
            })),
            CreatedOn: now,
            LastModifiedOn: now
        };
        this.invoices.push(invoice);
        return invoice;
    }
}
