import { RequestError } from './errors';
import type { FieldInfo, Row, SimOrg, Table } from './org';

/**
 * The SOQL the connector sends, and no more:
 *   SELECT f1, Rel.f2 | COUNT() FROM X
 *   [WHERE a = 'v' AND (b IN ('x','y') OR c != null) AND NOT d LIKE 'p%']
 *   [WITH USER_MODE|SECURITY_ENFORCED] [ORDER BY f [ASC|DESC] [NULLS FIRST|LAST], ...] [LIMIT n] [OFFSET n]
 * Parent relationships are followed (Account.Name, unleashed__Unleashed_Tax__r.Name, and deeper:
 * Account.unleashed__Unleashed_Default_Warehouse__r.Name); indexes serve one level.
 * Errors carry the API's error codes: MALFORMED_QUERY, INVALID_TYPE, INVALID_FIELD.
 * `=` and `IN` on Id, Name, external ids, unique fields and lookups, and `LIKE` with a literal prefix
 * on those (but Id), are answered from indexes (see probe), as a real org answers them, so a query's cost follows the rows it names, not the table's size.
 */

type Literal = string | number | boolean | null;

interface FieldPath {
    text: string;
    /** Parent relationship, when the path has a dot. */
    rel?: FieldInfo;
    /** Every parent relationship in order, when the path goes up more than one level. */
    deep?: FieldInfo[];
    field: FieldInfo;
}

type Cond =
    | { kind: 'and' | 'or'; parts: Cond[] }
    | { kind: 'not'; part: Cond }
    | { kind: 'cmp'; path: FieldPath; op: string; value: Literal }
    | { kind: 'in'; path: FieldPath; negate: boolean; values: Literal[] }
    | { kind: 'like'; path: FieldPath; pattern: LikePattern };

/** A LIKE pattern, compiled once per query: `%` and `_` are wildcards, `\%` and `\_` themselves. */
interface LikePattern {
    regex: RegExp;
    /** The lowercased text before the first wildcard: what an index on the field can narrow by. */
    prefix: string;
}

export interface SoqlQuery {
    table: Table;
    count: boolean;
    select: FieldPath[];
    where?: Cond;
    orderBy: { path: FieldPath; desc: boolean; nullsLast: boolean }[];
    limit?: number;
    offset?: number;
}

interface Token {
    type: 'word' | 'string' | 'number' | 'op' | 'punct';
    text: string;
    pos: number;
    /** A string literal read as a LIKE pattern (escaped `%` and `_` stay literal). */
    like?: LikePattern;
}

const reEscape = (c: string) => c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function tokenize(soql: string): Token[] {
    const tokens: Token[] = [];
    let i = 0;
    while (i < soql.length) {
        const c = soql.charAt(i);
        if (/\s/.test(c)) {
            i++;
        } else if (c === "'") {
            let text = '';
            let re = '';
            let prefix: string | null = null;
            let j = i + 1;
            for (;;) {
                if (j >= soql.length) throw malformed(soql, i, 'unterminated string literal');
                const d = soql.charAt(j);
                if (d === '\\') {
                    const e = soql.charAt(j + 1);
                    const ch = e === 'n' ? '\n' : e === 't' ? '\t' : e;
                    text += ch;
                    re += reEscape(ch);
                    j += 2;
                } else if (d === "'") {
                    break;
                } else {
                    text += d;
                    if (d === '%' || d === '_') {
                        prefix ??= text.slice(0, -1);
                        re += d === '%' ? '.*' : '.';
                    } else re += reEscape(d);
                    j++;
                }
            }
            const like = { regex: new RegExp(`^${re}$`, 'is'), prefix: (prefix ?? text).toLowerCase() };
            tokens.push({ type: 'string', text, pos: i, like });
            i = j + 1;
        } else if (/[0-9-]/.test(c)) {
            const m = /^-?\d{4}-\d{2}-\d{2}(T[0-9:.]+(Z|[+-]\d{2}:?\d{2}))?|^-?\d+(\.\d+)?/.exec(
                soql.slice(i)
            );
            if (!m) throw malformed(soql, i, `unexpected token: ${c}`);
            const isDate = m[0].includes('-', 1);
            tokens.push({ type: isDate ? 'string' : 'number', text: m[0], pos: i });
            i += m[0].length;
        } else if (/[A-Za-z_]/.test(c)) {
            const m = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(soql.slice(i))!;
            tokens.push({ type: 'word', text: m[0], pos: i });
            i += m[0].length;
        } else if (/[<>!=]/.test(c)) {
            const m = /^(<=|>=|!=|<>|=|<|>)/.exec(soql.slice(i));
            if (!m) throw malformed(soql, i, `unexpected token: ${c}`);
            tokens.push({ type: 'op', text: m[0], pos: i });
            i += m[0].length;
        } else if (c === '(' || c === ')' || c === ',') {
            tokens.push({ type: 'punct', text: c, pos: i });
            i++;
        } else {
            throw malformed(soql, i, `unexpected token: ${c}`);
        }
    }
    return tokens;
}

