// Quality and speed of the optimizer's projections.
//   1. Gaps to exact solutions over ~1,000 random instances each (exact solvers: test/compiler/optimize/exact.ts
//      and allocateBitsExact).
//   2. Timings on a LeNet-5-sized problem: 430,500 weights in 4 layers (500, 25,000, 400,000, 5,000),
//      median of 5 runs after one warm-up.
// Run: npx tsc -p tsconfig.json && node dist/bench/projection_gap.js [--json FILE]
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { machineDescription, replaceSection } from './benchmarks_md.js';
import { cpus, loadavg } from 'node:os';
import { allocateBits, allocateBitsExact, type BitOption } from '../compiler/optimize/bit_allocation.js';
import { kmeans1d, kmeansByBits, quantizeToCentroids } from '../compiler/optimize/kmeans.js';
import { indexBitsPerNonzero } from '../compiler/optimize/size_model.js';
import { applyMask, sparseProject, type SparseLayerInput } from '../compiler/optimize/sparse_projection.js';
import { gaussian, kmeansOptimalDistortion, knapsackExact } from '../test/compiler/optimize/exact.js';
import { rng } from '../test/fixtures/random.js';

interface GapStats {
  instances: number;
  mean: number;
  max: number;
  optimal: number;
}

function stats(gaps: number[]): GapStats {
  return {
    instances: gaps.length,
    mean: gaps.reduce((a, b) => a + b, 0) / gaps.length,
    max: Math.max(...gaps),
    optimal: gaps.filter((g) => g <= 1e-9).length,
  };
}

function nonzeroValues(rand: () => number, n: number, laplace: boolean, scale: number): Float32Array {
  return Float32Array.from({ length: n }, () => {
    const x = laplace ? (rand() < 0.5 ? -1 : 1) * -Math.log(Math.max(rand(), 1e-12)) : gaussian(rand);
    return Math.fround(x * scale) || scale;
  });
}

function kmeansGaps(rand: () => number, count: number, binned: boolean): GapStats {
  const gaps: number[] = [];
  for (let i = 0; i < count; i++) {
    const n = binned ? 200 + Math.floor(rand() * 100) : 5 + Math.floor(rand() * 56);
    const k = (binned ? 2 : 1) + Math.floor(rand() * 8);
    const values = nonzeroValues(rand, n, i % 2 === 0, 1);
    if (i % 3 === 0) values.forEach((v, j) => (values[j] = Math.round(v * 4) / 4 || 0.25)); // repeated values
    const res = kmeans1d(values, k, binned ? { maxBins: 16 * k } : {});
    const opt = kmeansOptimalDistortion(values, k);
    gaps.push(opt > 0 ? res.distortion / opt - 1 : 0);
  }
  return stats(gaps);
}

function sparseGaps(rand: () => number, count: number): GapStats {
  const gaps: number[] = [];
  for (let i = 0; i < count; i++) {
    const layers: SparseLayerInput[] = [];
    const values: number[] = [];
    const costs: number[] = [];
    for (let l = 0, L = 1 + Math.floor(rand() * 4); l < L; l++) {
      const v = nonzeroValues(rand, 1 + Math.floor(rand() * 15), l % 2 === 0, 1);
      const c = 1 + Math.floor(rand() * 12);
      layers.push({ values: v, costBitsPerNonzero: c, minKeep: 0 });
      v.forEach((w) => {
        values.push(w * w);
        costs.push(c);
      });
    }
    const budget = Math.floor(rand() * costs.reduce((a, b) => a + b, 0));
    const opt = knapsackExact(values, costs, budget).value;
    const res = sparseProject(layers, budget);
    gaps.push(opt > 0 ? (opt - res.value) / opt : 0);
  }
  return stats(gaps);
}

