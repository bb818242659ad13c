import { readFileSync } from 'node:fs';

/**
 * Node's own `require`, outside jest's module registry, able to load the middleware's TypeScript
 * sources (transpiled on the fly with the project's TypeScript). The browser tests run the demo
 * stack in this process through it: Node loads the stack's dependencies that ship ES modules only
 * (require(esm) in Node 22), which jest's CommonJS runtime cannot without a transform.
 */

interface NodeModuleClass {
    createRequire(path: string): NodeRequire;
    _extensions: Record<
        string,
        (module: { _compile(code: string, filename: string): void }, filename: string) => void
    >;
}

interface TypeScriptApi {
    transpileModule(
        source: string,
        options: { fileName: string; compilerOptions: Record<string, unknown> }
    ): { outputText: string };
    ModuleKind: { CommonJS: number };
    ScriptTarget: { ES2022: number };
}

const OURS = Symbol.for('unleashed-connector.ts-loader');

export function nativeRequire(from: string): NodeRequire {
    const getBuiltin = (process as unknown as { getBuiltinModule?: (id: string) => unknown })
        .getBuiltinModule;
    if (typeof getBuiltin !== 'function')
        throw new Error('Node 22 or later is needed (process.getBuiltinModule)');
    const Module = getBuiltin('node:module') as NodeModuleClass;
    const req = Module.createRequire(from);
    // Installed once, in front of any earlier `.ts` loader (jest's worker registers one, and Node 22
    // strips types natively but then resolves imports as ES modules, without extensionless paths).
    const installed = Module._extensions['.ts'] as { [OURS]?: true } | undefined;
    if (!installed?.[OURS]) {
        const ts = req('typescript') as TypeScriptApi;
        const previous = Module._extensions['.ts'];
        const loader = (module: { _compile(code: string, filename: string): void }, filename: string) => {
            if (previous && filename.includes('/node_modules/')) return previous(module, filename);
            const { outputText } = ts.transpileModule(readFileSync(filename, 'utf8'), {
                fileName: filename,
                compilerOptions: {
                    module: ts.ModuleKind.CommonJS,
                    target: ts.ScriptTarget.ES2022,
                    esModuleInterop: true,
                    inlineSourceMap: true
                }
            });
            module._compile(outputText, filename);
        };
        Module._extensions['.ts'] = Object.assign(loader, { [OURS]: true as const });
    }
    return req;
}