function malformed(soql: string, pos: number, message: string): RequestError {
    return new RequestError(
        400,
        'MALFORMED_QUERY',
        `\n${soql}\n${' '.repeat(pos)}^\nERROR at Row:1:Column:${pos + 1}\n${message}`
    );
}

class Parser {
    private i = 0;
    constructor(
        private readonly soql: string,
        private readonly tokens: Token[],
        private readonly org: SimOrg
    ) {}

    private peek(): Token | undefined {
        return this.tokens[this.i];
    }
    private isWord(...words: string[]): boolean {
        const t = this.peek();
        return t?.type === 'word' && words.includes(t.text.toUpperCase());
    }
    private next(): Token {
        const t = this.tokens[this.i++];
        if (!t) throw malformed(this.soql, this.soql.length, 'unexpected end of query');
        return t;
    }
    private expectWord(word: string): void {
        const t = this.next();
        if (t.type !== 'word' || t.text.toUpperCase() !== word)
            throw malformed(this.soql, t.pos, `unexpected token: ${t.text}`);
    }
    private expectPunct(p: string): void {
        const t = this.next();
        if (t.type !== 'punct' || t.text !== p)
            throw malformed(this.soql, t.pos, `unexpected token: ${t.text}`);
    }

    parse(): SoqlQuery {
        this.expectWord('SELECT');
        const rawSelect: Token[] = [];
        let count = false;
        for (;;) {
            const t = this.next();
            if (t.type === 'word' && t.text.toUpperCase() === 'COUNT') {
                this.expectPunct('(');
                this.expectPunct(')');
                count = true;
            } else if (t.type === 'word') {
                rawSelect.push(t);
            } else {
                throw malformed(this.soql, t.pos, `unexpected token: ${t.text}`);
            }
            if (this.peek()?.text === ',') {
                this.next();
                continue;
            }
            break;
        }
        this.expectWord('FROM');
        const from = this.next();
        const table = from.type === 'word' ? this.org.table(from.text) : undefined;
        if (!table) {
            throw new RequestError(
                400,
                'INVALID_TYPE',
                `\n${this.soql}\n${' '.repeat(from.pos)}^\nERROR at Row:1:Column:${from.pos + 1}\nsObject type '${from.text}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`
            );
        }
        const q: SoqlQuery = {
            table,
            count: count && rawSelect.length === 0,
            select: rawSelect.map((t) => this.path(table, t)),
            orderBy: []
        };
        if (count && rawSelect.length)
            throw malformed(this.soql, rawSelect[0]!.pos, 'COUNT() cannot be mixed with fields');
        if (this.isWord('WHERE')) {
            this.next();
            q.where = this.orExpr(table);
        }
        if (this.isWord('WITH')) {
            this.next();
            this.next();
        }
        if (this.isWord('ORDER')) {
            this.next();
            this.expectWord('BY');
            for (;;) {
                const path = this.path(table, this.next());
                let desc = false;
                if (this.isWord('ASC', 'DESC')) desc = this.next().text.toUpperCase() === 'DESC';
                let nullsLast = desc;
                if (this.isWord('NULLS')) {
                    this.next();
                    nullsLast = this.next().text.toUpperCase() === 'LAST';
                }
                q.orderBy.push({ path, desc, nullsLast });
                if (this.peek()?.text !== ',') break;
                this.next();
            }
        }
        if (this.isWord('LIMIT')) {
            this.next();
            q.limit = this.integer();
        }
        if (this.isWord('OFFSET')) {
            this.next();
            q.offset = this.integer();
        }
        const rest = this.peek();
        if (rest) throw malformed(this.soql, rest.pos, `unexpected token: ${rest.text}`);
        return q;
    }

    private integer(): number {
        const t = this.next();
        if (t.type !== 'number' || !/^\d+$/.test(t.text))
            throw malformed(this.soql, t.pos, `unexpected token: ${t.text}`);
        return Number(t.text);
    }

