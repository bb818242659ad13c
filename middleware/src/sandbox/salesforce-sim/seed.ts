import type { SimOrg } from './org';
import type { SimUser } from './oauth';

/**
 * Seeds. `empty`: the API user and the standard price book only (a fresh org has both).
 * `demo`: a small sales org whose product codes and customer codes match the Unleashed
 * simulator's demo seed: business accounts (one linked to an Unleashed customer, one in AUD, one
 * with a contact who is the primary contact of its Opportunity), a Person Account, products with standard (NZD) and AUD prices, and open opportunities with
 * line items, one of them in AUD; and a Salesforce Order for Acme with two Order Products and a PO number.
 */

export type SeedName = 'demo' | 'empty';

export const DEMO_USERNAME = 'demo@unleashed-connector.example';

export function seedOrg(org: SimOrg, seed: SeedName): SimUser[] {
    const userId = org.insertRaw('User', {
        Username: DEMO_USERNAME,
        FirstName: 'Demo',
        LastName: 'Admin',
        Name: 'Demo Admin',
        Email: DEMO_USERNAME,
        IsActive: true
    });
    org.currentUserId = userId;
    const users: SimUser[] = [
        { id: userId, username: DEMO_USERNAME, email: DEMO_USERNAME, name: 'Demo Admin' }
    ];
    const standard = org.insertRaw('Pricebook2', {
        Name: 'Standard Price Book',
        IsActive: true,
        IsStandard: true
    });
    if (seed === 'empty') return users;

    const accounts = {
        acme: org.insertRaw('Account', {
            Name: 'Acme Ltd',
            Phone: '+64 9 555 0100',
            BillingStreet: '1 Queen Street',
            BillingCity: 'Auckland',
            BillingPostalCode: '1010',
            BillingCountry: 'New Zealand',
            ShippingStreet: '12 Depot Road',
            ShippingCity: 'Auckland',
            ShippingPostalCode: '1060',
            ShippingCountry: 'New Zealand',
            CurrencyIsoCode: 'NZD',
            Unleashed_Customer_Code__c: 'ACME'
        }),
        beta: org.insertRaw('Account', {
            Name: 'Beta Builders',
            BillingStreet: '40 Victoria Street',
            BillingCity: 'Wellington',
            BillingPostalCode: '6011',
            BillingCountry: 'New Zealand',
            CurrencyIsoCode: 'NZD'
        }),
        kanga: org.insertRaw('Account', {
            Name: 'Kangaroo Traders Pty Ltd',
            BillingStreet: '200 George Street',
            BillingCity: 'Sydney',
            BillingState: 'NSW',
            BillingPostalCode: '2000',
            BillingCountry: 'Australia',
            CurrencyIsoCode: 'AUD',
            Unleashed_Customer_Code__c: 'KANGA',
            Unleashed_Currency__c: 'AUD'
        }),
        person: org.insertRaw('Account', {
            FirstName: 'Jane',
            LastName: 'Citizen',
            Name: 'Jane Citizen',
            IsPersonAccount: true,
            PersonEmail: 'jane.citizen@example.com',
            Phone: '+64 21 555 0199',
            ShippingStreet: '7 Beach Road',
            ShippingCity: 'Tauranga',
            ShippingPostalCode: '3110',
            ShippingCountry: 'New Zealand',
            CurrencyIsoCode: 'NZD'
        })
    };

    const products: Record<string, { id: string; nzd: string; aud: string | null }> = {};
    const catalogue: [string, string, number, number | null][] = [
        ['WIDGET-BLUE', 'Blue widget', 19.99, 18.5],
        ['WIDGET-RED', 'Red widget', 19.99, 18.5],
        ['WIDGET-GREEN', 'Green widget', 21.45, null],
        ['GADGET-100', 'Gadget 100', 149, 139],
        ['CABLE-2M', 'Cable, 2 m', 11.25, null],
        ['BOLT-M6', 'Bolt M6 x 30', 0.35, null],
        ['NO-CODE-ITEM', 'Product without an Unleashed code', 5, null]
    ];
    for (const [code, name, nzd, aud] of catalogue) {
        const linked = code !== 'NO-CODE-ITEM';
        const id = org.insertRaw('Product2', {
            Name: name,
            ProductCode: code,
            IsActive: true,
            Family: 'Hardware',
            CurrencyIsoCode: 'NZD',
            Unleashed_Product_Code__c: linked ? code : null
        });
        const entry = (price: number, currency: string) =>
            org.insertRaw('PricebookEntry', {
                Pricebook2Id: standard,
                Product2Id: id,
                UnitPrice: price,
                IsActive: true,
                CurrencyIsoCode: currency,
                Name: name,
                ProductCode: code
            });
        products[code] = { id, nzd: entry(nzd, 'NZD'), aud: aud === null ? null : entry(aud, 'AUD') };
    }

    const opportunity = (
        name: string,
        accountId: string,
        currency: string,
        lines: [string, number, number][]
    ) => {
        const oppId = org.insertRaw('Opportunity', {
            Name: name,
            AccountId: accountId,
            StageName: 'Proposal',
            CloseDate: '2026-12-01',
            CurrencyIsoCode: currency,
            Pricebook2Id: standard,
            Unleashed_Order_Status_To_Create__c: 'Parked'
        });
        lines.forEach(([code, quantity, price], i) => {
            const p = products[code]!;
            const entryId = currency === 'AUD' ? p.aud! : p.nzd;
            const lines = org.tableByName('OpportunityLineItem');
            const f = (name: string) => lines.byName.get(name)!.apiName;
            org.create(lines, {
                [f('OpportunityId')]: oppId,
                [f('PricebookEntryId')]: entryId,
                [f('Quantity')]: quantity,
                [f('UnitPrice')]: price,
                [f('SortOrder')]: i + 1
            });
        });
        return oppId;
    };
    opportunity('Acme - widget restock', accounts.acme, 'NZD', [
        ['WIDGET-BLUE', 10, 19.99],
        ['WIDGET-RED', 5, 19.99],
        ['GADGET-100', 1, 149]
    ]);
    const betaOpp = opportunity('Beta Builders - fit-out', accounts.beta, 'NZD', [
        ['CABLE-2M', 20, 11.25],
        ['BOLT-M6', 500, 0.35],
        ['NO-CODE-ITEM', 2, 5]
    ]);
    // A business Account's contact: who a new Unleashed customer would have as its contact.
    const ben = org.insertRaw('Contact', {
        AccountId: accounts.beta,
        FirstName: 'Ben',
        LastName: 'Baxter',
        Name: 'Ben Baxter',
        Email: 'ben.baxter@betabuilders.example',
        Phone: '+64 4 555 0142'
    });
    org.insertRaw('OpportunityContactRole', {
        OpportunityId: betaOpp,
        ContactId: ben,
        IsPrimary: true,
        Role: 'Decision Maker'
    });
    opportunity('Kangaroo Traders - AUD order', accounts.kanga, 'AUD', [
        ['WIDGET-BLUE', 24, 18.5],
        ['GADGET-100', 2, 139]
    ]);
    opportunity('Jane Citizen - home order', accounts.person, 'NZD', [['WIDGET-GREEN', 3, 21.45]]);

    // A Salesforce Order (Orders enabled) with its customer's purchase order number, as many B2B orgs
    // take orders: no name of its own (Salesforce titles it by its Order Number).
    const orderId = org.insertRaw('Order', {
        AccountId: accounts.acme,
        EffectiveDate: '2026-12-03',
        Status: 'Draft',
        PoNumber: 'PO-4471',
        Description: 'Monthly top-up for the Auckland depot',
        Pricebook2Id: standard,
        CurrencyIsoCode: 'NZD',
        Unleashed_Order_Status_To_Create__c: 'Parked'
    });
    const items = org.tableByName('OrderItem');
    const item = (name: string) => items.byName.get(name)!.apiName;
    for (const [code, quantity, price] of [
        ['WIDGET-BLUE', 12, 19.99],
        ['CABLE-2M', 6, 11.25]
    ] as const) {
        org.create(items, {
            [item('OrderId')]: orderId,
            [item('PricebookEntryId')]: products[code]!.nzd,
            [item('Quantity')]: quantity,
            [item('UnitPrice')]: price
        });
    }
    return users;
}
