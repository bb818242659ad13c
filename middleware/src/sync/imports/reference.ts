import { Decimal } from 'decimal.js';
import type { ZodType } from 'zod';
import type { SObjectRecord } from '../../salesforce/types';
import {
    DeliveryMethodSchema,
    SalesOrderGroupSchema,
    SalesPersonSchema,
    TaxSchema,
    WarehouseSchema,
    type UnleashedDeliveryMethod,
    type UnleashedSalesOrderGroup,
    type UnleashedSalesPerson,
    type UnleashedTax,
    type UnleashedWarehouse
} from '../../unleashed/schemas';
import type { Query } from '../../unleashed/types';
import { uuidV5 } from '../ids';
import type { EntityUnit, RunContext } from './context';
import { describeIssues, parseItem } from './items';
import { planRecords, type Desired } from './plan';
import { keyOf, upsertAll } from './salesforce-io';
import { clipText, type Tally } from './tally';
import type { ImportEntity } from './types';
import { deliveryMethodName, salesOrderGroupName } from '../reference-data';

/**
 * Reference data: warehouses, revenue taxes, salespersons, delivery methods and sales order groups, each
 * upserted into
 * its custom object by Unleashed GUID. Unleashed's lists are small, so each is read whole and
 * compared with every record Salesforce has; records Unleashed marks obsolete, or no longer lists,
 * get Obsolete__c = true and are never deleted (opportunities may point at them).
 */

const GUID_FIELD = 'Unleashed_Guid__c';

interface ReferenceSpec<T> {
    entity: ImportEntity;
    resource: string;
    query: Query;
    schema: ZodType<T>;
    sobject: string;
    /** Fields compared and written, besides the GUID. */
    fields: string[];
    /** Whether Unleashed lists this item for this object at all (taxes: revenue only). */
    keep?: (item: T) => boolean;
    label(item: T): string;
    /** Facts drawn from the whole list before mapping (the default tax). */
    scope?: (items: T[], ctx: RunContext) => unknown;
    /** The GUID (derived when Unleashed gives none) and the record; or a reason it cannot be written. */
    map(
        item: T,
        ctx: RunContext,
        scope: unknown
    ): { guid: string; record: SObjectRecord } | { error: string };
}

/** Some lists are documented only from third-party clients; a GUID is derived if one is missing. */
const derivedGuid = (kind: string, name: string) => uuidV5(`unleashed-${kind}:${name}`);

const warehouses: ReferenceSpec<UnleashedWarehouse> = {
    entity: 'warehouses',
    resource: 'Warehouses',
    query: {},
    schema: WarehouseSchema,
    sobject: 'Unleashed_Warehouse__c',
    fields: [
        'Name',
        'Warehouse_Code__c',
        'Is_Default__c',
        'Obsolete__c',
        'Address_Line_1__c',
        'Address_Line_2__c',
        'City__c',
        'Region__c',
        'Country__c',
        'Post_Code__c'
    ],
    label: (w) => w.WarehouseCode,
    map: (w) => ({
        guid: w.Guid,
        record: {
            Name: clipText(w.WarehouseName, 80) ?? clipText(w.WarehouseCode, 80),
            Warehouse_Code__c: w.WarehouseCode,
            Is_Default__c: w.IsDefault === true,
            Obsolete__c: w.Obsolete === true,
            Address_Line_1__c: clipText(
                [w.StreetNo, w.AddressLine1].filter((s) => s && s.trim()).join(' '),
                255
            ),
            Address_Line_2__c: clipText(w.AddressLine2, 255),
            City__c: clipText(w.City, 255),
            Region__c: clipText(w.Region, 255),
            Country__c: clipText(w.Country, 255),
            Post_Code__c: clipText(w.PostCode, 20)
        }
    })
};

/** Tax_Rate__c is a percent with 4 places; the fraction is kept exactly beside it. */
function taxRecord(t: UnleashedTax, defaultGuid: string | null, guid: string): SObjectRecord {
    const rate = t.TaxRate === null || t.TaxRate === undefined ? null : new Decimal(String(t.TaxRate));
    return {
        Name: clipText(t.TaxCode, 80),
        Tax_Code__c: clipText(t.TaxCode, 50),
        Description__c: clipText(t.Description, 255),
        Tax_Rate__c: rate ? rate.times(100).toDecimalPlaces(4).toNumber() : null,
        Tax_Rate_Fraction__c: rate ? rate.toFixed() : null,
        Can_Apply_To_Revenue__c: true,
        Is_Default__c: defaultGuid !== null && guid === defaultGuid,
        Obsolete__c: t.Obsolete === true
    };
}

