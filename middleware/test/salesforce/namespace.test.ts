import {
    applyNamespace,
    namespaceRecord,
    namespaceSoql,
    removeNamespace,
    stripRecord
} from '../../src/salesforce/namespace';
import { bulkColumns, parseBulkError, toBulkCsv } from '../../src/salesforce/bulk-csv';
import Decimal from 'decimal.js';

describe('applyNamespace', () => {
    it('prefixes custom names only, once', () => {
        expect(applyNamespace('Unleashed_Warehouse__c', 'unleashed')).toBe(
            'unleashed__Unleashed_Warehouse__c'
        );
        expect(applyNamespace('Unleashed_Sales_Tax__r', 'unleashed')).toBe(
            'unleashed__Unleashed_Sales_Tax__r'
        );
        expect(applyNamespace('unleashed__Unleashed_Warehouse__c', 'unleashed')).toBe(
            'unleashed__Unleashed_Warehouse__c'
        );
        expect(applyNamespace('other__Thing__c', 'unleashed')).toBe('other__Thing__c');
        for (const standard of ['Account', 'Name', 'AccountId', 'Product2', 'CurrencyIsoCode']) {
            expect(applyNamespace(standard, 'unleashed')).toBe(standard);
        }
        expect(applyNamespace('Unleashed_Warehouse__c', '')).toBe('Unleashed_Warehouse__c');
    });

    it('works per segment of a relationship path and reverses', () => {
        expect(applyNamespace('Unleashed_Sales_Tax__r.Unleashed_Guid__c', 'ns')).toBe(
            'ns__Unleashed_Sales_Tax__r.ns__Unleashed_Guid__c'
        );
        expect(applyNamespace('Account.Unleashed_Customer_Code__c', 'ns')).toBe(
            'Account.ns__Unleashed_Customer_Code__c'
        );
        expect(removeNamespace('Account.ns__Unleashed_Customer_Code__c', 'ns')).toBe(
            'Account.Unleashed_Customer_Code__c'
        );
        expect(removeNamespace('other__X__c', 'ns')).toBe('other__X__c');
    });

    it('prefixes record keys, references and attributes.type', () => {
        expect(
            namespaceRecord(
                {
                    attributes: { type: 'Product2' },
                    Name: 'P',
                    Unleashed_Guid__c: 'g',
                    Unleashed_Sales_Tax__r: { Unleashed_Guid__c: 't' },
                    Unleashed_Last_Imported__c: new Date(0)
                },
                'ns'
            )
        ).toEqual({
            attributes: { type: 'Product2' },
            Name: 'P',
            ns__Unleashed_Guid__c: 'g',
            ns__Unleashed_Sales_Tax__r: { ns__Unleashed_Guid__c: 't' },
            ns__Unleashed_Last_Imported__c: new Date(0)
        });
    });

    it('prefixes SOQL names but not string literals', () => {
        expect(
            namespaceSoql(
                "SELECT Id, Name, Unleashed_Sales_Tax__r.Name FROM Unleashed_Tax__c WHERE Tax_Code__c = 'X__c' AND Is_Default__c = true",
                'ns'
            )
        ).toBe(
            "SELECT Id, Name, ns__Unleashed_Sales_Tax__r.Name FROM ns__Unleashed_Tax__c WHERE ns__Tax_Code__c = 'X__c' AND ns__Is_Default__c = true"
        );
        expect(
            namespaceSoql(
                "SELECT Id FROM Account WHERE Name = 'it\\'s A__c' AND CreatedDate > 2024-01-01T00:00:00Z",
                'ns'
            )
        ).toBe("SELECT Id FROM Account WHERE Name = 'it\\'s A__c' AND CreatedDate > 2024-01-01T00:00:00Z");
    });

    it('strips prefixes and attributes from query results all the way down', () => {
        expect(
            stripRecord(
                {
                    attributes: { type: 'ns__T__c' },
                    ns__A__c: 1,
                    ns__P__r: { attributes: {}, Name: 'x', ns__B__c: null },
                    Lines__r: { totalSize: 1, records: [{ attributes: {}, ns__C__c: 2 }] }
                },
                'ns'
            )
        ).toEqual({
            A__c: 1,
            P__r: { Name: 'x', B__c: null },
            Lines__r: { totalSize: 1, records: [{ C__c: 2 }] }
        });
    });
});

describe('bulk CSV', () => {
    it('writes our header, quotes what needs quoting, #N/A for null, empty for absent', () => {
        const records = [
            {
                Code__c: 'A',
                Name: 'Plain',
                Price__c: new Decimal('19.990'),
                Active__c: true,
                Tax__r: { Guid__c: 'g1' }
            },
            { Code__c: 'B', Name: 'Comma, "quoted"\nline', Price__c: 0.1, Active__c: false, Notes__c: null },
            { Code__c: 'C', Name: ' padded', Price__c: 3 }
        ];
        const columns = bulkColumns(records, 'Code__c');
        expect(columns).toEqual(['Code__c', 'Name', 'Price__c', 'Active__c', 'Tax__r.Guid__c', 'Notes__c']);
        expect(toBulkCsv(records, columns)).toBe(
            'Code__c,Name,Price__c,Active__c,Tax__r.Guid__c,Notes__c\n' +
                'A,Plain,19.99,true,g1,\n' +
                'B,"Comma, ""quoted""\nline",0.1,false,,#N/A\n' +
                'C," padded",3,,,\n'
        );
        expect(() => toBulkCsv([{ Code__c: 'X', N__c: Number.NaN }], ['Code__c', 'N__c'])).toThrow(/N__c/);
    });

    it('reads failed-row error texts', () => {
        expect(
            parseBulkError('STRING_TOO_LONG:Name: data value too large: xxx (max length=80):Name --')
        ).toEqual([
            {
                statusCode: 'STRING_TOO_LONG',
                message: 'Name: data value too large: xxx (max length=80)',
                fields: ['Name']
            }
        ]);
        expect(
            parseBulkError(
                'INVALID_FIELD:Foreign key external ID: t9 not found for field G__c in entity T__c: --'
            )
        ).toEqual([
            {
                statusCode: 'INVALID_FIELD',
                message: 'Foreign key external ID: t9 not found for field G__c in entity T__c',
                fields: []
            }
        ]);
        expect(parseBulkError('something odd')).toEqual([
            { statusCode: 'UNKNOWN_EXCEPTION', message: 'something odd', fields: [] }
        ]);
    });
});
