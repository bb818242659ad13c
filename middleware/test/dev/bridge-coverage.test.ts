import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { APEX_BINDINGS } from '../../src/dev/bridge/bindings';
import { startContractOrg } from '../contracts/bridge-harness';
import { loadContractCases } from '../contracts/cases';

/**
 * The preview must never silently miss an Apex method: every @AuraEnabled method of the package's
 * classes, and every `@salesforce/apex/Class.method` a component imports, has a bridge binding; and
 * for the methods the contract cases call, the bridge's answers carry exactly the @AuraEnabled fields
 * of the DTO classes the Apex method returns.
 */

const root = resolve(__dirname, '../../..');
const classesDir = join(root, 'force-app/main/default/classes');
const lwcDir = join(root, 'force-app/main/default/lwc');

/** Apex source without comments and string literals, so neither can hide or fake a method. */
function stripApex(source: string): string {
    return source
        .replace(/\/\*[\s\S]*?\*\//g, ' ')
        .replace(/\/\/[^\n]*/g, ' ')
        .replace(/'(?:\\.|[^'\\])*'/g, "''");
}

/** The @AuraEnabled methods (not properties) declared in one class's source, with their return types. */
function auraEnabledSignatures(source: string): { method: string; returns: string }[] {
    const code = stripApex(source);
    const found: { method: string; returns: string }[] = [];
    // The annotation, any further annotations and modifiers, a return type, then name( .
    const pattern =
        /@AuraEnabled\b(?:\s*\([^)]*\))?((?:\s*@\w+(?:\s*\([^)]*\))?)*)\s+((?:(?:public|global|private|protected|static|override|virtual)\s+)+)([\w.<>, \t]+?)\s+(\w+)\s*\(/gi;
    for (const m of code.matchAll(pattern)) {
        const modifiers = m[2] ?? '';
        if (/\bstatic\b/i.test(modifiers) && m[4]) found.push({ method: m[4], returns: (m[3] ?? '').trim() });
    }
    return found;
}

function auraEnabledMethods(source: string): string[] {
    return auraEnabledSignatures(source).map((s) => s.method);
}

interface DtoField {
    name: string;
    type: string;
}

/** Every class declared in one source (inner classes too) with its own instance @AuraEnabled fields. */
function auraEnabledFields(source: string): Map<string, DtoField[]> {
    const code = stripApex(source);
    const classes = new Map<string, DtoField[]>();
    const field =
        /@AuraEnabled\b(?:\s*\([^)]*\))?\s+((?:(?:public|global|private|protected|static|final|transient)\s+)+)([\w.]+(?:\s*<[\w.<>, \t]+>)?(?:\[\])?)\s+(\w+)\s*(?:=[^;]*)?;/gi;
    for (const m of code.matchAll(/\bclass\s+(\w+)[^{;]*\{/gi)) {
        // The class body, with the bodies of its inner classes left out.
        let depth = 1;
        let own = '';
        let i = (m.index ?? 0) + m[0].length;
        for (; i < code.length && depth > 0; i++) {
            const c = code[i];
            if (c === '{') depth++;
            else if (c === '}') depth--;
            if (depth === 1) own += c;
        }
        const fields: DtoField[] = [];
        for (const f of own.matchAll(field)) {
            if (!/\bstatic\b/i.test(f[1] ?? ''))
                fields.push({ type: (f[2] ?? '').replace(/\s+/g, ''), name: f[3] as string });
        }
        classes.set(m[1] as string, fields);
    }
    return classes;
}

/** The class a field or return type holds DTOs of: List<X>, Set<X>, X[] and X give X. */
function elementType(type: string): string {
    const list = /^(?:List|Set)<([\w.]+)>$/i.exec(type) ?? /^([\w.]+)\[\]$/.exec(type);
    return (list ? list[1] : type) as string;
}

/**
 * Differences between a DTO class's @AuraEnabled fields and the keys of the bridge's values for it,
 * descending into fields that hold other DTO classes of the package.
 */
function dtoDifferences(
    cls: string,
    values: unknown[],
    classes: Map<string, DtoField[]>,
    seen = new Set<string>()
): string[] {
    const fields = classes.get(cls);
    if (!fields || seen.has(cls)) return [];
    seen.add(cls);
    const objects = values.filter(
        (v): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v)
    );
    if (objects.length === 0)
        return [`${cls}: the contract cases give the bridge no value of this class to compare`];
    const keys = new Set(objects.flatMap((o) => Object.keys(o)));
    const names = new Set(fields.map((f) => f.name));
    const problems = [
        ...fields
            .filter((f) => !keys.has(f.name))
            .map((f) => `${cls}.${f.name}: @AuraEnabled in Apex, never returned by the bridge`),
        ...[...keys]
            .filter((k) => !names.has(k))
            .map((k) => `${cls}.${k}: returned by the bridge, not an @AuraEnabled field of ${cls}`)
    ];
    for (const f of fields) {
        const inner = elementType(f.type);
        if (!classes.has(inner)) continue;
        const nested = objects.flatMap((o) => {
            const v = o[f.name];
            return Array.isArray(v) ? v : v === null || v === undefined ? [] : [v];
        });
        problems.push(...dtoDifferences(inner, nested, classes, seen));
    }
    return problems;
}

