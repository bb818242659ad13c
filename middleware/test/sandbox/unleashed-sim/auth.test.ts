import {
    DEMO_API_ID,
    DEMO_API_KEY,
    signQuery,
    startUnleashedSim,
    type UnleashedSim
} from '../../../src/sandbox/unleashed-sim';
import { caller, sign, type Caller } from './sim-client';

const VECTOR_KEY_1 =
    'sq7Uz7ChGPC2oC2ZCiFFIAvXix7rTjWBzSPKY7w69uPJoOmvIbZCiUAuB6pbAeGqkpym9347ALqShWX8j2CFkQ==';
const VECTOR_KEY_2 = 'li0PveO71YKrvPg8SUBVJ0FNMqKL352LKi21bT8698CtCqyzg8cTUtbYAM2LSI49ghMSLXCnsexrAoAQoIQ==';
const VECTOR_ID = '11111111-2222-4333-8444-555555555555';

describe('signature (published test vectors)', () => {
    it.each([
        [VECTOR_KEY_1, '', 'f6tsD9YgjXRuAsKFe1NKMr3dKdB8hHsnUep35hz5ukU='],
        [VECTOR_KEY_1, 'a=b&c=d', 'q6npNDkHLOyuRxAAinvUThJHJILA08j68E1J6g947Ek='],
        [VECTOR_KEY_2, '', 'aJAWxUbG7BpVcL1i4TPrEO/91QfP/2ryYv1yTIMlq9o=']
    ])('key %#: HMAC of %j', (key, query, expected) => {
        expect(sign(key, query)).toBe(expected);
        expect(signQuery(key, query)).toBe(expected);
    });
});

