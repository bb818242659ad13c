// Metadata API schema check: element names, nesting, enumerations and booleans/numbers of every -meta.xml,
// against the Metadata WSDL as @salesforce/types publishes it (TypeScript declarations generated from the
// WSDL; installed with the sf CLI). It catches what a deploy would reject: a misspelt element, an element in
// the wrong parent, an unknown picklist-like value (`<type>Lookups</type>`), a missing required element.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

// Root element of each source file kind, for the kinds whose suffix does not name the type.
export const ROOT_BY_SUFFIX = {
    '.object-meta.xml': 'CustomObject',
    '.field-meta.xml': 'CustomField',
    '.listView-meta.xml': 'ListView',
    '.compactLayout-meta.xml': 'CompactLayout',
    '.recordType-meta.xml': 'RecordType',
    '.validationRule-meta.xml': 'ValidationRule',
    '.webLink-meta.xml': 'WebLink',
    '.fieldSet-meta.xml': 'FieldSet',
    '.permissionset-meta.xml': 'PermissionSet',
    '.permissionsetgroup-meta.xml': 'PermissionSetGroup',
    '.profile-meta.xml': 'Profile',
    '.tab-meta.xml': 'CustomTab',
    '.app-meta.xml': 'CustomApplication',
    '.flexipage-meta.xml': 'FlexiPage',
    '.layout-meta.xml': 'Layout',
    '.quickAction-meta.xml': 'QuickAction',
    '.namedCredential-meta.xml': 'NamedCredential',
    '.externalCredential-meta.xml': 'ExternalCredential',
    '.customPermission-meta.xml': 'CustomPermission',
    '.notiftype-meta.xml': 'CustomNotificationType',
    '.md-meta.xml': 'CustomMetadata',
    '.resource-meta.xml': 'StaticResource',
    '.remoteSite-meta.xml': 'RemoteSiteSetting',
    '.cspTrustedSite-meta.xml': 'CspTrustedSite',
    '.messageChannel-meta.xml': 'LightningMessageChannel',
    '.labels-meta.xml': 'CustomLabels',
    '.cls-meta.xml': 'ApexClass',
    '.trigger-meta.xml': 'ApexTrigger',
    '.page-meta.xml': 'ApexPage',
    '.component-meta.xml': 'ApexComponent',
    '.js-meta.xml': 'LightningComponentBundle'
};

const PRIMITIVES = new Set(['string', 'number', 'boolean', 'any']);

/** Reads the WSDL types: object types with their properties (inherited ones included) and enumerations. */
export function loadSchema() {
    const file = require.resolve('@salesforce/types/metadata').replace(/\.js$/, '.d.ts');
    const source = readFileSync(file, 'utf8');
    const enums = new Map();
    const aliases = new Map();
    const objects = new Map();
    const lines = source.split('\n');
    for (let i = 0; i < lines.length; i++) {
        const line = lines[i];
        let m;
        if ((m = /^export type (\w+) = ((?:'[^']*'(?: \| )?)+);$/.exec(line))) {
            enums.set(m[1], new Set([...m[2].matchAll(/'([^']*)'/g)].map((x) => x[1])));
        } else if ((m = /^export type (\w+) = (\w+);$/.exec(line))) {
            aliases.set(m[1], m[2]);
        } else if ((m = /^export type (\w+) = (?:(\w+) & )?\{$/.exec(line))) {
            const props = new Map();
            for (i++; i < lines.length && lines[i] !== '};'; i++) {
                const p = /^ {4}(\w+)(\?)?: (\w+)(\[\])?;$/.exec(lines[i]);
                if (p) props.set(p[1], { type: p[3], optional: Boolean(p[2]), array: Boolean(p[4]) });
            }
            objects.set(m[1], { base: m[2] ?? null, props });
        }
    }
    const propsOf = (name) => {
        const own = objects.get(name);
        if (!own) return null;
        const inherited = own.base ? (propsOf(own.base) ?? new Map()) : new Map();
        return new Map([...inherited, ...own.props]);
    };
    const cache = new Map();
    return {
        enums,
        props(name) {
            if (!cache.has(name)) cache.set(name, propsOf(name));
            return cache.get(name);
        },
        resolve(name) {
            let t = name;
            while (aliases.has(t)) t = aliases.get(t);
            return t;
        }
    };
}

/** The root element name and its content, skipping the XML declaration. */
export function rootOf(parsed) {
    const key = Object.keys(parsed ?? {}).find((k) => !k.startsWith('?'));
    return key ? { name: key, value: parsed[key] } : null;
}

/**
 * Checks one parsed file against the schema; returns problem messages (without the file name).
 * `expectedRoot` is the type the file's suffix promises (null when the suffix is not known).
 */
export function checkAgainstSchema(schema, parsed, expectedRoot) {
    const problems = [];
    const root = rootOf(parsed);
    if (!root) return ['no root element'];
    if (expectedRoot && root.name !== expectedRoot) {
        return [`root element is <${root.name}>, expected <${expectedRoot}> for this kind of file`];
    }
    if (!schema.props(root.name)) return problems;
    checkNode(schema, root.value, root.name, root.name, problems);
    return problems;
}

function checkNode(schema, node, typeName, path, problems) {
    const props = schema.props(typeName);
    if (!props) return;
    if (node === '' || node === undefined || node === null) node = {};
    if (typeof node !== 'object') {
        problems.push(`<${path}> holds text, but ${typeName} has elements`);
        return;
    }
    for (const [key, value] of Object.entries(node)) {
        const prop = props.get(key);
        if (!prop) {
            problems.push(`<${path}> has an element <${key}> that ${typeName} does not have`);
            continue;
        }
        const values = Array.isArray(value) ? value : [value];
        if (values.length > 1 && !prop.array)
            problems.push(`<${path}> has <${key}> ${values.length} times; only once is allowed`);
        for (const v of values) checkValue(schema, v, prop.type, `${path}.${key}`, problems);
    }
    for (const [key, prop] of props) {
        if (!prop.optional && !prop.array && !(key in node) && key !== 'fullName') {
            problems.push(`<${path}> is missing the required element <${key}>`);
        }
    }
}

function checkValue(schema, value, declared, path, problems) {
    const type = schema.resolve(declared);
    if (PRIMITIVES.has(type)) {
        // A `string` property may carry free-form XML (e.g. an LWC's targetConfigs); accept elements there.
        if (typeof value === 'object' && value !== null) return;
        const v = String(value ?? '');
        if (type === 'boolean' && v !== 'true' && v !== 'false')
            problems.push(`<${path}> must be true or false, not "${v}"`);
        if (type === 'number' && (v === '' || Number.isNaN(Number(v))))
            problems.push(`<${path}> must be a number, not "${v}"`);
        return;
    }
    const allowed = schema.enums.get(type);
    if (allowed) {
        const v = String(value ?? '');
        if (!allowed.has(v)) {
            const shown = [...allowed].slice(0, 12).join(', ');
            problems.push(`<${path}> is "${v}", not one of ${shown}${allowed.size > 12 ? ', ...' : ''}`);
        }
        return;
    }
    if (schema.props(type)) checkNode(schema, value, type, path, problems);
}
