// The SFDX project as the gates see it: its package directories, every source file in them, and an
// inventory of the metadata those files declare (objects, fields, classes, components, ...).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { XMLParser } from 'fast-xml-parser';

// Folders that never hold deployable source (.forceignore keeps the same ones out of the package).
const SKIPPED_DIRS = new Set(['node_modules', '__tests__', '__mocks__', 'jest-mocks', '.sfdx', '.sf']);

const parser = new XMLParser({
    ignoreAttributes: true,
    parseTagValue: false,
    trimValues: true,
    isArray: () => false
});

// LWC configuration puts meaning in attributes (<targetConfig targets="...">), so it is read with them.
const attributeParser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: true
});

/** Parses XML text into a plain object; the caller has already checked it is well-formed. */
export function parseXml(text) {
    return parser.parse(text);
}

/** Always an array: XML elements that occur once parse as a value, several times as an array. */
export function list(value) {
    if (value === undefined || value === null || value === '') return [];
    return Array.isArray(value) ? value : [value];
}

/** The text of an element that may be missing. */
export function text(value) {
    if (value === undefined || value === null) return '';
    return typeof value === 'object' ? '' : String(value);
}

function walk(dir, out) {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
        if (entry.name.startsWith('.') || SKIPPED_DIRS.has(entry.name)) continue;
        const full = join(dir, entry.name);
        if (entry.isDirectory()) walk(full, out);
        else if (entry.isFile()) out.push(full);
    }
}

const toPosix = (p) => p.split(sep).join('/');

/**
 * Loads the project at `root`: sfdx-project.json, the files of every package directory (paths relative to
 * the root, with forward slashes) and a lazily parsed XML cache.
 */
export function loadProject(root) {
    const configPath = join(root, 'sfdx-project.json');
    if (!existsSync(configPath)) throw new Error(`no sfdx-project.json in ${root}`);
    const config = JSON.parse(readFileSync(configPath, 'utf8'));
    const packageDirs = list(config.packageDirectories).map((d) => toPosix(d.path));
    const files = [];
    for (const dir of packageDirs) {
        const abs = join(root, dir);
        if (existsSync(abs) && statSync(abs).isDirectory()) walk(abs, files);
    }
    const relFiles = files.map((f) => toPosix(relative(root, f))).sort();
    const xmlCache = new Map();
    return {
        root,
        namespace: config.namespace ?? '',
        packageDirs,
        files: relFiles,
        abs: (rel) => join(root, rel),
        read: (rel) => readFileSync(join(root, rel), 'utf8'),
        /** Parsed XML of a file (null when it is not well-formed; gate 1 reports that). */
        xml(rel) {
            if (!xmlCache.has(rel)) {
                let parsed = null;
                try {
                    parsed = parseXml(readFileSync(join(root, rel), 'utf8'));
                } catch {
                    parsed = null;
                }
                xmlCache.set(rel, parsed);
            }
            return xmlCache.get(rel);
        }
    };
}