/** Paths of the .cls files under a folder, feature subfolders included. */
function apexFiles(dir: string): string[] {
    if (!existsSync(dir)) return [];
    return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) return apexFiles(path);
        return entry.name.endsWith('.cls') ? [path] : [];
    });
}

function apexMethods(): { cls: string; method: string }[] {
    return apexFiles(classesDir).flatMap((path) => {
        const cls = basename(path, '.cls');
        return auraEnabledMethods(readFileSync(path, 'utf8')).map((method) => ({ cls, method }));
    });
}

function lwcApexImports(): { cls: string; method: string; file: string }[] {
    const found: { cls: string; method: string; file: string }[] = [];
    const walk = (dir: string) => {
        for (const entry of readdirSync(dir, { withFileTypes: true })) {
            if (entry.name === '__tests__') continue;
            const path = join(dir, entry.name);
            if (entry.isDirectory()) walk(path);
            else if (entry.name.endsWith('.js')) {
                for (const m of readFileSync(path, 'utf8').matchAll(
                    /['"]@salesforce\/apex\/(\w+)\.(\w+)['"]/g
                )) {
                    found.push({
                        cls: m[1] as string,
                        method: m[2] as string,
                        file: path.slice(root.length + 1)
                    });
                }
            }
        }
    };
    if (existsSync(lwcDir)) walk(lwcDir);
    return found;
}

const bound = (cls: string, method: string) => typeof APEX_BINDINGS[cls]?.[method] === 'function';

describe('every @AuraEnabled method has a bridge binding', () => {
    it('reads @AuraEnabled methods, and only methods, from Apex source', () => {
        const source = `
            public with sharing class Sample {
                @AuraEnabled
                public static View first(Id recordId) { return null; }
                @AuraEnabled(cacheable=true)
                public static List<Map<String, Object>> second() { return null; }
                @SuppressWarnings('PMD.AvoidBooleanMethodParameters')
                @AuraEnabled
                public static JobView third(List<String> names, Boolean flag) { return null; }
                // @AuraEnabled public static String commented() {}
                public class View {
                    @AuraEnabled
                    public String label;
                    @AuraEnabled
                    public Boolean isDefault = false;
                }
                public static void notAura() {}
            }`;
        expect(auraEnabledMethods(source)).toEqual(['first', 'second', 'third']);
    });

    it('reports a method the bridge does not bind', () => {
        const methods = auraEnabledMethods('@AuraEnabled public static String brandNew() { return null; }');
        const unbound = methods.filter((m) => !bound('UnleashedStockController', m));
        expect(unbound).toEqual(['brandNew']);
    });

    it('binds every @AuraEnabled method of force-app/main/default/classes and its feature folders', () => {
        const methods = apexMethods();
        // The package's controllers are there: an empty list would make this check vacuous.
        expect(methods.length).toBeGreaterThanOrEqual(14);
        const missing = methods
            .filter(({ cls, method }) => !bound(cls, method))
            .map((m) => `${m.cls}.${m.method}`);
        expect(missing).toEqual([]);
    });

    it('binds every @salesforce/apex import of the components', () => {
        const imports = lwcApexImports();
        expect(imports.length).toBeGreaterThan(0);
        const missing = imports
            .filter(({ cls, method }) => !bound(cls, method))
            .map((m) => `${m.file}: ${m.cls}.${m.method}`);
        expect(missing).toEqual([]);
    });

    it('binds nothing the package does not have', () => {
        const methods = new Set(apexMethods().map((m) => `${m.cls}.${m.method}`));
        const extra = Object.entries(APEX_BINDINGS)
            .flatMap(([cls, byMethod]) => Object.keys(byMethod).map((m) => `${cls}.${m}`))
            .filter((name) => !methods.has(name));
        expect(extra).toEqual([]);
    });
});

/**
 * The fields the send redesign (issue #14) adds to the send DTOs, as the middleware's answers carry
 * them (middleware/src/sync/sends/answers.ts). Until the Apex classes declare them, the comparison
 * takes them from here; a field the Apex source declares keeps its own type (and DTO class).
 */
const SEND_CONTRACT_FIELDS: Record<string, DtoField[]> = {
    UnleashedSendContextDto: [{ name: 'notices', type: 'List<String>' }],
    UnleashedSendAccountDto: [
        { name: 'contactName', type: 'String' },
        { name: 'customerMatches', type: 'List<UnleashedCustomerMatchDto>' }
    ],
    UnleashedCustomerMatchDto: ['code', 'name', 'email', 'currencyCode', 'matchedBy'].map((name) => ({
        name,
        type: 'String'
    })),
    UnleashedSendChoicesDto: [{ name: 'confirmed', type: 'List<String>' }],
    UnleashedOrderPreviewDto: [
        { name: 'amountNote', type: 'String' },
        { name: 'confirmations', type: 'List<UnleashedConfirmationDto>' }
    ],
    UnleashedConfirmationDto: [
        { name: 'key', type: 'String' },
        { name: 'message', type: 'String' }
    ],
    UnleashedPreviewLineDto: [{ name: 'listPrice', type: 'String' }]
};

/** The Apex classes' fields with the contract's fields they do not declare yet. */
function withContractFields(
    classes: Map<string, DtoField[]>,
    contract: Record<string, DtoField[]>
): Map<string, DtoField[]> {
    const merged = new Map(classes);
    for (const [cls, fields] of Object.entries(contract)) {
        const own = merged.get(cls) ?? [];
        const names = new Set(own.map((f) => f.name));
        merged.set(cls, [...own, ...fields.filter((f) => !names.has(f.name))]);
    }
    return merged;
}

/** Every class of the package's Apex source with its @AuraEnabled fields, by class name. */
function apexDtoClasses(): Map<string, DtoField[]> {
    const classes = new Map<string, DtoField[]>();
    for (const path of apexFiles(classesDir)) {
        for (const [cls, fields] of auraEnabledFields(readFileSync(path, 'utf8'))) classes.set(cls, fields);
    }
    return withContractFields(classes, SEND_CONTRACT_FIELDS);
}

function returnTypeOf(cls: string, method: string): string | undefined {
    const path = apexFiles(classesDir).find((p) => basename(p, '.cls') === cls);
    if (!path) return undefined;
    return auraEnabledSignatures(readFileSync(path, 'utf8')).find((s) => s.method === method)?.returns;
}

describe('the bridge answers the @AuraEnabled fields of the Apex DTOs', () => {
    it('reads DTO fields, inner classes included, and leaves out static fields and methods', () => {
        const classes = auraEnabledFields(`
            public with sharing class ViewDto {
                @AuraEnabled
                public Boolean connected;
                @AuraEnabled public List<RowDto> rows = new List<RowDto>{ new RowDto() };
                @AuraEnabled
                public Map<String, Object> quota;
                @AuraEnabled public static String SHARED = 'x';
                public String hidden;
                @AuraEnabled
                public static ViewDto load() { return null; }
                public class RowDto {
                    @AuraEnabled
                    public Decimal onHand;
                }
            }`);
        expect(Object.fromEntries(classes)).toEqual({
            ViewDto: [
                { name: 'connected', type: 'Boolean' },
                { name: 'rows', type: 'List<RowDto>' },
                { name: 'quota', type: 'Map<String,Object>' }
            ],
            RowDto: [{ name: 'onHand', type: 'Decimal' }]
        });
    });

    it('names the class and the field that is missing or extra, nested DTOs included', () => {
        const classes = new Map<string, DtoField[]>([
            [
                'ViewDto',
                [
                    { name: 'connected', type: 'Boolean' },
                    { name: 'rows', type: 'List<RowDto>' }
                ]
            ],
            [
                'RowDto',
                [
                    { name: 'onHand', type: 'Decimal' },
                    { name: 'available', type: 'Decimal' }
                ]
            ]
        ]);
        const answer = { connected: true, colour: 'blue', rows: [{ onHand: 1, onhand: 2 }] };
        expect(dtoDifferences('ViewDto', [answer], classes)).toEqual([
            'ViewDto.colour: returned by the bridge, not an @AuraEnabled field of ViewDto',
            'RowDto.available: @AuraEnabled in Apex, never returned by the bridge',
            'RowDto.onhand: returned by the bridge, not an @AuraEnabled field of RowDto'
        ]);
        expect(dtoDifferences('ViewDto', [{ connected: true, rows: [] }], classes)).toEqual([
            'RowDto: the contract cases give the bridge no value of this class to compare'
        ]);
    });

    it('adds the contract’s send fields the Apex source lacks, and keeps the ones it declares', () => {
        const apex = new Map<string, DtoField[]>([
            ['UnleashedPreviewLineDto', [{ name: 'unitPrice', type: 'String' }]],
            ['UnleashedSendAccountDto', [{ name: 'customerMatches', type: 'List<UnleashedMatchDto>' }]]
        ]);
        const merged = withContractFields(apex, {
            UnleashedPreviewLineDto: [{ name: 'listPrice', type: 'String' }],
            UnleashedSendAccountDto: [
                { name: 'customerMatches', type: 'List<UnleashedCustomerMatchDto>' },
                { name: 'contactName', type: 'String' }
            ]
        });
        expect(Object.fromEntries(merged)).toEqual({
            UnleashedPreviewLineDto: [
                { name: 'unitPrice', type: 'String' },
                { name: 'listPrice', type: 'String' }
            ],
            UnleashedSendAccountDto: [
                { name: 'customerMatches', type: 'List<UnleashedMatchDto>' },
                { name: 'contactName', type: 'String' }
            ]
        });
    });

    it('for every method a contract case calls, field for field, over the cases returning each DTO', async () => {
        const classes = apexDtoClasses();
        const byMethod = new Map<string, unknown[]>();
        const org = await startContractOrg();
        try {
            for (const c of Object.values(loadContractCases())) {
                const run = await org.run(c);
                if (run.error !== null) continue;
                const key = `${c.call.class}.${c.call.method}`;
                byMethod.set(key, [...(byMethod.get(key) ?? []), run.result]);
            }
        } finally {
            await org.close();
        }
        // The stock, sales-order view and send flows have cases; an empty map would make this check vacuous.
        expect([...byMethod.keys()].sort()).toEqual(
            expect.arrayContaining([
                'UnleashedOrderController.getOrder',
                'UnleashedSendController.getSendContext',
                'UnleashedSendController.previewOrder',
                'UnleashedSendController.sendOrder',
                'UnleashedStockController.getOpportunityStock',
                'UnleashedStockController.getProductStock'
            ])
        );
        // Values of one DTO class, pooled over the methods returning it (the Product page's view has
        // no lines; the Opportunity's has).
        const problems: string[] = [];
        const byDto = new Map<string, { methods: string[]; results: unknown[] }>();
        for (const [key, results] of byMethod) {
            const [cls, method] = key.split('.') as [string, string];
            const returns = returnTypeOf(cls, method);
            const dto = returns === undefined ? undefined : elementType(returns.replace(/\s+/g, ''));
            if (!dto || !classes.has(dto)) {
                problems.push(
                    `${key}: returns ${returns ?? 'nothing the Apex source declares'}, not a DTO class`
                );
                continue;
            }
            const pooled = byDto.get(dto) ?? { methods: [], results: [] };
            pooled.methods.push(key);
            pooled.results.push(...results);
            byDto.set(dto, pooled);
        }
        for (const [dto, { methods, results }] of byDto) {
            problems.push(...dtoDifferences(dto, results, classes).map((p) => `${methods.join(', ')}: ${p}`));
        }
        expect(problems).toEqual([]);
    });
});
