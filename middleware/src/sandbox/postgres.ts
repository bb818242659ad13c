import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';

/**
 * A throwaway PostgreSQL server for tests and benchmarks: initdb into a temp directory, listen on 127.0.0.1 at a
 * free port (unix socket inside the temp directory), stop and delete everything afterwards. Uses
 * the server binaries of Debian's `postgresql` package. PostgreSQL refuses to run as root, so as
 * root it runs as the `postgres` user.
 */

const run = promisify(execFile);

export interface TestPostgres {
    /** Connection string of the `postgres` database. */
    url: string;
    /** Creates an empty database and returns its connection string. */
    createDatabase(name?: string): Promise<string>;
    stop(): Promise<void>;
}

export const INSTALL_HINT =
    'PostgreSQL server binaries (initdb, pg_ctl, postgres) were not found in /usr/lib/postgresql/*/bin or on ' +
    'PATH. Install them (Debian/Ubuntu: apt-get install postgresql; CI does) or set STORE_TESTS_PGLITE_ONLY=1 ' +
    'to run the store tests against PGlite only.';

const BINARIES = ['initdb', 'pg_ctl', 'postgres'];

/** The directory holding initdb, pg_ctl and postgres, newest version first; null when absent. */
export function findPostgresBin(): string | null {
    const has = (dir: string) => BINARIES.every((b) => existsSync(join(dir, b)));
    const root = '/usr/lib/postgresql';
    if (existsSync(root)) {
        const versions = readdirSync(root)
            .filter((v) => /^\d+(\.\d+)?$/.test(v))
            .sort((a, b) => Number(b) - Number(a));
        for (const v of versions) {
            const dir = join(root, v, 'bin');
            if (has(dir)) return dir;
        }
    }
    for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
        const initdb = join(dir, 'initdb');
        if (!existsSync(initdb)) continue;
        const real = dirname(realpathSync(initdb));
        if (has(real)) return real;
        if (has(dir)) return dir;
    }
    return null;
}

function postgresUser(): { uid: number; gid: number } {
    const line = readFileSync('/etc/passwd', 'utf8')
        .split('\n')
        .find((l) => l.startsWith('postgres:'));
    const [, , uid, gid] = line?.split(':') ?? [];
    if (!uid || !gid) {
        throw new Error(
            'running as root but there is no `postgres` user to run PostgreSQL as (it refuses root)'
        );
    }
    return { uid: Number(uid), gid: Number(gid) };
}

async function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const srv = createServer();
        srv.once('error', reject);
        srv.listen(0, '127.0.0.1', () => {
            const addr = srv.address();
            srv.close(() =>
                typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))
            );
        });
    });
}

export interface StartOptions {
    /** `max_connections` of the server (benchmarks run several pools). */
    maxConnections?: number;
    /** Prefix of the temp directory's name. */
    prefix?: string;
}

export async function startPostgres(opts: StartOptions = {}): Promise<TestPostgres> {
    const bin = findPostgresBin();
    if (!bin) throw new Error(INSTALL_HINT);
    const asRoot = process.getuid?.() === 0;
    const dir = mkdtempSync(join(tmpdir(), opts.prefix ?? 'store-pg-'));
    if (asRoot) {
        const { uid, gid } = postgresUser();
        chownSync(dir, uid, gid);
    }
    // As root: `runuser -u postgres -- <binary> ...`; otherwise the binary itself.
    const command = (tool: string, args: string[]): [string, string[]] =>
        asRoot ? ['runuser', ['-u', 'postgres', '--', join(bin, tool), ...args]] : [join(bin, tool), args];
    const exec = async (tool: string, args: string[]) => {
        const [file, argv] = command(tool, args);
        try {
            await run(file, argv, { cwd: dir, env: { ...process.env, LC_ALL: 'C' } });
        } catch (err) {
            const e = err as { stderr?: string; message: string };
            let log = '';
            try {
                log = readFileSync(join(dir, 'server.log'), 'utf8');
            } catch {
                // no log yet
            }
            throw new Error(`${tool} failed: ${e.stderr || e.message}\n${log}`);
        }
    };
    const data = join(dir, 'data');
    let stopped = false;
    const stopSync = () => {
        if (stopped) return;
        stopped = true;
        try {
            const [file, argv] = command('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
            execFileSync(file, argv, { cwd: dir, stdio: 'ignore' });
        } catch {
            // not running
        }
        rmSync(dir, { recursive: true, force: true });
    };
    // A test run that dies must not leave a server behind.
    process.once('exit', stopSync);

    try {
        await exec('initdb', [
            '-D',
            data,
            '-U',
            'postgres',
            '-A',
            'trust',
            '-E',
            'UTF8',
            '--locale=C',
            '--no-sync'
        ]);
        let port = 0;
        for (let attempt = 1; ; attempt++) {
            port = await freePort();
            try {
                // -F: no fsync; the data is thrown away anyway.
                const serverOpts = `-h 127.0.0.1 -p ${port} -k ${dir} -F -c max_connections=${opts.maxConnections ?? 100}`;
                await exec('pg_ctl', [
                    '-D',
                    data,
                    '-l',
                    join(dir, 'server.log'),
                    '-o',
                    serverOpts,
                    '-w',
                    '-t',
                    '60',
                    'start'
                ]);
                break;
            } catch (err) {
                // Another process may have taken the port between the probe and the start.
                if (attempt >= 3) throw err;
            }
        }
        const url = `postgresql://postgres@127.0.0.1:${port}/postgres`;
        let created = 0;
        return {
            url,
            async createDatabase(name = `t${process.pid}_${++created}`) {
                const client = new Client({ connectionString: url });
                await client.connect();
                try {
                    await client.query(`CREATE DATABASE "${name.replace(/"/g, '')}"`);
                } finally {
                    await client.end();
                }
                return `postgresql://postgres@127.0.0.1:${port}/${name}`;
            },
            async stop() {
                process.removeListener('exit', stopSync);
                if (stopped) return;
                stopped = true;
                try {
                    await exec('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
                } finally {
                    rmSync(dir, { recursive: true, force: true });
                }
            }
        };
    } catch (err) {
        process.removeListener('exit', stopSync);
        stopSync();
        throw err;
    }
}
