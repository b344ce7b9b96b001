// structuredProject against (a) brute force over every subset of weights on small instances (units priced by
// their setup bits, weights by β), and (b) a plain full-sort implementation of the documented greedy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  pruneRuns,
  scoreOrder,
  structuredProject,
  unitRuns,
  type StructuredLayerInput,
} from '../../../compiler/optimize/structured_projection.js';
import { gaussian } from './exact.js';
import { rng } from '../../fixtures/random.js';

function randomLayers(
  rand: () => number,
  maxLayers: number,
  maxUnits: number,
  maxRows: number,
  ties: boolean,
): StructuredLayerInput[] {
  const count = 1 + Math.floor(rand() * maxLayers);
  return Array.from({ length: count }, () => {
    const units = 1 + Math.floor(rand() * maxUnits);
    const rows = 1 + Math.floor(rand() * maxRows);
    const scores = Float64Array.from({ length: units * rows }, () => {
      if (rand() < 0.1) return 0;
      const g = gaussian(rand);
      return ties ? Math.round(g * g * 2) / 2 : g * g;
    });
    const openable = rand() < 0.7;
    const layer: StructuredLayerInput = {
      scores,
      units,
      bitsPerKept: rand() < 0.2 ? 0 : 1 + Math.floor(rand() * 6),
      unitSetupBits: openable ? Math.floor(rand() * 12) : undefined,
    };
    if (openable && rand() < 0.5)
      layer.unitBonus = Float64Array.from({ length: units }, () => (rand() < 0.5 ? 0 : Math.round(rand() * 4)));
    return layer;
  });
}

/** Cost and value of a selection, summed directly from the problem's definition. */
function evaluate(layers: StructuredLayerInput[], keep: Uint8Array[]): { cost: number; value: number } {
  let cost = 0;
  let value = 0;
  layers.forEach((l, i) => {
    const open = new Uint8Array(l.units);
    for (let j = 0; j < l.scores.length; j++) {
      if (!keep[i][j]) continue;
      open[j % l.units] = 1;
      cost += l.bitsPerKept;
      value += l.scores[j];
    }
    if (l.unitSetupBits === undefined) return;
    for (let u = 0; u < l.units; u++) {
      if (!open[u]) continue;
      cost += l.unitSetupBits;
      value += l.unitBonus?.[u] ?? 0;
    }
  });
  return { cost, value };
}

/** Best value over all subsets with ≥ 1 kept weight of positive score per layer (where the layer has one), cost ≤ budget. */
function bruteForce(layers: StructuredLayerInput[], budget: number): number {
  const all: [number, number][] = [];
  layers.forEach((l, i) =>
    l.scores.forEach((s, j) => {
      if (s > 0) all.push([i, j]);
    }),
  );
  const needs = layers.map((l) => l.scores.some((s) => s > 0));
  let best = -Infinity;
  for (let mask = 0; mask < 1 << all.length; mask++) {
    const keep = layers.map((l) => new Uint8Array(l.scores.length));
    all.forEach(([i, j], b) => {
      if (mask & (1 << b)) keep[i][j] = 1;
    });
    if (keep.some((k, i) => needs[i] && !k.some((x) => x === 1))) continue;
    const { cost, value } = evaluate(layers, keep);
    if (cost <= budget && value > best) best = value;
  }
  return best;
}

/** Every item's value: openings (best prefix + bonus) and single weights; the bound's "largest item". */
function maxItemValue(layers: StructuredLayerInput[]): number {
  let max = 0;
  for (const l of layers) {
    if (l.unitSetupBits === undefined) {
      for (const s of l.scores) max = Math.max(max, s);
      continue;
    }
    for (let u = 0; u < l.units; u++) {
      let sum = l.unitBonus?.[u] ?? 0;
      for (let j = u; j < l.scores.length; j += l.units) sum += l.scores[j];
      max = Math.max(max, sum);
    }
  }
  return max;
}

