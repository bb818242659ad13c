import type { SimState } from '../sandbox/unleashed-sim';
import type { SalesforceWriter } from '../salesforce/types';

/**
 * The Unleashed reference data the demo org starts with (warehouses, sales taxes, sales persons,
 * delivery methods, sales order groups), copied from the Unleashed simulator's account as an import would bring it in,
 * so the send dialog has its choices before anyone runs "Import from Unleashed". Upserts by the
 * Unleashed GUID, so starting the demo again changes nothing.
 */
export async function seedReferenceData(writer: SalesforceWriter, state: SimState): Promise<void> {
    const defaultRate = state.companies[0]?.DefaultTaxRate;
    // Only taxes that apply to sales: the ones an order can carry.
    const taxes = state.taxes.filter((t) => t.CanApplyToRevenue);
    const defaultTax = taxes.find(
        (t) => !t.Obsolete && defaultRate !== undefined && t.TaxRate.eq(defaultRate)
    );
    const results = await Promise.all([
        writer.upsert(
            'Unleashed_Warehouse__c',
            'Unleashed_Guid__c',
            state.warehouses.map((w) => ({
                Name: w.WarehouseName,
                Unleashed_Guid__c: w.Guid,
                Warehouse_Code__c: w.WarehouseCode,
                Is_Default__c: w.IsDefault,
                Obsolete__c: w.Obsolete,
                Address_Line_1__c: w.AddressLine1,
                Address_Line_2__c: w.AddressLine2,
                City__c: w.City,
                Region__c: w.Region,
                Country__c: w.Country,
                Post_Code__c: w.PostCode
            }))
        ),
        writer.upsert(
            'Unleashed_Tax__c',
            'Unleashed_Guid__c',
            taxes.map((t) => ({
                Name: t.TaxCode,
                Unleashed_Guid__c: t.Guid,
                Tax_Code__c: t.TaxCode,
                Description__c: t.Description,
                Tax_Rate__c: Number(t.TaxRate.times(100).toString()),
                Tax_Rate_Fraction__c: t.TaxRate.toString(),
                Can_Apply_To_Revenue__c: t.CanApplyToRevenue,
                Is_Default__c: t === defaultTax,
                Obsolete__c: t.Obsolete
            }))
        ),
        writer.upsert(
            'Unleashed_Sales_Person__c',
            'Unleashed_Guid__c',
            state.salesPersons.map((s) => ({
                Name: s.FullName,
                Unleashed_Guid__c: s.Guid,
                Email__c: s.Email,
                Obsolete__c: s.Obsolete
            }))
        ),
        writer.upsert(
            'Unleashed_Delivery_Method__c',
            'Unleashed_Guid__c',
            state.deliveryMethods.map((d) => ({
                Name: d.Name,
                Unleashed_Guid__c: d.Guid,
                Obsolete__c: d.Obsolete
            }))
        ),
        writer.upsert(
            'Unleashed_Sales_Order_Group__c',
            'Unleashed_Guid__c',
            state.salesOrderGroups.map((g) => ({
                Name: g.GroupName,
                Unleashed_Guid__c: g.Guid,
                Obsolete__c: g.Obsolete
            }))
        )
    ]);
    const failed = results.flat().filter((r) => !r.success);
    if (failed.length > 0) {
        const first = failed[0]?.errors[0];
        throw new Error(
            `The demo org's reference data could not be written: ${failed.length} record(s) failed, first: ${first?.statusCode ?? ''} ${first?.message ?? ''}`
        );
    }
}
