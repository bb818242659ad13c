/**
 * Demo credentials of the simulator. Not secrets: they only ever open a loopback simulator.
 */
export const DEMO_API_ID = '7d2f4a9c-3b1e-4c8d-9f6a-52e0b1c7d3a4';
export const DEMO_API_KEY =
    'c2ltdWxhdG9yLWRlbW8ta2V5LW5vdC1hLXJlYWwtc2VjcmV0LXVubGVhc2hlZC1zaW0tMDAwMDAwMDAwMDAwMDA==';
