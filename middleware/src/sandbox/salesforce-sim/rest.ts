import { RecordError, RequestError, notFound, type SfError } from './errors';
import type { Journal, Row, SimOrg, Table, FieldInfo } from './org';
import { parseSoql, runSoql } from './soql';
import type { BulkIngest } from './bulk';

/**
 * The REST API under /services/data/vNN.0: describe, sObject CRUD, upsert by external id, sObject
 * Collections, SOQL with paging, and the Bulk API 2.0 ingest routes. Pure request -> answer; the
 * server adds authentication, limits and headers.
 */

export interface RestRequest {
    method: string;
    /** Path after /services/data/vNN.0, e.g. '/sobjects/Account/describe'. */
    path: string;
    query: URLSearchParams;
    headers: Record<string, string | string[] | undefined>;
    /** Parsed JSON body, or text for CSV uploads. */
    body: unknown;
    apiVersion: string;
}

export interface RestAnswer {
    status: number;
    body?: unknown;
    contentType?: string;
}

const MAX_COLLECTION = 200;

interface Cursor {
    records: Row[];
    totalSize: number;
    touched: number;
}

export class RestApi {
    private readonly cursors = new Map<string, Cursor>();

    constructor(
        private readonly org: SimOrg,
        private readonly bulk: BulkIngest,
        private readonly settings: { queryBatchSize: number; maxApiVersion: number }
    ) {}

    handle(req: RestRequest): RestAnswer {
        const seg = req.path
            .split('/')
            .filter(Boolean)
            .map((s) => decodeURIComponent(s));
        const [head] = seg;
        const m = req.method;
        if (!head && m === 'GET') return { status: 200, body: this.resources(req.apiVersion) };
        if (head === 'sobjects') return this.sobjects(req, seg.slice(1));
        if (head === 'composite' && seg[1] === 'sobjects') return this.collections(req, seg.slice(2));
        if ((head === 'query' || head === 'queryAll') && m === 'GET') return this.query(req, seg[1]);
        if (head === 'jobs' && seg[1] === 'ingest') return this.ingest(req, seg.slice(2));
        throw notFound();
    }

    private resources(v: string): unknown {
        const base = `/services/data/v${v}`;
        return {
            sobjects: `${base}/sobjects`,
            query: `${base}/query`,
            queryAll: `${base}/queryAll`,
            composite: `${base}/composite`,
            jobs: `${base}/jobs`,
            limits: `${base}/limits`
        };
    }

    // ---- sObject REST ----

    private sobjects(req: RestRequest, seg: string[]): RestAnswer {
        const m = req.method;
        if (seg.length === 0) {
            if (m !== 'GET') throw methodNotAllowed(m);
            return {
                status: 200,
                body: {
                    encoding: 'UTF-8',
                    maxBatchSize: 200,
                    sobjects: this.org.allTables().map((t) => this.describeShort(t, req.apiVersion))
                }
            };
        }
        const table = this.org.requireTable(seg[0]!);
        if (seg.length === 1) {
            if (m === 'GET')
                return {
                    status: 200,
                    body: { objectDescribe: this.describeShort(table, req.apiVersion), recentItems: [] }
                };
            if (m === 'POST') {
                const input = this.recordBody(req);
                this.checkFields(table, input);
                try {
                    const { id } = this.org.create(table, input);
                    return { status: 201, body: { id, success: true, errors: [] } };
                } catch (err) {
                    return recordErrorAnswer(err);
                }
            }
            throw methodNotAllowed(m);
        }
        if (seg.length === 2 && seg[1] === 'describe' && m === 'GET') {
            return { status: 200, body: this.describe(table, req.apiVersion) };
        }
        if (seg.length === 2) {
            const row = this.org.get(table, seg[1]!);
            if (!row) throw notFound();
            const id = String(row.Id);
            if (m === 'GET')
                return {
                    status: 200,
                    body: this.org.toApi(table, row, req.apiVersion, this.pickFields(table, req))
                };
            if (m === 'PATCH') {
                const input = this.recordBody(req);
                this.checkFields(table, input);
                try {
                    this.org.update(table, id, input);
                    return { status: 204 };
                } catch (err) {
                    return recordErrorAnswer(err);
                }
            }
            if (m === 'DELETE') {
                this.org.delete(table, id);
                return { status: 204 };
            }
            throw methodNotAllowed(m);
        }
        if (seg.length === 3) return this.byExternalId(req, table, seg[1]!, seg[2]!);
        throw notFound();
    }

