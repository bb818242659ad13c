import type { SeedName } from '../types';
import { demoSeed, emptySeed } from './seed-demo';
import { largeSeed } from './seed-large';
import { SimState } from './state';

export const SEEDS: readonly SeedName[] = ['demo', 'large', 'empty'];

export function buildState(seed: SeedName): SimState {
    const data = seed === 'large' ? largeSeed() : seed === 'empty' ? emptySeed() : demoSeed();
    return new SimState(seed, data);
}
