// Hostile-input fuzz run: N seeded mutations of valid .sqz files (test/fuzz/mutate.ts) through both wasm builds
// (raw ABI), the TS reader and, every 25th input, SqzModel; writes the figures to BENCHMARKS.md (section "fuzz") and
// each finding's input to bench/results/fuzz-findings/ for replay.
// Usage: node dist/bench/fuzz.js [--inputs N] [--seed S] [--no-write]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { checkInput, newStats, RawTarget, SLOW_MS } from '../test/fuzz/harness.js';
import { fuzzInput } from '../test/fuzz/mutate.js';
import { fuzzSeeds } from '../test/fuzz/seeds.js';
import { machineDescription, replaceSection } from './benchmarks_md.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const { values } = parseArgs({
  options: {
    inputs: { type: 'string', default: '1000000' },
    seed: { type: 'string', default: '1' },
    'no-write': { type: 'boolean', default: false },
  },
});
const inputs = Number(values.inputs);
const seed = Number(values.seed);
if (!Number.isSafeInteger(inputs) || inputs <= 0 || !Number.isSafeInteger(seed)) {
  console.error('usage: node dist/bench/fuzz.js [--inputs N > 0] [--seed integer]');
  process.exit(2);
}

const seeds = fuzzSeeds();
const targets = { raw: [new RawTarget(true), new RawTarget(false)], modelEvery: 25 };
const stats = newStats();
const start = performance.now();
for (let i = 0; i < inputs; i++) {
  await checkInput(targets, seeds, fuzzInput(seeds, seed, i), i, stats);
  if ((i + 1) % 50_000 === 0) {
    console.log(
      `${i + 1} inputs, ${((performance.now() - start) / 1000).toFixed(0)} s, ${stats.findings.length} findings`,
    );
  }
}
const seconds = (performance.now() - start) / 1000;

const findingsDir = join(root, 'bench/results/fuzz-findings');
const seenProblems = new Set<string>();
const findingLines: string[] = [];
for (const f of stats.findings) {
  const key = `${f.target} ${f.problem.replace(/\d+/g, 'N')}`; // one line and one file per kind of problem
  if (seenProblems.has(key)) continue;
  seenProblems.add(key);
  mkdirSync(findingsDir, { recursive: true });
  const name = `seed${seed}-input${f.index}.sqz`;
  writeFileSync(join(findingsDir, name), f.file);
  findingLines.push(
    `- input ${f.index} (${f.kind}, ${f.target}): ${f.problem} — \`bench/results/fuzz-findings/${name}\``,
  );
}

const order = ['wasm-simd', 'wasm-scalar', 'ts', 'SqzModel'];
const outcomeRows = order.map((target) => {
  const cells = [...stats.outcomes]
    .filter(([k]) => k.startsWith(`${target} `))
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k.slice(target.length + 1)} ${n}`);
  return `| ${target} | ${cells.join(', ')} |`;
});
const body = `## Hostile-input fuzzing

\`node dist/bench/fuzz.js --inputs ${inputs} --seed ${seed}\` — ${machineDescription()}.

${inputs.toLocaleString('en-US')} inputs (seed ${seed}) in ${seconds.toFixed(0)} s (${((1e6 * seconds) / inputs).toFixed(0)} µs per input,
slowest input ${stats.slowestMs.toFixed(1)} ms; the limit is ${SLOW_MS} ms). Each input is a seeded mutation of one of
${seeds.length} valid files (test/fuzz/mutate.ts: field-level changes re-encoded with a valid CRC, payload bit flips,
cuts, splices, hostile varints and lengths, random bytes; test/fuzz/geometry.ts: about 5 % are generated valid one-op
models with odd geometry, whose output must match the reference interpreter) run through both wasm builds on one
long-lived instance each, the TS reader, and every 25th input through \`SqzModel.load\`. Memory growth per load is
checked against a bound from the file's declared sizes (test/fuzz/harness.ts, memoryBound).

| reader | outcomes (code name: count; "none" = loaded) |
| --- | --- |
${outcomeRows.join('\n')}

Loaded by the wasm runtime but refused by the stricter TS reader: ${stats.wasmOnly}; the reverse: ${stats.tsOnly}.

Findings (trap, untyped error, memory above the declared-size bound, instance unusable afterwards, slow input,
wire-level disagreement between the readers, a generated valid model refused or off the reference):
${stats.findings.length === 0 ? 'none.' : `${stats.findings.length} in all, one line per kind:\n${findingLines.join('\n')}`}`;
console.log(body);
if (!values['no-write']) await replaceSection(join(root, 'BENCHMARKS.md'), 'fuzz', body);
process.exit(stats.findings.length === 0 ? 0 : 1);
