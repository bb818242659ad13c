import './node-realm';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    DEMO_REDIRECT_URI,
    startSalesforceSim,
    type SalesforceSim
} from '../../src/sandbox/salesforce-sim';
import {
    buildAuthorizeUrl,
    createPkcePair,
    exchangeCode,
    parseIdentityUrl,
    toId18
} from '../../src/salesforce/oauth';
import { connectSalesforce } from '../../src/salesforce/connection';
import { createSalesforceWriter } from '../../src/salesforce/writer';
import { SalesforceError } from '../../src/salesforce/errors';

async function authorize(sim: SalesforceSim, codeChallenge: string, state = 'state-123') {
    const url = buildAuthorizeUrl({
        loginUrl: sim.url,
        clientId: DEMO_CLIENT_ID,
        redirectUri: DEMO_REDIRECT_URI,
        state,
        codeChallenge
    });
    const res = await fetch(url, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const back = new URL(res.headers.get('location')!);
    return { url: new URL(url), back };
}

const exchange = (sim: SalesforceSim, code: string, codeVerifier: string) =>
    exchangeCode({
        loginUrl: sim.url,
        clientId: DEMO_CLIENT_ID,
        clientSecret: DEMO_CLIENT_SECRET,
        redirectUri: DEMO_REDIRECT_URI,
        code,
        codeVerifier
    });

describe('OAuth web-server flow with PKCE', () => {
    let sim: SalesforceSim;
    beforeEach(async () => {
        sim = await startSalesforceSim({ seed: 'demo' });
    });
    afterEach(async () => {
        await sim.close();
    });

    it('makes an S256 pair', () => {
        const { codeVerifier, codeChallenge } = createPkcePair();
        expect(codeVerifier).toMatch(/^[A-Za-z0-9_-]{43,128}$/);
        expect(codeChallenge).toBe(createHash('sha256').update(codeVerifier).digest('base64url'));
        expect(createPkcePair().codeVerifier).not.toBe(codeVerifier);
    });

    it('authorizes, exchanges the code for a refresh token, and the token drives the writer', async () => {
        const pkce = createPkcePair();
        const { url, back } = await authorize(sim, pkce.codeChallenge);
        expect(url.pathname).toBe('/services/oauth2/authorize');
        expect(Object.fromEntries(url.searchParams)).toMatchObject({
            response_type: 'code',
            client_id: DEMO_CLIENT_ID,
            redirect_uri: DEMO_REDIRECT_URI,
            code_challenge_method: 'S256',
            scope: 'api refresh_token'
        });
        expect(back.searchParams.get('state')).toBe('state-123');
        const grant = await exchange(sim, back.searchParams.get('code')!, pkce.codeVerifier);
        expect(grant.orgId).toBe(sim.orgId);
        expect(grant.orgId).toHaveLength(18);
        expect(grant.userId).toBe(sim.users[0]!.id);
        expect(grant.instanceUrl).toBe(sim.url);
        expect(grant.refreshToken).toBeTruthy();
        expect(Math.abs(grant.issuedAt.getTime() - Date.now())).toBeLessThan(60_000);

        const conn = connectSalesforce({
            instanceUrl: grant.instanceUrl,
            loginUrl: sim.url,
            apiVersion: '62.0',
            clientId: DEMO_CLIENT_ID,
            clientSecret: DEMO_CLIENT_SECRET,
            refreshToken: grant.refreshToken,
            accessToken: grant.accessToken
        });
        const rows = await createSalesforceWriter(conn, { namespace: 'unleashed' }).query(
            'SELECT Id FROM Pricebook2'
        );
        expect(rows).toHaveLength(1);
    });

    it('refuses a wrong verifier, and the code is spent after that', async () => {
        const pkce = createPkcePair();
        const { back } = await authorize(sim, pkce.codeChallenge);
        const code = back.searchParams.get('code')!;
        const wrong = exchange(sim, code, createPkcePair().codeVerifier);
        await expect(wrong).rejects.toBeInstanceOf(SalesforceError);
        await expect(wrong).rejects.toMatchObject({
            code: 'invalid_grant',
            message: 'Salesforce refused the authorization code: invalid_grant: invalid code verifier'
        });
        await expect(exchange(sim, code, pkce.codeVerifier)).rejects.toMatchObject({ code: 'invalid_grant' });
    });

    it('refuses a token answer not signed with our client secret, or without a refresh token', async () => {
        const id = `https://login.salesforce.com/id/${sim.orgId}/${sim.users[0]!.id}`;
        const answer = (body: Record<string, string>) =>
            (async () => new Response(JSON.stringify(body), { status: 200 })) as unknown as typeof fetch;
        const base = {
            loginUrl: sim.url,
            clientId: DEMO_CLIENT_ID,
            clientSecret: DEMO_CLIENT_SECRET,
            redirectUri: DEMO_REDIRECT_URI,
            code: 'c',
            codeVerifier: 'v'
        };
        const body = {
            access_token: 'a',
            refresh_token: 'r',
            instance_url: 'https://example.my.salesforce.com',
            id,
            issued_at: '1700000000000',
            signature: Buffer.alloc(32).toString('base64')
        };
        await expect(exchangeCode({ ...base, fetch: answer(body) })).rejects.toMatchObject({
            code: 'INVALID_SIGNATURE'
        });
        const { refresh_token: _r, ...noRefresh } = body;
        await expect(exchangeCode({ ...base, fetch: answer(noRefresh) })).rejects.toMatchObject({
            code: 'NO_REFRESH_TOKEN'
        });
    });

    it('gives up on a token endpoint that never answers, with a clear error', async () => {
        // Accepts the connection and never answers.
        const silent = createServer(() => undefined);
        await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
        const { port } = silent.address() as AddressInfo;
        try {
            const err = await exchangeCode({
                loginUrl: `http://127.0.0.1:${port}`,
                clientId: DEMO_CLIENT_ID,
                clientSecret: DEMO_CLIENT_SECRET,
                redirectUri: DEMO_REDIRECT_URI,
                code: 'aPrx-code',
                codeVerifier: createPkcePair().codeVerifier,
                timeoutMs: 100
            }).catch((e: unknown) => e);
            expect(err).toBeInstanceOf(SalesforceError);
            expect(err).toMatchObject({ code: 'TIMEOUT', retryable: true });
            expect((err as Error).message).toBe('Salesforce did not answer the code exchange within 0.1 s');
        } finally {
            silent.closeAllConnections();
            await new Promise((r) => silent.close(r));
        }
    });

    it('reads org and user ids from identity URLs, 15 or 18 characters', () => {
        expect(
            parseIdentityUrl('https://login.salesforce.com/id/00D5g00000UNLSHAAA/0055g000001ABCDAAA')
        ).toEqual({
            orgId: '00D5g00000UNLSHAAA',
            userId: '0055g000001ABCDAAA'
        });
        expect(toId18('001A0000006Vm9r')).toBe('001A0000006Vm9rIAC');
        expect(parseIdentityUrl('https://x.example/id/00D5g00000UNLSH/0055g000001ABCD').orgId).toBe(
            toId18('00D5g00000UNLSH')
        );
        expect(() => parseIdentityUrl('https://x.example/services/data')).toThrow(SalesforceError);
    });
});