describe('authentication over HTTP', () => {
    let sim: UnleashedSim;
    let call: Caller;
    beforeAll(async () => {
        sim = await startUnleashedSim({
            credentials: [
                { apiId: DEMO_API_ID, apiKey: DEMO_API_KEY },
                { apiId: VECTOR_ID, apiKey: VECTOR_KEY_1 }
            ]
        });
        call = caller(sim.url);
    });
    afterAll(() => sim.close());
    afterEach(() =>
        sim.setSettings({
            verifyQueryAs: 'decoded',
            requireAccept: true,
            acceptErrorStatus: 406,
            errorShape: 'description',
            requireClientType: true
        })
    );

    it('accepts a correctly signed call', async () => {
        const r = await call('GET', '/Currencies');
        expect(r.status).toBe(200);
        expect(r.body.Items.map((c: { CurrencyCode: string }) => c.CurrencyCode)).toEqual(['NZD', 'AUD']);
    });

    it('answers 403 to a bad signature, an unknown id and a missing signature', async () => {
        const bad = await call('GET', '/Currencies?pageSize=5', { signAs: 'pageSize=6' });
        expect(bad.status).toBe(403);
        expect(bad.body.Description).toMatch(/signature/);
        const wrongKey = await call('GET', '/Currencies', { apiKey: VECTOR_KEY_2 });
        expect(wrongKey.status).toBe(403);
        const unknown = await call('GET', '/Currencies', { apiId: '99999999-2222-4333-8444-555555555555' });
        expect(unknown.status).toBe(403);
        const missing = await call('GET', '/Currencies', { headers: { 'api-auth-signature': undefined } });
        expect(missing.status).toBe(403);
        expect(sim.callCount()).toBeGreaterThan(0);
        expect(sim.calls().filter((c) => c.outcome === 'denied').length).toBe(4);
    });

    it('takes the published test vector signatures verbatim', async () => {
        const headers = {
            'api-auth-id': VECTOR_ID,
            'client-type': 'test/vectors',
            accept: 'application/json'
        };
        const empty = await fetch(`${sim.url}/Currencies`, {
            headers: { ...headers, 'api-auth-signature': 'f6tsD9YgjXRuAsKFe1NKMr3dKdB8hHsnUep35hz5ukU=' }
        });
        expect(empty.status).toBe(200);
        const withQuery = await fetch(`${sim.url}/Currencies?a=b&c=d`, {
            headers: { ...headers, 'api-auth-signature': 'q6npNDkHLOyuRxAAinvUThJHJILA08j68E1J6g947Ek=' }
        });
        expect(withQuery.status).toBe(200);
        const swapped = await fetch(`${sim.url}/Currencies?a=b&c=d`, {
            headers: { ...headers, 'api-auth-signature': 'f6tsD9YgjXRuAsKFe1NKMr3dKdB8hHsnUep35hz5ukU=' }
        });
        expect(swapped.status).toBe(403);
        expect(sim.callCount(VECTOR_ID)).toBe(2);
    });

    it('checks the decoded query by default, and the raw bytes when set to', async () => {
        const raw = 'customerName=Acme%20Ltd';
        const decodedText = 'customerName=Acme Ltd';
        expect(sim.settings.verifyQueryAs).toBe('decoded');
        const r = await call('GET', `/Customers?${raw}`, { signAs: decodedText });
        expect(r.status).toBe(200);
        expect(r.body.Items.map((c: { CustomerCode: string }) => c.CustomerCode)).toEqual(['ACME']);
        expect((await call('GET', `/Customers?${raw}`, { signAs: raw })).status).toBe(403);
        sim.setSettings({ verifyQueryAs: 'raw' });
        expect((await call('GET', `/Customers?${raw}`, { signAs: raw })).status).toBe(200);
        expect((await call('GET', `/Customers?${raw}`, { signAs: decodedText })).status).toBe(403);
        // Nothing to decode: both forms agree.
        expect((await call('GET', '/Customers?customerCode=ACME')).status).toBe(200);
    });

    it('decoded: an escaped colon, #, &, + and an accent are signed as their characters', async () => {
        const sent =
            '/Customers?customerCode=A%20B%23%26%2B%2F%25%C3%A9&modifiedSince=2025-01-01T00%3A00%3A00';
        const text = 'customerCode=A B#&+/%\u00e9&modifiedSince=2025-01-01T00:00:00';
        const ok = await call('GET', sent, { signAs: text });
        expect(ok.status).toBe(200);
        // The code was read whole: '&' and '#' inside a value did not split it.
        expect(ok.body.Items).toEqual([]);
        expect((await call('GET', sent, { signAs: sent.split('?')[1] })).status).toBe(403);
    });

    it('raw: keeps : , @ as sent, so an escaped colon signed unescaped fails', async () => {
        sim.setSettings({ verifyQueryAs: 'raw' });
        const r = await call('GET', '/Products?modifiedSince=2025-01-01T00:00:00&productCode=WIDGET');
        expect(r.status).toBe(200);
        const encoded = await call('GET', '/Products?modifiedSince=2025-01-01T00%3A00%3A00', {
            signAs: 'modifiedSince=2025-01-01T00:00:00'
        });
        expect(encoded.status).toBe(403);
    });

    it('requires client-type (403 with a Description) unless the setting is off', async () => {
        const r = await call('GET', '/Currencies', { headers: { 'client-type': undefined } });
        expect(r.status).toBe(403);
        expect(r.body.Description).toMatch(/client-type/);
        sim.setSettings({ requireClientType: false });
        expect((await call('GET', '/Currencies', { headers: { 'client-type': undefined } })).status).toBe(
            200
        );
    });

    it('requires Accept: application/json with the configured status', async () => {
        expect((await call('GET', '/Currencies', { headers: { accept: undefined } })).status).toBe(406);
        expect((await call('GET', '/Currencies', { headers: { accept: 'text/html' } })).status).toBe(406);
        sim.setSettings({ acceptErrorStatus: 400 });
        const r = await call('GET', '/Currencies', { headers: { accept: 'application/xml' } });
        expect(r.status).toBe(400);
        expect(r.body.Description).toMatch(/Accept/);
        sim.setSettings({ requireAccept: false });
        expect((await call('GET', '/Currencies', { headers: { accept: undefined } })).status).toBe(200);
    });

    it('answers errors as Items[].Description when set to', async () => {
        sim.setSettings({ errorShape: 'items' });
        const r = await call('GET', '/Currencies', { signAs: 'x' });
        expect(r.status).toBe(403);
        expect(r.body).toEqual({ Items: [{ Description: expect.stringMatching(/signature/) }] });
    });

    it('treats paths case-insensitively and answers 404 / 405 for unknown routes', async () => {
        expect((await call('GET', '/cUrReNcIeS')).status).toBe(200);
        expect((await call('GET', '/currencies/1?pageSize=1')).body.Items).toHaveLength(1);
        expect((await call('GET', '/NoSuchResource')).status).toBe(404);
        expect((await call('DELETE', '/Products')).status).toBe(405);
        expect(
            (await call('POST', '/Products/32aad40c-da18-5a46-835a-d15aadd8577a', { body: {} })).status
        ).toBe(405);
    });
});