    private byExternalId(req: RestRequest, table: Table, fieldName: string, value: string): RestAnswer {
        const field = this.org.field(table, fieldName);
        if (!field)
            throw notFound(`Provided external ID field does not exist or is not accessible: ${fieldName}`);
        if (!(field.def.externalId || field.name === 'Id')) {
            throw new RequestError(
                400,
                'INVALID_FIELD',
                `Field ${field.apiName} is not an External ID or indexed field for ${table.apiName}`
            );
        }
        if (req.method === 'GET') {
            const ids = this.org.findByExternalId(table, field, value);
            if (ids.length === 0) throw notFound();
            if (ids.length > 1) {
                return {
                    status: 300,
                    body: ids.map((id) => `/services/data/v${req.apiVersion}/sobjects/${table.apiName}/${id}`)
                };
            }
            return {
                status: 200,
                body: this.org.toApi(table, this.org.get(table, ids[0]!)!, req.apiVersion)
            };
        }
        if (req.method !== 'PATCH') throw methodNotAllowed(req.method);
        const input = this.recordBody(req);
        this.checkFields(table, input);
        const inBody = Object.keys(input).find((k) => k.toLowerCase() === field.apiName.toLowerCase());
        if (inBody !== undefined && String(input[inBody]) !== value) {
            throw new RequestError(
                400,
                'INVALID_FIELD',
                `The external id field ${field.apiName} in the body does not match the value in the URL`
            );
        }
        const ids = this.org.findByExternalId(table, field, value);
        if (ids.length > 1) {
            return {
                status: 300,
                body: ids.map((id) => `/services/data/v${req.apiVersion}/sobjects/${table.apiName}/${id}`)
            };
        }
        try {
            const { id, created } = this.org.upsert(table, field, value, input);
            if (created) return { status: 201, body: { id, success: true, errors: [], created: true } };
            // From API 46.0 an update by external id answers 200 with a body; before, 204.
            if (Number(req.apiVersion) >= 46)
                return { status: 200, body: { id, success: true, errors: [], created: false } };
            return { status: 204 };
        } catch (err) {
            return recordErrorAnswer(err);
        }
    }

    private describeShort(t: Table, v: string): Row {
        return {
            name: t.apiName,
            label: t.def.label,
            custom: t.def.custom,
            keyPrefix: t.def.keyPrefix,
            createable: true,
            updateable: true,
            deletable: true,
            queryable: true,
            urls: {
                sobject: `/services/data/v${v}/sobjects/${t.apiName}`,
                describe: `/services/data/v${v}/sobjects/${t.apiName}/describe`
            }
        };
    }

    private describe(t: Table, v: string): Row {
        return {
            ...this.describeShort(t, v),
            fields: t.fields.map((f) => ({
                name: f.apiName,
                label: f.name.replace(/__c$/, '').replace(/_/g, ' '),
                type: f.def.type,
                length: f.def.length ?? 0,
                precision: f.def.precision ?? 0,
                scale: f.def.scale ?? 0,
                custom: f.def.custom,
                externalId: !!f.def.externalId,
                unique: !!f.def.unique,
                caseSensitive: !!f.def.caseSensitive,
                idLookup: !!f.def.externalId || f.name === 'Id',
                nillable: !f.def.required && f.def.type !== 'boolean',
                createable: !f.def.readOnly,
                updateable: !f.def.readOnly && !f.def.createOnly,
                defaultedOnCreate: f.def.defaultValue !== undefined || f.def.type === 'boolean',
                referenceTo: f.def.referenceTo ? [this.org.tableByName(f.def.referenceTo).apiName] : [],
                relationshipName: f.relationshipApiName ?? null,
                restrictedPicklist: !!f.def.restricted,
                picklistValues: (f.def.picklist ?? []).map((p) => ({
                    value: p,
                    label: p,
                    active: true,
                    defaultValue: p === f.def.defaultValue
                }))
            }))
        };
    }

