import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

/**
 * Middleware instances in child processes, for fault tests that kill one as a crash would (SIGKILL:
 * no shutdown hook, no last write; its database sessions end and their locks with them). The child
 * runs the TypeScript sources through the compiler's transpile step, as jest does for the tests.
 */

export interface InstanceProcess {
    url: string;
    process: ChildProcess;
    /** SIGKILL, resolved when the process is gone. */
    kill(): Promise<void>;
    readonly exited: Promise<void>;
}

// Registers .ts for require() (transpile only: the type check is the typecheck step's job).
const TS_REQUIRE = `
const ts = require('typescript');
const fs = require('node:fs');
require.extensions['.ts'] = (module, filename) => {
    const { outputText } = ts.transpileModule(fs.readFileSync(filename, 'utf8'), {
        fileName: filename,
        compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2023, esModuleInterop: true }
    });
    module._compile(outputText, filename);
};
require(process.argv[1]);
`;

export async function startInstanceProcess(env: Record<string, string>): Promise<InstanceProcess> {
    const child = spawn(process.execPath, ['-e', TS_REQUIRE, join(__dirname, 'instance-process.ts')], {
        cwd: join(__dirname, '..', '..'),
        env: { PATH: process.env.PATH ?? '', ...env },
        // stdin stays open while this process lives: the child ends itself when it closes.
        stdio: ['pipe', 'pipe', 'pipe']
    });
    const orphaned = () => child.kill('SIGKILL');
    process.once('exit', orphaned);
    const exited = new Promise<void>((resolve) =>
        child.once('exit', () => {
            process.removeListener('exit', orphaned);
            resolve();
        })
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
            out += d.toString('utf8');
            const line = out.split('\n').find((l) => l.startsWith('{"listening"'));
            if (line) resolve((JSON.parse(line) as { listening: string }).listening);
        });
        void exited.then(() => reject(new Error(`the instance process exited before listening:\n${stderr}`)));
    });
    return {
        url,
        process: child,
        exited,
        async kill() {
            if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
            await exited;
        }
    };
}
