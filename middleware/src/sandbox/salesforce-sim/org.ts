import Decimal from 'decimal.js';
import { SCHEMA, type FieldDef, type ObjectDef } from './schema';
import { IdFactory, idIgnoringCase, normaliseId } from './ids';
import { RecordError, RequestError, type SfError } from './errors';
import { coerceValue, formatDateTime, matchKey } from './values';

/**
 * The in-memory org: tables of records keyed by their canonical (unprefixed) field names, the
 * namespace rule for API names, field validation, unique indexes and upsert by external id. Every
 * route (REST, Collections, Bulk, SOQL, Apex REST) goes through this one class, so the same input
 * meets the same rules whichever API carries it.
 */

export type Row = Record<string, unknown>;

export interface FieldInfo {
    /** Unprefixed name, as in schema.ts. */
    name: string;
    /** Name in the API: prefixed when custom and the org is namespaced. */
    apiName: string;
    def: FieldDef;
    /** API name of the relationship (references only). */
    relationshipApiName?: string;
}

export interface Table {
    def: ObjectDef;
    apiName: string;
    fields: FieldInfo[];
    byApiName: Map<string, FieldInfo>;
    byName: Map<string, FieldInfo>;
    byRelationship: Map<string, FieldInfo>;
    rows: Map<string, Row>;
    unique: Map<string, Map<string, string>>;
    /**
     * Query indexes (lowercased value -> ids), as the org keeps on external ids, unique fields and
     * lookups: built the first time a query asks for one (see lookupIds), then kept by commit.
     */
    lookups: Map<string, Map<string, Set<string>>>;
    /** Each row's place in `rows`' order, so an answer from an index keeps the scan's order. */
    positions: Map<string, number>;
    nextPosition: number;
    autoNumber: number;
}

interface JournalEntry {
    table: Table;
    id: string;
    before: Row | null;
}

/** Writes made under one allOrNone request, so a failure can put everything back. */
export type Journal = JournalEntry[];

export interface OrgOptions {
    namespace: string;
    orgId: string;
    ids: IdFactory;
    corporateCurrency?: string;
    now?: () => Date;
}

export interface WriteResult {
    id: string;
    created: boolean;
}

export class SimOrg {
    readonly namespace: string;
    readonly orgId: string;
    readonly corporateCurrency: string;
    readonly ids: IdFactory;
    /** The user every API call runs as (set by the seed). */
    currentUserId = '';
    private readonly now: () => Date;
    private readonly tables = new Map<string, Table>();
    /** Validation rules a test adds, by table name: a message refuses the write. */
    private readonly validationRules = new Map<string, ((row: Row) => string | null)[]>();
    /** Records a test has locked: an approval lock, or a row lock another transaction holds. */
    private readonly locks = new Map<string, 'approval' | 'row'>();
    private readonly tablesByName = new Map<string, Table>();

    constructor(opts: OrgOptions) {
        this.namespace = opts.namespace;
        this.orgId = opts.orgId;
        this.ids = opts.ids;
        this.corporateCurrency = opts.corporateCurrency ?? 'NZD';
        this.now = opts.now ?? (() => new Date());
        for (const def of SCHEMA) this.addTable(def);
    }

    /** The API name of a custom name in this org. */
    prefixed(name: string, custom: boolean): string {
        return custom && this.namespace ? `${this.namespace}__${name}` : name;
    }

    private addTable(def: ObjectDef): void {
        const table: Table = {
            def,
            apiName: this.prefixed(def.name, def.custom),
            fields: [],
            byApiName: new Map(),
            byName: new Map(),
            byRelationship: new Map(),
            rows: new Map(),
            unique: new Map(),
            lookups: new Map(),
            positions: new Map(),
            nextPosition: 0,
            autoNumber: 0
        };
        for (const [name, fdef] of Object.entries(def.fields)) {
            const info: FieldInfo = { name, apiName: this.prefixed(name, fdef.custom), def: fdef };
            if (fdef.relationshipName) {
                info.relationshipApiName = this.prefixed(fdef.relationshipName, fdef.custom);
                table.byRelationship.set(info.relationshipApiName.toLowerCase(), info);
            }
            table.fields.push(info);
            table.byApiName.set(info.apiName.toLowerCase(), info);
            table.byName.set(name, info);
            if (fdef.unique) table.unique.set(name, new Map());
        }
        this.tables.set(table.apiName.toLowerCase(), table);
        this.tablesByName.set(def.name, table);
    }

