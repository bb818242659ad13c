import { DEMO_API_ID, DEMO_API_KEY } from '../../src/sandbox/unleashed-sim';
import { startStack, type Stack } from '../support/stack';

/**
 * The Unleashed API id and key an admin enters: checked by the middleware in the words the admin
 * reads (Apex and the preview show them as they are), then against Unleashed; a refusal changes nothing.
 */

let stack: Stack;
jest.setTimeout(60_000);

beforeAll(async () => {
    stack = await startStack();
});
afterAll(() => stack.close());

const save = (apiId: string, apiKey: string) =>
    stack.call('POST', '/v1/connection/unleashed', { apiId, apiKey });

it('names what is wrong with an id or a key before asking Unleashed', async () => {
    const calls = stack.sim.callCount();
    const answers = await Promise.all([
        save('not-a-guid', DEMO_API_KEY),
        save(DEMO_API_ID, '   '),
        save(DEMO_API_ID, 'abc')
    ]);
    expect(answers.map((a) => [a.statusCode, a.json().detail])).toEqual([
        [400, 'The Unleashed API id is a GUID such as 1a2b3c4d-1234-5678-9abc-1234567890ab.'],
        [400, 'Enter the Unleashed API key shown next to the API id in Unleashed.'],
        [
            400,
            'That is too short to be an Unleashed API key: copy the whole key shown next to the API id in Unleashed.'
        ]
    ]);
    expect(stack.sim.callCount()).toBe(calls);
});

it('says Unleashed did not accept credentials it refuses, and keeps the working ones', async () => {
    const refused = await save(DEMO_API_ID, 'x'.repeat(40));
    expect(refused.statusCode).toBe(400);
    expect(refused.json().detail).toBe(
        'Unleashed did not accept the API credentials: Copy the API ID and API Key again from Unleashed (Integration > Unleashed API Access).'
    );
    const tenant = await stack.services.store.tenants.get(stack.orgId);
    expect(tenant?.unleashed?.apiKey).toBe(DEMO_API_KEY);
    const saved = await save(` ${DEMO_API_ID} `, ` ${DEMO_API_KEY} `);
    expect(saved.statusCode).toBe(200);
    expect(saved.json().unleashedConnected).toBe(true);
});
