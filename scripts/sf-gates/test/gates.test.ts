// Each gate passes on a valid project and fails, naming the problem, on a project broken in one way.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { GOOD_PROJECT } from './fixture';

const repoRoot = resolve(__dirname, '../../..');
const runScript = join(repoRoot, 'scripts/sf-gates/run.mjs');
const D = 'force-app/main/default';
const CLASS = `${D}/classes/WidgetService.cls`;
const PERM_SET = `${D}/permissionsets/Widget_User.permissionset-meta.xml`;

jest.setTimeout(180_000);

const made: string[] = [];
afterAll(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** Writes the valid fixture project to a fresh folder, then applies `edits` (null deletes a file). */
function project(edits: Record<string, string | null> = {}): string {
    const dir = mkdtempSync(join(tmpdir(), 'sf-gates-fixture-'));
    made.push(dir);
    for (const [rel, content] of Object.entries({ ...GOOD_PROJECT, ...edits })) {
        if (content === null) continue;
        mkdirSync(dirname(join(dir, rel)), { recursive: true });
        writeFileSync(join(dir, rel), content);
    }
    return dir;
}

const edit = (rel: string, from: string, to: string): string => {
    const source = GOOD_PROJECT[rel];
    if (source === undefined || !source.includes(from)) throw new Error(`fixture ${rel} has no "${from}"`);
    return source.replace(from, to);
};

type GateRun = { code: number; output: string };

function gates(root: string, only?: string): Promise<GateRun> {
    const args = [runScript, '--root', root, ...(only ? ['--only', only] : [])];
    return new Promise((done) => {
        execFile(process.execPath, args, { maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
            const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
            done({ code, output: `${stdout}${stderr}` });
        });
    });
}

/** The report line of gate `id` plus its problem lines. */
function gateSection(output: string, id: number): string {
    const lines = output.split('\n');
    const start = lines.findIndex((l) => new RegExp(`^  ${id} `).test(l));
    if (start < 0) return '';
    const section = [lines[start]];
    for (const line of lines.slice(start + 1)) {
        if (!line.startsWith('      ')) break;
        section.push(line);
    }
    return section.join('\n');
}

describe('sf-gates on a valid project', () => {
    it('passes all five gates and prints a line with timing per gate', async () => {
        const r = await gates(project());
        expect(r.output).toMatch(/all 5 gates passed/);
        for (const id of [1, 2, 3, 4, 5]) expect(gateSection(r.output, id)).toMatch(/ pass +\d+\.\d s /);
        expect(r.code).toBe(0);
    });

    it('passes the Apex gates with "nothing to check" when there is no Apex', async () => {
        const r = await gates(project({ [CLASS]: null, [`${CLASS}-meta.xml`]: null }), '2,3');
        expect(gateSection(r.output, 2)).toMatch(/pass .*nothing to check/);
        expect(gateSection(r.output, 3)).toMatch(/pass .*nothing to check/);
        expect(r.code).toBe(0);
    });

    it('rejects an unknown gate name with exit code 2', async () => {
        const r = await gates(project(), 'lint');
        expect(r.code).toBe(2);
        expect(r.output).toMatch(/unknown gate "lint"/);
    });
});

describe('gate 1: metadata', () => {
    it('fails on malformed XML and names the file and line', async () => {
        const file = `${D}/objects/Widget__c/fields/Size__c.field-meta.xml`;
        const r = await gates(project({ [file]: edit(file, '</label>', '</lable>') }), '1');
        expect(r.code).toBe(1);
        expect(gateSection(r.output, 1)).toMatch(/FAIL/);
        expect(r.output).toMatch(/Size__c\.field-meta\.xml: malformed XML at line \d+/);
    });

    it('fails on elements and values the Metadata API schema does not have', async () => {
        const field = `${D}/objects/Widget__c/fields/Size__c.field-meta.xml`;
        const tab = `${D}/tabs/Widget__c.tab-meta.xml`;
        const r = await gates(
            project({
                [field]: edit(field, '<label>Size</label>', '<lable>Size</lable>').replace(
                    '<type>Number</type>',
                    '<type>Numeric</type>'
                ),
                [tab]: edit(tab, '<customObject>true</customObject>', '<customObject>yes</customObject>')
            }),
            '1'
        );
        expect(r.code).toBe(1);
        expect(r.output).toMatch(
            /Size__c\.field-meta\.xml: <CustomField> has an element <lable> that CustomField does not have/
        );
        expect(r.output).toMatch(
            /Size__c\.field-meta\.xml: <CustomField\.type> is "Numeric", not one of AutoNumber, Lookup/
        );
        expect(r.output).toMatch(
            /Widget__c\.tab-meta\.xml: <CustomTab\.customObject> must be true or false, not "yes"/
        );
    });

    it('fails when a file holds another kind of metadata than its name says', async () => {
        const tab = `${D}/tabs/Widget__c.tab-meta.xml`;
        const r = await gates(
            project({ [tab]: GOOD_PROJECT[tab]!.replace(/CustomTab/g, 'CustomApplication') }),
            '1'
        );
        expect(r.code).toBe(1);
        expect(r.output).toMatch(
            /Widget__c\.tab-meta\.xml: root element is <CustomApplication>, expected <CustomTab>/
        );
    });

    it('fails on a class without its -meta.xml', async () => {
        const r = await gates(project({ [`${CLASS}-meta.xml`]: null }), '1');
        expect(r.code).toBe(1);
        expect(r.output).toMatch(/WidgetService\.cls: has no WidgetService\.cls-meta\.xml/);
    });

    it('fails when a permission set names a field that does not exist', async () => {
        const perm = edit(PERM_SET, '<field>Widget__c.Size__c</field>', '<field>Widget__c.Colour__c</field>');
        const r = await gates(project({ [PERM_SET]: perm }), '1');
        expect(r.code).toBe(1);
        expect(r.output).toMatch(
            /Widget_User\.permissionset-meta\.xml: references field Widget__c\.Colour__c/
        );
    });

    it('fails when a permission set names a missing class or object', async () => {
        const perm = edit(
            PERM_SET,
            '<apexClass>WidgetService</apexClass>',
            '<apexClass>GadgetService</apexClass>'
        ).replace('<object>Widget__c</object>', '<object>Gadget__c</object>');
        const r = await gates(project({ [PERM_SET]: perm }), '1');
        expect(r.code).toBe(1);
        expect(r.output).toMatch(/references Apex class GadgetService, which is not in the project/);
        expect(r.output).toMatch(/references object Gadget__c, which is not in the project/);
    });

    it('fails when a page uses an LWC that is not exposed for that page type', async () => {
        const meta = `${D}/lwc/widgetCard/widgetCard.js-meta.xml`;
        const r = await gates(
            project({ [meta]: edit(meta, '<target>lightning__AppPage</target>', '') }),
            '1'
        );
        expect(r.code).toBe(1);
        expect(r.output).toMatch(
            /Widget_Home\.flexipage-meta\.xml: uses LWC widgetCard, whose js-meta\.xml does not list target lightning__AppPage/
        );
    });

    it('fails when a screen quick action uses an LWC declared as a headless action', async () => {
        const meta = `${D}/lwc/widgetCard/widgetCard.js-meta.xml`;
        const headless = edit(
            meta,
            '<actionType>ScreenAction</actionType>',
            '<actionType>Action</actionType>'
        );
        const r = await gates(project({ [meta]: headless }), '1');
        expect(r.code).toBe(1);
        expect(r.output).toMatch(
            /Open_Widget\.quickAction-meta\.xml: uses LWC widgetCard as a ScreenAction, but it declares actionType Action/
        );
    });

    it('fails when a quick action names a missing LWC', async () => {
        const file = `${D}/quickActions/Account.Open_Widget.quickAction-meta.xml`;
        const r = await gates(project({ [file]: edit(file, '>widgetCard<', '>gadgetCard<') }), '1');
        expect(r.code).toBe(1);
        expect(r.output).toMatch(
            /Open_Widget\.quickAction-meta\.xml: uses component gadgetCard, which is not in the project/
        );
    });

    it('fails on a required field on Account (Person Accounts) and on a field without help text', async () => {
        const file = `${D}/objects/Account/fields/Tier__c.field-meta.xml`;
        const field = GOOD_PROJECT[`${D}/objects/Widget__c/fields/Size__c.field-meta.xml`]!.replace(
            'Size__c',
            'Tier__c'
        )
            .replace('<required>false</required>', '<required>true</required>')
            .replace(/ *<inlineHelpText>.*<\/inlineHelpText>\n/, '');
        const r = await gates(project({ [file]: field }), '1');
        expect(r.code).toBe(1);
        expect(r.output).toMatch(/Tier__c\.field-meta\.xml: required field on Account/);
        expect(r.output).toMatch(/Tier__c\.field-meta\.xml: field has no help text/);
    });
});

describe('gate 2: Apex syntax', () => {
    it('fails on a syntax error and says where', async () => {
        const r = await gates(project({ [CLASS]: edit(CLASS, 'w.Size__c * 2;', 'w.Size__c * ;') }), '2');
        expect(r.code).toBe(1);
        expect(r.output).toMatch(/WidgetService\.cls: Apex syntax error: .*line 21:/);
    });
});

describe('gate 3: apex-ls', () => {
    it('fails on an unknown custom field and an unknown type', async () => {
        const broken = edit(
            CLASS,
            'w.Size__c = w.Size__c * 2;',
            "w.Colour__c = 'red';\n            Gadget g = null;"
        );
        const r = await gates(project({ [CLASS]: broken }), '3');
        expect(r.code).toBe(1);
        expect(r.output).toMatch(/WidgetService\.cls:21:\d+ Missing: Unknown field 'Colour__c'/);
        expect(r.output).toMatch(/No type declaration found for 'Gadget'/);
    });
});

describe('gate 4: Code Analyzer', () => {
    it('fails on SOQL without user mode and DML in a class without sharing', async () => {
        const broken = edit(CLASS, 'public with sharing class', 'public without sharing class')
            .replace(' WITH USER_MODE', '')
            .replace('update as user widgets;', 'update widgets;');
        const r = await gates(project({ [CLASS]: broken }), '4');
        expect(r.code).toBe(1);
        expect(r.output).toMatch(/WidgetService\.cls:12 pmd:ApexCRUDViolation/);
        expect(r.output).toMatch(/WidgetService\.cls:23 pmd:ApexCRUDViolation/);
    });

    const insecureGrow = (annotation: string) =>
        edit(CLASS, '    public static void grow(', `${annotation}    public static void grow(`).replace(
            'update as user widgets;',
            'update widgets;'
        );

    it('fails on a @SuppressWarnings without a written reason', async () => {
        const r = await gates(
            project({ [CLASS]: insecureGrow("    @SuppressWarnings('PMD.ApexCRUDViolation')\n") }),
            '4'
        );
        expect(r.code).toBe(1);
        expect(r.output).toMatch(
            /WidgetService\.cls:19 @SuppressWarnings without a "\/\/ reason: \.\.\." comment/
        );
        // PMD itself honours the annotation: the violation is gone, only the missing reason fails.
        expect(r.output).not.toMatch(/ApexCRUDViolation \(severity/);
    });

    it('passes a suppression whose reason is written above it, over several lines', async () => {
        const annotation =
            '    // reason: widgets are resized by the nightly job,\n' +
            '    // whose user has no edit access to them\n' +
            "    @SuppressWarnings('PMD.ApexCRUDViolation')\n";
        const r = await gates(project({ [CLASS]: insecureGrow(annotation) }), '4');
        expect(gateSection(r.output, 4)).toMatch(/pass/);
        expect(r.code).toBe(0);
    });
});

describe('gate 5: package', () => {
    it('fails when a class is left out of package.xml (no -meta.xml: sf drops it silently)', async () => {
        const r = await gates(project({ [`${CLASS}-meta.xml`]: null }), '5');
        expect(r.code).toBe(1);
        expect(r.output).toMatch(
            /ApexClass WidgetService is in the source but not in the converted package\.xml/
        );
    });
});

describe('the repository itself', () => {
    it('passes gates 1 (metadata) and 5 (package) on the real force-app', async () => {
        const r = await gates(repoRoot, '1,5');
        expect(r.output).toMatch(/all 2 gates passed/);
        expect(r.code).toBe(0);
        // The package.xml comparison covered the package's objects, not an empty tree.
        expect(gateSection(r.output, 5)).toMatch(/lists all \d{3,} declared components/);
    });
});