    private path(table: Table, t: Token): FieldPath {
        if (t.type !== 'word') throw malformed(this.soql, t.pos, `unexpected token: ${t.text}`);
        const parts = t.text.split('.');
        if (parts.length === 1) return { text: t.text, field: this.field(table, t, parts[0]!) };
        // Up the parents, as SOQL allows (five levels).
        const rels: FieldInfo[] = [];
        let current = table;
        for (const part of parts.slice(0, -1)) {
            const rel = current.byRelationship.get(part.toLowerCase());
            if (!rel || rels.length === 5) throw this.noSuchColumn(current, t, part);
            rels.push(rel);
            current = this.org.tableByName(rel.def.referenceTo!);
        }
        const field = this.field(current, t, parts[parts.length - 1]!);
        return rels.length === 1
            ? { text: t.text, rel: rels[0]!, field }
            : { text: t.text, rel: rels[0]!, deep: rels, field };
    }

    private field(table: Table, t: Token, name: string): FieldInfo {
        const f = this.org.field(table, name);
        if (!f) throw this.noSuchColumn(table, t, name);
        return f;
    }

    private noSuchColumn(table: Table, t: Token, name: string): RequestError {
        return new RequestError(
            400,
            'INVALID_FIELD',
            `\n${this.soql}\n${' '.repeat(t.pos)}^\nERROR at Row:1:Column:${t.pos + 1}\nNo such column '${name}' on entity '${table.apiName}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`
        );
    }

    private orExpr(table: Table): Cond {
        const parts = [this.andExpr(table)];
        while (this.isWord('OR')) {
            this.next();
            parts.push(this.andExpr(table));
        }
        return parts.length === 1 ? parts[0]! : { kind: 'or', parts };
    }

    private andExpr(table: Table): Cond {
        const parts = [this.unary(table)];
        while (this.isWord('AND')) {
            this.next();
            parts.push(this.unary(table));
        }
        return parts.length === 1 ? parts[0]! : { kind: 'and', parts };
    }

    private unary(table: Table): Cond {
        if (this.isWord('NOT')) {
            this.next();
            return { kind: 'not', part: this.unary(table) };
        }
        if (this.peek()?.text === '(') {
            this.next();
            const inner = this.orExpr(table);
            this.expectPunct(')');
            return inner;
        }
        const path = this.path(table, this.next());
        if (this.isWord('IN', 'NOT')) {
            const negate = this.next().text.toUpperCase() === 'NOT';
            if (negate) this.expectWord('IN');
            this.expectPunct('(');
            const values: Literal[] = [this.literal()];
            while (this.peek()?.text === ',') {
                this.next();
                values.push(this.literal());
            }
            this.expectPunct(')');
            return { kind: 'in', path, negate, values };
        }
        if (this.isWord('LIKE')) {
            this.next();
            const t = this.next();
            if (t.type !== 'string' || !t.like)
                throw malformed(this.soql, t.pos, `unexpected token: ${t.text}`);
            return { kind: 'like', path, pattern: t.like };
        }
        const op = this.next();
        if (op.type !== 'op') throw malformed(this.soql, op.pos, `unexpected token: ${op.text}`);
        return { kind: 'cmp', path, op: op.text === '<>' ? '!=' : op.text, value: this.literal() };
    }

    private literal(): Literal {
        const t = this.next();
        if (t.type === 'string') return t.text;
        if (t.type === 'number') return Number(t.text);
        if (t.type === 'word') {
            const w = t.text.toUpperCase();
            if (w === 'NULL') return null;
            if (w === 'TRUE') return true;
            if (w === 'FALSE') return false;
        }
        throw malformed(this.soql, t.pos, `unexpected token: ${t.text}`);
    }
}

export function parseSoql(org: SimOrg, soql: string): SoqlQuery {
    return new Parser(soql, tokenize(soql), org).parse();
}

// ---- evaluation ----

/** The row at the top of a path's parents, or undefined where a parent is empty. */
function parentRow(org: SimOrg, row: Row, rels: FieldInfo[]): Row | undefined {
    let current: Row | undefined = row;
    for (const rel of rels) {
        const parentId: unknown = current?.[rel.name];
        if (!parentId) return undefined;
        current = org.get(org.tableByName(rel.def.referenceTo!), String(parentId));
    }
    return current;
}

function read(org: SimOrg, row: Row, path: FieldPath): unknown {
    if (path.deep) return parentRow(org, row, path.deep)?.[path.field.name] ?? null;
    if (!path.rel) return row[path.field.name] ?? null;
    const parentId = row[path.rel.name];
    if (!parentId) return null;
    const parent = org.get(org.tableByName(path.rel.def.referenceTo!), String(parentId));
    return parent?.[path.field.name] ?? null;
}

