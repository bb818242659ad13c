/**
 * /__sim/ routes for tests and the demo: state summary, orders, calls, faults, settings, reset, and
 * what a warehouse user does in Unleashed's UI (fulfil.ts: status, ship, invoice).
 * No authentication, never counted; answered on loopback only.
 */
import { fulfil } from './fulfil';
import { checkFaults, checkSettings } from './settings';
import { SEEDS } from './state/seeds';
import type { SimServer } from './server';
import type { SeedName } from './types';

export function isLoopback(address: string | undefined): boolean {
    return address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1';
}

interface Out {
    status: number;
    body?: unknown;
}

function parse(raw: string): unknown {
    return raw.trim() === '' ? {} : JSON.parse(raw);
}

function summary(sim: SimServer): unknown {
    return {
        seed: sim.state.seed,
        counts: sim.state.counts(),
        settings: sim.settings,
        faults: sim.faults,
        quota: sim.quota.snapshot(),
        calls: sim.callCount()
    };
}

export function inspect(sim: SimServer, method: string, segments: string[], raw: string): Out {
    const what = (segments[0] ?? '').toLowerCase();
    try {
        if (method === 'GET') {
            if (what === 'state') return { status: 200, body: summary(sim) };
            if (what === 'orders') return { status: 200, body: { Items: sim.state.orders } };
            if (what === 'calls') return { status: 200, body: { Items: sim.calls() } };
            if (what === 'faults') return { status: 200, body: sim.faults };
            if (what === 'settings') return { status: 200, body: sim.settings };
            if (what === 'shipments') return { status: 200, body: { Items: sim.state.fulfilment.shipments } };
            if (what === 'invoices') return { status: 200, body: { Items: sim.state.fulfilment.invoices } };
        }
        if (method === 'POST' && (what === 'orders' || what === 'shipments') && segments.length >= 2) {
            return fulfil(sim, segments, parse(raw));
        }
        if (method === 'POST') {
            if (what === 'faults') {
                sim.setFaults(checkFaults(parse(raw)));
                return { status: 200, body: sim.faults };
            }
            if (what === 'settings') {
                sim.setSettings(checkSettings(parse(raw)));
                return { status: 200, body: sim.settings };
            }
            if (what === 'reset') {
                const body = parse(raw) as { seed?: unknown };
                const seed = body.seed;
                if (seed !== undefined && !SEEDS.includes(seed as SeedName)) {
                    return { status: 400, body: { error: `seed must be one of ${SEEDS.join(', ')}` } };
                }
                sim.reset(seed as SeedName | undefined);
                return { status: 200, body: summary(sim) };
            }
        }
        return { status: 404, body: { error: 'unknown simulator route' } };
    } catch (err) {
        return { status: 400, body: { error: err instanceof Error ? err.message : String(err) } };
    }
}
