import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app';
import { testConfig } from '../../src/config';
import { signRequest } from '../../src/http/auth';
import {
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    startSalesforceSim,
    type SalesforceSim
} from '../../src/sandbox/salesforce-sim';

/**
 * Self-hosted mode end to end: the middleware starts with the org and its secret in the environment
 * and hands the org that secret through the package's events resource, as hosted connect does; the
 * org then signs its calls with what it received.
 */

jest.setTimeout(30_000);

let sim: SalesforceSim;
let app: FastifyInstance;
let logs: string[];
const secret = randomBytes(32).toString('base64');

async function startMiddleware(): Promise<void> {
    logs = [];
    const logStream = new Writable({
        write(chunk, _enc, done) {
            logs.push(String(chunk));
            done();
        }
    });
    const config = testConfig({
        LOG_LEVEL: 'info',
        ORDER_STATUS_POLL_SECONDS: '0',
        CONNECTOR_ORG_ID: sim.orgId,
        CONNECTOR_TENANT_SECRET: secret,
        SALESFORCE_LOGIN_URL: sim.url,
        SALESFORCE_INSTANCE_URL: sim.url,
        SALESFORCE_CLIENT_ID: DEMO_CLIENT_ID,
        SALESFORCE_CLIENT_SECRET: DEMO_CLIENT_SECRET,
        SALESFORCE_REFRESH_TOKEN: sim.issueRefreshToken()
    });
    app = await buildApp(config, { logStream });
    await app.ready();
}

/** The delivery runs in the background of start-up: wait for its log line. */
async function startupLine(text: string): Promise<Record<string, unknown>> {
    for (;;) {
        const line = logs.find((l) => l.includes(text));
        if (line) return JSON.parse(line) as Record<string, unknown>;
        await new Promise((r) => setTimeout(r, 20));
    }
}

beforeEach(async () => {
    sim = await startSalesforceSim();
});
afterEach(async () => {
    await app.close();
    await sim.close();
});

it('hands the org its tenant secret at start-up, and the org signs with it', async () => {
    expect(sim.apex.connection).toBeNull();
    await startMiddleware();
    await startupLine('self-hosted org received its tenant secret');

    const events = sim.apexRestCalls.filter((c) => c.path === '/unleashed/events');
    expect(events).toHaveLength(1);
    expect(events[0]!.body).toEqual({ events: [{ type: 'connection.secret', secret }] });
    expect(sim.apex.connection).toMatchObject({ secret, orgId: sim.orgId });

    const url = '/v1/connection';
    const signed = await app.inject({
        url,
        headers: signRequest({
            orgId: sim.orgId,
            secret: sim.apex.connection!.secret,
            method: 'GET',
            pathWithQuery: url
        })
    });
    expect(signed.statusCode).toBe(200);
    expect(signed.json()).toMatchObject({ orgId: sim.orgId });
    expect(logs.join('')).not.toContain(secret);
});

it('says what is missing when the integration user may not manage the connection, and still starts', async () => {
    sim.apex.userCanManageConnection = false;
    await startMiddleware();
    const line = await startupLine('self-hosted org did not receive its tenant secret');
    expect(line.level).toBe(40);
    expect(String(line.msg)).toContain('Unleashed Admin permission set');
    expect(String(line.reason)).toContain('Unleashed_Manage_Connection');
    expect(sim.apex.connection).toBeNull();
    expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
    expect(logs.join('')).not.toContain(secret);
});
