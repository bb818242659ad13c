import type { CallRecord } from './types';

const KEEP = 2000;

/** The most recent requests (no signatures, no bodies): what tests and the demo inspect. */
export class CallLog {
    private records: CallRecord[] = [];
    private seq = 0;

    start(method: string, path: string, query: string, apiId: string | null, atMs: number): CallRecord {
        const record: CallRecord = {
            seq: ++this.seq,
            at: new Date(atMs).toISOString(),
            method,
            path,
            query,
            apiId,
            status: null,
            outcome: 'pending',
            counted: false
        };
        this.records.push(record);
        if (this.records.length > KEEP) this.records.splice(0, this.records.length - KEEP);
        return record;
    }

    list(): CallRecord[] {
        return this.records.map((r) => ({ ...r }));
    }

    clear(): void {
        this.records = [];
    }
}