test('structuredProject vs brute force: within budget, value ≥ OPT − largest item, never above OPT', (t) => {
  const rand = rng(31);
  const gaps: number[] = [];
  let checked = 0;
  for (let trial = 0; trial < 600; trial++) {
    const layers = randomLayers(rand, 3, 3, 3, trial % 2 === 0);
    const positives = layers.reduce((s, l) => s + l.scores.filter((x) => x > 0).length, 0);
    if (positives > 13) continue;
    const full = evaluate(
      layers,
      layers.map((l) => Uint8Array.from(l.scores, (x) => (x > 0 ? 1 : 0))),
    );
    const budget = Math.floor(rand() * (full.cost + 4));
    const res = structuredProject(layers, budget);
    const opt = bruteForce(layers, budget);
    const got = evaluate(layers, res.keep);
    assert.ok(
      Math.abs(got.cost - res.costBits) < 1e-9 && Math.abs(got.value - res.value) < 1e-9,
      `trial ${trial}: reported totals`,
    );
    // The forced items (each layer's best ratio) are kept whatever the budget; where they alone do not fit, the
    // result says so by costBits > budget and the bound below does not apply.
    if (opt === -Infinity || structuredProject(layers, 0).costBits > budget) continue;
    checked++;
    assert.ok(res.costBits <= budget, `trial ${trial}: cost ${res.costBits} > budget ${budget}`);
    assert.ok(res.value <= opt + 1e-9, `trial ${trial}: value ${res.value} above the optimum ${opt}`);
    assert.ok(
      res.value >= opt - maxItemValue(layers) - 1e-9,
      `trial ${trial}: value ${res.value} < OPT ${opt} − largest item`,
    );
    gaps.push(opt > 0 ? (opt - res.value) / opt : 0);
  }
  assert.ok(checked > 200, `only ${checked} feasible instances`);
  const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
  t.diagnostic(
    `relative gap to the optimum over ${checked} instances: mean ${mean.toExponential(2)}, max ${Math.max(...gaps).toExponential(2)}`,
  );
});

interface Item {
  layer: number;
  unit: number;
  seq: number;
  cost: number;
  value: number;
  ratio: number;
  count: number;
}

/** The documented greedy the slow way: explicit items, one global sort, groups dropped at their first misfit. */
function greedyReference(layers: StructuredLayerInput[], budget: number): Uint8Array[] {
  const groups: Item[][] = [];
  layers.forEach((l, i) => {
    const byGroup =
      l.unitSetupBits === undefined
        ? [Array.from(l.scores.keys())]
        : Array.from({ length: l.units }, (_, u) => Array.from(l.scores.keys()).filter((j) => j % l.units === u));
    byGroup.forEach((indices, g) => {
      const sorted = indices
        .map((j) => l.scores[j])
        .filter((s) => s > 0)
        .sort((a, b) => b - a);
      const items: Item[] = [];
      let start = 0;
      if (l.unitSetupBits !== undefined && sorted.length > 0) {
        let best = { k: 0, ratio: -1, value: 0, cost: 0 };
        let v = l.unitBonus?.[g] ?? 0;
        for (let k = 1; k <= sorted.length; k++) {
          v += sorted[k - 1];
          const cost = l.unitSetupBits + (l.bitsPerKept === 0 ? 0 : k * l.bitsPerKept);
          if (l.bitsPerKept === 0 && k < sorted.length) continue;
          const ratio = cost > 0 ? v / cost : Infinity;
          if (ratio > best.ratio) best = { k, ratio, value: v, cost };
        }
        items.push({ layer: i, unit: g, seq: 0, cost: best.cost, value: best.value, ratio: best.ratio, count: best.k });
        start = best.k;
      }
      for (let k = start; k < sorted.length; k++) {
        items.push({
          layer: i,
          unit: g,
          seq: items.length,
          cost: l.bitsPerKept,
          value: sorted[k],
          ratio: l.bitsPerKept > 0 ? sorted[k] / l.bitsPerKept : Infinity,
          count: 1,
        });
      }
      groups.push(items);
    });
  });
  const taken = new Map<Item[], number>(groups.map((g) => [g, 0]));
  const dropped = new Set<Item[]>();
  const byRatio = (a: Item, b: Item) => (b.ratio === a.ratio ? 0 : b.ratio - a.ratio);
  const order = (a: Item, b: Item) => byRatio(a, b) || a.layer - b.layer || a.unit - b.unit || a.seq - b.seq;
  let spent = 0;
  layers.forEach((l, i) => {
    for (let k = 0; k < (l.minKeep ?? 1); k++) {
      const next = groups
        .filter((g) => g.length > taken.get(g)! && g[0].layer === i)
        .map((g) => g[taken.get(g)!])
        .sort(order)[0];
      if (!next) break;
      const g = groups.find((gr) => gr.includes(next))!;
      taken.set(g, taken.get(g)! + 1);
      spent += next.cost;
    }
  });
  // Floors: each openable layer's unopened units by their opening's ratio, those that fit, until minOpen are open.
  layers.forEach((l, i) => {
    if (l.unitSetupBits === undefined) return;
    const mine = groups.filter((g) => g.length > 0 && g[0].layer === i);
    let open = mine.filter((g) => taken.get(g)! > 0).length;
    for (const g of mine.filter((gr) => taken.get(gr) === 0).sort((a, b) => order(a[0], b[0]))) {
      if (open >= (l.minOpen ?? 0)) break;
      if (spent + g[0].cost > budget) continue;
      taken.set(g, 1);
      spent += g[0].cost;
      open++;
    }
  });
  const all = groups.flat().sort(order);
  for (const it of all) {
    const g = groups.find((gr) => gr.includes(it))!;
    if (dropped.has(g) || g.indexOf(it) < taken.get(g)!) continue;
    if (g.indexOf(it) !== taken.get(g)) continue; // an earlier item of its group was skipped: cannot happen (ratios descend)
    if (it.cost > 0 && spent + it.cost > budget) {
      dropped.add(g);
      continue;
    }
    spent += it.cost;
    taken.set(g, taken.get(g)! + 1);
  }
  // Masks: each group's best `count` scores, ties by index.
  return layers.map((l, i) => {
    const mask = new Uint8Array(l.scores.length);
    for (const g of groups.filter((gr) => gr.length > 0 && gr[0].layer === i)) {
      const n = g.slice(0, taken.get(g)!).reduce((s, it) => s + it.count, 0);
      const indices = Array.from(l.scores.keys())
        .filter((j) => (l.unitSetupBits === undefined ? true : j % l.units === g[0].unit) && l.scores[j] > 0)
        .sort((a, b) => l.scores[b] - l.scores[a] || a - b);
      for (const j of indices.slice(0, n)) mask[j] = 1;
    }
    return mask;
  });
}

