import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';

/**
 * A throwaway PostgreSQL server for `npm run bench -- serve`: initdb into a temp directory, listen
 * on 127.0.0.1 at a free port, deleted on stop. Uses Debian's server binaries
 * (/usr/lib/postgresql/<v>/bin); as root it runs as the `postgres` user, since PostgreSQL refuses root.
 */

const run = promisify(execFile);

export interface BenchPostgres {
    createDatabase(name: string): Promise<string>;
    stop(): Promise<void>;
}

function binDir(): string | null {
    const root = '/usr/lib/postgresql';
    if (!existsSync(root)) return null;
    const versions = readdirSync(root)
        .filter((v) => /^\d+(\.\d+)?$/.test(v))
        .sort((a, b) => Number(b) - Number(a));
    for (const v of versions) {
        const dir = join(root, v, 'bin');
        if (['initdb', 'pg_ctl', 'postgres'].every((b) => existsSync(join(dir, b)))) return dir;
    }
    return null;
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

/** Null when the server binaries are absent (the benchmark then reports the embedded store only). */
export async function startBenchPostgres(): Promise<BenchPostgres | null> {
    const bin = binDir();
    if (!bin) return null;
    const asRoot = process.getuid?.() === 0;
    const dir = mkdtempSync(join(tmpdir(), 'bench-pg-'));
    if (asRoot) {
        const line = readFileSync('/etc/passwd', 'utf8')
            .split('\n')
            .find((l) => l.startsWith('postgres:'));
        const [, , uid, gid] = line?.split(':') ?? [];
        if (!uid || !gid) return null;
        chownSync(dir, Number(uid), Number(gid));
    }
    const command = (tool: string, args: string[]): [string, string[]] =>
        asRoot ? ['runuser', ['-u', 'postgres', '--', join(bin, tool), ...args]] : [join(bin, tool), args];
    const exec = async (tool: string, args: string[]) => {
        const [file, argv] = command(tool, args);
        await run(file, argv, { cwd: dir, env: { ...process.env, LC_ALL: 'C' } });
    };
    const data = join(dir, 'data');
    const stopSync = () => {
        try {
            const [file, argv] = command('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
            execFileSync(file, argv, { cwd: dir, stdio: 'ignore' });
        } catch {
            // not running
        }
        rmSync(dir, { recursive: true, force: true });
    };
    process.once('exit', stopSync);
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
    const port = await freePort();
    // Durable settings as a production server would have them, except fsync (a benchmark disk).
    const opts = `-h 127.0.0.1 -p ${port} -k ${dir} -F -c max_connections=200`;
    await exec('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-o', opts, '-w', '-t', '60', 'start']);
    const url = `postgresql://postgres@127.0.0.1:${port}/postgres`;
    return {
        async createDatabase(name) {
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
            try {
                await exec('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
            } finally {
                rmSync(dir, { recursive: true, force: true });
            }
        }
    };
}