// Metadata kinds: where a source file of each kind lives and the member name it gets in package.xml.
// Paths are matched anywhere below a package directory (source format allows nested folders).
export const KINDS = [
    { type: 'ApexClass', re: /(?:^|\/)classes\/(?:.+\/)?([^/]+)\.cls$/ },
    { type: 'ApexTrigger', re: /(?:^|\/)triggers\/(?:.+\/)?([^/]+)\.trigger$/ },
    { type: 'ApexPage', re: /(?:^|\/)pages\/(?:.+\/)?([^/]+)\.page$/ },
    { type: 'ApexComponent', re: /(?:^|\/)components\/(?:.+\/)?([^/]+)\.component$/ },
    { type: 'LightningComponentBundle', re: /(?:^|\/)lwc\/([^/]+)\/\1\.(?:js|ts|html|js-meta\.xml)$/ },
    { type: 'AuraDefinitionBundle', re: /(?:^|\/)aura\/([^/]+)\/\1\.(?:cmp|app|evt|intf|tokens)$/ },
    { type: 'CustomObject', re: /(?:^|\/)objects\/([^/]+)\/\1\.object-meta\.xml$/ },
    { type: 'CustomField', re: /(?:^|\/)objects\/([^/]+)\/fields\/([^/]+)\.field-meta\.xml$/, two: true },
    { type: 'ListView', re: /(?:^|\/)objects\/([^/]+)\/listViews\/([^/]+)\.listView-meta\.xml$/, two: true },
    {
        type: 'CompactLayout',
        re: /(?:^|\/)objects\/([^/]+)\/compactLayouts\/([^/]+)\.compactLayout-meta\.xml$/,
        two: true
    },
    {
        type: 'RecordType',
        re: /(?:^|\/)objects\/([^/]+)\/recordTypes\/([^/]+)\.recordType-meta\.xml$/,
        two: true
    },
    {
        type: 'ValidationRule',
        re: /(?:^|\/)objects\/([^/]+)\/validationRules\/([^/]+)\.validationRule-meta\.xml$/,
        two: true
    },
    { type: 'WebLink', re: /(?:^|\/)objects\/([^/]+)\/webLinks\/([^/]+)\.webLink-meta\.xml$/, two: true },
    { type: 'FieldSet', re: /(?:^|\/)objects\/([^/]+)\/fieldSets\/([^/]+)\.fieldSet-meta\.xml$/, two: true },
    {
        type: 'BusinessProcess',
        re: /(?:^|\/)objects\/([^/]+)\/businessProcesses\/([^/]+)\.businessProcess-meta\.xml$/,
        two: true
    },
    { type: 'PermissionSet', re: /(?:^|\/)permissionsets\/([^/]+)\.permissionset-meta\.xml$/ },
    {
        type: 'PermissionSetGroup',
        re: /(?:^|\/)permissionsetgroups\/([^/]+)\.permissionsetgroup-meta\.xml$/
    },
    { type: 'Profile', re: /(?:^|\/)profiles\/([^/]+)\.profile-meta\.xml$/ },
    { type: 'CustomTab', re: /(?:^|\/)tabs\/([^/]+)\.tab-meta\.xml$/ },
    { type: 'CustomApplication', re: /(?:^|\/)applications\/([^/]+)\.app-meta\.xml$/ },
    { type: 'FlexiPage', re: /(?:^|\/)flexipages\/([^/]+)\.flexipage-meta\.xml$/ },
    { type: 'Layout', re: /(?:^|\/)layouts\/([^/]+)\.layout-meta\.xml$/ },
    { type: 'QuickAction', re: /(?:^|\/)quickActions\/([^/]+)\.quickAction-meta\.xml$/ },
    { type: 'NamedCredential', re: /(?:^|\/)namedCredentials\/([^/]+)\.namedCredential-meta\.xml$/ },
    { type: 'ExternalCredential', re: /(?:^|\/)externalCredentials\/([^/]+)\.externalCredential-meta\.xml$/ },
    { type: 'CustomPermission', re: /(?:^|\/)customPermissions\/([^/]+)\.customPermission-meta\.xml$/ },
    {
        type: 'CustomNotificationType',
        re: /(?:^|\/)notificationtypes\/([^/]+)\.notiftype-meta\.xml$/
    },
    { type: 'CustomMetadata', re: /(?:^|\/)customMetadata\/([^/]+)\.md-meta\.xml$/ },
    { type: 'StaticResource', re: /(?:^|\/)staticresources\/([^/]+)\.resource-meta\.xml$/ },
    { type: 'RemoteSiteSetting', re: /(?:^|\/)remoteSiteSettings\/([^/]+)\.remoteSite-meta\.xml$/ },
    { type: 'CspTrustedSite', re: /(?:^|\/)cspTrustedSites\/([^/]+)\.cspTrustedSite-meta\.xml$/ },
    { type: 'ConnectedApp', re: /(?:^|\/)connectedApps\/([^/]+)\.connectedApp-meta\.xml$/ },
    {
        type: 'LightningMessageChannel',
        re: /(?:^|\/)messageChannels\/([^/]+)\.messageChannel-meta\.xml$/
    },
    { type: 'GlobalValueSet', re: /(?:^|\/)globalValueSets\/([^/]+)\.globalValueSet-meta\.xml$/ },
    { type: 'Flow', re: /(?:^|\/)flows\/([^/]+)\.flow-meta\.xml$/ }
];

// -meta.xml files that accompany a file matched above (their own kind is the companion's).
const COMPANION_META =
    /\.(cls|trigger|page|component|resource)-meta\.xml$|(?:^|\/)(lwc|aura)\/[^/]+\/[^/]+-meta\.xml$/;

/**
 * The metadata members the source declares, as `Map<type, Set<member>>`, plus the -meta.xml files no kind
 * above describes (they are reported, not guessed at).
 */