test('structuredProject equals the plain-sort greedy exactly, with ties, bonuses, dense layers, minKeep and minOpen', () => {
  const rand = rng(32);
  for (let trial = 0; trial < 400; trial++) {
    const layers = randomLayers(rand, 4, trial < 250 ? 6 : 40, trial < 250 ? 8 : 60, trial % 3 !== 0);
    if (trial % 5 === 0) for (const l of layers) l.minKeep = Math.floor(rand() * 3);
    if (trial >= 300) for (const l of layers) l.minOpen = Math.floor(rand() * (l.units + 2));
    const full = evaluate(
      layers,
      layers.map((l) => Uint8Array.from(l.scores, (x) => (x > 0 ? 1 : 0))),
    );
    const budget = rand() * full.cost;
    const res = structuredProject(layers, budget);
    const ref = greedyReference(layers, budget);
    layers.forEach((_, i) => assert.deepEqual([...res.keep[i]], [...ref[i]], `trial ${trial}: layer ${i}`));
  }
});

test('a reused order gives the same result, and skips weights whose score was zeroed since', () => {
  const rand = rng(33);
  for (let trial = 0; trial < 100; trial++) {
    const layers = randomLayers(rand, 3, 8, 10, trial % 2 === 0);
    const orders = layers.map((l) => scoreOrder(l.scores));
    for (const l of layers) for (let j = 0; j < l.scores.length; j++) if (rand() < 0.2) l.scores[j] = 0;
    const budget = rand() * 200;
    const fresh = structuredProject(layers, budget);
    const reused = structuredProject(
      layers.map((l, i) => ({ ...l, order: orders[i] })),
      budget,
    );
    layers.forEach((_, i) => assert.deepEqual([...reused.keep[i]], [...fresh.keep[i]], `trial ${trial}: layer ${i}`));
  }
});

test('reused runs, pruned after zeroing, give the same result as runs computed from the current scores', () => {
  const rand = rng(35);
  for (let trial = 0; trial < 100; trial++) {
    const layers = randomLayers(rand, 3, 8, 10, trial % 2 === 0);
    const grouping = (l: StructuredLayerInput) => (l.unitSetupBits === undefined ? 1 : l.units);
    const runs = layers.map((l) => unitRuns(l.scores, grouping(l), scoreOrder(l.scores)));
    for (const l of layers) for (let j = 0; j < l.scores.length; j++) if (rand() < 0.2) l.scores[j] = 0;
    const pruned = layers.map((l, i) => pruneRuns(runs[i]!, l.scores));
    layers.forEach((l, i) => {
      const fresh = unitRuns(l.scores, grouping(l), scoreOrder(l.scores));
      assert.deepEqual(
        pruned[i]!.map((r) => [[...r.indices], [...r.sorted]]),
        fresh.map((r) => [[...r.indices], [...r.sorted]]),
        `trial ${trial}: layer ${i}`,
      );
    });
    const budget = rand() * 200;
    const fresh = structuredProject(layers, budget);
    const reused = structuredProject(
      layers.map((l, i) => ({ ...l, runs: pruned[i] })),
      budget,
    );
    layers.forEach((_, i) => assert.deepEqual([...reused.keep[i]], [...fresh.keep[i]], `trial ${trial}: layer ${i}`));
    assert.equal(reused.costBits, fresh.costBits);
  }
  const layer = randomLayers(rng(36), 1, 4, 4, false)[0]!;
  const wrong = unitRuns(
    layer.scores,
    layer.unitSetupBits === undefined ? 2 : layer.units + 1,
    scoreOrder(layer.scores),
  );
  assert.throws(() => structuredProject([{ ...layer, runs: wrong }], 10), /runs has \d+ units; it must have \d+/);
});