function bitGaps(rand: () => number, count: number, convex: boolean): GapStats {
  const gaps: number[] = [];
  for (let i = 0; i < count; i++) {
    const layers: BitOption[][] = [];
    for (let l = 0, L = 2 + Math.floor(rand() * 5); l < L; l++) {
      const n = 10 + Math.floor(rand() * 60);
      let d = 1 + rand() * 100;
      const options: BitOption[] = [];
      for (let bits = 1; bits <= 8; bits++) {
        d *= convex ? 0.25 : 0.1 + 0.8 * rand();
        options.push({ bits, costBits: n * bits + (convex ? 2 ** bits : Math.floor(rand() * 40)), distortion: d });
      }
      layers.push(options);
    }
    const minCost = layers.reduce((s, o) => s + o[0].costBits, 0);
    const maxCost = layers.reduce((s, o) => s + Math.max(...o.map((x) => x.costBits)), 0);
    const budget = Math.floor(minCost + rand() * (maxCost - minCost));
    const exact = allocateBitsExact(layers, budget).distortion;
    const greedy = allocateBits(layers, budget).distortion;
    gaps.push(exact > 0 ? greedy / exact - 1 : 0);
  }
  return stats(gaps);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

interface Timing {
  wallMs: number;
  cpuMs: number;
}

/** Median wall and CPU (user + system) time in ms of fn over `runs` runs after one warm-up run. */
function time(fn: () => unknown, runs = 5): Timing {
  fn();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < runs; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    fn();
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  return { wallMs: median(wall), cpuMs: median(cpu) };
}

function lenetTimings(): Record<string, Timing> {
  const rand = rng(99);
  const sizes = [500, 25000, 400000, 5000];
  const scales = [0.28, 0.063, 0.05, 0.063]; // He-like scales of LeNet-5's conv1, conv2, fc1, fc2
  const weights = sizes.map((n, i) => nonzeroValues(rand, n, true, scales[i]));
  const bits = [6, 5, 3, 5];
  const budget = 0.05 * sizes.reduce((s, n) => s + n, 0) * 8; // ~5% density at ~8 bits per nonzero
  const layers = (): SparseLayerInput[] =>
    weights.map((values, i) => ({
      values,
      costBitsPerNonzero: bits[i] + indexBitsPerNonzero(sizes[i], 0.05 * sizes[i]),
    }));
  const projection = sparseProject(layers(), budget);
  const kept = weights.map((w, i) => w.filter((_, j) => projection.keep[i][j] === 1));
  const codebooks = kept.map((k) => kmeansByBits(k, 8));
  const options: BitOption[][] = codebooks.map((byBits, i) =>
    byBits.map((o) => ({
      bits: o.bits,
      costBits: kept[i].length * (o.bits + indexBitsPerNonzero(sizes[i], kept[i].length)) + 16 * 2 ** o.bits,
      distortion: o.distortion,
    })),
  );
  const allocation = allocateBits(options, projection.costBits);
  const masked = weights.map((w, i) => applyMask(w, projection.keep[i]));
  const out = weights.map((w) => new Float32Array(w.length));
  return {
    'sparseProject, 430,500 weights': time(() => sparseProject(layers(), budget)),
    'applyMask, all layers': time(() => weights.forEach((w, i) => applyMask(w, projection.keep[i], out[i]))),
    [`kmeansByBits b=1..8, kept nonzeros (${kept.map((k) => k.length).join(' + ')})`]: time(() =>
      kept.forEach((k) => kmeansByBits(k, 8)),
    ),
    'kmeansByBits b=1..8, fc1 dense (400,000)': time(() => kmeansByBits(weights[2], 8)),
    'kmeans1d k=256, fc1 dense (400,000)': time(() => kmeans1d(weights[2], 256)),
    'kmeansByBits b=1..8, fc1 dense, maxBins 512': time(() => kmeansByBits(weights[2], 8, { maxBins: 512 })),
    'allocateBits, 4 layers x 8 options': time(() => allocateBits(options, projection.costBits)),
    'quantizeToCentroids, all layers': time(() =>
      masked.forEach((m, i) => quantizeToCentroids(m, codebooks[i][allocation.choice[i]].centroids, out[i])),
    ),
  };
}

function main() {
  const jsonAt = process.argv.indexOf('--json');
  const rand = rng(2024);
  const gaps: Record<string, GapStats> = {
    'kmeans1d, exact path (n ≤ 60)': kmeansGaps(rand, 1000, false),
    'kmeans1d, binned DP + Lloyd (n 200-300, 16 bins per centroid)': kmeansGaps(rand, 200, true),
    'sparseProject vs 0-1 knapsack DP': sparseGaps(rand, 1000),
    'allocateBits vs exact DP, convex': bitGaps(rand, 1000, true),
    'allocateBits vs exact DP, non-convex': bitGaps(rand, 1000, false),
  };
  console.log('Relative gap to the exact optimum (distortion: greedy/opt − 1; knapsack value: 1 − greedy/opt)');
  for (const [name, s] of Object.entries(gaps)) {
    console.log(
      `  ${name.padEnd(64)} n=${s.instances}  mean ${s.mean.toExponential(2)}  max ${s.max.toExponential(2)}  optimal ${s.optimal}/${s.instances}`,
    );
  }
  const timings = lenetTimings();
  console.log(
    `\nLeNet-5-sized problem, median of 5 runs (ms; load average ${loadavg()[0].toFixed(1)} on ${cpus().length} cores)`,
  );
  for (const [name, t] of Object.entries(timings)) {
    console.log(`  ${name.padEnd(72)} wall ${t.wallMs.toFixed(1).padStart(6)}   cpu ${t.cpuMs.toFixed(1).padStart(6)}`);
  }
  if (jsonAt > 0 && process.argv[jsonAt + 1]) {
    writeFileSync(
      process.argv[jsonAt + 1],
      JSON.stringify({ gaps, timings, loadavg: loadavg(), node: process.version }, null, 2),
    );
  }
  return { gaps, timings };
}

/** The BENCHMARKS.md section: both tables, the machine and the command. */
function markdown(result: ReturnType<typeof main>): string {
  const lines = [
    '## Projections (issue 3): greedy gaps to exact solutions, and speed',
    '',
    `Recorded by \`node dist/bench/projection_gap.js\` on ${machineDescription()} (load average ${loadavg()[0].toFixed(1)}).`,
    'Gap = 1 − greedy/optimum for the knapsack value, greedy/optimum − 1 for distortion; exact solvers are dynamic',
    'programs (test/compiler/optimize/exact.ts).',
    '',
    '| projection | instances | mean gap | max gap | optimal |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...Object.entries(result.gaps).map(
      ([name, s]) =>
        `| ${name} | ${s.instances} | ${s.mean.toExponential(2)} | ${s.max.toExponential(2)} | ${s.optimal}/${s.instances} |`,
    ),
    '',
    'LeNet-5-sized problem (430,500 weights in 4 layers), median of 5 runs:',
    '',
    '| step | wall ms | cpu ms |',
    '| --- | ---: | ---: |',
    ...Object.entries(result.timings).map(
      ([name, t]) => `| ${name} | ${t.wallMs.toFixed(1)} | ${t.cpuMs.toFixed(1)} |`,
    ),
  ];
  return lines.join('\n');
}

const result = main();
if (!process.argv.includes('--no-write')) {
  await replaceSection(fileURLToPath(new URL('../../BENCHMARKS.md', import.meta.url)), 'projections', markdown(result));
}