const taxGuid = (t: UnleashedTax) => t.Guid ?? derivedGuid('tax', `${t.TaxCode}:revenue`);

/**
 * The company's default tax, as the revenue tax with the company's default rate (Unleashed gives
 * the rate, not the code); the first one listed when several share it, live ones first.
 */
function defaultTaxGuid(taxes: UnleashedTax[], rate: Decimal | null): string | null {
    if (!rate) return null;
    const same = taxes.filter(
        (t) => t.TaxRate !== null && t.TaxRate !== undefined && rate.equals(String(t.TaxRate))
    );
    const pick = same.find((t) => t.Obsolete !== true) ?? same[0];
    return pick ? taxGuid(pick) : null;
}

const taxes: ReferenceSpec<UnleashedTax> = {
    entity: 'taxes',
    resource: 'Taxes',
    query: { canApplyToRevenue: true },
    schema: TaxSchema,
    sobject: 'Unleashed_Tax__c',
    fields: [
        'Name',
        'Tax_Code__c',
        'Description__c',
        'Tax_Rate__c',
        'Tax_Rate_Fraction__c',
        'Can_Apply_To_Revenue__c',
        'Is_Default__c',
        'Obsolete__c'
    ],
    // The same code can also exist as an expense tax; only revenue taxes apply to sales.
    keep: (t) => t.CanApplyToRevenue !== false,
    label: (t) => t.TaxCode,
    scope: (all, ctx) => defaultTaxGuid(all, ctx.company.defaultTaxRate),
    map(t, _ctx, defaultGuid) {
        const guid = taxGuid(t);
        return { guid, record: taxRecord(t, (defaultGuid as string | null) ?? null, guid) };
    }
};

const salesPersons: ReferenceSpec<UnleashedSalesPerson> = {
    entity: 'salesPersons',
    resource: 'SalesPersons',
    query: {},
    schema: SalesPersonSchema,
    sobject: 'Unleashed_Sales_Person__c',
    fields: ['Name', 'Email__c', 'Obsolete__c'],
    label: (s) => s.Email ?? s.FullName ?? s.Guid,
    map: (s) => ({
        guid: s.Guid,
        record: {
            Name: clipText(s.FullName, 80) ?? clipText(s.Email, 80) ?? s.Guid,
            Email__c: clipText(s.Email, 80),
            Obsolete__c: s.Obsolete === true
        }
    })
};

const deliveryMethods: ReferenceSpec<UnleashedDeliveryMethod> = {
    entity: 'deliveryMethods',
    resource: 'DeliveryMethods',
    query: {},
    schema: DeliveryMethodSchema,
    sobject: 'Unleashed_Delivery_Method__c',
    fields: ['Name', 'Obsolete__c'],
    label: (d) => deliveryMethodName(d) ?? d.Guid ?? '(no name)',
    map: (d) => {
        const name = deliveryMethodName(d);
        return name && clipText(name, 80)
            ? {
                  guid: d.Guid ?? derivedGuid('delivery-method', name),
                  record: { Name: clipText(name, 80), Obsolete__c: d.Obsolete === true }
              }
            : { error: 'the delivery method has no name (Name or DeliveryMethodName)' };
    }
};

/** Sales order groups: orders carry the group's name, so the name is what Salesforce keeps. */
const salesOrderGroups: ReferenceSpec<UnleashedSalesOrderGroup> = {
    entity: 'salesOrderGroups',
    resource: 'SalesOrderGroups',
    query: {},
    schema: SalesOrderGroupSchema,
    sobject: 'Unleashed_Sales_Order_Group__c',
    fields: ['Name', 'Obsolete__c'],
    label: (g) => salesOrderGroupName(g) ?? g.Guid ?? '(no name)',
    map: (g) => {
        const name = salesOrderGroupName(g)?.trim();
        if (!name)
            return { error: 'the sales order group has no name (GroupName, Name or SalesOrderGroupName)' };
        // Account and order fields hold the name in 100 characters; a longer one could never be sent.
        if (name.length > 80) return { error: `the sales order group's name is longer than 80 characters` };
        return {
            guid: g.Guid?.trim() ? g.Guid : derivedGuid('sales-order-group', name),
            record: { Name: name, Obsolete__c: g.Obsolete === true }
        };
    }
};

