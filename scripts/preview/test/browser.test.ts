import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Decimal from 'decimal.js';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { ensurePreviewBuilt } from '../../../middleware/src/dev/preview-build';
import { startDemo, type DemoStack } from '../../../middleware/src/dev/start-demo';

/**
 * The package's real components in headless Chromium, against the whole local stack (both
 * simulators, the middleware on in-memory PGlite, the dev bridge): what a rep and an admin see
 * and what ends up in Unleashed. Each test saves a screenshot (SCREENSHOT_DIR, by default
 * .preview-build/screenshots; `node scripts/screenshots.mjs` writes them to docs/screenshots).
 */

const ROOT = resolve(__dirname, '../../..');
const CHROMIUM = '/usr/bin/chromium';
const SHOTS = process.env.SCREENSHOT_DIR
    ? resolve(process.env.SCREENSHOT_DIR)
    : join(ROOT, '.preview-build', 'screenshots');
const ARGS = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run'
];

jest.setTimeout(240_000);

let stack: DemoStack;
let context: BrowserContext;
let userDataDir: string;
let page: Page;
let pageErrors: string[] = [];

/** Text of an element as the user reads it (synthetic shadow hides textContent of rendered parts). */
const text = (selector: string) => page.locator(selector).first().innerText();

/** A money amount as shown ("NZ$516.18", "$1,234.50") as decimal text. */
const amount = (shown: string) => new Decimal(shown.replace(/[^0-9.-]/g, '')).toFixed(2);

function recordId(sobject: string, name: string): string {
    const found = stack.salesforce.records(sobject).find((r) => r.Name === name);
    if (!found) throw new Error(`The demo org has no ${sobject} named ${name}`);
    return String(found.Id);
}

async function open(path: string): Promise<void> {
    await page.goto(`${stack.urls.preview}${path}`);
    await page.waitForSelector('body[data-ready]');
    expect(await page.getAttribute('body', 'data-ready')).toBe('true');
}

async function shot(name: string): Promise<void> {
    await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

/** Clicks a lightning-button of the send dialog by its data-id. */
async function clickButton(scope: string, dataId: string): Promise<void> {
    const button = page.locator(`${scope} lightning-button[data-id="${dataId}"] button`);
    await button.waitFor({ state: 'visible' });
    await expect(button.isDisabled()).resolves.toBe(false);
    await button.click();
}

/** A count as shown ("1,234"). */
const count = (shown: string) => Number(shown.replace(/,/g, ''));

/** Calls used, from the quota meter's "1,234 of 125,000 API calls used this month". */
function callsUsed(shown: string): number {
    const m = shown.match(/^([\d,]+) of [\d,]+ API calls used/);
    if (!m) throw new Error(`Not a quota text: ${shown}`);
    return count(m[1]!);
}

/** Unleashed product codes of the org's products, sorted. */
const importedCodes = () =>
    stack.salesforce
        .records('Product2')
        .map((p) => p.unleashed__Unleashed_Product_Code__c)
        .filter((c): c is string => typeof c === 'string')
        .sort();

/** Waits until `check` gives something other than null or false, and returns it. */
async function until<T>(check: () => Promise<T | null | false>, timeoutMs = 20_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const value = await check();
        if (value !== null && value !== false) return value;
        if (Date.now() > deadline) throw new Error(`Still waiting after ${timeoutMs} ms: ${String(check)}`);
        await page.waitForTimeout(100);
    }
}

/** Sends an Opportunity as its send action would, with the dialog's defaults; the order's GUID. */
async function sendThroughTheBridge(opportunityId: string): Promise<string> {
    await open('/');
    const answer = await page.evaluate(async (id) => {
        const res = await fetch('/__bridge/apex/UnleashedSendController/sendOrder', {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ opportunityId: id, choicesJson: null })
        });
        return { status: res.status, body: await res.text() };
    }, opportunityId);
    expect(answer.status).toBe(200);
    const opp = stack.salesforce.records('Opportunity').find((r) => r.Id === opportunityId)!;
    const guid = String(opp.unleashed__Unleashed_Order_Guid__c);
    expect(guid).toMatch(/^[0-9a-f-]{36}$/);
    return guid;
}

/**
 * What a warehouse user does in Unleashed's UI, through the simulator's control routes
 * (POST /__sim/orders/{guid}/status|ship|invoice); the record the simulator answers with.
 */
