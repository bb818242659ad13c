import { orderGuidOf, parseWebhookPayload } from '../../../src/sync/status/webhook';

/** Delivery bodies as public receivers show them: camelCase or PascalCase, `data` as text or object. */

const GUID = '5A1E0000-0000-4000-8000-00000000B001';

describe('parseWebhookPayload', () => {
    it.each([
        [
            'camelCase, data as a JSON string',
            {
                eventType: 'salesorder.updated',
                eventNotificationId: 'n1',
                data: `{"salesOrderGuid":"${GUID}"}`
            }
        ],
        [
            'camelCase, data as an object',
            { eventType: 'salesorder.updated', eventNotificationId: 'n1', data: { salesOrderGuid: GUID } }
        ],
        [
            'PascalCase with ObjectId',
            { EventType: 'salesorder.updated', EventNotificationId: 'n1', ObjectId: GUID, Data: {} }
        ],
        [
            'PascalCase, Data as a JSON string',
            {
                EventType: 'salesorder.updated',
                EventNotificationId: 'n1',
                Data: `{"SalesOrderGuid":"${GUID}"}`
            }
        ]
    ])('%s', (_name, body) => {
        const p = parseWebhookPayload(body);
        expect(p).toMatchObject({ eventType: 'salesorder.updated', eventNotificationId: 'n1' });
        expect(orderGuidOf(p)).toBe(GUID.toLowerCase());
    });

    it('refuses a body without an event type or notification id, in either casing', () => {
        expect(() => parseWebhookPayload({ EventNotificationId: 'n1' })).toThrow();
        expect(() => parseWebhookPayload({ eventType: 'salesorder.updated' })).toThrow();
        expect(() => parseWebhookPayload([])).toThrow(/not a JSON object/);
    });

    it('finds no order in unreadable or foreign data', () => {
        const base = { eventType: 'salesorder.updated', eventNotificationId: 'n1' };
        expect(orderGuidOf(parseWebhookPayload({ ...base, data: '{not json' }))).toBeNull();
        expect(orderGuidOf(parseWebhookPayload({ ...base, data: { salesOrderGuid: 'x' } }))).toBeNull();
    });
});
