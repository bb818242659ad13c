// Gate 1: the metadata is well-formed and consistent. `sf project convert source` checks none of this (it
// converts an unclosed tag and silently drops a class without its -meta.xml), and a deploy would fail on
// each of these problems, so they are caught here, before any org is involved.
import { XMLValidator } from 'fast-xml-parser';
import { buildInventory, list, text } from './project.mjs';
import { checkAgainstSchema, loadSchema, ROOT_BY_SUFFIX } from './schema.mjs';
import { isStandardField, TAB_MOTIFS } from './standard.mjs';

const CUSTOM_SUFFIX = /__(c|mdt|e|b|x|kav|share|history)$/i;

/** Runs gate 1 on a loaded project; returns `{ problems, summary }`. */
export function checkMetadata(project) {
    const problems = [];
    const fail = (file, message) => problems.push(`${file}: ${message}`);

    // 1a. Every -meta.xml is well-formed XML.
    const metaFiles = project.files.filter((f) => f.endsWith('-meta.xml'));
    for (const file of metaFiles) {
        const result = XMLValidator.validate(project.read(file));
        if (result !== true) {
            fail(
                file,
                `malformed XML at line ${result.err.line}, column ${result.err.col}: ${result.err.msg}`
            );
        }
    }

    // 1b. Each file matches the Metadata API schema of its kind.
    const schema = loadSchema();
    for (const file of metaFiles) {
        const parsed = project.xml(file);
        if (!parsed) continue;
        const suffix = Object.keys(ROOT_BY_SUFFIX).find((sfx) => file.endsWith(sfx));
        // Aura bundles reuse suffixes of other kinds (.app-meta.xml) for their own definition files.
        const expected = /(?:^|\/)aura\//.test(file)
            ? 'AuraDefinitionBundle'
            : suffix
              ? ROOT_BY_SUFFIX[suffix]
              : null;
        for (const message of checkAgainstSchema(schema, parsed, expected)) {
            fail(file, message);
        }
    }

    // 1c. Code files and their -meta.xml come in pairs; component bundles have their -meta.xml.
    const fileSet = new Set(project.files);
    for (const file of project.files) {
        if (/\.(cls|trigger)$/.test(file) && !fileSet.has(`${file}-meta.xml`)) {
            fail(
                file,
                `has no ${file.split('/').pop()}-meta.xml (sf would silently leave it out of the package)`
            );
        }
        const orphan = /^(.+\.(cls|trigger))-meta\.xml$/.exec(file);
        if (orphan && !fileSet.has(orphan[1])) fail(file, `has no ${orphan[1].split('/').pop()} beside it`);
    }
    const bundles = new Set();
    for (const file of project.files) {
        const m = /^(.*(?:^|\/)lwc\/([^/]+))\//.exec(file);
        if (m) bundles.add(`${m[1]}|${m[2]}`);
    }
    for (const entry of bundles) {
        const [dir, name] = entry.split('|');
        if (!fileSet.has(`${dir}/${name}.js-meta.xml`))
            fail(`${dir}/`, `LWC bundle has no ${name}.js-meta.xml`);
        if (!fileSet.has(`${dir}/${name}.js`) && !fileSet.has(`${dir}/${name}.ts`)) {
            fail(`${dir}/`, `LWC bundle has no ${name}.js`);
        }
    }

    // 1d. References between components resolve inside the project.
    const inv = buildInventory(project);
    const refs = new RefChecker(project, inv, fail);
    refs.checkObjectsAndFields();
    for (const file of metaFiles) {
        const xml = project.xml(file);
        if (!xml) continue;
        let m;
        if (/\.permissionset-meta\.xml$/.test(file)) refs.checkPermissionSet(file, xml.PermissionSet ?? {});
        else if ((m = /(?:^|\/)layouts\/([^/]+)\.layout-meta\.xml$/.exec(file))) {
            refs.checkLayout(file, m[1], xml.Layout ?? {});
        } else if ((m = /(?:^|\/)tabs\/([^/]+)\.tab-meta\.xml$/.exec(file))) {
            refs.checkTab(file, m[1], xml.CustomTab ?? {});
        } else if (/(?:^|\/)applications\/[^/]+\.app-meta\.xml$/.test(file)) {
            refs.checkApp(file, xml.CustomApplication ?? {});
        } else if (/\.flexipage-meta\.xml$/.test(file)) refs.checkFlexiPage(file, xml.FlexiPage ?? {});
        else if ((m = /(?:^|\/)quickActions\/([^/]+)\.quickAction-meta\.xml$/.exec(file))) {
            refs.checkQuickAction(file, m[1], xml.QuickAction ?? {});
        } else if (/\.namedCredential-meta\.xml$/.test(file)) {
            refs.checkNamedCredential(file, xml.NamedCredential ?? {});
        } else if ((m = /(?:^|\/)objects\/([^/]+)\/listViews\/[^/]+\.listView-meta\.xml$/.exec(file))) {
            refs.checkListView(file, m[1], xml.ListView ?? {});
        } else if (
            (m = /(?:^|\/)objects\/([^/]+)\/compactLayouts\/[^/]+\.compactLayout-meta\.xml$/.exec(file))
        ) {
            for (const f of list(xml.CompactLayout?.fields)) refs.field(file, m[1], text(f));
        } else if (/\.remoteSite-meta\.xml$/.test(file)) {
            fail(
                file,
                'Remote Site Settings are not used: callouts go through the packaged Named Credential'
            );
        }
    }
    return {
        problems,
        summary: `${metaFiles.length} metadata files, ${inv.objects.size} objects, ${refs.count} references`
    };
}