async function inUnleashedUi(path: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const res = await fetch(`${stack.urls.unleashed}/__sim/${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body)
    });
    const answer = (await res.json()) as Record<string, unknown>;
    if (!res.ok) throw new Error(`POST /__sim/${path}: ${res.status} ${JSON.stringify(answer)}`);
    return answer;
}

/** The value of a record page's highlight ("Unleashed Status"), as shown. */
async function highlight(label: string): Promise<string> {
    const item = page.locator('.slds-page-header__detail-row li').filter({
        has: page.locator('.slds-text-title', { hasText: label })
    });
    return (await item.locator('div').nth(1).innerText()).trim();
}

/** The widths a component must fit: a phone or narrow sidebar, a tablet, a laptop page. */
const WIDTHS = [420, 768, 1280] as const;

/**
 * What does not fit at the page's current width: the page scrolling sideways, any element inside a
 * package component wider inside than its box (a table that scrolls, text cut by an ellipsis), a word
 * broken across two lines, a card title running into the card's actions.
 */
async function layoutProblems(components: string[]): Promise<string[]> {
    const problems: string[] = [];
    const page_ = await page.evaluate(() => ({
        scroll: document.scrollingElement!.scrollWidth,
        client: document.scrollingElement!.clientWidth
    }));
    if (page_.scroll > page_.client)
        problems.push(`the page scrolls sideways: ${page_.scroll} > ${page_.client} px`);
    for (const component of components) {
        const found = await page.locator(`${component} *`).evaluateAll((els, name) => {
            const out: string[] = [];
            const describe = (el: Element) =>
                `${name} ${el.tagName.toLowerCase()}${el.className && typeof el.className === 'string' ? `.${el.className.trim().split(/\s+/).join('.')}` : ''} "${((el as HTMLElement).innerText ?? '').trim().slice(0, 40)}"`;
            for (const el of els as HTMLElement[]) {
                const rect = el.getBoundingClientRect();
                // Hidden, and the one-pixel text SLDS keeps for screen readers only, take no room.
                if (rect.width <= 1 || rect.height <= 1) continue;
                if (el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1) {
                    out.push(`${describe(el)} is cut or scrolls: ${el.scrollWidth} > ${el.clientWidth} px`);
                }
                for (const node of Array.from(el.childNodes)) {
                    if (node.nodeType !== Node.TEXT_NODE) continue;
                    const text = node.textContent ?? '';
                    // Lines may break at spaces, hyphens and slashes; never inside a word.
                    for (const m of text.matchAll(/[^\s/-]{2,}/g)) {
                        const range = document.createRange();
                        range.setStart(node, m.index);
                        range.setEnd(node, m.index + m[0].length);
                        const lines = new Set(
                            Array.from(range.getClientRects()).map((r) => Math.round(r.top))
                        );
                        if (lines.size > 1) out.push(`${describe(el)}: "${m[0]}" is broken across lines`);
                    }
                }
                if (el.classList.contains('slds-card__header')) {
                    const title = el.querySelector('.slds-card__header-title, h2');
                    const actions = el.querySelector('.slds-no-flex');
                    if (title && actions) {
                        const a = title.getBoundingClientRect();
                        const b = actions.getBoundingClientRect();
                        const overlap =
                            a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
                        if (overlap && b.width > 0)
                            out.push(`${describe(el)}: the title runs into the actions`);
                    }
                }
            }
            return out;
        }, component);
        problems.push(...found);
    }
    return [...new Set(problems)];
}

/** Opens a page at each width and expects nothing in the components to overflow. */
async function expectFitAtEveryWidth(
    name: string,
    components: string[],
    show: () => Promise<void>,
    readmeShots: Partial<Record<(typeof WIDTHS)[number], string>> = {}
): Promise<void> {
    const found: Record<number, string[]> = {};
    for (const width of WIDTHS) {
        await page.setViewportSize({ width, height: 900 });
        await show();
        found[width] = await layoutProblems(components);
        // Every width is kept while developing; the README shows only the ones it names.
        const named = readmeShots[width];
        if (named) await shot(named);
        else if (!process.env.SCREENSHOT_DIR) await shot(`fit-${name}-${width}`);
    }
    expect(found).toEqual({ 420: [], 768: [], 1280: [] });
}

const maybe = process.env.BROWSER_TESTS === 'skip' ? describe.skip : describe;

maybe('the preview in Chromium', () => {
    beforeAll(async () => {
        if (!existsSync(CHROMIUM)) {
            throw new Error(
                `Chromium is not installed at ${CHROMIUM}; the browser tests need it. Install it with ` +
                    '`apt-get install -y chromium`, or set BROWSER_TESTS=skip to leave these tests out.'
            );
        }
        mkdirSync(SHOTS, { recursive: true });
        const previewDir = await ensurePreviewBuilt(ROOT);
        stack = await startDemo({ dataDir: 'memory://', previewDir, logLevel: 'silent' });
        userDataDir = mkdtempSync(join(tmpdir(), 'chromium-profile-'));
        context = await chromium.launchPersistentContext(userDataDir, {
            executablePath: CHROMIUM,
            headless: true,
            args: ARGS,
            viewport: { width: 1360, height: 900 }
        });
    });

    afterAll(async () => {
        await context?.close();
        await stack?.close();
        if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
    });

    beforeEach(async () => {
        pageErrors = [];
        page = await context.newPage();
        page.on('pageerror', (err) => pageErrors.push(err.message));
    });

    afterEach(async () => {
        await page?.close();
        // An exception inside a component breaks its rendering on the platform too.
        expect(pageErrors).toEqual([]);
    });

    it('a rep sees a product’s stock on hand, allocated and available in every warehouse', async () => {
        await open(`/lightning/r/Product2/${recordId('Product2', 'Blue widget')}/view`);
        const state = stack.unleashed.state;
        const p = state.products.indexOfCode('WIDGET-BLUE');
        // Every active warehouse, with zeros where the product never had a stock movement.
        const expected = state.warehouses
            .map((w, i) => ({ w, cell: state.stock.cell(p, i) }))
            .filter(({ w }) => !w.Obsolete)
            .map(({ w, cell }) => ({
                warehouse: `${w.WarehouseName} (${w.WarehouseCode})`,
                onHand: cell ? cell.onHand.toString() : '0',
                allocated: cell ? cell.allocated.toString() : '0',
                available: cell ? cell.onHand.minus(cell.allocated).toString() : '0'
            }));
        expect(expected.length).toBeGreaterThan(1);

        const rows = page.locator('c-unleashed-stock-panel table[data-id="product-table"] tbody tr');
        await expect(rows.nth(expected.length - 1).waitFor()).resolves.toBeUndefined();
        const shown = await rows.evaluateAll((trs) =>
            trs.map((tr) => {
                const cell = (label: string) =>
                    (tr.querySelector(`[data-label="${label}"]`) as HTMLElement | null)?.innerText.trim() ??
                    '';
                const number = (label: string) => cell(label).replace(/,/g, '');
                return {
                    warehouse: cell('Warehouse'),
                    onHand: number('On hand'),
                    allocated: number('Allocated'),
                    available: number('Available')
                };
            })
        );
        expect(shown).toEqual(expected);
        await page.locator('c-unleashed-stock-panel [data-id="as-of"]').waitFor();
        await shot('product-stock');
    });

    it('a rep sends an Opportunity to Unleashed step by step, then updates the Parked order', async () => {
        const oppId = recordId('Opportunity', 'Acme - widget restock');
        await open(`/lightning/r/Opportunity/${oppId}/view`);
        const dialog = 'c-unleashed-send-order';

        const walkToReview = async () => {
            await page.click('[data-id="send-to-unleashed"]');
            await page.locator(`${dialog} [data-step="warehouse"]`).waitFor();
            await clickButton(dialog, 'next');
            await page.locator(`${dialog} [data-step="customer"]`).waitFor();
            expect(await text(`${dialog} [data-id="existing-customer"]`)).toContain('ACME');
            await clickButton(dialog, 'next');
            await page.locator(`${dialog} [data-step="details"]`).waitFor();
            await clickButton(dialog, 'next');
            await page.locator(`${dialog} [data-id="total"]`).waitFor();
        };

        await walkToReview();
        const previewed = {
            subTotal: amount(await text(`${dialog} [data-id="sub-total"]`)),
            taxTotal: amount(await text(`${dialog} [data-id="tax-total"]`)),
            total: amount(await text(`${dialog} [data-id="total"]`))
        };
        expect(new Decimal(previewed.total).gt(0)).toBe(true);
        await shot('send-order-review');

        await clickButton(dialog, 'send');
        await page.locator(`${dialog} [data-step="done"]`).waitFor();
        const orderNumber = (await text(`${dialog} [data-id="order-number"]`)).trim();
        expect(orderNumber).toMatch(/^SO-\d+$/);
        expect(await text(`${dialog} [data-id="done"]`)).toContain(`Sales order ${orderNumber} was created`);
        await shot('send-order-done');

        const opp = stack.salesforce.records('Opportunity').find((r) => r.Id === oppId)!;
        const guid = String(opp.unleashed__Unleashed_Order_Guid__c);
        const inUnleashed = () => stack.unleashed.state.orders.filter((o) => o.Guid === guid);
        expect(inUnleashed()).toHaveLength(1);
        const order = inUnleashed()[0]!;
        expect(order.OrderNumber).toBe(orderNumber);
        expect(order.OrderStatus).toBe('Parked');
        expect({
            subTotal: order.SubTotal.toFixed(2),
            taxTotal: order.TaxTotal.toFixed(2),
            total: order.Total.toFixed(2)
        }).toEqual(previewed);

        // The record page shows the order once the action closes (RefreshEvent).
        await clickButton(dialog, 'close');
        await page.locator(`text=${orderNumber}`).first().waitFor();

        await walkToReview();
        expect(await text(`${dialog} [data-id="update-in-place"]`)).toContain(orderNumber);
        expect(await text(`${dialog} lightning-button[data-id="send"]`)).toBe('Update order');
        await shot('send-order-update');
        await clickButton(dialog, 'send');
        await page.locator(`${dialog} [data-step="done"]`).waitFor();
        expect(await text(`${dialog} [data-id="done"]`)).toContain(`Sales order ${orderNumber} was updated`);
        expect(inUnleashed()).toHaveLength(1);
        expect(stack.unleashed.state.orders.filter((o) => o.Customer.CustomerCode === 'ACME')).toHaveLength(
            1
        );
    });

    it('a rep sends a Salesforce Order to Unleashed once, its PO number as the Customer Ref', async () => {
        const sf = stack.salesforce;
        const order = sf.records('Order').find((r) => r.PoNumber === 'PO-4471');
        if (!order) throw new Error('The demo org has no Order with PO number PO-4471');
        const orderId = String(order.Id);
        await open(`/lightning/r/Order/${orderId}/view`);
        expect(await text('[data-id="record-name"]')).toBe(`Order ${String(order.OrderNumber)}`);
        const dialog = 'c-unleashed-send-order';
        await page.click('[data-id="send-to-unleashed"]');
        await page.locator(`${dialog} [data-step="warehouse"]`).waitFor();
        // The Opportunity's stock panel has no place on an Order.
        expect(await page.locator(`${dialog} c-unleashed-stock-panel`).count()).toBe(0);
        await clickButton(dialog, 'next');
        await page.locator(`${dialog} [data-step="customer"]`).waitFor();
        expect(await text(`${dialog} [data-id="existing-customer"]`)).toContain('ACME');
        await clickButton(dialog, 'next');
        await page.locator(`${dialog} [data-step="details"]`).waitFor();
        await clickButton(dialog, 'next');
        await page.locator(`${dialog} [data-id="total"]`).waitFor();
        const previewedTotal = amount(await text(`${dialog} [data-id="total"]`));
        await clickButton(dialog, 'send');
        await page.locator(`${dialog} [data-step="done"]`).waitFor();
        const orderNumber = (await text(`${dialog} [data-id="order-number"]`)).trim();
        expect(await text(`${dialog} [data-id="done"]`)).toContain(`Sales order ${orderNumber} was created`);
        await shot('send-salesforce-order-done');

        // Created once in Unleashed, for Acme, with the Order's two products and its PO number.
        const inUnleashed = stack.unleashed.state.orders.filter((o) => o.CustomerRef === 'PO-4471');
        expect(inUnleashed).toHaveLength(1);
        const sent = inUnleashed[0]!;
        expect(sent.OrderNumber).toBe(orderNumber);
        expect(sent.Customer.CustomerCode).toBe('ACME');
        expect(sent.Total.toFixed(2)).toBe(previewedTotal);
        expect(sent.SalesOrderLines.map((l) => [l.Product?.ProductCode, l.OrderQuantity.toString()])).toEqual(
            [
                ['WIDGET-BLUE', '12'],
                ['CABLE-2M', '6']
            ]
        );
        // The Order keeps the sales order, and the Sync Log row names the Order.
        const after = sf.records('Order').find((r) => r.Id === orderId)!;
        expect({
            guid: after.unleashed__Unleashed_Order_Guid__c,
            number: after.unleashed__Unleashed_Order_Number__c,
            status: after.unleashed__Unleashed_Order_Status__c,
            total: Number(after.unleashed__Unleashed_Total__c).toFixed(2)
        }).toEqual({ guid: sent.Guid, number: orderNumber, status: 'Parked', total: previewedTotal });
        const logs = sf.records('Unleashed_Sync_Log__c').filter((l) => l.unleashed__Order__c === orderId);
        expect(logs.map((l) => [l.unleashed__Operation__c, l.unleashed__Status__c])).toEqual([
            ['Send Order', 'Success']
        ]);

        // The record page shows the order once the action closes (RefreshEvent).
        await clickButton(dialog, 'close');
        await page.locator(`text=${orderNumber}`).first().waitFor();
        await shot('send-salesforce-order-record');
    });

    it("a rep sees the customer's Unleashed prices beside the Opportunity's and sends with them", async () => {
        // A new Opportunity for Acme, on Unleashed's Wholesale tier: a blue widget is 17.50 for Acme.
        const sim = stack.salesforce;
        const standard = String(sim.records('Pricebook2').find((b) => b.IsStandard === true)!.Id);
        const blue = sim
            .records('PricebookEntry')
            .find((e) => e.ProductCode === 'WIDGET-BLUE' && e.CurrencyIsoCode === 'NZD')!;
        const acme = String(sim.records('Account').find((a) => a.Name === 'Acme Ltd')!.Id);
        const oppId = sim.org.insertRaw('Opportunity', {
            Name: 'Acme - blue widgets',
            AccountId: acme,
            StageName: 'Proposal',
            CloseDate: '2026-12-10',
            CurrencyIsoCode: 'NZD',
            Pricebook2Id: standard,
            Unleashed_Order_Status_To_Create__c: 'Parked'
        });
        const lines = sim.org.tableByName('OpportunityLineItem');
        const api = (name: string) => lines.byName.get(name)!.apiName;
        sim.org.create(lines, {
            [api('OpportunityId')]: oppId,
            [api('PricebookEntryId')]: blue.Id,
            [api('Quantity')]: 4,
            [api('UnitPrice')]: 19.99
        });
        expect(stack.unleashed.state.customers.find((c) => c.CustomerCode === 'ACME')?.SellPriceTier).toBe(
            'Wholesale'
        );

        await open(`/lightning/r/Opportunity/${oppId}/view`);
        const dialog = 'c-unleashed-send-order';
        await page.click('[data-id="send-to-unleashed"]');
        for (const step of ['warehouse', 'customer', 'details']) {
            await page.locator(`${dialog} [data-step="${step}"]`).waitFor();
            await clickButton(dialog, 'next');
        }
        const box = `${dialog} [data-id="customer-prices"]`;
        await page.locator(box).waitFor();
        expect(await text(box)).toContain(
            "Unleashed charges this customer other prices than the Opportunity's:"
        );
        expect(await text(`${box} [data-id="customer-price"]`)).toMatch(
            /^WIDGET-BLUE: 19\.99 on the Opportunity, 17\.50? in Unleashed$/
        );
        expect(amount(await text(`${dialog} [data-id="sub-total"]`))).toBe('79.96');
        await shot('send-customer-prices');

        await page.locator(`${dialog} lightning-input[data-id="use-unleashed-prices"] label`).click();
        await until(async () => (await text(box)).startsWith('The lines carry the prices Unleashed'));
        await until(async () => amount(await text(`${dialog} [data-id="sub-total"]`)) === '70.00');
        await shot('send-customer-prices-used');

        await clickButton(dialog, 'send');
        await page.locator(`${dialog} [data-step="done"]`).waitFor();
        const orderNumber = (await text(`${dialog} [data-id="order-number"]`)).trim();
        const sent = stack.unleashed.state.orders.find((o) => o.OrderNumber === orderNumber)!;
        expect(sent.Customer.CustomerCode).toBe('ACME');
        expect(sent.SalesOrderLines.map((l) => [l.Product?.ProductCode, l.UnitPrice.toFixed(2)])).toEqual([
            ['WIDGET-BLUE', '17.50']
        ]);
        expect(sent.SubTotal.toFixed(2)).toBe('70.00');
    });

    it('a rep follows a sent order through shipping and invoicing, and finds it in the Account history', async () => {
        // A new Opportunity for Acme, so that no other test's order is in the way.
        const sim = stack.salesforce;
        const standard = String(sim.records('Pricebook2').find((b) => b.IsStandard === true)!.Id);
        const entry = (code: string) =>
            sim.records('PricebookEntry').find((e) => e.ProductCode === code && e.CurrencyIsoCode === 'NZD')!;
        const acme = String(sim.records('Account').find((a) => a.Name === 'Acme Ltd')!.Id);
        const oppId = sim.org.insertRaw('Opportunity', {
            Name: 'Acme - courier delivery',
            AccountId: acme,
            StageName: 'Proposal',
            CloseDate: '2026-12-12',
            CurrencyIsoCode: 'NZD',
            Pricebook2Id: standard,
            Unleashed_Order_Status_To_Create__c: 'Parked'
        });
        const lines = sim.org.tableByName('OpportunityLineItem');
        const api = (name: string) => lines.byName.get(name)!.apiName;
        for (const [code, quantity, price] of [
            ['WIDGET-RED', 6, 19.99],
            ['CABLE-2M', 3, 11.25]
        ] as const) {
            sim.org.create(lines, {
                [api('OpportunityId')]: oppId,
                [api('PricebookEntryId')]: entry(code).Id,
                [api('Quantity')]: quantity,
                [api('UnitPrice')]: price
            });
        }

        // The rep sends it from the Opportunity page.
        await open(`/lightning/r/Opportunity/${oppId}/view`);
        const dialog = 'c-unleashed-send-order';
        await page.click('[data-id="send-to-unleashed"]');
        for (const step of ['warehouse', 'customer', 'details']) {
            await page.locator(`${dialog} [data-step="${step}"]`).waitFor();
            await clickButton(dialog, 'next');
        }
        await page.locator(`${dialog} [data-id="total"]`).waitFor();
        await clickButton(dialog, 'send');
        await page.locator(`${dialog} [data-step="done"]`).waitFor();
        const orderNumber = (await text(`${dialog} [data-id="order-number"]`)).trim();
        const opportunity = () => sim.records('Opportunity').find((r) => r.Id === oppId)!;
        const guid = String(opportunity().unleashed__Unleashed_Order_Guid__c);
        const order = stack.unleashed.state.orders.find((o) => o.Guid === guid)!;
        expect(order.OrderNumber).toBe(orderNumber);
        const status = () => opportunity().unleashed__Unleashed_Order_Status__c;
        expect(status()).toBe('Parked');

        // In Unleashed the order is placed; the status comes back to the Opportunity (the demo's
        // middleware hears of it by webhook, or at its next poll).
        await inUnleashedUi(`orders/${guid}/status`, { status: 'Placed' });
        await until(async () => status() === 'Placed', 60_000);

        // It ships with NZ Post (a courier with a tracking page), which completes it, and is invoiced.
        const tracking = 'NZ400123456789';
        const shipment = await inUnleashedUi(`orders/${guid}/ship`, {
            courier: 'NZ Post',
            trackingNumber: tracking,
            complete: true
        });
        const invoice = await inUnleashedUi(`orders/${guid}/invoice`, { dueInDays: 20 });
        const ofOpportunity = (sobject: string) =>
            sim.records(sobject).filter((r) => r.unleashed__Opportunity__c === oppId);
        // Fails the test (never a silent pass) if the shipment, the invoice or the status never arrive.
        await until(
            async () =>
                status() === 'Completed' &&
                ofOpportunity('Unleashed_Shipment__c').length === 1 &&
                ofOpportunity('Unleashed_Invoice__c').length === 1,
            60_000
        );
        expect(ofOpportunity('Unleashed_Shipment__c')[0]).toMatchObject({
            Name: shipment.ShipmentNumber,
            unleashed__Courier__c: 'NZ Post',
            unleashed__Tracking_Number__c: tracking
        });
        // The rep who owns the Opportunity is told once that it shipped.
        expect(sim.apex.notifications.filter((n) => n.recordId === oppId)).toHaveLength(1);

        // The Opportunity page: the status, the shipment with its tracking link, the invoice.
        await open(`/lightning/r/Opportunity/${oppId}/view`);
        expect(await highlight('Unleashed Status')).toBe('Completed');
        const card = 'c-unleashed-sales-order';
        const fulfilment = `${card} c-unleashed-fulfilment`;
        await page.locator(`${fulfilment} [data-id="shipment"]`).waitFor();
        expect((await text(`${card} [data-id="order-number"]`)).trim()).toBe(orderNumber);
        expect((await text(`${card} [data-id="status"]`)).trim()).toBe('Completed');
        expect(await page.locator(`${fulfilment} [data-id="shipment"]`).count()).toBe(1);
        expect((await text(`${fulfilment} [data-id="shipment-number"]`)).trim()).toBe(
            `Shipment ${String(shipment.ShipmentNumber)}`
        );
        expect((await text(`${fulfilment} [data-id="shipment-status"]`)).trim()).toBe('Dispatched');
        expect((await text(`${fulfilment} [data-id="courier"]`)).trim()).toBe('NZ Post');
        const link = page.locator(`${fulfilment} [data-id="tracking-link"]`);
        expect((await link.innerText()).trim()).toBe(tracking);
        expect(await link.getAttribute('href')).toBe(
            `https://www.nzpost.co.nz/tools/tracking?trackid=${tracking}`
        );
        expect(await page.locator(`${fulfilment} [data-id="shipped-line"]`).allInnerTexts()).toEqual([
            'WIDGET-RED × 6',
            'CABLE-2M × 3'
        ]);
        expect(await page.locator(`${fulfilment} [data-id="invoice"]`).count()).toBe(1);
        expect((await text(`${fulfilment} [data-id="invoice-number"]`)).trim()).toBe(
            `Invoice ${String(invoice.InvoiceNumber)}`
        );
        expect(amount(await text(`${fulfilment} [data-id="invoice-total"]`))).toBe(order.Total.toFixed(2));
        await shot('fulfilment-opportunity');

        // The Account page, from the home page's list: the order among Acme's Unleashed history.
        await open('/');
        await page.locator('a', { hasText: 'Acme Ltd' }).click();
        await page.waitForURL(`**/lightning/r/Account/${acme}/view`);
        await page.waitForSelector('body[data-ready="true"]');
        const history = 'c-unleashed-account-history';
        await page.locator(`${history} [data-id="orders"]`).waitFor();
        expect((await text(`${history} [data-id="customer"]`)).trim()).toContain('(ACME)');
        const row = page
            .locator(`${history} [data-id="order"]`)
            .filter({ has: page.locator('[data-id="order-number"]', { hasText: orderNumber }) });
        expect(await row.count()).toBe(1);
        expect((await row.locator('[data-id="order-status"]').innerText()).trim()).toBe('Completed');
        expect(await row.locator('[data-id="from-salesforce"]').count()).toBe(1);
        expect(amount(await row.locator('[data-id="order-total"]').innerText())).toBe(order.Total.toFixed(2));
        const invoiceRow = page.locator(`${history} [data-id="invoice"]`).filter({
            has: page.locator('[data-id="invoice-number"]', { hasText: String(invoice.InvoiceNumber) })
        });
        expect(await invoiceRow.count()).toBe(1);
        expect((await invoiceRow.locator('[data-id="invoice-order"]').innerText()).trim()).toBe(
            `for ${orderNumber}`
        );
        await shot('account-history');
    });

    it('a rep must tick the confirmation of an unusually large total before Send', async () => {
        const oppId = recordId('Opportunity', 'Kangaroo Traders - AUD order');
        const dialog = 'c-unleashed-send-order';
        // An administrator's threshold below this order's total.
        const settings = stack.org.settings;
        stack.org.settings = { ...settings, Large_Order_Total__c: 100 };
        try {
            await open(`/lightning/r/Opportunity/${oppId}/view`);
            await page.click('[data-id="send-to-unleashed"]');
            await page.locator(`${dialog} [data-step="warehouse"]`).waitFor();
            await clickButton(dialog, 'next');
            await clickButton(dialog, 'next');
            await clickButton(dialog, 'next');
            const confirmation = page.locator(`${dialog} [data-id="confirmations"] lightning-input`);
            await confirmation.first().waitFor();
            expect(await confirmation.count()).toBe(1);
            expect(await confirmation.first().innerText()).toContain('The order totals');
            const send = page.locator(`${dialog} lightning-button[data-id="send"] button`);
            expect(await send.isDisabled()).toBe(true);

            // The SLDS checkbox is drawn beside a hidden input: the rep clicks its label.
            await confirmation.first().locator('label').click();
            await until(async () => !(await send.isDisabled()));
            await clickButton(dialog, 'send');
            await page.locator(`${dialog} [data-step="done"]`).waitFor();
            const orderNumber = (await text(`${dialog} [data-id="order-number"]`)).trim();
            expect(
                stack.unleashed.state.orders.filter(
                    (o) => o.OrderNumber === orderNumber && o.Customer.CustomerCode === 'KANGA'
                )
            ).toHaveLength(1);
        } finally {
            stack.org.settings = settings;
        }
    });

    it('an admin imports from Unleashed, follows the progress bar to 100 % and sees the counts', async () => {
        await open('/lightning/n/Unleashed_Admin');
        const card = 'c-unleashed-import';
        const quotaText = `${card} [data-id="quota-text"]`;
        await page.locator(quotaText).waitFor();
        await page.locator(`c-unleashed-setup [data-id="quota-text"]`).waitFor();
        const usedBefore = callsUsed(await text(quotaText));
        const callsBefore = stack.unleashed.callCount();
        const sf = stack.salesforce;
        const productsBefore = sf.records('Product2').length;
        const entriesBefore = sf.records('PricebookEntry').length;
        const catalog = stack.unleashed.state.products;
        const unleashedCodes = Array.from({ length: catalog.size }, (_, i) => catalog.code(i)).sort();
        expect(importedCodes().length).toBeLessThan(unleashedCodes.length);
        expect(await page.locator(`${card} [data-id="job"]`).count()).toBe(0);

        // Unleashed answers each call after a while, as the real one does, so the job takes several
        // of the component's two-second polls.
        stack.unleashed.setFaults({ latencyMs: 600 });
        const bar = page.locator(`${card} lightning-progress-bar[data-id="progress"] [role="progressbar"]`);
        const status = `${card} [data-id="status"]`;
        const seen: { status: string; value: number }[] = [];
        try {
            await clickButton(card, 'start');
            await bar.waitFor();
            const deadline = Date.now() + 90_000;
            for (;;) {
                const now = {
                    status: (await text(status)).trim(),
                    value: Number(await bar.getAttribute('aria-valuenow'))
                };
                const previous = seen[seen.length - 1];
                if (!previous || previous.status !== now.status || previous.value !== now.value) {
                    seen.push(now);
                    if (now.status === 'Running' && now.value > 0 && now.value < 100)
                        await shot('import-running');
                }
                if (!['Queued', 'Running'].includes(now.status)) break;
                if (Date.now() > deadline)
                    throw new Error(`the import is still ${now.status}: ${JSON.stringify(seen)}`);
                await page.waitForTimeout(100);
            }
        } finally {
            stack.unleashed.setFaults({ latencyMs: 0 });
        }

        // The bar moved forward only, through at least one state part-way, and ended full.
        const values = seen.map((s) => s.value);
        expect(values).toEqual([...values].sort((a, b) => a - b));
        expect(seen.some((s) => s.status === 'Running' && s.value > 0 && s.value < 100)).toBe(true);
        expect(seen[seen.length - 1]).toEqual({ status: 'Succeeded', value: 100 });
        expect(await text(`${card} [data-id="succeeded"]`)).toBe('Every record was imported.');
        const [done, total] = (await text(`${card} [data-id="progress-text"]`)).match(/[\d,]+/g)!.map(count);
        expect(done).toBe(total);

        // The counts are what the org now holds: its job record, written by the middleware's progress
        // events, and the products and price book entries the import created.
        const shown = Object.fromEntries(
            [...(await text(`${card} [data-id="counts"]`)).matchAll(/(\w+) ([\d,]+)/g)].map((m) => [
                m[1],
                count(m[2]!)
            ])
        );
        const [job] = sf.records('Unleashed_Import_Job__c');
        expect(job).toMatchObject({ unleashed__Status__c: 'Succeeded', unleashed__Done__c: done });
        expect(shown).toEqual({
            Created: job!.unleashed__Created_Count__c,
            Updated: job!.unleashed__Updated_Count__c,
            Unchanged: job!.unleashed__Unchanged_Count__c,
            Failed: 0
        });
        expect(shown.Created).toBe(
            sf.records('Product2').length -
                productsBefore +
                sf.records('PricebookEntry').length -
                entriesBefore
        );
        // Every Unleashed product is a Product2 with its Unleashed code.
        expect(importedCodes()).toEqual(unleashedCodes);
        expect(await text('[data-toast="success"]')).toContain(
            `${shown.Created!.toLocaleString('en-NZ')} created`
        );

        // Once the job is done the card reads its state again: every kind of record shows when it was
        // last imported, and the quota meter counts the import's calls to Unleashed.
        const lastRuns = page.locator(`${card} [data-id="last-runs"] dd`);
        await until(async () => !(await lastRuns.allInnerTexts()).includes('Never'));
        const usedAfter = await until(async () => {
            const used = callsUsed(await text(quotaText));
            return used > usedBefore ? used : null;
        });
        expect(usedAfter).toBeGreaterThan(0);
        expect(usedAfter - usedBefore).toBe(stack.unleashed.callCount() - callsBefore);
        await shot('import-done');
    });

    it('an admin sees why Unleashed refused new API credentials', async () => {
        await open('/lightning/n/Unleashed_Admin');
        const setup = 'c-unleashed-setup';
        await page
            .locator(`${setup} lightning-input[data-id="api-id"] input`)
            .fill('11111111-2222-4333-8444-555555555555');
        await page
            .locator(`${setup} lightning-input[data-id="api-key"] input`)
            .fill('not-the-key-of-this-unleashed-account');
        await clickButton(setup, 'save');
        const error = page.locator(`${setup} [data-id="form-error"]`);
        await error.waitFor();
        expect(await error.innerText()).toContain(
            'Unleashed did not accept the API credentials: Copy the API ID and API Key again from Unleashed'
        );
        // The working credentials stay: the connection still shows as connected.
        expect(await text(`${setup} [data-id="status"]`)).toBe('Connected to Unleashed');
        await shot('setup-credentials-rejected');
    });

    describe('components fit at 420, 768 and 1280 px', () => {
        it('the Product page', async () => {
            const id = recordId('Product2', 'Blue widget');
            await expectFitAtEveryWidth('product', ['c-unleashed-stock-panel'], async () => {
                await open(`/lightning/r/Product2/${id}/view`);
                await page.locator('c-unleashed-stock-panel [data-id="as-of"]').waitFor();
            });
        });

        it('the Opportunity page, with its stock and its sales order', async () => {
            const id = recordId('Opportunity', 'Kangaroo Traders - AUD order');
            await sendThroughTheBridge(id);
            await expectFitAtEveryWidth(
                'opportunity',
                ['c-unleashed-stock-panel', 'c-unleashed-sales-order'],
                async () => {
                    await open(`/lightning/r/Opportunity/${id}/view`);
                    await page.locator('c-unleashed-stock-panel [data-id="as-of"]').waitFor();
                    await page.locator('c-unleashed-sales-order [data-id="order-lines"] table').waitFor();
                },
                { 420: 'opportunity-narrow' }
            );
        });

        it('the Account page, with its Unleashed history', async () => {
            const id = recordId('Account', 'Acme Ltd');
            await expectFitAtEveryWidth('account', ['c-unleashed-account-history'], async () => {
                await open(`/lightning/r/Account/${id}/view`);
                await page.locator('c-unleashed-account-history [data-id="orders"]').waitFor();
            });
        });

        it('the Send to Unleashed dialog, warehouse and review steps', async () => {
            const id = recordId('Opportunity', 'Beta Builders - fit-out');
            const dialog = 'c-unleashed-send-order';
            await expectFitAtEveryWidth('send-warehouse', [dialog], async () => {
                await open(`/lightning/r/Opportunity/${id}/view`);
                await page.click('[data-id="send-to-unleashed"]');
                await page.locator(`${dialog} [data-step="warehouse"]`).waitFor();
                await page.locator(`${dialog} c-unleashed-stock-panel [data-id="as-of"]`).waitFor();
            });
            const acme = recordId('Opportunity', 'Acme - widget restock');
            await expectFitAtEveryWidth('send-review', [dialog], async () => {
                await open(`/lightning/r/Opportunity/${acme}/view`);
                await page.click('[data-id="send-to-unleashed"]');
                for (const step of ['warehouse', 'customer', 'details']) {
                    await page.locator(`${dialog} [data-step="${step}"]`).waitFor();
                    await clickButton(dialog, 'next');
                }
                await page.locator(`${dialog} c-unleashed-order-lines table`).waitFor();
            });
        });

        it('the Unleashed Admin tab', async () => {
            const components = [
                'c-unleashed-import',
                'c-unleashed-setup',
                'c-unleashed-sync-log',
                'c-unleashed-field-mappings'
            ];
            await expectFitAtEveryWidth('admin', components, async () => {
                await open('/lightning/n/Unleashed_Admin');
                await page.locator('c-unleashed-import [data-id="quota-text"]').waitFor();
                await page.locator('c-unleashed-setup [data-id="status"]').waitFor();
                await page.locator('c-unleashed-field-mappings [data-id="summary"]').waitFor();
            });
        });
    });

    it('stock on an Opportunity whose order was placed does not count its own allocation against it', async () => {
        const id = recordId('Opportunity', 'Jane Citizen - home order');
        const state = stack.unleashed.state;
        const p = state.products.indexOfCode('WIDGET-GREEN');
        const w = state.warehouseIndexByCode('MAIN');
        const cellNow = () => state.stock.cell(p, w)!;
        // Exactly the line's 3 available in MAIN before the order is placed.
        state.stock.adjust(
            p,
            w,
            { onHand: new Decimal(3).minus(cellNow().onHand.minus(cellNow().allocated)) },
            0
        );
        const guid = await sendThroughTheBridge(id);
        // Someone places the order in Unleashed: Unleashed allocates its lines.
        const order = state.orders.find((o) => o.Guid === guid)!;
        expect(order.Warehouse.WarehouseCode).toBe('MAIN');
        order.OrderStatus = 'Placed';
        for (const line of order.SalesOrderLines) {
            state.stock.adjust(
                state.products.indexOfGuid(line.Product!.Guid),
                w,
                { allocated: line.OrderQuantity },
                0
            );
        }
        expect(cellNow().onHand.minus(cellNow().allocated).toString()).toBe('0');

        await open(`/lightning/r/Opportunity/${id}/view`);
        const panel = 'c-unleashed-stock-panel';
        const cell = page.locator(`${panel} [data-id="available"][data-warehouse="MAIN"]`).first();
        await cell.waitFor();
        expect(await cell.innerText()).toContain('3');
        expect(await page.locator(`${panel} [data-id="short"]`).count()).toBe(0);
        expect(await text(`${panel} [data-id="own-order"]`)).toContain('3 allocated to this order');
        expect(await text(`${panel} [data-id="summary"]`)).toContain('The line is fully available in Main');
        await page.locator(`${panel} lightning-input[data-id="figures-toggle"] label`).click();
        expect(await text(`${panel} [data-id="figures"]`)).toMatch(
            /^On hand [\d,]+\s+Allocated [\d,]+\s+On purchase [\d,]+$/
        );
        await shot('opportunity-stock-own-order');
    });

    it('a rep is told plainly when the middleware is down', async () => {
        await stack.middleware.close();
        await open(`/lightning/r/Product2/${recordId('Product2', 'Blue widget')}/view`);
        const error = page.locator('c-unleashed-stock-panel [data-id="error"]');
        await error.waitFor();
        expect(await error.innerText()).toContain(
            'Stock is not available right now: The Unleashed connector service could not be reached: Connection refused'
        );
        await shot('stock-middleware-down');
    });
});
