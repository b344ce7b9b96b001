// sparseProject against (a) the exact 0-1 knapsack DP and (b) a plain full-sort implementation of the documented
// greedy (score desc, ties by layer then index; forced minKeep first; fill after the critical item).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyMask, sparseProject, type SparseLayerInput } from '../../../compiler/optimize/sparse_projection.js';
import { gaussian, knapsackExact } from './exact.js';
import { rng } from '../../fixtures/random.js';

interface Item {
  layer: number;
  index: number;
  value: number;
  cost: number;
}

function itemsOf(layers: SparseLayerInput[]): Item[] {
  const items: Item[] = [];
  layers.forEach((l, layer) => {
    l.values.forEach((w, index) => {
      const imp =
        l.importance === undefined ? 1 : typeof l.importance === 'number' ? l.importance : l.importance[index];
      items.push({ layer, index, value: imp * w * w, cost: l.costBitsPerNonzero });
    });
  });
  return items;
}

/** The documented greedy, written the slow obvious way: one comparator sort over all items. */
function greedyReference(layers: SparseLayerInput[], budget: number): boolean[][] {
  const keep = layers.map((l) => new Array<boolean>(l.values.length).fill(false));
  const items = itemsOf(layers);
  const byValue = (a: Item, b: Item) => b.value - a.value || a.index - b.index;
  let spent = 0;
  layers.forEach((l, i) => {
    const mine = items.filter((it) => it.layer === i).sort(byValue);
    for (const it of mine.slice(0, Math.min(l.minKeep ?? 1, mine.length))) {
      keep[i][it.index] = true;
      spent += it.cost;
    }
  });
  const order = items
    .filter((it) => !keep[it.layer][it.index] && it.value > 0)
    .sort((a, b) => b.value / b.cost - a.value / a.cost || a.layer - b.layer || a.index - b.index);
  for (const it of order) {
    if (spent + it.cost <= budget) {
      keep[it.layer][it.index] = true;
      spent += it.cost;
    }
  }
  return keep;
}

function randomLayers(
  rand: () => number,
  maxLayers: number,
  maxN: number,
  ties: boolean,
  minKeep: number,
): SparseLayerInput[] {
  const layers: SparseLayerInput[] = [];
  const count = 1 + Math.floor(rand() * maxLayers);
  for (let i = 0; i < count; i++) {
    const n = 1 + Math.floor(rand() * maxN);
    const values = new Float32Array(n);
    for (let j = 0; j < n; j++) {
      const r = rand();
      values[j] = r < 0.1 ? 0 : ties ? Math.round(gaussian(rand) * 2) / 2 : gaussian(rand);
    }
    layers.push({ values, costBitsPerNonzero: 1 + Math.floor(rand() * 9), minKeep });
  }
  return layers;
}

test('sparseProject vs exact knapsack DP: within budget and value ≥ OPT − max item', (t) => {
  const rand = rng(21);
  const gaps: number[] = [];
  for (let trial = 0; trial < 400; trial++) {
    const layers = randomLayers(rand, 4, 12, trial % 2 === 0, 0);
    const items = itemsOf(layers);
    const totalCost = items.reduce((s, it) => s + it.cost, 0);
    const budget = Math.floor(rand() * totalCost);
    const res = sparseProject(layers, budget);
    const opt = knapsackExact(
      items.map((it) => it.value),
      items.map((it) => it.cost),
      budget,
    ).value;
    const maxItem = Math.max(...items.map((it) => it.value));
    assert.ok(res.costBits <= budget, `trial ${trial}: cost ${res.costBits} > budget ${budget}`);
    assert.ok(
      res.value >= opt - maxItem - 1e-9,
      `trial ${trial}: value ${res.value} < OPT ${opt} − max item ${maxItem}`,
    );
    assert.ok(res.value <= opt + 1e-9, `trial ${trial}: value ${res.value} above the optimum ${opt}`);
    gaps.push(opt > 0 ? (opt - res.value) / opt : 0);
  }
  const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
  t.diagnostic(
    `relative gap to the optimum over 400 instances: mean ${mean.toExponential(2)}, max ${Math.max(...gaps).toExponential(2)}`,
  );
});

test('sparseProject equals the plain-sort greedy exactly, with ties, minKeep and importance', () => {
  const rand = rng(22);
  for (let trial = 0; trial < 300; trial++) {
    const layers = randomLayers(rand, 5, trial < 250 ? 30 : 3000, trial % 3 !== 0, Math.floor(rand() * 3));
    if (trial % 4 === 1) layers[0].importance = 0.5 + rand();
    if (trial % 4 === 2)
      for (const l of layers)
        l.importance = Float32Array.from(l.values, () => (rand() < 0.2 ? 0 : Math.floor(rand() * 3)));
    if (trial % 5 === 0) for (const l of layers) l.costBitsPerNonzero += 0.37; // fractional costs
    const totalCost = itemsOf(layers).reduce((s, it) => s + it.cost, 0);
    const budget = rand() * totalCost;
    const res = sparseProject(layers, budget);
    const ref = greedyReference(layers, budget);
    layers.forEach((l, i) => {
      for (let j = 0; j < l.values.length; j++) {
        assert.equal(res.keep[i][j] === 1, ref[i][j], `trial ${trial}: layer ${i} weight ${j}`);
      }
      assert.equal(res.nnz[i], ref[i].filter(Boolean).length);
    });
    let cost = 0;
    let value = 0;
    for (const it of itemsOf(layers)) {
      if (res.keep[it.layer][it.index] === 1) {
        cost += it.cost;
        value += it.value;
      }
    }
    assert.ok(Math.abs(res.costBits - cost) <= 1e-9 * cost);
    assert.ok(Math.abs(res.value - value) <= 1e-9 * value);
  }
});