class RefChecker {
    constructor(project, inv, fail) {
        this.project = project;
        this.inv = inv;
        this.fail = fail;
        this.count = 0;
    }

    /** An object reference: standard objects are taken as given, custom ones must be declared here. */
    object(file, name, what = 'object') {
        this.count++;
        if (!name) {
            this.fail(file, `empty ${what} reference`);
            return false;
        }
        if (!CUSTOM_SUFFIX.test(name)) return true;
        const o = this.inv.objects.get(name);
        if (!o || !o.declared) {
            this.fail(file, `references ${what} ${name}, which is not in the project`);
            return false;
        }
        return true;
    }

    /** A field of an object: custom fields must exist; standard ones must be on the known list. */
    field(file, objectName, fieldName) {
        this.count++;
        if (!this.object(file, objectName)) return false;
        if (/__c$/i.test(fieldName)) {
            if (!this.inv.objects.get(objectName)?.fields.has(fieldName)) {
                this.fail(file, `references field ${objectName}.${fieldName}, which is not in the project`);
                return false;
            }
            return true;
        }
        if (!isStandardField(fieldName)) {
            this.fail(
                file,
                `references ${objectName}.${fieldName}, which is neither a project field nor a known standard field`
            );
            return false;
        }
        return true;
    }

    qualifiedField(file, ref) {
        const dot = ref.indexOf('.');
        if (dot < 1) {
            this.fail(file, `field reference "${ref}" is not Object.Field`);
            return false;
        }
        return this.field(file, ref.slice(0, dot), ref.slice(dot + 1));
    }

    named(file, set, name, what) {
        this.count++;
        if (!set.has(name)) this.fail(file, `references ${what} ${name}, which is not in the project`);
    }

    tab(file, name) {
        this.count++;
        if (name.startsWith('standard-')) return;
        if (!this.inv.tabs.has(name)) this.fail(file, `references tab ${name}, which is not in the project`);
    }