export const REFERENCE_SPECS = {
    warehouses,
    taxes,
    salesPersons,
    deliveryMethods,
    salesOrderGroups
} as const;
export type ReferenceEntity = keyof typeof REFERENCE_SPECS;

export function isReferenceEntity(e: ImportEntity): e is ReferenceEntity {
    return e in REFERENCE_SPECS;
}

class ReferenceUnit<T> implements EntityUnit {
    readonly entities: ImportEntity[];
    readonly resource: string;
    readonly query: Query;
    readonly paged = false;
    /** Every record of the object in Salesforce, by GUID (these lists are small). */
    private existing = new Map<string, SObjectRecord>();
    private readonly seen = new Set<string>();

    constructor(
        private readonly spec: ReferenceSpec<T>,
        private readonly ctx: RunContext
    ) {
        this.entities = [spec.entity];
        this.resource = spec.resource;
        this.query = spec.query;
    }

    async prepare(): Promise<void> {
        const rows = await this.ctx.sf.writer.query(
            `SELECT Id, ${GUID_FIELD}, ${this.spec.fields.join(', ')} FROM ${this.spec.sobject} WHERE ${GUID_FIELD} != null`
        );
        this.existing = new Map(rows.map((r) => [keyOf(r[GUID_FIELD]), r]));
    }

    async page(items: unknown[], tally: Tally): Promise<void> {
        const { spec, ctx } = this;
        const parsed: T[] = [];
        items.forEach((raw, i) => {
            tally.done += 1;
            const item = parseItem(spec.schema, raw);
            if (!item.ok) {
                tally.fail(spec.entity, item.label ?? `#${i + 1}`, describeIssues(item.issues));
                return;
            }
            if (!spec.keep || spec.keep(item.value)) parsed.push(item.value);
        });
        const scope = spec.scope?.(parsed, ctx);
        const desired: Desired[] = [];
        for (const item of parsed) {
            const mapped = spec.map(item, ctx, scope);
            if ('error' in mapped) {
                tally.fail(spec.entity, spec.label(item), mapped.error);
                continue;
            }
            this.seen.add(keyOf(mapped.guid));
            desired.push({
                key: mapped.guid,
                label: spec.label(item),
                entity: spec.entity,
                record: { [GUID_FIELD]: mapped.guid, ...mapped.record }
            });
        }
        await this.write(planRecords(desired, this.existing, tally.memo, spec.entity, tally), tally);
    }

    async finish(tally: Tally): Promise<void> {
        // Gone from Unleashed: kept, marked obsolete.
        const gone: Desired[] = [];
        for (const [key, r] of this.existing) {
            if (this.seen.has(key) || r.Obsolete__c === true) continue;
            gone.push({
                key: String(r[GUID_FIELD]),
                label: String(r.Name ?? r[GUID_FIELD]),
                entity: this.spec.entity,
                record: { [GUID_FIELD]: r[GUID_FIELD], Obsolete__c: true }
            });
        }
        await this.write(
            planRecords(gone, this.existing, tally.memo, `${this.spec.entity}-gone`, tally),
            tally
        );
    }

    private async write(planned: ReturnType<typeof planRecords>, tally: Tally): Promise<void> {
        if (planned.length === 0) return;
        await tally.beforeWrites();
        const results = await upsertAll(
            this.ctx.sf.writer,
            this.spec.sobject,
            GUID_FIELD,
            planned.map((p) => p.record),
            this.ctx.write
        );
        planned.forEach((p, i) => tally.result(p.entity, p.label, p.cls, results[i]));
    }
}

export function referenceUnit(entity: ReferenceEntity, ctx: RunContext): EntityUnit {
    return new ReferenceUnit(REFERENCE_SPECS[entity] as ReferenceSpec<unknown>, ctx);
}
