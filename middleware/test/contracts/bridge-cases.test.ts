import type { z } from 'zod';
import { toAura } from '../../src/dev/bridge/aura';
import { contextAnswerSchema, sendPreviewSchema, sendResultSchema } from '../../src/sync/sends/answers';
import { sendRecordsSchema, sendRequestSchema } from '../../src/sync/sends/records';
import { bindingFor } from '../../src/dev/bridge/bindings';
import { startContractOrg, type ContractOrg } from './bridge-harness';
import { type ContractCase, loadContractCases, resolveRefs } from './cases';

/**
 * The contract cases of the stock, sales-order view and send flows (contracts/) against the preview's
 * dev bridge: from the case's records, the middleware must receive exactly the case's requests
 * (bodies included), the component must get exactly the case's DTO (as Aura sends it) or message, and
 * the records must be left as the case says. The Apex contract tests hold the package to the same cases.
 */

const cases = loadContractCases();
const flows = Object.entries(cases).filter(([name]) => /^(stock|orders|send)\//.test(name));
const ID = /^[A-Za-z0-9]{18}$/;

type Exchange = ContractCase['middleware'][number];

/** What the send routes' schemas say about one request and answer of a case (other routes: nothing). */
function schemaProblems({ request, answer }: Exchange): string[] {
    const schemas: Record<string, { body: z.ZodTypeAny; answer: z.ZodTypeAny }> = {
        '/v1/sends/context': { body: sendRecordsSchema.strict(), answer: contextAnswerSchema.strict() },
        '/v1/sends/preview': { body: sendRequestSchema.strict(), answer: sendPreviewSchema.strict() },
        '/v1/sends': { body: sendRequestSchema.strict(), answer: sendResultSchema.strict() }
    };
    const route = schemas[request.path];
    if (!route) return [];
    const issues = (schema: z.ZodTypeAny, value: unknown, what: string) => {
        const parsed = schema.safeParse(value);
        return parsed.success
            ? []
            : parsed.error.issues.map((i) => `${what} ${i.path.join('.')}: ${i.message}`);
    };
    const ok = answer.status >= 200 && answer.status < 300;
    return [
        ...issues(route.body, request.body, `${request.path} request`),
        ...(ok ? issues(route.answer, answer.body, `${request.path} answer`) : [])
    ];
}

let org: ContractOrg;

beforeAll(async () => {
    org = await startContractOrg();
});

afterAll(async () => {
    await org?.close();
});

describe.each(flows)('contract case %s', (_name, c) => {
    it('sends the case’s requests and answers its DTO or message', async () => {
        const { sent, result, error, ids, records } = await org.run(c);

        expect(sent).toEqual(
            resolveRefs(
                c.middleware.map((m) => m.request),
                ids
            )
        );
        // The case speaks the middleware's language: its requests and answers fit the route schemas.
        for (const m of c.middleware) expect(schemaProblems(resolveRefs(m, ids) as Exchange)).toEqual([]);
        if (c.expect.records) expect(records).toEqual(resolveRefs(c.expect.records, ids));
        if (c.expect.error !== undefined) {
            expect({ error, result }).toEqual({ error: c.expect.error, result: null });
            return;
        }
        expect(error).toBeNull();
        const dto = { ...(toAura(result) as Record<string, unknown>) };
        for (const field of c.expect.clockFields ?? []) {
            expect({ [field]: Number.isInteger(dto[field]) && (dto[field] as number) >= 0 }).toEqual({
                [field]: true
            });
            delete dto[field];
        }
        for (const field of c.expect.newIds ?? []) {
            expect({ [field]: ID.test(String(dto[field])) }).toEqual({ [field]: true });
            delete dto[field];
        }
        expect(dto).toEqual(resolveRefs(c.expect.dto, ids));
    });
});

describe('the contract cases', () => {
    it('cover every flow, and each case names a bound method of the package', () => {
        const names = flows.map(([name]) => name);
        expect(names.filter((n) => n.startsWith('stock/')).length).toBeGreaterThanOrEqual(3);
        expect(names.filter((n) => n.startsWith('orders/')).length).toBeGreaterThanOrEqual(3);
        expect(names.filter((n) => n.startsWith('send/')).sort()).toEqual([
            'send/context-business-account',
            'send/context-person-account',
            'send/preview-discounted-lines',
            'send/send-blocked',
            'send/send-created',
            'send/send-order'
        ]);
        for (const [, c] of flows) expect(bindingFor(c.call.class, c.call.method)).toBeDefined();
    });
});