    /** A component used on a page or in an action: a local LWC (or Aura) named without or with `c:`. */
    localComponent(file, componentName) {
        let name = componentName;
        const colon = name.indexOf(':');
        if (colon >= 0) {
            const prefix = name.slice(0, colon);
            if (prefix !== 'c' && prefix !== this.project.namespace) return null;
            name = name.slice(colon + 1);
        }
        this.count++;
        if (this.inv.lwc.has(name)) return { kind: 'lwc', name, ...this.inv.lwc.get(name) };
        if (this.inv.aura.has(name)) return { kind: 'aura', name };
        this.fail(file, `uses component ${componentName}, which is not in the project`);
        return null;
    }

    /** An LWC must be exposed for the target it is placed on, or the deploy rejects the page or action. */
    lwcTarget(file, component, target, actionType) {
        if (!component || component.kind !== 'lwc' || !component.xml) return;
        const xml = component.xml;
        const targets = list(xml.targets?.target).map(text);
        if (text(xml.isExposed) !== 'true') {
            this.fail(file, `uses LWC ${component.name}, whose js-meta.xml does not set isExposed to true`);
        }
        if (!targets.includes(target)) {
            this.fail(file, `uses LWC ${component.name}, whose js-meta.xml does not list target ${target}`);
        }
        if (actionType) {
            const config = list(xml.targetConfigs?.targetConfig).find((c) =>
                String(c['@_targets'] ?? '')
                    .split(',')
                    .map((t) => t.trim())
                    .includes(target)
            );
            const declared = text(config?.actionType) || 'ScreenAction';
            if (declared !== actionType) {
                this.fail(
                    file,
                    `uses LWC ${component.name} as a ${actionType}, but it declares actionType ${declared}`
                );
            }
        }
    }

    checkObjectsAndFields() {
        const relationships = new Map();
        for (const o of this.inv.objects.values()) {
            if (o.declared) {
                if (!o.xml) continue;
                if (!text(o.xml.description)) this.fail(o.file, 'object has no description');
            }
            for (const [name, field] of o.fields) {
                const f = field.xml;
                if (!f) continue;
                if (!text(f.description)) this.fail(field.file, 'field has no description');
                const isSetting = Boolean(o.xml && text(o.xml.customSettingsType));
                if (!isSetting && !text(f.inlineHelpText)) this.fail(field.file, 'field has no help text');
                if (text(f.fullName) && text(f.fullName) !== name) {
                    this.fail(field.file, `fullName ${text(f.fullName)} does not match the file name`);
                }
                // Person Accounts: a required custom field on Account or Contact breaks person account creation.
                if ((o.name === 'Account' || o.name === 'Contact') && text(f.required) === 'true') {
                    this.fail(field.file, `required field on ${o.name} (Person Accounts must not need it)`);
                }
                const type = text(f.type);
                if (type === 'Lookup' || type === 'MasterDetail') {
                    const target = text(f.referenceTo);
                    this.object(field.file, target, 'object');
                    const key = `${target}.${text(f.relationshipName)}`;
                    if (relationships.has(key)) {
                        this.fail(
                            field.file,
                            `relationship name ${text(f.relationshipName)} on ${target} is also used by ${relationships.get(key)}`
                        );
                    } else relationships.set(key, `${o.name}.${name}`);
                }
            }
        }
    }

