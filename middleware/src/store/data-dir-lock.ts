import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

/**
 * The embedded store keeps its database in memory and writes it back to its directory, so two
 * processes on one directory silently overwrite each other's writes (a key rotation run beside the
 * running server is lost). The process that opens a directory owns it through a lock file naming its
 * pid; a second opener is refused while that process lives. A file left by a process that died is
 * taken over.
 */

export const LOCK_FILE = 'middleware.lock';

export class DataDirInUseError extends Error {
    constructor(
        public readonly dataDir: string,
        public readonly holder: string
    ) {
        super(
            `the data directory ${dataDir} is in use by ${holder}. Stop that process first (the middleware ` +
                `must be stopped while rotate-keys runs); if no such process exists, delete ${join(dataDir, LOCK_FILE)}`
        );
        this.name = 'DataDirInUseError';
    }
}

export interface DataDirLock {
    release(): void;
}

interface Holder {
    pid: number;
    host: string;
}

/** Takes the directory for this process; throws DataDirInUseError while another live process has it. */
export function lockDataDir(dataDir: string): DataDirLock {
    const file = join(dataDir, LOCK_FILE);
    const me: Holder = { pid: process.pid, host: hostname() };
    mkdirSync(dataDir, { recursive: true });
    for (let attempt = 0; attempt < 3; attempt++) {
        let fd: number;
        try {
            fd = openSync(file, 'wx', 0o600);
        } catch (err) {
            if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
            const holder = readHolder(file);
            // Unreadable: its owner may be between creating and writing it.
            if (!holder)
                throw new DataDirInUseError(dataDir, 'another process (its lock file is unreadable)');
            if (isAlive(holder)) {
                const who =
                    holder.pid === process.pid && holder.host === me.host
                        ? 'this process'
                        : `process ${holder.pid}`;
                throw new DataDirInUseError(dataDir, `${who} on ${holder.host}`);
            }
            // Left behind by a process that is gone: take it over.
            rmSync(file, { force: true });
            continue;
        }
        try {
            writeSync(fd, JSON.stringify(me));
        } finally {
            closeSync(fd);
        }
        let released = false;
        return {
            release() {
                if (released) return;
                released = true;
                // Only our own file: never one a later owner wrote after a forced takeover.
                const now = readHolder(file);
                if (now && now.pid === me.pid && now.host === me.host) rmSync(file, { force: true });
            }
        };
    }
    throw new Error(`could not take ${file}: it keeps reappearing`);
}

function readHolder(file: string): Holder | null {
    try {
        const h = JSON.parse(readFileSync(file, 'utf8')) as Partial<Holder>;
        return typeof h.pid === 'number' && typeof h.host === 'string' ? { pid: h.pid, host: h.host } : null;
    } catch {
        return null;
    }
}

/** A holder on another machine cannot be checked, so it counts as alive. */
function isAlive(h: Holder): boolean {
    if (h.host !== hostname()) return true;
    try {
        process.kill(h.pid, 0);
        return true;
    } catch (err) {
        // EPERM: the process exists but belongs to another user.
        return (err as NodeJS.ErrnoException).code === 'EPERM';
    }
}
