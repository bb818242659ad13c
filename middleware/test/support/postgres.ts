/** Tests start their throwaway PostgreSQL server through the sandbox's helper (benchmarks use it too). */
export * from '../../src/sandbox/postgres';