    checkPermissionSet(file, ps) {
        const { inv } = this;
        for (const op of list(ps.objectPermissions)) {
            const name = text(op.object);
            if (!this.object(file, name)) continue;
            const o = inv.objects.get(name);
            if (o?.xml && text(o.xml.customSettingsType)) {
                this.fail(file, `objectPermissions on custom setting ${name} (use customSettingAccesses)`);
            }
            const flag = (k) => text(op[k]) === 'true';
            if ((flag('allowCreate') || flag('allowEdit') || flag('allowDelete')) && !flag('allowRead')) {
                this.fail(file, `${name}: create, edit or delete without read`);
            }
            if (
                flag('modifyAllRecords') &&
                !(flag('viewAllRecords') && flag('allowEdit') && flag('allowDelete'))
            ) {
                this.fail(file, `${name}: Modify All needs View All, edit and delete`);
            }
        }
        for (const fp of list(ps.fieldPermissions)) {
            const ref = text(fp.field);
            if (!this.qualifiedField(file, ref)) continue;
            if (text(fp.editable) === 'true' && text(fp.readable) !== 'true') {
                this.fail(file, `${ref}: editable but not readable`);
            }
            const [objectName, fieldName] = ref.split('.');
            const f = inv.objects.get(objectName)?.fields.get(fieldName)?.xml;
            if (f && text(f.required) === 'true')
                this.fail(file, `${ref}: field permissions on a required field`);
            if (f && text(fp.editable) === 'true' && (text(f.formula) || text(f.type) === 'Summary')) {
                this.fail(file, `${ref}: a formula or roll-up field cannot be editable`);
            }
        }
        for (const ca of list(ps.classAccesses))
            this.named(file, inv.classes, text(ca.apexClass), 'Apex class');
        for (const pa of list(ps.pageAccesses))
            this.named(file, inv.pages, text(pa.apexPage), 'Visualforce page');
        for (const ts of list(ps.tabSettings)) this.tab(file, text(ts.tab));
        for (const av of list(ps.applicationVisibilities)) {
            const app = text(av.application);
            if (!app.startsWith('standard__')) this.named(file, inv.apps, app, 'application');
        }
        for (const cp of list(ps.customPermissions)) {
            this.named(file, inv.customPermissions, text(cp.name), 'custom permission');
        }
        for (const cs of list(ps.customSettingAccesses)) {
            const name = text(cs.name);
            if (this.object(file, name, 'custom setting')) {
                const o = inv.objects.get(name);
                if (o?.xml && !text(o.xml.customSettingsType)) {
                    this.fail(file, `customSettingAccesses names ${name}, which is not a custom setting`);
                }
            }
        }
        for (const cm of list(ps.customMetadataTypeAccesses))
            this.object(file, text(cm.name), 'custom metadata type');
        for (const ec of list(ps.externalCredentialPrincipalAccesses)) {
            const ref = text(ec.externalCredentialPrincipal);
            const dash = ref.indexOf('-');
            const credential = ref.slice(0, dash);
            const principal = ref.slice(dash + 1);
            this.count++;
            if (dash < 1 || !inv.externalCredentials.has(credential)) {
                this.fail(
                    file,
                    `references external credential principal ${ref}, whose credential is not in the project`
                );
            } else if (!inv.externalCredentials.get(credential).has(principal)) {
                this.fail(file, `external credential ${credential} has no principal ${principal}`);
            }
        }
    }

    checkLayout(file, layoutName, layout) {
        const objectName = layoutName.slice(0, layoutName.indexOf('-'));
        if (!this.object(file, objectName)) return;
        for (const section of list(layout.layoutSections)) {
            for (const column of list(section.layoutColumns)) {
                for (const item of list(column.layoutItems)) {
                    if (item.field !== undefined) this.field(file, objectName, text(item.field));
                }
            }
        }
        for (const related of list(layout.relatedLists)) {
            const ref = text(related.relatedList);
            // Custom related lists are named Child.LookupField; standard ones (RelatedNoteList, ...) have no dot.
            if (ref.includes('.')) this.qualifiedField(file, ref);
        }
        const actions = [
            ...list(layout.platformActionList?.platformActionListItems)
                .filter((a) => text(a.actionType) === 'QuickAction')
                .map((a) => text(a.actionName)),
            ...list(layout.quickActionList?.quickActionListItems).map((a) => text(a.quickActionName))
        ];
        for (const action of actions) {
            // Project actions are Object.Api_Name; standard ones (FeedItem.TextPost, NewTask) have no underscore.
            if (action.startsWith(`${objectName}.`) && action.slice(objectName.length + 1).includes('_')) {
                this.named(file, this.inv.quickActions, action, 'quick action');
            }
        }
    }

