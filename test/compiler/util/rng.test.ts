// The seeded PRNG against an independent BigInt transcription of the xoshiro128** reference algorithm, plus
// determinism, state round trips and the statistical sanity of its derived draws.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRng, rngFromState } from '../../../compiler/util/rng.js';
import type { RngState } from '../../../compiler/util/rng.js';

/** xoshiro128** as written in Blackman & Vigna's xoshiro128starstar.c, over BigInt with explicit 32-bit masks. */
function referenceOutputs(state: RngState, count: number): number[] {
  const M = 0xffffffffn;
  const s = state.map(BigInt);
  const rotl = (x: bigint, k: bigint): bigint => ((x << k) | (x >> (32n - k))) & M;
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    out.push(Number((rotl((s[1] * 5n) & M, 7n) * 9n) & M));
    const t = (s[1] << 9n) & M;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11n);
  }
  return out;
}

describe('rng (xoshiro128**)', () => {
  it('produces the reference sequence from a given state', () => {
    for (const state of [
      [1, 2, 3, 4],
      [0xdeadbeef, 0x12345678, 0xffffffff, 7],
    ] as RngState[]) {
      const rng = rngFromState(state);
      const got = Array.from({ length: 1000 }, () => rng.next());
      assert.deepEqual(got, referenceOutputs(state, 1000));
    }
    // The first output from state (1, 2, 3, 4) by hand: rotl(2·5, 7)·9 = 1280·9.
    assert.equal(rngFromState([1, 2, 3, 4]).next(), 11520);
  });

  it('is deterministic per seed, differs between seeds, and accepts negative and large seeds', () => {
    const draw = (seed: number): number[] => {
      const rng = createRng(seed);
      return Array.from({ length: 8 }, () => rng.next());
    };
    assert.deepEqual(draw(42), draw(42));
    assert.notDeepEqual(draw(42), draw(43));
    assert.notDeepEqual(draw(-1), draw(1));
    assert.notDeepEqual(draw(2 ** 40), draw(0));
    assert.throws(() => createRng(1.5), /seed must be a safe integer/);
  });

  it('round-trips its state exactly, mid-stream', () => {
    const rng = createRng(7);
    for (let i = 0; i < 123; i++) rng.normal();
    const state = rng.getState();
    const expected = [rng.next(), rng.float(), rng.normal(), rng.int(1000)];
    const resumed = rngFromState(state);
    assert.deepEqual([resumed.next(), resumed.float(), resumed.normal(), resumed.int(1000)], expected);
    rng.setState(state);
    assert.deepEqual([rng.next(), rng.float(), rng.normal(), rng.int(1000)], expected);
    assert.deepEqual(JSON.parse(JSON.stringify(state)), state, 'the state survives JSON');
    assert.throws(() => rng.setState([0, 0, 0, 0]), /all-zero state/);
    assert.throws(() => rng.setState([1, 2, 3] as unknown as RngState), /four u32 words/);
    assert.throws(() => rng.setState([1, 2, 3, 2 ** 32]), /four u32 words/);
  });

  it('float() is in [0, 1), int(n) in [0, n) and uniform, normal() has mean 0 and variance 1', () => {
    const rng = createRng(3);
    const n = 60000;
    let sum = 0;
    let sumSq = 0;
    const counts = new Array(6).fill(0);
    for (let i = 0; i < n; i++) {
      const f = rng.float();
      assert.ok(f >= 0 && f < 1);
      counts[rng.int(6)]++;
      const z = rng.normal();
      sum += z;
      sumSq += z * z;
    }
    // Bounds are ≥ 5 standard errors wide, so a correct generator essentially never fails them.
    assert.ok(Math.abs(sum / n) < 0.025, `normal mean ${sum / n}`);
    assert.ok(Math.abs(sumSq / n - 1) < 0.04, `normal variance ${sumSq / n}`);
    for (const c of counts) assert.ok(Math.abs(c - n / 6) < 5 * Math.sqrt(n / 6), `int(6) counts ${counts}`);
    assert.throws(() => rng.int(0), /integer in \[1, 2\^32\]/);
  });

  it('shuffle() permutes in place, deterministically', () => {
    const a = Array.from({ length: 50 }, (_, i) => i);
    const b = a.slice();
    createRng(9).shuffle(a);
    createRng(9).shuffle(b);
    assert.deepEqual(a, b);
    assert.notDeepEqual(
      a,
      Array.from({ length: 50 }, (_, i) => i),
    );
    assert.deepEqual(
      a.slice().sort((x, y) => x - y),
      Array.from({ length: 50 }, (_, i) => i),
    );
    const typed = createRng(9).shuffle(Uint32Array.from({ length: 50 }, (_, i) => i));
    assert.deepEqual(Array.from(typed), a, 'typed arrays shuffle the same way');
  });
});
