import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, type SalesforceSim } from '../../../src/sandbox/salesforce-sim';

/** Small raw-HTTP client for the simulator's own tests (the edge's tests use jsforce). */
export function api(sim: SalesforceSim, version = '62.0') {
    let token = sim.issueAccessToken();
    const call = async (
        method: string,
        path: string,
        body?: unknown,
        headers: Record<string, string> = {}
    ) => {
        const url =
            path.startsWith('/services/') || path.startsWith('/id/')
                ? sim.url + path
                : `${sim.url}/services/data/v${version}${path}`;
        const res = await fetch(url, {
            method,
            headers: {
                authorization: `Bearer ${token}`,
                ...(body !== undefined && typeof body !== 'string'
                    ? { 'content-type': 'application/json' }
                    : {}),
                ...headers
            },
            ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {})
        });
        const text = await res.text();
        let json: unknown = text;
        try {
            json = text ? JSON.parse(text) : null;
        } catch {
            // CSV and HTML stay text
        }
        // Tests read answer bodies of many shapes; each assertion states the shape it expects.
        // eslint-disable-next-line @typescript-eslint/no-explicit-any
        return { status: res.status, headers: res.headers, body: json as any, text };
    };
    return {
        call,
        get: (p: string, h?: Record<string, string>) => call('GET', p, undefined, h),
        post: (p: string, b: unknown, h?: Record<string, string>) => call('POST', p, b, h),
        patch: (p: string, b: unknown) => call('PATCH', p, b),
        put: (p: string, b: string, h: Record<string, string>) => call('PUT', p, b, h),
        del: (p: string) => call('DELETE', p),
        renew: () => {
            token = sim.issueAccessToken();
        }
    };
}

export async function tokenRequest(sim: SalesforceSim, params: Record<string, string>) {
    const res = await fetch(`${sim.url}/services/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(params).toString()
    });
    return { status: res.status, body: (await res.json()) as Record<string, string> };
}

export const demoClient = { client_id: DEMO_CLIENT_ID, client_secret: DEMO_CLIENT_SECRET };

/** API name of an unprefixed custom name in the sim's org. */
export function ns(sim: SalesforceSim, name: string): string {
    return /__(c|r)$/.test(name) && sim.namespace ? `${sim.namespace}__${name}` : name;
}
