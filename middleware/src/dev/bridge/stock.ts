import Decimal from 'decimal.js';
import { AuraError } from './aura';
import { isConnected, type ApexContext } from './context';
import { bool, dec, isBlank, isoDatetime, isObject, num, objects, str, urlEncode, type Json } from './json';
import { MiddlewareError, NOT_CONNECTED } from './middleware-client';
import { soqlString } from '../../salesforce/soql';

/**
 * UnleashedStockController and UnleashedStockService: the stock panel's view of a Product or an
 * Opportunity, from GET /v1/stock in chunks of 100 codes with the product GUIDs the org holds, at
 * most 5 callouts (5 x 20 s inside the 120 s of callouts a transaction may spend). An Opportunity
 * sends its Unleashed order GUID along (the middleware leaves that order's own allocation out); no
 * totals over its lines, which would add up different products.
 */

const CODES_PER_CALL = 100;
const MAX_CALLOUTS = 5;

interface WarehouseStock {
    warehouseCode: string | null;
    warehouseName: string | null;
    onHand: Decimal | null;
    allocated: Decimal | null;
    available: Decimal | null;
    onPurchase: Decimal | null;
    orderAllocated: Decimal | null;
}

interface LineStock {
    lineId: string;
    productCode: string | null;
    productName: string | null;
    quantity: number | null;
    known: boolean;
    hasCode: boolean;
    loaded: boolean;
    warehouses: WarehouseStock[];
}

interface StockView {
    connected: boolean;
    message: string | null;
    asOf: string | null;
    ageSeconds: number | null;
    warehouses: WarehouseStock[];
    lines: LineStock[];
}

class Snapshot {
    productsByCode = new Map<string, Json>();
    /** Codes not asked for: the callout bound was reached first. */
    notLoaded = new Set<string>();
    callouts = 0;
    asOf: string | null = null;
    asOfTime: Date | null = null;

    add(answer: Json): void {
        for (const product of objects(answer, 'products')) {
            this.productsByCode.set(str(product, 'productCode') ?? 'null', product);
        }
        const stamp = isoDatetime(answer, 'asOf');
        if (stamp && (this.asOfTime === null || stamp < this.asOfTime)) {
            this.asOfTime = stamp;
            this.asOf = str(answer, 'asOf');
        }
    }

    ageSeconds(now: Date): number {
        if (!this.asOfTime) return 0;
        const age = Math.trunc((now.getTime() - this.asOfTime.getTime()) / 1000);
        return age < 0 ? 0 : age;
    }
}

async function callOnce(
    ctx: ApexContext,
    codes: string[],
    guidByCode: Map<string, string | null>,
    orderGuid: string | null
): Promise<Json> {
    const guids = codes.map((c) => guidByCode.get(c)).filter((g): g is string => !isBlank(g));
    const path =
        `/v1/stock?productCodes=${codes.map(urlEncode).join(',')}` +
        (guids.length ? `&productGuids=${guids.map(urlEncode).join(',')}` : '') +
        (isBlank(orderGuid) ? '' : `&orderGuid=${urlEncode(orderGuid as string)}`);
    const answer = await ctx.middleware.get(path);
    if (!isObject(answer)) {
        throw new MiddlewareError(
            0,
            'Bad answer',
            'The Unleashed connector service sent a stock answer without products.'
        );
    }
    return answer;
}

async function fetchStock(
    ctx: ApexContext,
    guidByCode: Map<string, string | null>,
    orderGuid: string | null = null
): Promise<Snapshot> {
    const result = new Snapshot();
    let chunk: string[] = [];
    try {
        for (const code of guidByCode.keys()) {
            if (isBlank(code)) continue;
            if (result.callouts >= MAX_CALLOUTS) {
                result.notLoaded.add(code);
                continue;
            }
            chunk.push(code);
            if (chunk.length === CODES_PER_CALL) {
                result.add(await callOnce(ctx, chunk, guidByCode, orderGuid));
                result.callouts++;
                chunk = [];
            }
        }
        if (chunk.length > 0) {
            result.add(await callOnce(ctx, chunk, guidByCode, orderGuid));
            result.callouts++;
        }
    } catch (err) {
        if (err instanceof MiddlewareError)
            throw new AuraError(`Stock is not available right now: ${err.message}`);
        throw err;
    }
    return result;
}

function warehousesOf(product: Json): WarehouseStock[] {
    return objects(product, 'warehouses').map((row) => ({
        warehouseCode: str(row, 'warehouseCode'),
        warehouseName: str(row, 'warehouseName'),
        onHand: dec(row, 'onHand'),
        allocated: dec(row, 'allocated'),
        available: dec(row, 'available'),
        onPurchase: dec(row, 'onPurchase'),
        orderAllocated: dec(row, 'orderAllocated')
    }));
}

function newView(ctx: ApexContext): StockView {
    const connected = isConnected(ctx);
    return {
        connected,
        message: connected ? null : NOT_CONNECTED,
        asOf: null,
        ageSeconds: null,
        warehouses: [],
        lines: []
    };
}