function compare(a: unknown, b: unknown): number {
    if (typeof a === 'number' && typeof b === 'number') return a - b;
    if (typeof a === 'boolean' || typeof b === 'boolean') return Number(a) - Number(b);
    const x = String(a).toLowerCase();
    const y = String(b).toLowerCase();
    return x < y ? -1 : x > y ? 1 : 0;
}

/** The lowercased texts of an IN list of text values (and nulls), or null when it has others. */
const textKeys = new WeakMap<Literal[], Set<string> | null>();

/** Whether a value equals one of an IN list's values: by a set lookup where compare() allows it. */
function inList(cond: { values: Literal[] }, v: unknown): boolean {
    let keys = textKeys.get(cond.values);
    if (keys === undefined) {
        const all = cond.values.every((x) => x === null || typeof x === 'string');
        keys = all
            ? new Set(cond.values.filter((x): x is string => x !== null).map((x) => x.toLowerCase()))
            : null;
        textKeys.set(cond.values, keys);
    }
    // compare() takes a checkbox as a number; any other value against a text compares lowercased text.
    if (keys && typeof v !== 'boolean') return keys.has(String(v).toLowerCase());
    return cond.values.some((x) => x !== null && compare(v, x) === 0);
}

function matches(org: SimOrg, row: Row, cond: Cond): boolean {
    switch (cond.kind) {
        case 'and':
            return cond.parts.every((p) => matches(org, row, p));
        case 'or':
            return cond.parts.some((p) => matches(org, row, p));
        case 'not':
            return !matches(org, row, cond.part);
        case 'in': {
            const v = read(org, row, cond.path);
            const found = v !== null && inList(cond, v);
            return cond.negate ? v !== null && !found : found;
        }
        case 'like': {
            const v = read(org, row, cond.path);
            return v !== null && cond.pattern.regex.test(String(v));
        }
        case 'cmp': {
            const v = read(org, row, cond.path);
            if (cond.value === null || v === null) {
                const bothNull = v === null && cond.value === null;
                return cond.op === '=' ? bothNull : cond.op === '!=' ? !bothNull : false;
            }
            const c = compare(v, cond.value);
            switch (cond.op) {
                case '=':
                    return c === 0;
                case '!=':
                    return c !== 0;
                case '<':
                    return c < 0;
                case '>':
                    return c > 0;
                case '<=':
                    return c <= 0;
                default:
                    return c >= 0;
            }
        }
    }
}

export interface SoqlResult {
    totalSize: number;
    records: Row[];
}

// ---- indexes ----

/** Ids a condition can only hold for, as an index gives them; `size` is their count, before dedup. */
interface Probe {
    size: number;
    ids: () => Iterable<string>;
}

/**
 * What an index can answer of a WHERE clause, as a real org plans a selective filter: `=` or `IN`
 * with text values on an indexed field (see SimOrg.indexed) or on an indexed field of the parent
 * through an indexed lookup. Under AND the narrowest such term wins; under OR every term needs one.
 * Undefined means a scan. The ids are only candidates: the whole clause is still applied to them.
 */
function probe(org: SimOrg, table: Table, cond: Cond): Probe | undefined {
    switch (cond.kind) {
        case 'cmp':
            // `= null` holds for the rows without a value, which no index lists.
            return cond.op === '=' && cond.value !== null
                ? probeValues(org, table, cond.path, [cond.value])
                : undefined;
        case 'in':
            return cond.negate ? undefined : probeValues(org, table, cond.path, cond.values);
        case 'like':
            return probePrefix(org, table, cond.path, cond.pattern.prefix);
        case 'and': {
            let best: Probe | undefined;
            for (const part of cond.parts) {
                const p = probe(org, table, part);
                if (p && (!best || p.size < best.size)) best = p;
            }
            return best;
        }
        case 'or': {
            const probes: Probe[] = [];
            for (const part of cond.parts) {
                const p = probe(org, table, part);
                if (!p) return undefined;
                probes.push(p);
            }
            return {
                size: probes.reduce((n, p) => n + p.size, 0),
                ids: () => probes.flatMap((p) => [...p.ids()])
            };
        }
        default:
            return undefined;
    }
}