test('scoreOrder: positive scores by value descending, ties by index, against a comparator sort', () => {
  const rand = rng(34);
  const scores = Float64Array.from({ length: 5000 }, () =>
    rand() < 0.1 ? 0 : rand() < 0.3 ? Math.round(rand() * 4) : rand() * 1e-3 * 2 ** (rand() * 40),
  );
  const expected = [...scores.keys()].filter((j) => scores[j] > 0).sort((a, b) => scores[b] - scores[a] || a - b);
  assert.deepEqual([...scoreOrder(scores)], expected);
});

test('a dense layer (β = 0) keeps every positive weight of an open unit; open units are reported', () => {
  const layer: StructuredLayerInput = {
    scores: Float64Array.from([9, 1, 0, 4, 1, 1, 2, 0.5, 0]), // units of 3: unit 0 = {9, 4, 2}, 1 = {1, 1, 0.5}, 2 = {0, 1, 0}
    units: 3,
    bitsPerKept: 0,
    unitSetupBits: 10,
  };
  const res = structuredProject([layer], 20);
  assert.deepEqual([...res.open[0]], [1, 1, 0]);
  assert.deepEqual([...res.keep[0]], [1, 1, 0, 1, 1, 0, 1, 1, 0]);
  assert.equal(res.costBits, 20);
  assert.equal(res.value, 9 + 4 + 2 + 1 + 1 + 0.5);
});

test('bad input is refused with the layer and the value', () => {
  assert.throws(
    () => structuredProject([{ scores: new Float64Array(5), units: 2, bitsPerKept: 1 }], 10),
    /layer 0: units is 2/,
  );
  assert.throws(
    () => structuredProject([{ scores: Float64Array.from([1, -1]), units: 1, bitsPerKept: 1 }], 10),
    /scores\[1\] is -1/,
  );
  assert.throws(
    () =>
      structuredProject(
        [{ scores: new Float64Array(2), units: 2, bitsPerKept: 1, unitSetupBits: 3, unitBonus: new Float64Array(3) }],
        10,
      ),
    /unitBonus has 3 entries for 2 units/,
  );
  assert.throws(() => structuredProject([], NaN), /budgetBits is NaN/);
  assert.throws(
    () => structuredProject([{ scores: new Float64Array(2), units: 2, bitsPerKept: 1, minOpen: 1.5 }], 10),
    /layer 0: minOpen is 1\.5/,
  );
});

test('a floor opens units the greedy would leave closed, best openings first, never over the budget', () => {
  // Layer 0: 3 units of one weight, worth 9, 0.1 and 0.2, each opening 8 + 1 bits. Layer 1: six singles worth 5
  // at 3 bits each, which the greedy prefers to the weak units.
  const layers = (minOpen: number): StructuredLayerInput[] => [
    { scores: Float64Array.from([9, 0.1, 0.2]), units: 3, bitsPerKept: 1, unitSetupBits: 8, minOpen },
    { scores: new Float64Array(6).fill(5), units: 1, bitsPerKept: 3 },
  ];
  const run = (minOpen: number, budget: number) => {
    const r = structuredProject(layers(minOpen), budget);
    return { open: [...r.open[0]!], singles: r.keep[1]!.reduce((n, k) => n + k, 0), cost: r.costBits };
  };
  assert.deepEqual(run(0, 30), { open: [1, 0, 0], singles: 6, cost: 27 });
  assert.deepEqual(run(1, 30), { open: [1, 0, 0], singles: 6, cost: 27 });
  assert.deepEqual(run(2, 30), { open: [1, 0, 1], singles: 4, cost: 30 });
  assert.deepEqual(run(3, 30), { open: [1, 1, 1], singles: 1, cost: 30 });
  // Unit 1 does not fit after unit 2: the floor stops short of 3, and the rest goes to the greedy.
  assert.deepEqual(run(3, 25), { open: [1, 0, 1], singles: 2, cost: 24 });
});