function stamp(ctx: ApexContext, view: StockView, snapshot: Snapshot): void {
    view.asOf = snapshot.asOf;
    view.ageSeconds = snapshot.ageSeconds(ctx.now());
}

const warehouseDto = (w: WarehouseStock) => ({
    warehouseCode: w.warehouseCode,
    warehouseName: w.warehouseName,
    onHand: num(w.onHand),
    allocated: num(w.allocated),
    available: num(w.available),
    onPurchase: num(w.onPurchase),
    orderAllocated: num(w.orderAllocated)
});

function toDto(view: StockView): unknown {
    return {
        ...view,
        warehouses: view.warehouses.map(warehouseDto),
        lines: view.lines.map((l) => ({ ...l, warehouses: l.warehouses.map(warehouseDto) }))
    };
}

interface ProductRow {
    Id: string;
    Name: string | null;
    Unleashed_Product_Code__c: string | null;
    Unleashed_Guid__c?: string | null;
}

export async function getProductStock(ctx: ApexContext, productId: string | null): Promise<unknown> {
    const rows = productId
        ? await ctx.org.data.query<ProductRow & Json>(
              `SELECT Id, Name, ProductCode, Unleashed_Product_Code__c, Unleashed_Guid__c, Unleashed_Obsolete__c FROM Product2 WHERE Id = ${soqlString(productId)} WITH USER_MODE LIMIT 1`
          )
        : [];
    const product = rows[0];
    if (!product) throw new AuraError('The product was not found, or you do not have access to it.');
    const view = newView(ctx);
    if (!view.connected) return toDto(view);
    const code = product.Unleashed_Product_Code__c;
    if (isBlank(code)) {
        view.message = 'This product has no Unleashed product code, so Unleashed has no stock for it.';
        return toDto(view);
    }
    const snapshot = await fetchStock(ctx, new Map([[code as string, product.Unleashed_Guid__c ?? null]]));
    stamp(ctx, view, snapshot);
    const stock = snapshot.productsByCode.get(code as string);
    if (!stock || bool(stock, 'known') !== true) {
        view.message = `Unleashed has no product with the code ${code}.`;
        return toDto(view);
    }
    view.warehouses = warehousesOf(stock);
    return toDto(view);
}

interface LineRow {
    Id: string;
    Quantity: number | null;
    Product2: {
        Name?: string | null;
        Unleashed_Product_Code__c?: string | null;
        Unleashed_Guid__c?: string | null;
    } | null;
}

export async function getOpportunityStock(ctx: ApexContext, opportunityId: string | null): Promise<unknown> {
    if (!opportunityId) throw new AuraError('An Opportunity id is required.');
    const items = await ctx.org.data.query<LineRow & Json>(
        `SELECT Id, Quantity, Product2Id, Product2.Name, Product2.Unleashed_Product_Code__c, Product2.Unleashed_Guid__c FROM OpportunityLineItem WHERE OpportunityId = ${soqlString(opportunityId)} WITH USER_MODE ORDER BY CreatedDate ASC, Id ASC LIMIT 500`
    );
    const view = newView(ctx);
    const codes = new Map<string, string | null>();
    for (const item of items) {
        const productCode = item.Product2?.Unleashed_Product_Code__c ?? null;
        const line: LineStock = {
            lineId: item.Id,
            productCode,
            productName: item.Product2?.Name ?? null,
            quantity: item.Quantity,
            known: false,
            hasCode: !isBlank(productCode),
            loaded: true,
            warehouses: []
        };
        view.lines.push(line);
        if (line.hasCode) codes.set(productCode as string, item.Product2?.Unleashed_Guid__c ?? null);
    }
    if (!view.connected) return toDto(view);
    if (items.length === 0) {
        view.message = 'This Opportunity has no products.';
        return toDto(view);
    }
    if (codes.size === 0) {
        view.message = 'None of the products on this Opportunity has an Unleashed product code.';
        return toDto(view);
    }
    const opportunity = await ctx.org.data.query<{ Unleashed_Order_Guid__c: string | null } & Json>(
        `SELECT Id, Unleashed_Order_Guid__c FROM Opportunity WHERE Id = ${soqlString(opportunityId)} WITH USER_MODE LIMIT 1`
    );
    const snapshot = await fetchStock(ctx, codes, opportunity[0]?.Unleashed_Order_Guid__c ?? null);
    stamp(ctx, view, snapshot);
    for (const line of view.lines) {
        line.loaded = !line.hasCode || !snapshot.notLoaded.has(line.productCode as string);
        const stock = line.hasCode ? snapshot.productsByCode.get(line.productCode as string) : undefined;
        line.known = stock !== undefined && bool(stock, 'known') === true;
        if (!line.known || !stock) continue;
        line.warehouses = warehousesOf(stock);
    }
    if (snapshot.notLoaded.size > 0) {
        view.message = `Stock was loaded for the first ${codes.size - snapshot.notLoaded.size} products only: Salesforce limits how long one page may wait for stock.`;
    }
    return toDto(view);
}