    /** Object by API name, case-insensitive as the API is. */
    table(apiName: string): Table | undefined {
        return this.tables.get(apiName.toLowerCase());
    }

    tableByName(name: string): Table {
        const t = this.tablesByName.get(name);
        if (!t) throw new Error(`unknown object ${name}`);
        return t;
    }

    allTables(): Table[] {
        return [...this.tables.values()];
    }

    /** For REST paths: an unknown object is a 404 there. */
    requireTable(apiName: string): Table {
        const t = this.table(apiName);
        if (!t) throw new RequestError(404, 'NOT_FOUND', 'The requested resource does not exist');
        return t;
    }

    field(table: Table, apiName: string): FieldInfo | undefined {
        return table.byApiName.get(apiName.toLowerCase());
    }

    get(table: Table, id: string): Row | undefined {
        const id18 = normaliseId(id);
        return id18 ? table.rows.get(id18) : undefined;
    }

    /** Finds a record anywhere by id (its key prefix names the object). */
    findAnywhere(id: string): { table: Table; row: Row } | undefined {
        const id18 = normaliseId(id);
        if (!id18) return undefined;
        for (const table of this.tables.values()) {
            if (id18.startsWith(table.def.keyPrefix)) {
                const row = table.rows.get(id18);
                return row ? { table, row } : undefined;
            }
        }
        return undefined;
    }

    /** The record as the API shows it: API names, nulls for empty fields, an attributes block. */
    toApi(table: Table, row: Row, apiVersion: string, fields: FieldInfo[] = table.fields): Row {
        const out: Row = { attributes: this.attributes(table, row, apiVersion) };
        for (const f of fields) out[f.apiName] = row[f.name] ?? null;
        return out;
    }

    attributes(table: Table, row: Row, apiVersion: string): { type: string; url: string } {
        return {
            type: table.apiName,
            url: `/services/data/v${apiVersion}/sobjects/${table.apiName}/${String(row.Id)}`
        };
    }

    /** Ids of the records whose external id (or Id) matches the value. */
    findByExternalId(table: Table, field: FieldInfo, value: unknown): string[] {
        if (field.name === 'Id') {
            const row = this.get(table, String(value));
            return row ? [String(row.Id)] : [];
        }
        const key = matchKey(field.def, value);
        const index = table.unique.get(field.name);
        if (index) {
            const id = index.get(key);
            return id ? [id] : [];
        }
        const ids: string[] = [];
        for (const row of table.rows.values()) {
            const v = row[field.name];
            if (v !== null && v !== undefined && matchKey(field.def, v) === key) ids.push(String(row.Id));
        }
        return ids;
    }

    /** Whether SOQL `=` and `IN` on the field can be answered from an index. */
    indexed(field: FieldInfo): boolean {
        const { def } = field;
        // A checkbox compares as a number (TRUE = 1), which a text key cannot follow.
        if (def.type === 'boolean') return false;
        // Name is among the fields every org indexes (with Id, lookups and external ids).
        return (
            field.name === 'Id' ||
            (field.name === 'Name' && def.type === 'string') ||
            Boolean(def.externalId || def.unique) ||
            def.type === 'reference'
        );
    }

    /**
     * Ids of every record whose field equals the text as SOQL compares (ignoring case), from an
     * index (see indexed): for Id the record itself, otherwise a query index built on first use.
     */
    lookupIds(table: Table, field: FieldInfo, text: string): ReadonlySet<string> {
        if (field.name === 'Id') {
            const id = idIgnoringCase(text);
            return new Set(id && table.rows.has(id) ? [id] : []);
        }
        // Not the unique index: it holds one id a value, and the seed's raw inserts skip its check.
        return this.lookupIndex(table, field.name).get(text.toLowerCase()) ?? new Set();
    }

