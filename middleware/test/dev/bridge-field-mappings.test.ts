import type { ApexContext } from '../../src/dev/bridge/context';
import { getFieldMappings, shippedMappings } from '../../src/dev/bridge/field-mappings';

/**
 * The preview's UnleashedFieldMappingController: the mappings the package ships, checked as
 * UnleashedFieldMappings checks them (object, field, the user's read access).
 */

function orgWith(objects: Record<string, string[]>, unreadableFields: string[] = []): ApexContext {
    return {
        org: {
            unreadableFields,
            data: {
                describeFields: async (sobject: string) => {
                    const names = objects[sobject];
                    if (!names) throw new Error(`sObject type '${sobject}' is not supported.`);
                    return names.map((name) => ({ name, label: name, type: 'string' }));
                }
            }
        }
    } as unknown as ApexContext;
}

describe('field mappings in the preview', () => {
    it('reads the records the package ships, by name', () => {
        expect(
            shippedMappings().map((m) => [m.name, m.target, `${m.sourceObject}.${m.sourceField}`, m.active])
        ).toEqual([
            ['Opportunity_Description', 'Comments', 'Opportunity.Description', false],
            ['Order_Description', 'Comments', 'Order.Description', false],
            ['Order_Item_Description', 'LineComment', 'OrderItem.Description', true],
            ['Order_PO_Number', 'CustomerRef', 'Order.PoNumber', true]
        ]);
    });

    it('reports an object the org lacks, and a field the user cannot read', async () => {
        const rows = await getFieldMappings(orgWith({ Opportunity: ['Id', 'description'] }));
        expect(rows.map((r) => [r.name, r.sourceField, r.problem])).toEqual([
            ['Opportunity_Description', 'description', null],
            [
                'Order_Description',
                'Description',
                'The object Order is not available in this org (Orders may not be enabled).'
            ],
            [
                'Order_Item_Description',
                'Description',
                'The object OrderItem is not available in this org (Orders may not be enabled).'
            ],
            [
                'Order_PO_Number',
                'PoNumber',
                'The object Order is not available in this org (Orders may not be enabled).'
            ]
        ]);
        const hidden = await getFieldMappings(
            orgWith({ Opportunity: ['Description'], Order: ['Description'], OrderItem: [] }, [
                'Order.Description'
            ])
        );
        expect(hidden.map((r) => r.problem)).toEqual([
            null,
            'You cannot read Order.Description. Ask an administrator for read access, or the order is sent without it.',
            'OrderItem has no field "Description". Use the field\'s API name.',
            'Order has no field "PoNumber". Use the field\'s API name.'
        ]);
    });
});