function probeValues(org: SimOrg, table: Table, path: FieldPath, values: Literal[]): Probe | undefined {
    // Only text values: SOQL compares a number or a checkbox value otherwise than its text.
    if (!values.every((v) => v === null || typeof v === 'string')) return undefined;
    // A null never equals anything under = or IN, so it adds no rows.
    const texts = values.filter((v): v is string => v !== null);
    if (!org.indexed(path.field) || path.deep) return undefined;
    let lists: ReadonlySet<string>[];
    if (!path.rel) {
        lists = texts.map((v) => org.lookupIds(table, path.field, v));
    } else {
        // Through the parent: its matching ids, then the children that point at them.
        const rel = path.rel;
        if (!org.indexed(rel)) return undefined;
        const parent = org.tableByName(rel.def.referenceTo!);
        lists = texts.flatMap((v) =>
            [...org.lookupIds(parent, path.field, v)].map((pid) => org.lookupIds(table, rel, pid))
        );
    }
    return {
        size: lists.reduce((n, l) => n + l.size, 0),
        ids: () => lists.flatMap((l) => [...l])
    };
}

/** `LIKE 'abc%'` on an indexed field of the table itself: the values starting with the literal prefix. */
function probePrefix(org: SimOrg, table: Table, path: FieldPath, prefix: string): Probe | undefined {
    if (path.rel || prefix === '' || path.field.name === 'Id' || !org.indexed(path.field)) return undefined;
    const lists = org.prefixIds(table, path.field, prefix);
    return {
        size: lists.reduce((n, l) => n + l.size, 0),
        ids: () => lists.flatMap((l) => [...l])
    };
}

/** The rows the WHERE clause may hold for, in the table's order: from an index when one narrows them. */
export function candidateRows(org: SimOrg, q: SoqlQuery, useIndexes = true): Row[] {
    const p = q.where && useIndexes ? probe(org, q.table, q.where) : undefined;
    if (!p || p.size >= q.table.rows.size) return [...q.table.rows.values()];
    const ids = [...new Set(p.ids())].filter((id) => q.table.rows.has(id));
    ids.sort((a, b) => q.table.positions.get(a)! - q.table.positions.get(b)!);
    return ids.map((id) => q.table.rows.get(id)!);
}

/** `useIndexes: false` scans every row: tests compare the two answers. */
/** Nests a field read through several parents as Salesforce answers it: an object per parent, null at an empty one. */
function selectDeep(
    org: SimOrg,
    row: Row,
    out: Row,
    rels: FieldInfo[],
    field: FieldInfo,
    apiVersion: string
) {
    let target = out;
    let current: Row | undefined = row;
    for (const rel of rels) {
        const relName = rel.relationshipApiName!;
        const parentTable = org.tableByName(rel.def.referenceTo!);
        const parentId: unknown = current?.[rel.name];
        current = parentId ? org.get(parentTable, String(parentId)) : undefined;
        if (!current) {
            if (target[relName] === undefined) target[relName] = null;
            return;
        }
        const existing = target[relName] as Row | null | undefined;
        const nested: Row = existing ?? { attributes: org.attributes(parentTable, current, apiVersion) };
        target[relName] = nested;
        target = nested;
    }
    target[field.apiName] = current?.[field.name] ?? null;
}

export function runSoql(org: SimOrg, q: SoqlQuery, apiVersion: string, useIndexes = true): SoqlResult {
    let rows = candidateRows(org, q, useIndexes).filter((r) => !q.where || matches(org, r, q.where));
    if (q.orderBy.length) {
        rows.sort((a, b) => {
            for (const o of q.orderBy) {
                const x = read(org, a, o.path);
                const y = read(org, b, o.path);
                if (x === null && y === null) continue;
                if (x === null || y === null) return (x === null) === o.nullsLast ? 1 : -1;
                const c = compare(x, y);
                if (c !== 0) return o.desc ? -c : c;
            }
            return 0;
        });
    }
    rows = rows.slice(q.offset ?? 0, q.limit === undefined ? undefined : (q.offset ?? 0) + q.limit);
    if (q.count) return { totalSize: rows.length, records: [] };
    const records = rows.map((row) => {
        const out: Row = { attributes: org.attributes(q.table, row, apiVersion) };
        for (const p of q.select) {
            if (!p.rel) {
                out[p.field.apiName] = row[p.field.name] ?? null;
                continue;
            }
            if (p.deep) {
                selectDeep(org, row, out, p.deep, p.field, apiVersion);
                continue;
            }
            const relName = p.rel.relationshipApiName!;
            const parentTable = org.tableByName(p.rel.def.referenceTo!);
            const parentId = row[p.rel.name];
            const parent = parentId ? org.get(parentTable, String(parentId)) : undefined;
            if (!parent) {
                out[relName] = null;
                continue;
            }
            const existing = out[relName] as Row | null | undefined;
            const nested: Row = existing ?? { attributes: org.attributes(parentTable, parent, apiVersion) };
            nested[p.field.apiName] = parent[p.field.name] ?? null;
            out[relName] = nested;
        }
        return out;
    });
    return { totalSize: records.length, records };
}
