// A small seeded PRNG for everything in the compiler that must be reproducible (shuffling, splits, init):
// xoshiro128** (Blackman & Vigna), whose whole state is four u32 words. `getState` / `setState` round-trip
// that state exactly, so a checkpoint can resume a run mid-epoch and draw the very same numbers.

/** The generator's complete state: four u32 words, not all zero. */
export type RngState = [number, number, number, number];

export interface Rng {
  /** Next raw output, a u32 in [0, 2^32). */
  next(): number;
  /** Uniform in [0, 1), with 32 random bits. */
  float(): number;
  /** Uniform integer in [0, n), without modulo bias. `n` must be an integer in [1, 2^32]. */
  int(n: number): number;
  /** Standard normal (mean 0, variance 1), by Box–Muller; uses two `next()` draws and keeps no spare. */
  normal(): number;
  /** Fisher–Yates shuffle in place; returns the same array. */
  shuffle<T extends { length: number; [i: number]: unknown }>(array: T): T;
  /** A copy of the state. */
  getState(): RngState;
  /** Continues from a state previously returned by `getState`. */
  setState(state: RngState): void;
}

const TWO_POW_32 = 4294967296;

/**
 * Creates a generator from an integer seed (any safe integer, negative too). The state is filled from the
 * seed by SplitMix32-style hashing, so nearby seeds give unrelated streams and the state is never all zero.
 */
export function createRng(seed: number): Rng {
  if (!Number.isSafeInteger(seed)) {
    throw new Error(`createRng: seed must be a safe integer, got ${seed}`);
  }
  const lo = seed >>> 0;
  const hi = Math.floor(seed / TWO_POW_32) >>> 0;
  let x = (lo ^ Math.imul(hi, 0x9e3779b9)) >>> 0;
  const s = new Uint32Array(4);
  for (let i = 0; i < 4; i++) {
    x = (x + 0x9e3779b9) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    s[i] = (z ^ (z >>> 16)) >>> 0;
  }
  if ((s[0] | s[1] | s[2] | s[3]) === 0) s[0] = 1;
  return new Xoshiro128(s);
}

/** Creates a generator that continues exactly from `state` (as returned by `getState`). */
export function rngFromState(state: RngState): Rng {
  const rng = new Xoshiro128(new Uint32Array(4));
  rng.setState(state);
  return rng;
}

class Xoshiro128 implements Rng {
  constructor(private readonly s: Uint32Array) {}

  next(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  float(): number {
    return this.next() / TWO_POW_32;
  }

  int(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > TWO_POW_32) {
      throw new Error(`Rng.int: n must be an integer in [1, 2^32], got ${n}`);
    }
    // Rejection sampling: accept only draws below the largest multiple of n, so every residue is equally likely.
    const limit = TWO_POW_32 - (TWO_POW_32 % n);
    for (;;) {
      const r = this.next();
      if (r < limit) return r % n;
    }
  }

  normal(): number {
    // 1 − u lies in (0, 1], so the logarithm is finite.
    const u = 1 - this.float();
    const v = this.float();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  shuffle<T extends { length: number; [i: number]: unknown }>(array: T): T {
    for (let i = array.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = array[i];
      array[i] = array[j];
      array[j] = tmp;
    }
    return array;
  }

  getState(): RngState {
    return [this.s[0], this.s[1], this.s[2], this.s[3]];
  }

  setState(state: RngState): void {
    if (
      !Array.isArray(state) ||
      state.length !== 4 ||
      !state.every((w) => Number.isInteger(w) && w >= 0 && w < TWO_POW_32)
    ) {
      throw new Error(`Rng.setState: state must be four u32 words, got ${JSON.stringify(state)}`);
    }
    if (state.every((w) => w === 0)) {
      throw new Error('Rng.setState: an all-zero state is invalid for xoshiro128** (it would only ever return 0)');
    }
    for (let i = 0; i < 4; i++) this.s[i] = state[i];
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
