import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { APEX_BINDINGS } from '../../src/dev/bridge/bindings';

/**
 * The preview must never silently miss an Apex method: every @AuraEnabled method of the package's
 * classes, and every `@salesforce/apex/Class.method` a component imports, has a bridge binding.
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

/** Names of the @AuraEnabled methods (not properties) declared in one class's source. */
function auraEnabledMethods(source: string): string[] {
    const code = stripApex(source);
    const names: string[] = [];
    // The annotation, any further annotations and modifiers, a return type, then name( .
    const pattern =
        /@AuraEnabled\b(?:\s*\([^)]*\))?((?:\s*@\w+(?:\s*\([^)]*\))?)*)\s+((?:(?:public|global|private|protected|static|override|virtual)\s+)+)([\w.<>, \t]+?)\s+(\w+)\s*\(/gi;
    for (const m of code.matchAll(pattern)) {
        const modifiers = m[2] ?? '';
        if (/\bstatic\b/i.test(modifiers) && m[4]) names.push(m[4]);
    }
    return names;
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