test('sparseProject: large instance with heavy ties matches the plain-sort greedy', () => {
  const rand = rng(23);
  const sizes = [500, 25000, 40000, 5000];
  const layers: SparseLayerInput[] = sizes.map((n, i) => ({
    values: Float32Array.from({ length: n }, () => Math.round(gaussian(rand) * 16) / 64),
    costBitsPerNonzero: [5.5, 4.25, 3.1, 6][i],
    minKeep: [1, 300, 0, 33][i], // above 32 the forced set comes from the radix select, not the small scan
  }));
  const budget = 0.1 * itemsOf(layers).reduce((s, it) => s + it.cost, 0);
  const res = sparseProject(layers, budget);
  const ref = greedyReference(layers, budget);
  layers.forEach((l, i) => {
    let diff = 0;
    for (let j = 0; j < l.values.length; j++) if ((res.keep[i][j] === 1) !== ref[i][j]) diff++;
    assert.equal(diff, 0, `layer ${i}: ${diff} weights differ`);
  });
  assert.ok(res.costBits <= budget && res.costBits > budget - 7);
});

test('minKeep is honoured first; an infeasible budget still returns it, with costBits > budget', () => {
  const rand = rng(24);
  for (let trial = 0; trial < 200; trial++) {
    const mk = 1 + Math.floor(rand() * 3);
    const layers = randomLayers(rand, 4, 10, trial % 2 === 0, mk);
    const items = itemsOf(layers);
    const forcedCost = layers.reduce((s, l) => s + Math.min(mk, l.values.length) * l.costBitsPerNonzero, 0);
    const totalCost = items.reduce((s, it) => s + it.cost, 0);
    const budget = Math.floor(rand() * totalCost);
    const res = sparseProject(layers, budget);
    layers.forEach((l, i) => {
      assert.ok(
        res.nnz[i] >= Math.min(mk, l.values.length),
        `trial ${trial}: layer ${i} keeps ${res.nnz[i]} < minKeep`,
      );
      // The forced ones are the largest |w| (ties: lowest index).
      const top = Array.from(l.values, (w, j) => ({ a: w * w, j }))
        .sort((x, y) => y.a - x.a || x.j - y.j)
        .slice(0, mk);
      for (const { j } of top) assert.equal(res.keep[i][j], 1);
    });
    if (forcedCost > budget) {
      assert.ok(res.costBits > budget);
      assert.equal(res.costBits, forcedCost);
    } else {
      // Bound relative to the best set that contains the forced items.
      const forced = (it: Item) =>
        res.keep[it.layer][it.index] === 1 &&
        itemsOf([layers[it.layer]]).filter((o) => o.value > it.value || (o.value === it.value && o.index < it.index))
          .length < mk;
      const free = items.filter((it) => !forced(it));
      const forcedValue = items.filter(forced).reduce((s, it) => s + it.value, 0);
      const opt =
        forcedValue +
        knapsackExact(
          free.map((it) => it.value),
          free.map((it) => it.cost),
          budget - forcedCost,
        ).value;
      const maxItem = Math.max(...free.map((it) => it.value), 0);
      assert.ok(res.costBits <= budget);
      assert.ok(res.value >= opt - maxItem - 1e-9, `trial ${trial}: ${res.value} < ${opt} − ${maxItem}`);
    }
  }
});

test('zero-value weights are only kept to satisfy minKeep; an infinite budget keeps every nonzero', () => {
  const values = new Float32Array([0, 0.5, 0, -2, 0, 0]);
  const all = sparseProject([{ values, costBitsPerNonzero: 3, minKeep: 0 }], Infinity);
  assert.deepEqual(Array.from(all.keep[0]), [0, 1, 0, 1, 0, 0]);
  const forced = sparseProject([{ values, costBitsPerNonzero: 3, minKeep: 4 }], 0);
  assert.deepEqual(Array.from(forced.keep[0]), [1, 1, 1, 1, 0, 0]);
  assert.equal(forced.costBits, 12);
  const masked = applyMask(values, all.keep[0]);
  assert.deepEqual(Array.from(masked), [0, 0.5, 0, -2, 0, 0]);
  const inPlace = new Float32Array([1, 2, 3]);
  applyMask(inPlace, new Uint8Array([1, 0, 1]), inPlace);
  assert.deepEqual(Array.from(inPlace), [1, 0, 3]);
});

test('sparseProject rejects bad input with a clear message', () => {
  const values = new Float32Array([1, 2]);
  assert.throws(() => sparseProject([{ values, costBitsPerNonzero: 1 }], NaN), /budgetBits is NaN/);
  assert.throws(() => sparseProject([{ values, costBitsPerNonzero: 0 }], 10), /layer 0: costBitsPerNonzero is 0/);
  assert.throws(
    () => sparseProject([{ values: new Float32Array([1, NaN]), costBitsPerNonzero: 1 }], 10),
    /values\[1\] is NaN/,
  );
  assert.throws(
    () => sparseProject([{ values, costBitsPerNonzero: 1, importance: new Float32Array(3) }], 10),
    /importance has 3 entries for 2 weights/,
  );
  assert.throws(() => sparseProject([{ values, costBitsPerNonzero: 1, importance: -1 }], 10), /importance is -1/);
  assert.throws(() => sparseProject([{ values, costBitsPerNonzero: 1, minKeep: 1.5 }], 10), /minKeep is 1.5/);
  assert.throws(() => applyMask(values, new Uint8Array(3)), /mask has 3 entries/);
});