    private pickFields(table: Table, req: RestRequest): FieldInfo[] | undefined {
        const list = req.query.get('fields');
        if (!list) return undefined;
        return list.split(',').map((name) => {
            const f = this.org.field(table, name.trim());
            if (!f)
                throw new RequestError(
                    400,
                    'INVALID_FIELD',
                    `No such column '${name}' on sobject of type ${table.apiName}`
                );
            return f;
        });
    }

    private recordBody(req: RestRequest): Row {
        const body = req.body;
        if (body === null || typeof body !== 'object' || Array.isArray(body)) {
            throw new RequestError(400, 'JSON_PARSER_ERROR', 'The request body must be a JSON object');
        }
        return body as Row;
    }

    /** Unknown names fail the whole request before any record is written, as deserialising does. */
    private checkFields(table: Table, input: Row): void {
        for (const [key, value] of Object.entries(input)) {
            if (key === 'attributes' || this.org.field(table, key)) continue;
            const rel = table.byRelationship.get(key.toLowerCase());
            if (rel && value !== null && typeof value === 'object') continue;
            throw new RequestError(
                400,
                'INVALID_FIELD',
                `No such column '${key}' on sobject of type ${table.apiName}`
            );
        }
    }

    // ---- sObject Collections ----

    private collections(req: RestRequest, seg: string[]): RestAnswer {
        const m = req.method;
        if (m === 'DELETE' && seg.length === 0) return this.collectionDelete(req);
        if (m === 'GET' && seg.length === 1)
            return this.collectionRetrieve(req, this.org.requireTable(seg[0]!));
        const body = req.body as { allOrNone?: unknown; records?: unknown } | null;
        if (!body || !Array.isArray(body.records)) {
            throw new RequestError(
                400,
                'JSON_PARSER_ERROR',
                'The request body must be {"allOrNone": boolean, "records": [...]}'
            );
        }
        const records = body.records as Row[];
        if (records.length > MAX_COLLECTION) {
            throw new RequestError(
                400,
                'EXCEEDED_ID_LIMIT',
                `record limit reached. cannot submit more than ${MAX_COLLECTION} records into this call`
            );
        }
        const allOrNone = body.allOrNone === true;
        let op: (row: Row, table: Table, journal?: Journal) => { id: string; created: boolean };
        let tableOf: (row: Row) => Table;
        const typed = (row: Row): Table => {
            const type = (row.attributes as { type?: string } | undefined)?.type;
            if (!type) throw new RequestError(400, 'INVALID_TYPE', 'Must send a concrete entity type.');
            const t = this.org.table(type);
            if (!t) throw new RequestError(400, 'INVALID_TYPE', `sObject type '${type}' is not supported.`);
            return t;
        };
        if (seg.length === 0 && m === 'POST') {
            tableOf = typed;
            op = (row, table, journal) => {
                if (Object.keys(row).some((k) => k.toLowerCase() === 'id')) {
                    throw new RecordError([
                        {
                            statusCode: 'INVALID_FIELD',
                            message: 'cannot specify Id in an insert call',
                            fields: ['Id']
                        }
                    ]);
                }
                return this.org.create(table, row, journal);
            };
        } else if (seg.length === 0 && m === 'PATCH') {
            tableOf = typed;
            op = (row, table, journal) => {
                const idKey = Object.keys(row).find((k) => k.toLowerCase() === 'id');
                const id = idKey ? String(row[idKey]) : '';
                if (!this.org.get(table, id)) {
                    throw new RecordError([
                        {
                            statusCode: 'MALFORMED_ID',
                            message: `Id in update is missing or not valid: ${id}`,
                            fields: ['Id']
                        }
                    ]);
                }
                const rest = { ...row };
                if (idKey) delete rest[idKey];
                return this.org.update(table, id, rest, journal);
            };
        } else if (seg.length === 2 && m === 'PATCH') {
            const table = this.org.requireTable(seg[0]!);
            const field = this.org.field(table, seg[1]!);
            if (!field || !(field.def.externalId || field.name === 'Id')) {
                throw new RequestError(
                    400,
                    'INVALID_FIELD',
                    `Field ${seg[1]} is not an External ID or indexed field for ${table.apiName}`
                );
            }
            tableOf = () => table;
            const counts = new Map<string, number>();
            for (const row of records) {
                const key = extValueOf(row, field);
                if (key) counts.set(key.toLowerCase(), (counts.get(key.toLowerCase()) ?? 0) + 1);
            }
            op = (row, t, journal) => {
                const value = extValueOf(row, field);
                if (value && (counts.get(value.toLowerCase()) ?? 0) > 1) {
                    throw new RecordError([
                        {
                            statusCode: 'DUPLICATE_VALUE',
                            message: `Duplicate external id specified: ${value}`,
                            fields: []
                        }
                    ]);
                }
                return this.org.upsert(t, field, value, row, journal);
            };
        } else {
            throw methodNotAllowed(m);
        }
        const tables = records.map((row) => tableOf(row));
        records.forEach((row, i) => this.checkFields(tables[i]!, row));
        const journal: Journal | undefined = allOrNone ? [] : undefined;
        const upsert = seg.length === 2;
        const results: Row[] = records.map((row, i) => {
            try {
                const { id, created } = op(row, tables[i]!, journal);
                return upsert
                    ? { id, success: true, errors: [], created }
                    : { id, success: true, errors: [] };
            } catch (err) {
                return { success: false, errors: errorsOf(err) };
            }
        });
        if (allOrNone && results.some((r) => !r.success)) {
            this.org.rollback(journal!);
            return {
                status: 200,
                body: results.map((r) =>
                    r.success
                        ? {
                              success: false,
                              errors: [
                                  {
                                      statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK',
                                      message:
                                          'Record rolled back because not all records were valid and the request was using AllOrNone header',
                                      fields: []
                                  }
                              ]
                          }
                        : r
                )
            };
        }
        return { status: 200, body: results };
    }

