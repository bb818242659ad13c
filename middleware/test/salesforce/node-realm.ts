import { addAbortListener } from 'node:events';

/**
 * Jest runs each test file in its own VM context, whose `Symbol` lacks the `Symbol.dispose` that
 * Node 22 adds to the main context. undici 8 (loaded by jsforce inside that context) reads
 * `Symbol.dispose` from the context and fails with "removeAbortListener is not a function".
 * Node's own dispose symbol is recovered from a disposable it hands out and installed here.
 * Plain Node (the middleware at run time) does not need this.
 */
if (typeof Symbol.dispose !== 'symbol') {
    const disposable = addAbortListener(new AbortController().signal, () => undefined);
    const [dispose] = Object.getOwnPropertySymbols(disposable);
    if (dispose) Object.defineProperty(Symbol, 'dispose', { value: dispose });
}