export function declaredMembers(project) {
    const members = new Map();
    const unknown = [];
    for (const file of project.files) {
        let matched = false;
        for (const kind of KINDS) {
            const m = kind.re.exec(file);
            if (!m) continue;
            const name = kind.two ? `${m[1]}.${m[2]}` : m[1];
            if (!members.has(kind.type)) members.set(kind.type, new Set());
            members.get(kind.type).add(name);
            matched = true;
            break;
        }
        if (!matched && file.endsWith('-meta.xml') && !COMPANION_META.test(file)) unknown.push(file);
    }
    return { members, unknown };
}

/**
 * The inventory references are checked against: custom objects with their fields, and every other named
 * component the project declares.
 */
export function buildInventory(project) {
    const objects = new Map();
    const object = (name) => {
        if (!objects.has(name)) {
            objects.set(name, { name, declared: false, file: null, xml: null, fields: new Map() });
        }
        return objects.get(name);
    };
    const names = () => new Set();
    const inv = {
        objects,
        classes: names(),
        triggers: names(),
        pages: names(),
        lwc: new Map(),
        aura: names(),
        tabs: names(),
        apps: names(),
        flexipages: new Map(),
        layouts: names(),
        quickActions: names(),
        customPermissions: names(),
        namedCredentials: names(),
        externalCredentials: new Map()
    };
    for (const file of project.files) {
        let m;
        if ((m = /(?:^|\/)objects\/([^/]+)\/\1\.object-meta\.xml$/.exec(file))) {
            const o = object(m[1]);
            o.declared = true;
            o.file = file;
            o.xml = project.xml(file)?.CustomObject ?? null;
        } else if ((m = /(?:^|\/)objects\/([^/]+)\/fields\/([^/]+)\.field-meta\.xml$/.exec(file))) {
            object(m[1]).fields.set(m[2], { file, xml: project.xml(file)?.CustomField ?? null });
        } else if ((m = /(?:^|\/)classes\/(?:.+\/)?([^/]+)\.cls$/.exec(file))) inv.classes.add(m[1]);
        else if ((m = /(?:^|\/)triggers\/(?:.+\/)?([^/]+)\.trigger$/.exec(file))) inv.triggers.add(m[1]);
        else if ((m = /(?:^|\/)pages\/(?:.+\/)?([^/]+)\.page$/.exec(file))) inv.pages.add(m[1]);
        else if ((m = /(?:^|\/)lwc\/([^/]+)\/\1\.js-meta\.xml$/.exec(file))) {
            let xml = null;
            try {
                xml = attributeParser.parse(project.read(file)).LightningComponentBundle ?? null;
            } catch {
                xml = null;
            }
            inv.lwc.set(m[1], { file, xml });
        } else if ((m = /(?:^|\/)aura\/([^/]+)\/\1\.(?:cmp|app)$/.exec(file))) inv.aura.add(m[1]);
        else if ((m = /(?:^|\/)tabs\/([^/]+)\.tab-meta\.xml$/.exec(file))) inv.tabs.add(m[1]);
        else if ((m = /(?:^|\/)applications\/([^/]+)\.app-meta\.xml$/.exec(file))) inv.apps.add(m[1]);
        else if ((m = /(?:^|\/)flexipages\/([^/]+)\.flexipage-meta\.xml$/.exec(file))) {
            inv.flexipages.set(m[1], file);
        } else if ((m = /(?:^|\/)layouts\/([^/]+)\.layout-meta\.xml$/.exec(file))) inv.layouts.add(m[1]);
        else if ((m = /(?:^|\/)quickActions\/([^/]+)\.quickAction-meta\.xml$/.exec(file))) {
            inv.quickActions.add(m[1]);
        } else if ((m = /(?:^|\/)customPermissions\/([^/]+)\.customPermission-meta\.xml$/.exec(file))) {
            inv.customPermissions.add(m[1]);
        } else if ((m = /(?:^|\/)namedCredentials\/([^/]+)\.namedCredential-meta\.xml$/.exec(file))) {
            inv.namedCredentials.add(m[1]);
        } else if ((m = /(?:^|\/)externalCredentials\/([^/]+)\.externalCredential-meta\.xml$/.exec(file))) {
            const xml = project.xml(file)?.ExternalCredential ?? {};
            const principals = new Set(
                list(xml.externalCredentialParameters)
                    .filter((p) => /Principal$/.test(text(p.parameterType)))
                    .map((p) => text(p.parameterName))
            );
            inv.externalCredentials.set(m[1], principals);
        }
    }
    return inv;
}
