import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import type { ApexContext } from './context';

/**
 * UnleashedFieldMappingController.getFieldMappings: the field mappings the package ships
 * (force-app/main/default/customMetadata, read as deployed), each checked against the org's
 * describe and the running user's readable fields, as UnleashedFieldMappings does.
 */

const TARGET_LINE_COMMENT = 'LineComment';
const LINE_OBJECTS = new Set(['OpportunityLineItem', 'OrderItem']);

export interface FieldMapping {
    name: string;
    label: string;
    target: string;
    sourceObject: string;
    sourceField: string | null;
    active: boolean;
    problem: string | null;
}

function repositoryRoot(): string {
    let dir = __dirname;
    while (!existsSync(join(dir, 'sfdx-project.json'))) {
        const parent = dirname(dir);
        if (parent === dir) throw new Error('sfdx-project.json not found above ' + __dirname);
        dir = parent;
    }
    return dir;
}

/** The shipped records, by DeveloperName. */
export function shippedMappings(root = repositoryRoot()): Omit<FieldMapping, 'problem'>[] {
    const dir = join(root, 'force-app', 'main', 'default', 'customMetadata');
    const parser = new XMLParser({ ignoreAttributes: true, isArray: (name) => name === 'values' });
    return readdirSync(dir)
        .filter((f) => f.startsWith('Unleashed_Field_Mapping.') && f.endsWith('.md-meta.xml'))
        .sort()
        .map((file) => {
            const doc = parser.parse(readFileSync(join(dir, file), 'utf8')) as {
                CustomMetadata: { label: string; values: { field: string; value: unknown }[] };
            };
            const value = (field: string) =>
                doc.CustomMetadata.values.find((v) => v.field === field)?.value ?? null;
            return {
                name: file.slice('Unleashed_Field_Mapping.'.length, -'.md-meta.xml'.length),
                label: doc.CustomMetadata.label,
                target: String(value('Target__c')),
                sourceObject: String(value('Source_Object__c')),
                sourceField:
                    value('Source_Field__c') === null ? null : String(value('Source_Field__c')).trim(),
                active: value('Active__c') === true || value('Active__c') === 'true'
            };
        });
}

async function problemOf(
    ctx: ApexContext,
    m: Omit<FieldMapping, 'problem'>
): Promise<[string | null, string | null]> {
    const lineTarget = m.target === TARGET_LINE_COMMENT;
    if (lineTarget !== LINE_OBJECTS.has(m.sourceObject))
        return [
            lineTarget
                ? 'A line comment is filled from a line: choose OpportunityLineItem or OrderItem as the object.'
                : `${m.target} is filled from the order, not from a line: choose Opportunity, Order or Account.`,
            m.sourceField
        ];
    let fields: { name: string }[];
    try {
        fields = await ctx.org.data.describeFields(m.sourceObject);
    } catch {
        return [
            `The object ${m.sourceObject} is not available in this org (Orders may not be enabled).`,
            m.sourceField
        ];
    }
    const field = fields.find((f) => f.name.toLowerCase() === (m.sourceField ?? '').toLowerCase());
    if (!field)
        return [
            `${m.sourceObject} has no field "${m.sourceField ?? ''}". Use the field's API name.`,
            m.sourceField
        ];
    const hidden = (ctx.org.unreadableFields ?? []).some(
        (f) => f.toLowerCase() === `${m.sourceObject}.${field.name}`.toLowerCase()
    );
    if (hidden)
        return [
            `You cannot read ${m.sourceObject}.${field.name}. Ask an administrator for read access, or the order is sent without it.`,
            field.name
        ];
    return [null, field.name];
}

export async function getFieldMappings(ctx: ApexContext): Promise<FieldMapping[]> {
    const out: FieldMapping[] = [];
    for (const m of shippedMappings()) {
        const [problem, sourceField] = await problemOf(ctx, m);
        out.push({ ...m, sourceField, problem });
    }
    return out;
}

const ORDER_TARGET_KEYS: Record<string, 'comments' | 'customerRef' | 'deliveryInstruction' | 'sourceId'> = {
    Comments: 'comments',
    CustomerRef: 'customerRef',
    DeliveryInstruction: 'deliveryInstruction',
    SourceId: 'sourceId'
};
const LINE_OBJECT_OF: Record<string, string> = { Opportunity: 'OpportunityLineItem', Order: 'OrderItem' };
const TEXT_MAX = 4000;

function textOf(value: unknown): string | null {
    if (value === null || value === undefined) return null;
    const t = String(value).trim();
    return t === '' ? null : t.slice(0, TEXT_MAX);
}

export interface MappedValues {
    comments?: string;
    customerRef?: string;
    deliveryInstruction?: string;
    sourceId?: string;
    lines: { lineId: string; comments: string }[];
}

/**
 * UnleashedMappedValues.of: the values of the usable, active mappings for the record sent, its
 * Account and its lines; null when no mapping applies. The first mapping by name with a value wins.
 */
export async function mappedValues(
    ctx: ApexContext,
    sourceObject: 'Opportunity' | 'Order',
    recordId: string,
    accountId: string | null
): Promise<MappedValues | null> {
    const lineObject = LINE_OBJECT_OF[sourceObject]!;
    const byObject = new Map<string, FieldMapping[]>();
    for (const m of await getFieldMappings(ctx)) {
        const applies = [sourceObject, 'Account', lineObject].includes(m.sourceObject);
        if (m.active && m.problem === null && applies)
            byObject.set(m.sourceObject, [...(byObject.get(m.sourceObject) ?? []), m]);
    }
    if (byObject.size === 0) return null;
    const query = async (objectName: string, keyField: string, key: string | null) => {
        const mappings = byObject.get(objectName);
        if (!mappings || !key) return [];
        const fields = [...new Set(['Id', ...mappings.map((m) => m.sourceField as string)])];
        return ctx.org.data.query<Record<string, unknown>>(
            `SELECT ${fields.join(', ')} FROM ${objectName} WHERE ${keyField} = '${key.replace(/[^A-Za-z0-9]/g, '')}' WITH USER_MODE LIMIT 1000`
        );
    };
    const result: MappedValues = { lines: [] };
    for (const [objectName, key] of [
        [sourceObject, recordId],
        ['Account', accountId]
    ] as const) {
        const row = (await query(objectName, 'Id', key))[0];
        if (!row) continue;
        for (const m of byObject.get(objectName) ?? []) {
            const property = ORDER_TARGET_KEYS[m.target];
            const value = textOf(row[m.sourceField as string]);
            if (property && value !== null && result[property] === undefined) result[property] = value;
        }
    }
    const parentField = sourceObject === 'Order' ? 'OrderId' : 'OpportunityId';
    for (const row of await query(lineObject, parentField, recordId)) {
        let value: string | null = null;
        for (const m of byObject.get(lineObject) ?? []) value ??= textOf(row[m.sourceField as string]);
        if (value !== null) result.lines.push({ lineId: String(row.Id), comments: value });
    }
    return result;
}
