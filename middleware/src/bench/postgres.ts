import { findPostgresBin, startPostgres, type TestPostgres } from '../sandbox/postgres';

/** A throwaway PostgreSQL server for `npm run bench -- serve|import --pg 1`. */
export type BenchPostgres = TestPostgres;

/** Null when the server binaries are absent (the benchmark then reports the embedded store only). */
export async function startBenchPostgres(): Promise<BenchPostgres | null> {
    if (!findPostgresBin()) return null;
    return startPostgres({ maxConnections: 200, prefix: 'bench-pg-' });
}
