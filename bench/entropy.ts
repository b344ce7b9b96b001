// Would cheaper positions or codes pay? For each .sqz file: per kernel tensor the bytes written for codes,
// positions and codebook, the order-0 entropies of codes and gaps, and the size of each alternative coding with
// its side information (bench/entropy/). Prints the tables and rewrites the "entropy" section of BENCHMARKS.md.
//   node dist/bench/entropy.js [FILE.sqz ...] [--no-write]
// Without files it reads bench/out/*-{100,300,1000}x.sqz (bench/compression.ts's outputs).
import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { modelByteAccount, readSqz, type FileByteTotals } from '../formats/index.js';
import { machineDescription, replaceSection } from './benchmarks_md.js';
import { kernelEntropies, SAVING_NAMES, type KernelEntropy, type Savings } from './entropy/kernel_entropy.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** A decision needs this share of the file. */
const WORTH = 0.05;

interface FileResult {
  file: string;
  bytes: number;
  /** The whole file by part (formats/byte_account.ts). */
  totals: FileByteTotals;
  kernels: KernelEntropy[];
  /** From the compress report next to the file, when there is one. */
  provenance?: string;
}

function defaultFiles(): string[] {
  const dir = path.join(root, 'bench/out');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /-(100|300|1000)x\.sqz$/.test(f))
    .sort()
    .map((f) => path.join(dir, f));
}

/** A path as the reader would type it from the repository root: relative inside it, absolute outside. */
function shown(file: string): string {
  const relative = path.relative(root, path.resolve(file));
  return relative.startsWith('..') ? path.resolve(file) : relative;
}

/**
 * Where a file came from, from FILE.json when it is a compress report: the command's model and data, the target,
 * the epochs, the wasm test accuracy, and the baseline (baseline.json next to the model, when there is one).
 */