    /**
     * Ids of the records whose field starts with the lowercased text, from the field's query index
     * (see indexed), as an org answers `LIKE 'text%...'` on an indexed field: one set per value.
     */
    prefixIds(table: Table, field: FieldInfo, prefix: string): ReadonlySet<string>[] {
        const index = this.lookupIndex(table, field.name);
        let sorted = sortedKeys.get(index);
        if (!sorted || sorted.version !== (keyVersions.get(index) ?? 0)) {
            sorted = { version: keyVersions.get(index) ?? 0, keys: [...index.keys()].sort() };
            sortedKeys.set(index, sorted);
        }
        const { keys } = sorted;
        let lo = 0;
        let hi = keys.length;
        while (lo < hi) {
            const mid = (lo + hi) >>> 1;
            if (keys[mid]! < prefix) lo = mid + 1;
            else hi = mid;
        }
        const out: ReadonlySet<string>[] = [];
        for (let i = lo; i < keys.length && keys[i]!.startsWith(prefix); i++) out.push(index.get(keys[i]!)!);
        return out;
    }

    private lookupIndex(table: Table, name: string): Map<string, Set<string>> {
        let index = table.lookups.get(name);
        if (!index) {
            index = new Map();
            for (const [id, row] of table.rows) addLookup(index, row[name], id);
            table.lookups.set(name, index);
        }
        return index;
    }

    create(table: Table, input: Row, journal?: Journal): WriteResult {
        const id = this.write(table, null, input, journal);
        return { id, created: true };
    }

    /**
     * A validation rule on a table (e.g. 'Opportunity'): writes whose resulting row (fields by their
     * unprefixed names) makes the rule return a message are refused with FIELD_CUSTOM_VALIDATION_EXCEPTION.
     */
    addValidationRule(tableName: string, rule: (row: Row) => string | null): void {
        const table = this.tableByName(tableName);
        const rules = this.validationRules.get(table.def.name) ?? [];
        this.validationRules.set(table.def.name, [...rules, rule]);
    }

    /**
     * Locks a record as an approval process does (updates refused with ENTITY_IS_LOCKED until it is
     * unlocked), or as another transaction holding its row does (UNABLE_TO_LOCK_ROW); null unlocks.
     */
    lock(id: string, kind: 'approval' | 'row' | null): void {
        if (kind) this.locks.set(id, kind);
        else this.locks.delete(id);
    }

    update(table: Table, id: string, input: Row, journal?: Journal): WriteResult {
        const row = this.get(table, id);
        if (!row) {
            throw new RecordError([
                { statusCode: 'ENTITY_IS_DELETED', message: 'entity is deleted', fields: [] }
            ]);
        }
        const lock = this.locks.get(String(row.Id));
        if (lock === 'approval') {
            throw new RecordError([
                { statusCode: 'ENTITY_IS_LOCKED', message: 'the entity is locked for editing', fields: [] }
            ]);
        }
        if (lock === 'row') {
            throw new RecordError([
                {
                    statusCode: 'UNABLE_TO_LOCK_ROW',
                    message: 'unable to obtain exclusive access to this record or 1 records',
                    fields: []
                }
            ]);
        }
        this.write(table, row, input, journal);
        return { id: String(row.Id), created: false };
    }

