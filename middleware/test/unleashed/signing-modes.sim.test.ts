import { z } from 'zod';
import { DEMO_API_ID, DEMO_API_KEY, startUnleashedSim } from '../../src/sandbox/unleashed-sim';
import { guidFor } from '../../src/sandbox/unleashed-sim/ids';
import type { UnleashedSim } from '../../src/sandbox/unleashed-sim/types';
import { unleashedProblem } from '../../src/sync/unleashed-problem';
import { createUnleashedClient } from '../../src/unleashed/client';
import { UnleashedError } from '../../src/unleashed/errors';
import type { QueryEncoding } from '../../src/unleashed/query';
import { CustomerSchema } from '../../src/unleashed/schemas';

/**
 * The real client against the simulator in both of its signature checks (decoded: what the evidence
 * says Unleashed does; raw: the bytes as received), with codes that each setting signs differently.
 */

const CODES = ['A B', 'DTC#13633', 'R&D', 'A+B', 'PIPE 1/2', '100%', 'CAF\u00c9', 'test@test.com'];
const SINCE = '2024-01-01T00:00:00';

let sim: UnleashedSim;
beforeAll(async () => {
    sim = await startUnleashedSim({ seed: 'demo' });
    const acme = sim.state.customerByCode('ACME')!;
    for (const code of CODES) {
        sim.state.customers.push({ ...acme, Guid: guidFor(`customer:${code}`), CustomerCode: code });
    }
});
afterAll(() => sim.close());

function client(queryEncoding: QueryEncoding, counter?: { record(n: number): void }) {
    return createUnleashedClient({
        baseUrl: sim.url,
        credentials: { apiId: DEMO_API_ID, apiKey: DEMO_API_KEY },
        clientType: 'unleashedconnector/salesforce',
        queryEncoding,
        timeoutMs: 5000,
        maxRetries: 3,
        retryBaseMs: 1,
        counter
    });
}

async function failure(p: Promise<unknown>): Promise<UnleashedError> {
    try {
        await p;
    } catch (e) {
        expect(e).toBeInstanceOf(UnleashedError);
        return e as UnleashedError;
    }
    throw new Error('expected the call to fail');
}

const Code = z.looseObject({ CustomerCode: z.string() });

describe.each([
    ['decoded', 'sign-decoded'],
    ['raw', 'minimal'],
    ['raw', 'rfc3986']
] as const)('simulator verifying %s, client %s', (verifyQueryAs, encoding) => {
    beforeAll(() => sim.setSettings({ verifyQueryAs }));

    it.each(CODES)('finds customer %j by exact code, with a date filter', async (code) => {
        const found = await client(encoding).findByCode(
            'Customers',
            'customerCode',
            code,
            (c) => c.CustomerCode,
            CustomerSchema,
            { modifiedSince: SINCE }
        );
        expect(found?.CustomerCode).toBe(code);
    });
});

describe('a setting that signs differently from what the server checks', () => {
    afterAll(() => sim.setSettings({ verifyQueryAs: 'decoded' }));

    it.each([
        ['decoded', 'minimal', 'customerCode=A%20B&pageSize=1000'],
        ['decoded', 'rfc3986', 'customerCode=A%20B&pageSize=1000'],
        ['raw', 'sign-decoded', 'customerCode=A B&pageSize=1000']
    ] as const)(
        'server %s, client %s: 403 naming the setting and the signed text, not the credentials',
        async (verifyQueryAs, encoding, signed) => {
            sim.setSettings({ verifyQueryAs });
            const calls: number[] = [];
            const e = await failure(
                client(encoding, { record: (n) => void calls.push(n) }).all(
                    'Customers',
                    { customerCode: 'A B' },
                    Code
                )
            );
            expect(e.status).toBe(403);
            expect(calls).toHaveLength(1); // a 403 is never retried
            expect(e.signingHint).toContain(`This call used ${encoding} and signed "${signed}"`);
            expect(e.signingHint).toMatch(/set UNLEASHED_QUERY_ENCODING to /);
            expect(e.describe()).toContain(e.signingHint);
            const problem = unleashedProblem(e, 'Reading customers');
            expect(problem.title).toBe('Unleashed refused the query signature');
            expect(problem.detail).not.toMatch(/Check the API credentials/);
            expect(problem.detail).not.toContain(DEMO_API_KEY);
        }
    );

    it('a plain query signs alike in every setting: a 403 then still points at the credentials', async () => {
        sim.setSettings({ verifyQueryAs: 'decoded' });
        const wrong = createUnleashedClient({
            baseUrl: sim.url,
            credentials: { apiId: DEMO_API_ID, apiKey: 'not-the-key' },
            clientType: 'unleashedconnector/salesforce',
            queryEncoding: 'sign-decoded',
            timeoutMs: 5000,
            maxRetries: 3
        });
        const e = await failure(wrong.all('Customers', { customerCode: 'ACME' }, Code));
        expect(e.status).toBe(403);
        expect(e.signingHint).toBeUndefined();
        expect(unleashedProblem(e, 'Reading customers').detail).toMatch(/Check the API credentials/);
    });
});

describe('a spent monthly allowance', () => {
    afterAll(() => {
        sim.setSettings({ monthlyQuota: null, quotaStatus: 403 });
        sim.reset();
    });

    it.each([403, 429] as const)('answered %i is never retried and says so', async (quotaStatus) => {
        sim.setSettings({ monthlyQuota: sim.callCount(DEMO_API_ID), quotaStatus });
        const calls: number[] = [];
        const e = await failure(
            client('sign-decoded', { record: (n) => void calls.push(n) }).all('Currencies', {}, Code)
        );
        expect(e.status).toBe(quotaStatus);
        expect(e.retryable).toBe(false);
        expect(calls).toHaveLength(1);
        expect(e.signingHint).toBeUndefined();
        const problem = unleashedProblem(e, 'Reading currencies');
        expect(problem.status).toBe(503);
        expect(problem.title).toBe('Unleashed API allowance used up');
    });
});