async function provenanceOf(file: string): Promise<string | undefined> {
  const json = file.replace(/\.sqz$/, '.json');
  if (!existsSync(json)) return undefined;
  try {
    const r = JSON.parse(await readFile(json, 'utf8'));
    if (typeof r.model !== 'string' || r.layers === undefined) return undefined;
    const acc = r.accuracy?.runtime ?? r.accuracy?.after;
    let text =
      `\`sqz compress ${shown(r.model)} --data ${r.data}\` to ${r.targetBytes} B, ` +
      `${r.hyper?.epochs ?? '?'} + ${r.hyper?.finetuneEpochs ?? '?'} epochs, seed ${r.hyper?.seed ?? '?'}, test accuracy ${(100 * acc).toFixed(2)}% (wasm)`;
    const baselineFile = path.join(path.dirname(path.resolve(root, r.model)), 'baseline.json');
    if (existsSync(baselineFile)) {
      const b = JSON.parse(await readFile(baselineFile, 'utf8'));
      text += `; baseline ${(100 * b.testAccuracy).toFixed(2)}% from \`${b.command}\``;
    }
    return text;
  } catch {
    return undefined;
  }
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const one = (n: number) => n.toFixed(1);
const pct = (part: number, whole: number) => `${((100 * part) / whole).toFixed(1)}%`;
const SAVING_KEYS = Object.keys(SAVING_NAMES) as (keyof Savings)[];

function sum(kernels: readonly KernelEntropy[], pick: (k: KernelEntropy) => number): number {
  return kernels.reduce((s, k) => s + pick(k), 0);
}

/** Per kernel tensor: what is written and what each alternative would take, in bytes. */
function kernelTable(r: FileResult): string[] {
  const lines = [
    '| tensor | shape | encoding | b | stored | codes | H(codes) | Huffman | adaptive | positions | log2 C(n, nnz) | coded C(n, nnz) | H(gaps) | adaptive gaps | Rice k/row | live rows/cols | bitmap | codebook |',
    '| ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const k of r.kernels) {
    const c = k.codes;
    const p = k.positions;
    const dash = '-';
    lines.push(
      `| ${k.tensor} | [${k.shape.join('×')}] | ${k.encoding} | ${k.bits || dash} | ${c ? int(c.count) : dash} | ` +
        `${c ? int(c.written) : int(k.bytes.values)} | ${c ? one(c.entropy) : dash} | ${c ? int(c.huffman) : dash} | ${c ? int(c.adaptive) : dash} | ` +
        `${p ? `${int(p.written)}${p.riceK ? ` (k=${p.riceK})` : ''}` : dash} | ${p ? one(p.subset) : dash} | ${p ? int(p.subsetCoded) : dash} | ${p ? one(p.gapEntropy) : dash} | ` +
        `${p ? `${int(p.adaptive)} (${p.adaptiveScheme})` : dash} | ${p ? int(p.perRowRice) : dash} | ` +
        `${p ? `${int(p.liveRowsCols)} (${p.liveRows}/${p.rows} × ${p.liveCols}/${p.cols})` : dash} | ${p ? int(p.bitmap) : dash} | ${int(k.bytes.codebook)} |`,
    );
  }
  return lines;
}

/** One row per file: shares written and each alternative's saving in % of the file. */
function summaryTable(results: readonly FileResult[]): string[] {
  const lines = [
    `| file | bytes | positions | values | codebooks | kernel framing | biases | graph + header | positions over log2 C(n, nnz) | ${SAVING_KEYS.map((key) => SAVING_NAMES[key]).join(' | ')} |`,
    `| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ${SAVING_KEYS.map(() => '---:').join(' | ')} |`,
  ];
  for (const r of results) {
    const t = r.totals;
    const subset = sum(r.kernels, (k) => k.positions?.subset ?? 0);
    const sparsePositions = sum(r.kernels, (k) => (k.positions ? k.bytes.positions : 0));
    const overSubset = subset > 0 ? `+${(100 * (sparsePositions / subset - 1)).toFixed(1)}%` : '-';
    lines.push(
      `| ${path.basename(r.file)} | ${int(r.bytes)} | ${pct(t.positions, r.bytes)} | ${pct(t.values, r.bytes)} | ${pct(t.codebook, r.bytes)} | ` +
        `${pct(t.framing, r.bytes)} | ${pct(t.bias, r.bytes)} | ${pct(t.graph + t.header + t.other, r.bytes)} | ${overSubset} | ` +
        `${SAVING_KEYS.map((key) =>
          pct(
            sum(r.kernels, (k) => k.savings[key]),
            r.bytes,
          ),
        ).join(' | ')} |`,
    );
  }
  return lines;
}

/** Which buildable alternatives save ≥ 5% of some file's bytes (the bound does not count: no coder reaches it). */
function verdict(results: readonly FileResult[]): string[] {
  const buildable = SAVING_KEYS.filter((key) => key !== 'bound');
  const lines: string[] = [];
  for (const key of buildable) {
    const hits = results.filter((r) => sum(r.kernels, (k) => k.savings[key]) >= WORTH * r.bytes);
    if (hits.length > 0) {
      lines.push(
        `- ${SAVING_NAMES[key]}: ≥ 5% on ${hits
          .map(
            (r) =>
              `${path.basename(r.file)} (${pct(
                sum(r.kernels, (k) => k.savings[key]),
                r.bytes,
              )})`,
          )
          .join(', ')}`,
      );
    }
  }
  return lines.length > 0 ? lines : ['- none: no buildable alternative saves 5% of any file'];
}

/** The ranges over the files that matter for the decision, computed from the results. */
function ranges(results: readonly FileResult[]): string[] {
  const range = (values: number[], sign = '') => {
    const lo = Math.min(...values);
    const hi = Math.max(...values);
    const one = (x: number) => `${sign}${(100 * x).toFixed(1)}%`;
    return lo === hi ? one(lo) : `${one(lo)} to ${one(hi)}`;
  };
  const share = (key: keyof Savings) => results.map((r) => sum(r.kernels, (k) => k.savings[key]) / r.bytes);
  const overSubset = results
    .filter((r) => r.kernels.some((k) => k.positions))
    .map(
      (r) =>
        sum(r.kernels, (k) => (k.positions ? k.bytes.positions : 0)) / sum(r.kernels, (k) => k.positions?.subset ?? 0) -
        1,
    );
  return [
    `Over ${results.length === 1 ? 'this file' : `these ${results.length} files`}: every buildable alternative combined ("best") saves ${range(share('best'))} of the file;`,
    `the written positions are ${range(overSubset, '+')} above log2 C(n, nnz), the cost of an arbitrary set of positions;`,
    `the two order-0 entropies, counted with no table or model at all, would save ${range(share('bound'))}.`,
    `For scale: the bias tensors take ${range(results.map((r) => r.totals.bias / r.bytes))} of the file, the positions ${range(results.map((r) => r.totals.positions / r.bytes))}.`,
  ];
}

const LEGEND = [
  'What each column counts (bytes unless a % of the file):',
  '',
  '- **codes**: packed b-bit codes written (the `data` payload; for f32/f16 kernels, the raw values). **H(codes)**: order-0',
  '  empirical entropy of the codes, Σ −c·log2(c/N) over code usage, in bytes: a bound, no table counted.',
  '  **Huffman**: canonical Huffman code + its table (4 bits per codebook entry, 5 if a length exceeds 15). **adaptive**: adaptive',
  '  order-0 arithmetic coding with Laplace counts (no table; pays for learning), ideal length + 4 bytes of coder flush.',
  '- **positions**: bitmap or Rice stream written (k in the file). **log2 C(n, nnz)**: the bits that pick one set of nnz',
  '  positions among n when all sets are equally likely; a coding beats it only by making some patterns likelier. **coded',
  '  C(n, nnz)**: the bitmap arithmetic-coded with exact counts (P(1) = nonzeros left / positions left; nnz is already in',
  '  the file), that bound rounded up + 4 bytes of flush. **H(gaps)**: order-0 empirical entropy of the gap sequence',
  '  (each gap value a symbol): a bound, no model counted. **adaptive gaps**: adaptive arithmetic coding of the gaps, raw gap',
  '  values (alphabet 0..max gap, max sent as a varint) or Elias-gamma classes + raw bits (max class in a byte), whichever is',
  '  smaller, + 4 bytes of flush. **Rice k/row**: one Rice k per row (rows = flat index / last dim; a gap uses the k of the row',
  '  of prev + 1, so it decodes), with a byte for the k range and rows × ⌈log2(range)⌉ bits of k values, range and ks optimized',
  '  together. **live rows/cols**: a bitmap of rows and one of columns that hold any nonzero, a flag bit, then the positions',
  '  inside the live sub-matrix as the best single-k Rice stream (+ a k byte) or a bitmap of it, whichever is smaller.',
  '  **bitmap**: ⌈n / 8⌉.',
  "- Summary: **positions, values, codebooks, kernel framing** are the shares of the file in the kernels' fields (values: the",
  '  packed codes, or raw f32/f16 values), **biases** the bias tensors, **graph + header** the rest; together 100%',
  '  (`formats/byte_account.ts`). **positions over log2 C(n, nnz)**: how far the written positions are above the cost of',
  '  arbitrary position sets.',
  '- **Savings** are per tensor on whole protobuf fields (payload + tag + length prefix; a position alternative also drops',
  "  the rice_k field), only where the alternative is smaller (an encoder would keep today's coding elsewhere), summed over the",
  '  file\'s kernels and given in % of the file. "best" = the best position coding + the best code coding of each tensor.',
  '  "bound" uses the two entropies as if they were reachable: a ceiling, not a candidate.',
];

async function writeSection(results: readonly FileResult[], command: string): Promise<void> {
  const body = [
    '## Entropy of positions and codes (issue 13): would a cheaper coding pay?',
    '',
    `Recorded by \`${command}\` on ${machineDescription()}. Each file is read with the formats reader; for every kernel`,
    'tensor the bytes written are compared with the order-0 entropies and with alternative codings, side information counted.',
    '',
    'Files:',
    '',
    ...results.map(
      (r) => `- \`${path.basename(r.file)}\`: ${int(r.bytes)} bytes${r.provenance ? `, ${r.provenance}` : ''}`,
    ),
    '',
    'Alternatives saving ≥ 5% of the file bytes:',
    '',
    ...verdict(results),
    '',
    ...ranges(results),
    '',
    ...summaryTable(results),
    '',
    ...results.flatMap((r) => [`### ${path.basename(r.file)} (${int(r.bytes)} bytes)`, '', ...kernelTable(r), '']),
    ...LEGEND,
  ].join('\n');
  await replaceSection(path.join(root, 'BENCHMARKS.md'), 'entropy', body);
}

const program = new Command()
  .argument('[files...]', '.sqz files (default: bench/out/*-{100,300,1000}x.sqz)')
  .option('--no-write', 'print only; leave BENCHMARKS.md as it is');
program.parse();
const opts = program.opts<{ write: boolean }>();
const files = program.args.length > 0 ? program.args : defaultFiles();
if (files.length === 0) {
  process.stderr.write(
    'entropy: no files given and no bench/out/*-{100,300,1000}x.sqz (run node dist/bench/compression.js first)\n',
  );
  process.exit(2);
}
const results: FileResult[] = [];
for (const file of files) {
  const bytes = new Uint8Array(await readFile(file));
  results.push({
    file,
    bytes: bytes.length,
    totals: modelByteAccount(readSqz(bytes), bytes.length).totals,
    kernels: kernelEntropies(bytes),
    provenance: await provenanceOf(file),
  });
}
for (const r of results) console.log([`${r.file} (${int(r.bytes)} bytes)`, '', ...kernelTable(r), ''].join('\n'));
console.log(
  [
    ...summaryTable(results),
    '',
    'Alternatives saving ≥ 5% of the file bytes:',
    ...verdict(results),
    '',
    ...ranges(results),
  ].join('\n'),
);
if (opts.write) {
  await writeSection(results, `node dist/bench/entropy.js ${program.args.map(shown).join(' ')}`.trim());
  console.log('\nwrote the "entropy" section of BENCHMARKS.md');
}