    checkTab(file, tabName, tab) {
        if (text(tab.customObject) === 'true') this.object(file, tabName);
        if (tab.flexiPage !== undefined)
            this.named(file, new Set(this.inv.flexipages.keys()), text(tab.flexiPage), 'Lightning page');
        if (tab.lwcComponent !== undefined) {
            const component = this.localComponent(file, text(tab.lwcComponent));
            this.lwcTarget(file, component, 'lightning__Tab');
        }
        const motif = text(tab.motif);
        if (motif && !TAB_MOTIFS.has(motif)) this.fail(file, `unknown tab style "${motif}"`);
        if (text(tab.customObject) !== 'true' && !text(tab.label)) this.fail(file, 'tab has no label');
    }

    checkApp(file, app) {
        for (const t of list(app.tabs)) this.tab(file, text(t));
        if (app.utilityBar !== undefined) {
            this.named(file, new Set(this.inv.flexipages.keys()), text(app.utilityBar), 'Lightning page');
        }
        for (const override of [...list(app.actionOverrides), ...list(app.profileActionOverrides)]) {
            if (override.content !== undefined && text(override.type) === 'Flexipage') {
                this.named(
                    file,
                    new Set(this.inv.flexipages.keys()),
                    text(override.content),
                    'Lightning page'
                );
            }
        }
    }

    checkFlexiPage(file, page) {
        const type = text(page.type);
        const sobject = text(page.sobjectType);
        if (sobject) this.object(file, sobject);
        const target = {
            AppPage: 'lightning__AppPage',
            RecordPage: 'lightning__RecordPage',
            HomePage: 'lightning__HomePage',
            UtilityBar: 'lightning__UtilityBar'
        }[type];
        for (const region of list(page.flexiPageRegions)) {
            for (const item of list(region.itemInstances)) {
                for (const instance of list(item.componentInstance)) {
                    const component = this.localComponent(file, text(instance.componentName));
                    if (target) this.lwcTarget(file, component, target);
                }
                for (const instance of list(item.fieldInstance)) {
                    const ref = text(instance.fieldItem);
                    if (ref.startsWith('Record.') && sobject)
                        this.field(file, sobject, ref.slice('Record.'.length));
                }
            }
        }
    }

    checkQuickAction(file, actionName, action) {
        const dot = actionName.indexOf('.');
        const objectName = dot > 0 ? actionName.slice(0, dot) : '';
        if (objectName) this.object(file, objectName);
        const type = text(action.type);
        if (type === 'LightningWebComponent') {
            const name = text(action.lightningWebComponent);
            if (!name) this.fail(file, 'LightningWebComponent action names no lightningWebComponent');
            else {
                const component = this.localComponent(file, name);
                const subtype = text(action.actionSubtype) || 'ScreenAction';
                this.lwcTarget(file, component, 'lightning__RecordAction', subtype);
            }
        }
        const target = text(action.targetObject) || objectName;
        for (const section of list(action.quickActionLayout?.quickActionLayoutColumns)) {
            for (const item of list(section.quickActionLayoutItems)) {
                if (item.field !== undefined && target) this.field(file, target, text(item.field));
            }
        }
        for (const override of list(action.fieldOverrides)) {
            if (target) this.field(file, target, text(override.field));
        }
    }

    checkNamedCredential(file, credential) {
        for (const p of list(credential.namedCredentialParameters)) {
            if (p.externalCredential !== undefined) {
                this.count++;
                const name = text(p.externalCredential);
                if (!this.inv.externalCredentials.has(name)) {
                    this.fail(file, `references external credential ${name}, which is not in the project`);
                }
            }
        }
    }

    checkListView(file, objectName, view) {
        for (const column of list(view.columns)) {
            const name = text(column);
            // Upper-case tokens (NAME, CREATED_DATE, ...) are the list view's own column names.
            if (/__c$/i.test(name)) this.field(file, objectName, name);
        }
        for (const filter of list(view.filters)) {
            const name = text(filter.field);
            if (/__c$/i.test(name)) this.field(file, objectName, name);
        }
    }
}