    private collectionDelete(req: RestRequest): RestAnswer {
        const ids = (req.query.get('ids') ?? '').split(',').filter(Boolean);
        if (ids.length > MAX_COLLECTION) {
            throw new RequestError(
                400,
                'EXCEEDED_ID_LIMIT',
                `record limit reached. cannot submit more than ${MAX_COLLECTION} records into this call`
            );
        }
        const results = ids.map((id) => {
            const found = this.org.findAnywhere(id);
            if (!found) {
                return {
                    id,
                    success: false,
                    errors: [{ statusCode: 'ENTITY_IS_DELETED', message: 'entity is deleted', fields: [] }]
                };
            }
            this.org.delete(found.table, id);
            return { id: String(found.row.Id), success: true, errors: [] };
        });
        return { status: 200, body: results };
    }

    private collectionRetrieve(req: RestRequest, table: Table): RestAnswer {
        const ids = (req.query.get('ids') ?? '').split(',').filter(Boolean);
        const fields = this.pickFields(table, req);
        return {
            status: 200,
            body: ids.map((id) => {
                const row = this.org.get(table, id);
                return row ? this.org.toApi(table, row, req.apiVersion, fields) : null;
            })
        };
    }

    // ---- SOQL ----

    private query(req: RestRequest, locator: string | undefined): RestAnswer {
        const batch = this.batchSize(req);
        let cursorId: string;
        let offset: number;
        if (locator) {
            const m = /^(.+)-(\d+)$/.exec(locator);
            const cursor = m ? this.cursors.get(m[1]!) : undefined;
            if (!m || !cursor) {
                throw new RequestError(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
            }
            cursorId = m[1]!;
            offset = Number(m[2]);
        } else {
            const soql = req.query.get('q');
            if (!soql) throw new RequestError(400, 'MALFORMED_QUERY', 'A query string has to be specified');
            const result = runSoql(this.org, parseSoql(this.org, soql), req.apiVersion);
            if (result.records.length <= batch) {
                return {
                    status: 200,
                    body: { totalSize: result.totalSize, done: true, records: result.records }
                };
            }
            // Like the org, forget cursors nobody has read for 15 minutes.
            for (const [id, c] of this.cursors)
                if (Date.now() - c.touched > 15 * 60_000) this.cursors.delete(id);
            cursorId = this.org.ids.next('01g');
            this.cursors.set(cursorId, { ...result, touched: Date.now() });
            offset = 0;
        }
        const cursor = this.cursors.get(cursorId)!;
        cursor.touched = Date.now();
        const records = cursor.records.slice(offset, offset + batch);
        const next = offset + batch;
        const done = next >= cursor.records.length;
        if (done) this.cursors.delete(cursorId);
        return {
            status: 200,
            body: {
                totalSize: cursor.totalSize,
                done,
                ...(done
                    ? {}
                    : { nextRecordsUrl: `/services/data/v${req.apiVersion}/query/${cursorId}-${next}` }),
                records
            }
        };
    }

    /** `Sforce-Query-Options: batchSize=N` (200..2000) asks for smaller pages; the org may give larger. */
    private batchSize(req: RestRequest): number {
        const header = String(req.headers['sforce-query-options'] ?? '');
        const m = /batchSize=(\d+)/i.exec(header);
        const max = this.settings.queryBatchSize;
        if (!m) return max;
        return Math.min(max, Math.max(200, Number(m[1])));
    }

    // ---- Bulk API 2.0 ingest ----

    private ingest(req: RestRequest, seg: string[]): RestAnswer {
        const m = req.method;
        const [id, sub] = seg;
        if (!id) {
            if (m === 'POST')
                return { status: 200, body: this.bulk.create(this.recordBody(req), req.apiVersion) };
            if (m === 'GET') return { status: 200, body: this.bulk.list() };
            throw methodNotAllowed(m);
        }
        if (!sub) {
            if (m === 'GET') return { status: 200, body: this.bulk.get(id) };
            if (m === 'PATCH')
                return { status: 200, body: this.bulk.setState(id, this.recordBody(req).state) };
            if (m === 'DELETE') {
                this.bulk.delete(id);
                return { status: 204 };
            }
            throw methodNotAllowed(m);
        }
        if (sub === 'batches' && m === 'PUT') {
            const ct = String(req.headers['content-type'] ?? '');
            if (!/^text\/csv/i.test(ct))
                throw new RequestError(400, 'INVALIDJOB', `Unsupported content type for job data: ${ct}`);
            this.bulk.upload(id, String(req.body ?? ''));
            return { status: 201 };
        }
        if (m === 'GET') return { status: 200, body: this.bulk.results(id, sub), contentType: 'text/csv' };
        throw methodNotAllowed(m);
    }
}

function extValueOf(row: Row, field: FieldInfo): string {
    const key = Object.keys(row).find((k) => k.toLowerCase() === field.apiName.toLowerCase());
    const v = key === undefined ? undefined : row[key];
    return v === undefined || v === null ? '' : String(v);
}

function errorsOf(err: unknown): SfError[] {
    if (err instanceof RecordError) return err.errors;
    if (err instanceof RequestError)
        return [{ statusCode: err.errorCode, message: err.message, fields: err.fields ?? [] }];
    throw err;
}

function recordErrorAnswer(err: unknown): RestAnswer {
    if (err instanceof RecordError) {
        return {
            status: 400,
            body: err.errors.map((e) => ({ message: e.message, errorCode: e.statusCode, fields: e.fields }))
        };
    }
    throw err;
}

function methodNotAllowed(m: string): RequestError {
    return new RequestError(405, 'METHOD_NOT_ALLOWED', `HTTP Method '${m}' not allowed.`);
}
