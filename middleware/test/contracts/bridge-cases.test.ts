import { toAura } from '../../src/dev/bridge/aura';
import { bindingFor } from '../../src/dev/bridge/bindings';
import { startContractOrg, type ContractOrg } from './bridge-harness';
import { loadContractCases, resolveRefs } from './cases';

/**
 * The contract cases of the stock and sales-order view flows (contracts/) against the preview's dev
 * bridge: from the case's records, the middleware must receive exactly the case's requests, and the
 * component must get exactly the case's DTO (as Aura sends it) or message. The Apex contract tests
 * (UnleashedStockContractTest, UnleashedOrderViewContractTest) hold the package to the same cases.
 */

const cases = loadContractCases();
const flows = Object.entries(cases).filter(([name]) => /^(stock|orders)\//.test(name));

let org: ContractOrg;

beforeAll(async () => {
    org = await startContractOrg();
});

afterAll(async () => {
    await org?.close();
});

describe.each(flows)('contract case %s', (_name, c) => {
    it('sends the case’s requests and answers its DTO or message', async () => {
        const { sent, result, error, ids } = await org.run(c);

        expect(sent).toEqual(c.middleware.map((m) => m.request));
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
        expect(dto).toEqual(resolveRefs(c.expect.dto, ids));
    });
});

describe('the contract cases', () => {
    it('cover both flows, and each case names a bound method of the package', () => {
        const names = flows.map(([name]) => name);
        expect(names.filter((n) => n.startsWith('stock/')).length).toBeGreaterThanOrEqual(3);
        expect(names.filter((n) => n.startsWith('orders/')).length).toBeGreaterThanOrEqual(3);
        for (const [, c] of flows) expect(bindingFor(c.call.class, c.call.method)).toBeDefined();
    });
});
