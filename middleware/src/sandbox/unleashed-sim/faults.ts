import { mulberry32 } from './prng';
import { NO_FAULTS } from './settings';
import type { Faults } from './types';

type Counted = 'burst429' | 'dropConnections' | 'timeoutAfterCommit';

/** The active faults; counted faults are used up one request at a time. */
export class FaultController {
    private current: Faults;
    private rng: () => number;

    constructor(initial: Partial<Faults>, seed: number) {
        this.current = { ...NO_FAULTS, ...initial };
        this.rng = mulberry32(seed);
    }

    get faults(): Faults {
        return { ...this.current };
    }

    set(partial: Partial<Faults>): void {
        this.current = { ...this.current, ...partial };
    }

    reseed(seed: number): void {
        this.rng = mulberry32(seed);
    }

    /** Uses one unit of a counted fault; false when none is left. */
    take(name: Counted): boolean {
        if (this.current[name] <= 0) return false;
        this.current[name] -= 1;
        return true;
    }

    /** Whether this call fails with a 5xx; the PRNG only advances while a rate is set. */
    fail5xx(): boolean {
        return this.current.failRate5xx > 0 && this.rng() < this.current.failRate5xx;
    }
}
