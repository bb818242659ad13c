import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDemo, type DemoStack } from '../../src/dev/start-demo';

/**
 * Sales order groups through the preview bridge: the gathering (UnleashedSendRecords.reference)
 * offers the org's live imported groups, and the group chosen arrives on the Unleashed order.
 */

jest.setTimeout(60_000);

let stack: DemoStack;
let previewDir: string;

type Answer = { status: number; body: any }; // eslint-disable-line @typescript-eslint/no-explicit-any

async function apex(method: string, params: Record<string, unknown>): Promise<Answer> {
    const res = await fetch(`${stack.urls.preview}/__bridge/apex/UnleashedSendController/${method}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(params)
    });
    return { status: res.status, body: await res.json() };
}

const acme = () => stack.salesforce.records('Opportunity').find((r) => r.Name === 'Acme - widget restock')!;
const groupObject = 'unleashed__Unleashed_Sales_Order_Group__c';

beforeAll(async () => {
    previewDir = mkdtempSync(join(tmpdir(), 'preview-'));
    writeFileSync(join(previewDir, 'index.html'), '<!doctype html><title>preview</title>');
    stack = await startDemo({ dataDir: 'memory://', previewDir, logLevel: 'silent' });
});

afterAll(async () => {
    await stack?.close();
    rmSync(previewDir, { recursive: true, force: true });
});

describe('sales order groups in the send', () => {
    it('the demo org starts with the Unleashed account’s groups, as an import brings them', () => {
        const rows = stack.salesforce.records(groupObject);
        expect(
            rows
                .map((r) => [r.Name, r.unleashed__Obsolete__c])
                .sort((a, b) => String(a[0]).localeCompare(String(b[0])))
        ).toEqual([
            ['Online', false],
            ['Retail', false],
            ['Trade', false],
            ['Trade Show 2024', true]
        ]);
    });

    it('offers the live groups by name, none chosen for an Account without a default', async () => {
        const context = await apex('getSendContext', { opportunityId: acme().Id });
        expect(context.status).toBe(200);
        expect(context.body.salesOrderGroups.map((o: { value: string }) => o.value)).toEqual([
            'Online',
            'Retail',
            'Trade'
        ]);
        expect(context.body.salesOrderGroups.some((o: { isDefault: boolean }) => o.isDefault)).toBe(false);
    });

    it('refuses a group that is obsolete in Unleashed, in plain words, before sending', async () => {
        const preview = await apex('previewOrder', {
            opportunityId: acme().Id,
            choicesJson: JSON.stringify({ salesOrderGroup: 'Trade Show 2024' })
        });
        const words = JSON.stringify(preview.body);
        expect(words).toContain(
            'Sales order group \\"Trade Show 2024\\" is not a sales order group in Unleashed'
        );
        expect(stack.unleashed.state.orders).toHaveLength(0);
    });

    it('sends the order into the chosen group, as Unleashed spells it', async () => {
        const sent = await apex('sendOrder', {
            opportunityId: acme().Id,
            choicesJson: JSON.stringify({ salesOrderGroup: 'online' })
        });
        expect(sent.status).toBe(200);
        expect(sent.body.success).toBe(true);
        const order = stack.unleashed.state.orderByGuid(sent.body.orderGuid);
        expect(order?.SalesOrderGroup).toBe('Online');
    });
});