    /**
     * Upsert by external id: no match creates (with the external id set), one match updates, more
     * than one (a non-unique external id) is refused.
     */
    upsert(table: Table, extField: FieldInfo, extValue: unknown, input: Row, journal?: Journal): WriteResult {
        if (extValue === null || extValue === undefined || extValue === '') {
            if (extField.name === 'Id') return this.create(table, stripKey(input, 'Id'), journal);
            throw new RecordError([
                {
                    statusCode: 'MISSING_ARGUMENT',
                    message: `${extField.apiName} not specified`,
                    fields: [extField.apiName]
                }
            ]);
        }
        const ids = this.findByExternalId(table, extField, extValue);
        if (ids.length > 1) {
            throw new RecordError([
                {
                    statusCode: 'DUPLICATE_EXTERNAL_ID',
                    message: `${extField.apiName}: more than one record found for external id field: [${ids.join(', ')}]`,
                    fields: [extField.apiName]
                }
            ]);
        }
        const [existing] = ids;
        if (existing) return this.update(table, existing, stripKey(input, 'Id'), journal);
        if (extField.name === 'Id') {
            throw new RecordError([
                {
                    statusCode: 'NOT_FOUND',
                    message: `Provided external ID field does not exist or is not accessible: ${String(extValue)}`,
                    fields: []
                }
            ]);
        }
        return this.create(table, { ...input, [extField.apiName]: extValue }, journal);
    }

    delete(table: Table, id: string, journal?: Journal): void {
        const row = this.get(table, id);
        if (!row) {
            throw new RecordError([
                { statusCode: 'ENTITY_IS_DELETED', message: 'entity is deleted', fields: [] }
            ]);
        }
        this.commit(table, String(row.Id), null, journal);
        if (table.def.name === 'OpportunityLineItem')
            this.rollUpOpportunity(String(row.OpportunityId), journal);
        if (table.def.name === 'Opportunity') {
            const lines = this.tableByName('OpportunityLineItem');
            for (const line of [...lines.rows.values()]) {
                if (line.OpportunityId === row.Id) this.commit(lines, String(line.Id), null, journal);
            }
        }
        if (table.def.name === 'OrderItem') this.rollUpOrder(String(row.OrderId), journal);
        if (table.def.name === 'Order') {
            const items = this.tableByName('OrderItem');
            for (const item of [...items.rows.values()]) {
                if (item.OrderId === row.Id) this.commit(items, String(item.Id), null, journal);
            }
        }
    }

    /** Puts every record a failed allOrNone request touched back as it was. */
    rollback(journal: Journal): void {
        for (const entry of [...journal].reverse()) this.commit(entry.table, entry.id, entry.before);
        journal.length = 0;
    }

    /** Writes a record without the API's checks: for the seed and the org's own roll-ups. */
    insertRaw(tableName: string, values: Row): string {
        const table = this.tableByName(tableName);
        const id = this.ids.next(table.def.keyPrefix);
        const stamp = formatDateTime(this.now());
        const row: Row = {
            ...this.defaults(table),
            ...values,
            Id: id,
            CreatedDate: stamp,
            LastModifiedDate: stamp,
            SystemModstamp: stamp,
            CreatedById: this.currentUserId || id,
            LastModifiedById: this.currentUserId || id,
            IsDeleted: false
        };
        if (table.byName.has('OwnerId') && !row.OwnerId) row.OwnerId = this.currentUserId;
        if (table.def.autoNumber) row[table.def.autoNumberField ?? 'Name'] = this.nextAutoNumber(table);
        this.commit(table, id, row);
        return id;
    }

    // ---- the write path ----

