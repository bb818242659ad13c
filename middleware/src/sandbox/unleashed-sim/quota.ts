/** Calls per API id per calendar month (UTC), the way Unleashed's monthly allowance counts them. */
export class QuotaMeter {
    private readonly monthly = new Map<string, number>();
    private readonly totals = new Map<string, number>();

    static month(ms: number): string {
        return new Date(ms).toISOString().slice(0, 7);
    }

    used(apiId: string, ms: number): number {
        return this.monthly.get(`${apiId.toLowerCase()}|${QuotaMeter.month(ms)}`) ?? 0;
    }

    record(apiId: string, ms: number): void {
        const id = apiId.toLowerCase();
        const key = `${id}|${QuotaMeter.month(ms)}`;
        this.monthly.set(key, (this.monthly.get(key) ?? 0) + 1);
        this.totals.set(id, (this.totals.get(id) ?? 0) + 1);
    }

    /** All counted calls, for one API id or every one. */
    total(apiId?: string): number {
        if (apiId !== undefined) return this.totals.get(apiId.toLowerCase()) ?? 0;
        let sum = 0;
        for (const n of this.totals.values()) sum += n;
        return sum;
    }

    snapshot(): Record<string, number> {
        return Object.fromEntries(this.monthly);
    }

    clear(): void {
        this.monthly.clear();
        this.totals.clear();
    }
}
