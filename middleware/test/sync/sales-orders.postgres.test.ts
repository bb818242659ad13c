import { Client } from 'pg';
import { orderGuidFor } from '../../src/sync/ids';
import { startPostgres, type TestPostgres } from '../support/postgres';
import { demoSnapshot, opportunityIds } from '../support/snapshots';
import { startStack, type Stack } from '../support/stack';

/**
 * Send to Unleashed under load on PostgreSQL: one middleware instance with a pool of 10 connections,
 * many concurrent sends (double clicks, Apex retries, many reps at once). Every send answers, each
 * Opportunity has exactly one order, and the instance stays ready for everyone else meanwhile.
 */

jest.setTimeout(120_000);

let pg: TestPostgres;
let databaseUrl: string;
let stack: Stack;
beforeAll(async () => {
    pg = await startPostgres();
    databaseUrl = await pg.createDatabase();
    stack = await startStack({
        config: { DATABASE_URL: databaseUrl, DATABASE_POOL_SIZE: '10', DATABASE_LOCK_TIMEOUT_MS: '1500' }
    });
});
afterAll(async () => {
    await stack?.close();
    await pg?.stop();
});

const oppId = opportunityIds('PGA');
const snapshot = (opportunityId: string) => demoSnapshot(opportunityId, { requiredDate: '2026-12-01' });

function ordersOf(opportunityId: string) {
    const guid = orderGuidFor(stack.orgId, opportunityId).toLowerCase();
    return stack.sim.state.orders.filter((o) => String(o.Guid).toLowerCase() === guid);
}

/** Runs the sends while /readyz is asked again and again; returns the sends' answers and readyz's. */
async function whileProbingReadiness<T>(work: Promise<T>): Promise<{ result: T; readiness: number[] }> {
    let done = false;
    const readiness: number[] = [];
    const probe = (async () => {
        while (!done) {
            const res = await stack.app.inject({ method: 'GET', url: '/readyz' });
            readiness.push(res.statusCode);
            await new Promise((r) => setTimeout(r, 10));
        }
    })();
    try {
        return { result: await work, readiness };
    } finally {
        done = true;
        await probe;
    }
}

it('50 concurrent sends of one Opportunity all answer, one order, /readyz answers throughout', async () => {
    const opp = oppId();
    const { result, readiness } = await whileProbingReadiness(
        Promise.all(Array.from({ length: 50 }, () => stack.call('POST', '/v1/sales-orders', snapshot(opp))))
    );
    // The first created it (201); the others found it and updated it in place (200).
    expect(result.map((r) => r.statusCode).sort()).toEqual([...Array(49).fill(200), 201]);
    expect(result.filter((r) => (r.json() as { created: boolean }).created)).toHaveLength(1);
    expect(ordersOf(opp)).toHaveLength(1);
    expect(readiness.length).toBeGreaterThan(0);
    expect(new Set(readiness)).toEqual(new Set([200]));
});

it('50 concurrent sends of 50 Opportunities all answer, one order each, /readyz answers throughout', async () => {
    const opps = Array.from({ length: 50 }, oppId);
    const { result, readiness } = await whileProbingReadiness(
        Promise.all(opps.map((opp) => stack.call('POST', '/v1/sales-orders', snapshot(opp))))
    );
    expect(result.map((r) => r.statusCode)).toEqual(Array(50).fill(201));
    expect(result.every((r) => (r.json() as { created: boolean }).created)).toBe(true);
    for (const opp of opps) expect(ordersOf(opp)).toHaveLength(1);
    expect(readiness.length).toBeGreaterThan(0);
    expect(new Set(readiness)).toEqual(new Set([200]));
});

it('a send whose Opportunity another instance keeps locked past the lock timeout answers 409 and sends nothing', async () => {
    const opp = oppId();
    // Another instance in the middle of a send of this Opportunity: its session holds the lock.
    const other = new Client({ connectionString: databaseUrl });
    await other.connect();
    try {
        const key = `idempotency:order:${orderGuidFor(stack.orgId, opp)}`;
        await other.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [key]);
        const res = await stack.call('POST', '/v1/sales-orders', snapshot(opp));
        expect(res.statusCode).toBe(409);
        expect(res.json()).toMatchObject({ title: 'This Opportunity is being sent already' });
        expect(ordersOf(opp)).toHaveLength(0);
        // The instance is not stuck: once the other lets go, the same send goes through.
        await other.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [key]);
        const again = await stack.call('POST', '/v1/sales-orders', snapshot(opp));
        expect(again.statusCode).toBe(201);
        expect(ordersOf(opp)).toHaveLength(1);
    } finally {
        await other.end();
    }
});