    private write(table: Table, existing: Row | null, input: Row, journal?: Journal): string {
        const creating = existing === null;
        const errors: SfError[] = [];
        const changes: Row = {};
        for (const [key, raw] of Object.entries(input)) {
            if (key === 'attributes') continue;
            const f = this.field(table, key);
            if (!f) {
                const rel = table.byRelationship.get(key.toLowerCase());
                if (rel && raw !== null && typeof raw === 'object' && !Array.isArray(raw)) {
                    const resolved = this.resolveReference(rel, raw as Row);
                    if (typeof resolved === 'string') changes[rel.name] = resolved;
                    else errors.push(resolved);
                    continue;
                }
                throw new RequestError(
                    400,
                    'INVALID_FIELD',
                    `No such column '${key}' on sobject of type ${table.apiName}`
                );
            }
            if (f.name === 'Id') continue;
            if (f.def.readOnly || (!creating && f.def.createOnly)) {
                errors.push({
                    statusCode: 'INVALID_FIELD_FOR_INSERT_UPDATE',
                    message: `Unable to create/update fields: ${f.apiName}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
                    fields: [f.apiName]
                });
                continue;
            }
            const c = coerceValue(f.def, f.apiName, raw);
            if (!c.ok) {
                errors.push(c.error);
                continue;
            }
            if (f.def.type === 'reference' && c.value !== null) {
                const err = this.checkReference(f, String(c.value));
                if (typeof err === 'string') changes[f.name] = err;
                else errors.push(err);
                continue;
            }
            changes[f.name] = c.value;
        }
        if (errors.length) throw new RecordError(errors);

        const row: Row = creating ? { ...this.defaults(table), ...changes } : { ...existing, ...changes };
        this.applyObjectRules(table, row, creating, errors);
        for (const rule of this.validationRules.get(table.def.name) ?? []) {
            const message = rule(row);
            if (message)
                errors.push({ statusCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', message, fields: [] });
        }
        if (creating) {
            const missing = table.fields
                .filter(
                    (f) =>
                        f.def.required &&
                        !f.def.readOnly &&
                        (row[f.name] === null || row[f.name] === undefined)
                )
                .map((f) => f.apiName);
            if (missing.length) {
                errors.push({
                    statusCode: 'REQUIRED_FIELD_MISSING',
                    message: `Required fields are missing: [${missing.join(', ')}]`,
                    fields: missing
                });
            }
        }
        const id = creating ? this.ids.next(table.def.keyPrefix) : String(existing.Id);
        for (const [name, index] of table.unique) {
            const v = row[name];
            if (v === null || v === undefined) continue;
            const other = index.get(matchKey(table.byName.get(name)!.def, v));
            if (other && other !== id) {
                errors.push({
                    statusCode: 'DUPLICATE_VALUE',
                    message: `duplicate value found: ${table.byName.get(name)!.apiName} duplicates value on record with id: ${other}`,
                    fields: []
                });
            }
        }
        if (errors.length) throw new RecordError(errors);

        const stamp = formatDateTime(this.now());
        if (creating) {
            Object.assign(row, {
                Id: id,
                CreatedDate: stamp,
                CreatedById: this.currentUserId,
                IsDeleted: false
            });
            if (table.byName.has('OwnerId') && !row.OwnerId) row.OwnerId = this.currentUserId;
            if (table.def.autoNumber) row[table.def.autoNumberField ?? 'Name'] = this.nextAutoNumber(table);
        }
        Object.assign(row, {
            LastModifiedDate: stamp,
            SystemModstamp: stamp,
            LastModifiedById: this.currentUserId
        });
        this.commit(table, id, row, journal);
        if (table.def.name === 'OpportunityLineItem')
            this.rollUpOpportunity(String(row.OpportunityId), journal);
        if (table.def.name === 'OrderItem') this.rollUpOrder(String(row.OrderId), journal);
        return id;
    }

    private defaults(table: Table): Row {
        const row: Row = {};
        for (const f of table.fields) {
            if (f.def.defaultValue !== undefined) row[f.name] = f.def.defaultValue;
            else if (f.def.type === 'boolean') row[f.name] = false;
        }
        if (table.byName.has('CurrencyIsoCode')) row.CurrencyIsoCode = this.corporateCurrency;
        return row;
    }

    private nextAutoNumber(table: Table): string {
        table.autoNumber += 1;
        const format = table.def.autoNumber ?? '{0}';
        return format.replace(/\{(0+)\}/, (_m, zeros: string) =>
            String(table.autoNumber).padStart(zeros.length, '0')
        );
    }

    /** `Rel__r: {Ext__c: 'v'}` -> the id of the one record with that external id. */
    private resolveReference(rel: FieldInfo, ref: Row): string | SfError {
        const target = this.tableByName(rel.def.referenceTo!);
        const keys = Object.keys(ref).filter((k) => k !== 'attributes');
        const [extName] = keys;
        const extField = extName ? this.field(target, extName) : undefined;
        if (keys.length !== 1 || !extField || !(extField.def.externalId || extField.name === 'Id')) {
            return {
                statusCode: 'INVALID_FIELD',
                message: `A foreign key reference for ${rel.relationshipApiName} must name exactly one external id field of ${target.apiName}`,
                fields: [rel.apiName]
            };
        }
        const value = ref[extName!];
        const ids = this.findByExternalId(target, extField, value);
        if (ids.length === 1) return ids[0]!;
        return {
            statusCode: 'INVALID_FIELD',
            message:
                ids.length === 0
                    ? `Foreign key external ID: ${String(value)} not found for field ${extField.apiName} in entity ${target.apiName}`
                    : `Foreign key external ID: ${String(value)} matched more than one record for field ${extField.apiName} in entity ${target.apiName}`,
            fields: []
        };
    }

    private checkReference(f: FieldInfo, value: string): string | SfError {
        const target = this.tableByName(f.def.referenceTo!);
        const id18 = normaliseId(value);
        if (!id18 || !id18.startsWith(target.def.keyPrefix)) {
            return {
                statusCode: 'MALFORMED_ID',
                message: `${f.apiName}: id value of incorrect type: ${value}`,
                fields: [f.apiName]
            };
        }
        if (!target.rows.has(id18)) {
            return {
                statusCode: 'INVALID_CROSS_REFERENCE_KEY',
                message: 'invalid cross reference id',
                fields: []
            };
        }
        return id18;
    }

    /** What the org itself does for some standard objects. */
    private applyObjectRules(table: Table, row: Row, creating: boolean, errors: SfError[]): void {
        switch (table.def.name) {
            case 'Account':
                // A Person Account has no Name of its own: it is made from FirstName and LastName.
                if (creating && !row.Name && row.LastName) row.IsPersonAccount = true;
                if (row.IsPersonAccount) {
                    row.Name = [row.FirstName, row.LastName].filter(Boolean).join(' ') || null;
                } else if (!row.Name) {
                    errors.push({
                        statusCode: 'REQUIRED_FIELD_MISSING',
                        message: 'Required fields are missing: [Name]',
                        fields: ['Name']
                    });
                }
                break;
            case 'User':
                row.Name = [row.FirstName, row.LastName].filter(Boolean).join(' ');
                break;
            case 'PricebookEntry':
                if (creating) this.pricebookEntryRules(row, errors);
                break;
            case 'OpportunityLineItem':
                this.lineItemRules(row, creating, errors);
                break;
            case 'OrderItem':
                if (creating) this.orderItemRules(row, errors);
                break;
        }
    }

    private pricebookEntryRules(row: Row, errors: SfError[]): void {
        const product = this.get(this.tableByName('Product2'), String(row.Product2Id));
        const book = this.get(this.tableByName('Pricebook2'), String(row.Pricebook2Id));
        if (!product || !book) return;
        row.Name = product.Name;
        row.ProductCode = product.ProductCode ?? null;
        // Only the product's own entries can clash: read them from the Product2Id index, not a scan.
        const table = this.tableByName('PricebookEntry');
        const entries = [
            ...this.lookupIds(table, table.byName.get('Product2Id')!, String(row.Product2Id))
        ].map((id) => table.rows.get(id)!);
        const same = (e: Row, bookId: unknown) =>
            e.Pricebook2Id === bookId &&
            e.Product2Id === row.Product2Id &&
            e.CurrencyIsoCode === row.CurrencyIsoCode;
        if (entries.some((e) => same(e, row.Pricebook2Id))) {
            errors.push({
                statusCode: 'DUPLICATE_VALUE',
                message: 'This price definition already exists in this price book',
                fields: []
            });
        }
        const standard = [...this.tableByName('Pricebook2').rows.values()].find((b) => b.IsStandard);
        if (!book.IsStandard && !entries.some((e) => same(e, standard?.Id))) {
            errors.push({
                statusCode: 'STANDARD_PRICE_NOT_DEFINED',
                message: 'No standard price defined for this product',
                fields: []
            });
        }
    }

    private lineItemRules(row: Row, creating: boolean, errors: SfError[]): void {
        const opp = this.get(this.tableByName('Opportunity'), String(row.OpportunityId));
        const entry = this.get(this.tableByName('PricebookEntry'), String(row.PricebookEntryId));
        if (!opp || !entry) return;
        if (creating) {
            const product = this.get(this.tableByName('Product2'), String(entry.Product2Id));
            row.Product2Id = entry.Product2Id;
            row.ProductCode = entry.ProductCode ?? null;
            row.Name = `${String(opp.Name)} ${String(product?.Name ?? '')}`.trim();
            row.CurrencyIsoCode = opp.CurrencyIsoCode;
            if (opp.Pricebook2Id && opp.Pricebook2Id !== entry.Pricebook2Id) {
                errors.push({
                    statusCode: 'FIELD_INTEGRITY_EXCEPTION',
                    message:
                        'field integrity exception: PricebookEntryId (pricebook entry is in a different pricebook than the one assigned to the opportunity)',
                    fields: ['PricebookEntryId']
                });
            }
            if (entry.CurrencyIsoCode !== opp.CurrencyIsoCode) {
                errors.push({
                    statusCode: 'FIELD_INTEGRITY_EXCEPTION',
                    message:
                        'field integrity exception: PricebookEntryId (pricebook entry currency code does not match opportunity currency code)',
                    fields: ['PricebookEntryId']
                });
            }
        }
        if (
            row.Quantity !== null &&
            row.Quantity !== undefined &&
            row.UnitPrice !== null &&
            row.UnitPrice !== undefined
        ) {
            const gross = new Decimal(String(row.Quantity)).times(String(row.UnitPrice));
            const discount = new Decimal(String(row.Discount ?? 0)).div(100);
            row.TotalPrice = gross
                .times(new Decimal(1).minus(discount))
                .toDecimalPlaces(2, Decimal.ROUND_HALF_UP)
                .toNumber();
        }
    }

    /**
     * An Order Product takes its product and list price from its price book entry, which must be in the
     * Order's price book and currency; its total is quantity times unit price (Orders have no discount).
     */
    private orderItemRules(row: Row, errors: SfError[]): void {
        const order = this.get(this.tableByName('Order'), String(row.OrderId));
        const entry = this.get(this.tableByName('PricebookEntry'), String(row.PricebookEntryId));
        if (!order || !entry) return;
        row.Product2Id = entry.Product2Id;
        row.ListPrice = entry.UnitPrice;
        row.CurrencyIsoCode = order.CurrencyIsoCode;
        if (!order.Pricebook2Id || order.Pricebook2Id !== entry.Pricebook2Id) {
            errors.push({
                statusCode: 'FIELD_INTEGRITY_EXCEPTION',
                message:
                    'field integrity exception: PricebookEntryId (pricebook entry is in a different pricebook than the one assigned to the order, or order has no pricebook)',
                fields: ['PricebookEntryId']
            });
        }
        if (entry.CurrencyIsoCode !== order.CurrencyIsoCode) {
            errors.push({
                statusCode: 'FIELD_INTEGRITY_EXCEPTION',
                message:
                    'field integrity exception: PricebookEntryId (pricebook entry currency code does not match order currency code)',
                fields: ['PricebookEntryId']
            });
        }
        if (
            row.Quantity !== null &&
            row.Quantity !== undefined &&
            row.UnitPrice !== null &&
            row.UnitPrice !== undefined
        )
            row.TotalPrice = new Decimal(String(row.Quantity))
                .times(String(row.UnitPrice))
                .toDecimalPlaces(2, Decimal.ROUND_HALF_UP)
                .toNumber();
    }

    /** Order.TotalAmount is the sum of its Order Products. */
    private rollUpOrder(orderId: string, journal?: Journal): void {
        const orders = this.tableByName('Order');
        const order = this.get(orders, orderId);
        if (!order) return;
        const total = [...this.tableByName('OrderItem').rows.values()]
            .filter((i) => i.OrderId === order.Id)
            .reduce((sum, i) => sum.plus(String(i.TotalPrice ?? 0)), new Decimal(0));
        this.commit(orders, String(order.Id), { ...order, TotalAmount: total.toNumber() }, journal);
    }

    /** Opportunity.Amount is the sum of its lines once it has any; the first line sets the price book. */
    private rollUpOpportunity(opportunityId: string, journal?: Journal): void {
        const opps = this.tableByName('Opportunity');
        const opp = this.get(opps, opportunityId);
        if (!opp) return;
        const lines = [...this.tableByName('OpportunityLineItem').rows.values()].filter(
            (l) => l.OpportunityId === opp.Id
        );
        const total = lines.reduce((sum, l) => sum.plus(String(l.TotalPrice ?? 0)), new Decimal(0));
        const firstBook = lines[0]
            ? this.get(this.tableByName('PricebookEntry'), String(lines[0].PricebookEntryId))?.Pricebook2Id
            : undefined;
        this.commit(
            opps,
            String(opp.Id),
            {
                ...opp,
                Amount: lines.length ? total.toNumber() : opp.Amount,
                HasOpportunityLineItem: lines.length > 0,
                Pricebook2Id: opp.Pricebook2Id ?? firstBook ?? null
            },
            journal
        );
    }

    /**
     * Replaces (or removes, with null) one record and keeps the unique and query indexes and the
     * row order right. Every change to a record goes through here: rows are never edited in place.
     */
    private commit(table: Table, id: string, row: Row | null, journal?: Journal): void {
        const before = table.rows.get(id) ?? null;
        journal?.push({ table, id, before });
        for (const [name, index] of table.unique) {
            const def = table.byName.get(name)!.def;
            const old = before?.[name];
            if (old !== null && old !== undefined && index.get(matchKey(def, old)) === id)
                index.delete(matchKey(def, old));
        }
        for (const [name, index] of table.lookups) {
            if (before && before[name] !== row?.[name]) removeLookup(index, before[name], id);
        }
        if (row === null) {
            table.rows.delete(id);
            table.positions.delete(id);
            return;
        }
        // A Map keeps a key's first place when it is set again; a new (or re-inserted) key goes last.
        if (!before) table.positions.set(id, table.nextPosition++);
        table.rows.set(id, row);
        for (const [name, index] of table.unique) {
            const v = row[name];
            if (v !== null && v !== undefined) index.set(matchKey(table.byName.get(name)!.def, v), id);
        }
        for (const [name, index] of table.lookups) {
            if (!before || before[name] !== row[name]) addLookup(index, row[name], id);
        }
    }
}

/** A query index's keys in order (for prefix lookups), rebuilt when a key came or went since. */
const sortedKeys = new WeakMap<Map<string, Set<string>>, { version: number; keys: string[] }>();
const keyVersions = new WeakMap<Map<string, Set<string>>, number>();
const keysChanged = (index: Map<string, Set<string>>) =>
    keyVersions.set(index, (keyVersions.get(index) ?? 0) + 1);

function addLookup(index: Map<string, Set<string>>, value: unknown, id: string): void {
    if (value === null || value === undefined) return;
    const key = String(value).toLowerCase();
    const ids = index.get(key);
    if (ids) ids.add(id);
    else {
        index.set(key, new Set([id]));
        keysChanged(index);
    }
}

function removeLookup(index: Map<string, Set<string>>, value: unknown, id: string): void {
    if (value === null || value === undefined) return;
    const key = String(value).toLowerCase();
    const ids = index.get(key);
    if (!ids) return;
    ids.delete(id);
    if (ids.size === 0) {
        index.delete(key);
        keysChanged(index);
    }
}

function stripKey(input: Row, key: string): Row {
    const out: Row = {};
    for (const [k, v] of Object.entries(input)) if (k.toLowerCase() !== key.toLowerCase()) out[k] = v;
    return out;
}
