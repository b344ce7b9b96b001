// allocateBits (greedy) against allocateBitsExact (DP), and the DP against brute-force enumeration.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allocateBits, allocateBitsExact, type BitOption } from '../../../compiler/optimize/bit_allocation.js';
import { mckpBruteForce } from './exact.js';
import { rng } from '../../fixtures/random.js';

/**
 * Random layers shaped like the real problem: option b costs about n·b bits plus a codebook, distortion falls with b.
 * convex: distortion falls by a steady factor (convex in cost); otherwise factors and extra costs are random, some
 * options are dominated and some bitwidths are missing.
 */
function randomInstance(rand: () => number, convex: boolean): BitOption[][] {
  const layers: BitOption[][] = [];
  const count = 1 + Math.floor(rand() * 5);
  for (let i = 0; i < count; i++) {
    const n = 5 + Math.floor(rand() * 40);
    let d = 1 + rand() * 100;
    const options: BitOption[] = [];
    for (let bits = 1; bits <= 8; bits++) {
      if (!convex && bits > 1 && rand() < 0.25) continue;
      d *= convex ? 0.25 : 0.1 + 0.8 * rand();
      const extra = convex ? 2 ** bits : Math.floor(rand() * 40);
      options.push({
        bits,
        costBits: n * bits + extra,
        distortion: convex ? d : d * (1 + (rand() < 0.2 ? rand() : 0)),
      });
    }
    layers.push(options);
  }
  return layers;
}

/** The documented bound: max over layers of (distortion of the cheapest option − the layer's least distortion). */
function greedyBound(layers: BitOption[][]): number {
  let bound = 0;
  for (const options of layers) {
    const cheapest = options.reduce((a, o) =>
      o.costBits < a.costBits || (o.costBits === a.costBits && o.distortion < a.distortion) ? o : a,
    );
    bound = Math.max(bound, cheapest.distortion - Math.min(...options.map((o) => o.distortion)));
  }
  return bound;
}

function checkSums(layers: BitOption[][], res: { choice: number[]; costBits: number; distortion: number }): void {
  let c = 0;
  let d = 0;
  res.choice.forEach((j, i) => {
    assert.ok(Number.isInteger(j) && j >= 0 && j < layers[i].length, `choice ${j} for layer ${i}`);
    c += layers[i][j].costBits;
    d += layers[i][j].distortion;
  });
  assert.equal(res.costBits, c);
  assert.ok(Math.abs(res.distortion - d) <= 1e-12 * Math.max(1, d));
}

for (const convex of [true, false]) {
  test(`allocateBits vs exact DP on ${convex ? 'convex' : 'non-convex'} instances`, (t) => {
    const rand = rng(convex ? 31 : 32);
    const gaps: number[] = [];
    for (let trial = 0; trial < 300; trial++) {
      const layers = randomInstance(rand, convex);
      const minCost = layers.reduce((s, o) => s + Math.min(...o.map((x) => x.costBits)), 0);
      const maxCost = layers.reduce((s, o) => s + Math.max(...o.map((x) => x.costBits)), 0);
      const budget = Math.floor(minCost + rand() * (maxCost - minCost) * 1.05);
      const exact = allocateBitsExact(layers, budget);
      const greedy = allocateBits(layers, budget);
      checkSums(layers, exact);
      checkSums(layers, greedy);
      const brute = mckpBruteForce(layers, budget);
      assert.ok(exact.feasible && greedy.feasible);
      assert.ok(
        Math.abs(exact.distortion - brute) <= 1e-9 * Math.max(1, brute),
        `trial ${trial}: DP ${exact.distortion} ≠ brute force ${brute}`,
      );
      assert.ok(exact.costBits <= budget && greedy.costBits <= budget, `trial ${trial}: over budget`);
      assert.ok(
        greedy.distortion >= exact.distortion - 1e-9 * exact.distortion,
        `trial ${trial}: greedy beats the exact optimum`,
      );
      const bound = greedyBound(layers);
      assert.ok(
        greedy.distortion <= exact.distortion + bound + 1e-9,
        `trial ${trial}: ${greedy.distortion} > ${exact.distortion} + bound ${bound}`,
      );
      gaps.push(exact.distortion > 0 ? greedy.distortion / exact.distortion - 1 : 0);
    }
    const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
    const optimal = gaps.filter((g) => g <= 1e-12).length;
    t.diagnostic(
      `relative distortion gap: mean ${mean.toExponential(2)}, max ${Math.max(...gaps).toExponential(2)}, optimal in ${optimal}/300`,
    );
  });
}

test('allocateBits: infeasible budgets return the cheapest options with feasible = false', () => {
  const layers: BitOption[][] = [
    [
      { bits: 2, costBits: 20, distortion: 1 },
      { bits: 1, costBits: 10, distortion: 5 },
      { bits: 3, costBits: 10, distortion: 4 },
    ],
    [{ bits: 1, costBits: 7, distortion: 2 }],
  ];
  for (const fn of [allocateBits, allocateBitsExact]) {
    const res = fn(layers, 16);
    assert.equal(res.feasible, false);
    assert.deepEqual(res.choice, [2, 0]); // cost 10 with the lower distortion, then the only option
    assert.equal(res.costBits, 17);
  }
  assert.equal(allocateBits(layers, 17).feasible, true);
});

test('allocateBits: a large budget takes every layer to its least distortion', () => {
  const rand = rng(33);
  for (let trial = 0; trial < 50; trial++) {
    const layers = randomInstance(rand, trial % 2 === 0);
    const res = allocateBits(layers, Infinity);
    res.choice.forEach((j, i) =>
      assert.equal(layers[i][j].distortion, Math.min(...layers[i].map((o) => o.distortion))),
    );
  }
});

test('bit allocation rejects bad input with a clear message', () => {
  assert.throws(() => allocateBits([[]], 10), /layer 0 has no options/);
  assert.throws(() => allocateBits([[{ bits: 1, costBits: NaN, distortion: 1 }]], 10), /costBits is NaN/);
  assert.throws(() => allocateBits([[{ bits: 1, costBits: 1, distortion: Infinity }]], 10), /distortion is Infinity/);
  assert.throws(() => allocateBits([[{ bits: 1, costBits: 1, distortion: 1 }]], NaN), /budgetBits is NaN/);
  assert.throws(() => allocateBitsExact([[{ bits: 1, costBits: 1.5, distortion: 1 }]], 10), /integer costs/);
  assert.throws(
    () =>
      allocateBitsExact(
        [
          [
            { bits: 1, costBits: 1e9, distortion: 1 },
            { bits: 2, costBits: 1, distortion: 2 },
          ],
        ],
        1e9,
      ),
    /scale the costs/,
  );
});
