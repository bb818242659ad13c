// Binds `@salesforce/apex/Class.method` to the dev bridge. Each import is callable (imperative Apex)
// and a wire adapter (@wire), as on the platform. Errors arrive shaped like Aura errors
// ({ body: { message } }) so components handle them exactly as in Salesforce.
const wired = new WeakMap();

async function callBridge(cls, method, params) {
    const res = await fetch(`/__bridge/apex/${cls}/${method}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(params ?? {})
    });
    const text = await res.text();
    const body = text ? JSON.parse(text) : null;
    if (!res.ok) {
        const error = { status: res.status, body: body ?? { message: res.statusText } };
        throw error;
    }
    return body;
}

export function apexMethod(cls, method) {
    const call = (params) => callBridge(cls, method, params);
    call.adapter = class ApexWireAdapter {
        constructor(dataCallback) {
            this.dataCallback = dataCallback;
            this.config = undefined;
            this.connected = false;
        }
        connect() {
            this.connected = true;
        }
        disconnect() {
            this.connected = false;
        }
        update(config) {
            this.config = config;
            return this.fetch();
        }
        fetch() {
            return callBridge(cls, method, this.config).then(
                (data) => this.emit({ data, error: undefined }),
                (error) => this.emit({ data: undefined, error })
            );
        }
        emit(value) {
            wired.set(value, this);
            if (this.connected) this.dataCallback(value);
        }
    };
    return call;
}

/** refreshApex(value): re-runs the wire that produced `value`. */
export function refreshWired(value) {
    const adapter = value ? wired.get(value) : undefined;
    return adapter ? adapter.fetch() : Promise.resolve();
}
