// Sizes of the wasm runtime: the general build, the runtimes `sqz runtime` tailors to a compressed LeNet-5 and to the
// web demo's MLP, and what each op, activation, encoding and execution path adds to a runtime (SIMD): the size with
// it minus the size without it, over a small base. Prints the tables and writes BENCHMARKS.md ("Runtime size").
// The LeNet-5 of the tables is always the seeded one (the same file in every checkout, so figures compare across
// commits); a trained LeNet-5, when bench/out/models has one, gets a row of its own: its denser layers run decoded,
// which adds the decoded path to its runtime.
//   node dist/bench/runtime_sizes.js [--no-write] [--no-pieces]
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { exportModel } from '../compiler/export/index.js';
import { importModel } from '../compiler/import/index.js';
import { buildRuntime } from '../compiler/runtime_build/build_runtime.js';
import { runtimeFeatures, type RuntimeFeatures } from '../compiler/runtime_build/features.js';
import { describeFeatures } from '../compiler/commands/runtime.js';
import { ACTIVATIONS } from '../formats/activations.js';
import {
  ACT_LINEAR,
  ENC_F32,
  OP_AVG_POOL2D,
  OP_MAX_POOL2D,
  PATH_DECODED,
  PATH_POOL_2X2,
  PATH_POOL_CELLS,
  PATH_POOL_WINDOW,
} from '../formats/constants.js';
import { ENCODINGS } from '../formats/encodings.js';
import { EXEC_PATHS } from '../formats/exec_paths.js';
import { OPS } from '../formats/ops.js';
import { machineDescription, replaceSection } from './benchmarks_md.js';
import { markdownTable } from './runtime_report.js';
import { benchVariants, findTrainedModel, loadBenchModel } from './runtime_models.js';

const ROOT = new URL('../../', import.meta.url);
const KB = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const bytesAndKb = (bytes: number) => `${bytes.toLocaleString('en-US')} B (${KB(bytes)})`;

/** Bytes of the code (id 10), data (id 11) and export (id 7) sections of a wasm module. */
function sectionBytes(module: Uint8Array): { code: number; data: number; exports: number } {
  const out = { code: 0, data: 0, exports: 0 };
  let at = 8;
  const leb = (): number => {
    let value = 0,
      shift = 0,
      byte: number;
    do {
      byte = module[at++]!;
      value |= (byte & 0x7f) << shift;
      shift += 7;
    } while (byte & 0x80);
    return value >>> 0;
  };
  while (at < module.length) {
    const id = module[at++]!;
    const size = leb();
    if (id === 10) out.code = size;
    if (id === 11) out.data = size;
    if (id === 7) out.exports = size;
    at += size;
  }
  return out;
}

/** A runtime's size, SIMD and scalar, and the SIMD module. */
async function sizes(features: RuntimeFeatures): Promise<{ simd: number; scalar: number; module: Uint8Array }> {
  const module = await buildRuntime(features, { simd: true });
  return { simd: module.length, scalar: (await buildRuntime(features, { simd: false })).length, module };
}

/**
 * What shrank the runtimes, as measured after each change (bytes; this script at each commit, same models): the
 * general runtime, the tailored LeNet-5 (SIMD and scalar) and the tailored demo MLP (SIMD).
 */
const HISTORY: readonly (readonly string[])[] = [
  ['before: the kernel registry and sqz runtime (9e58319)', '36,175', '24,733', '22,979', '19,451'],
  ['the batch-1 Rice rows count code bits only (a speed fix; 0df2a2a)', '36,133', '24,691', '22,937', '19,451'],
  ['messages as one latin-1 byte table instead of UTF-16 strings (1bc70b6)', '32,754', '21,462', '19,708', '16,918'],
  [
    'test hooks in their own entry file, left out of tailored runtimes (182082f)',
    '32,754',
    '21,083',
    '19,329',
    '16,542',
  ],
  ['pooling loops as execution paths: only the loops a model uses (9b79cc3)', '32,933', '20,191', '19,555', '16,542'],
  ["the Rice decoder's state one bit address (40d165c)", '32,823', '20,081', '19,445', '16,542'],
  ['dense from Rice at batch > 1 through the row index (a speed fix; b955dc6)', '33,215', '20,475', '19,839', '16,542'],
  [
    'merged with the edge ops of issue 16: 24 ops, op params, conv2dTranspose on the planar path (c9f460e)',
    '39,723',
    '20,585',
    '19,953',
    '16,635',
  ],
  ['op params parsed only by runtimes with an op that reads them (96ed63e)', '39,723', '20,550', '19,917', '16,600'],
  ['Op record: params last, the other fields keep one-byte offsets (e595103)', '39,647', '20,522', '19,886', '16,589'],
  [
    'messages only some ops or encodings report in their own lazy segments (2d263fb)',
    '39,698',
    '20,490',
    '19,854',
    '16,425',
  ],
  [
    "the edge ops' repeats shared: stride check, planar run, transposed conv on the conv walk (dedup merge)",
    '38,906',
    '20,487',
    '19,851',
    '16,425',
  ],
];

/** The exec paths of `features`, by name. */
const describePaths = (features: RuntimeFeatures): string =>
  features.paths.map((code) => EXEC_PATHS.find((p) => p.code === code)?.name ?? String(code)).join(', ');

const none: RuntimeFeatures = { ops: [], activations: [ACT_LINEAR], encodings: [ENC_F32], paths: [] };

/** SIMD bytes `extra` adds to `base`. */
async function adds(base: RuntimeFeatures, extra: Partial<RuntimeFeatures>, baseSize: number): Promise<number> {
  const merged: RuntimeFeatures = {
    ops: [...base.ops, ...(extra.ops ?? [])],
    activations: [...base.activations, ...(extra.activations ?? [])],
    encodings: [...base.encodings, ...(extra.encodings ?? [])],
    paths: [...base.paths, ...(extra.paths ?? [])],
  };
  return (await buildRuntime(merged, { simd: true })).length - baseSize;
}

async function pieceTable(): Promise<string> {
  const rows: string[][] = [];
  // Ops over a base with the decoded path and the pooling loops (an op with a weight or a pool needs a path to run).
  const opBase: RuntimeFeatures = { ...none, paths: [PATH_DECODED, PATH_POOL_2X2, PATH_POOL_WINDOW, PATH_POOL_CELLS] };
  const opBaseSize = (await buildRuntime(opBase, { simd: true })).length;
  for (const op of OPS)
    rows.push(['op', op.name, (await adds(opBase, { ops: [op.code] }, opBaseSize)).toLocaleString('en-US')]);
  const noneSize = (await buildRuntime(none, { simd: true })).length;
  for (const a of ACTIVATIONS.filter((x) => x.code !== ACT_LINEAR)) {
    rows.push(['activation', a.name, (await adds(none, { activations: [a.code] }, noneSize)).toLocaleString('en-US')]);
  }
  // Encodings with a dense op on the decoded path (every encoding is decoded at load there).
  const encBase: RuntimeFeatures = { ...none, ops: [OPS[0]!.code], paths: [PATH_DECODED] };
  const encBaseSize = (await buildRuntime(encBase, { simd: true })).length;
  for (const e of ENCODINGS.filter((x) => x.code !== ENC_F32)) {
    rows.push([
      'encoding',
      e.name,
      (await adds(encBase, { encodings: [e.code] }, encBaseSize)).toLocaleString('en-US'),
    ]);
  }
  // Paths with the three weighted ops, the two pools and every encoding.
  const pathOps = [...OPS.filter((o) => o.compressible).map((o) => o.code), OP_MAX_POOL2D, OP_AVG_POOL2D];
  const pathBase: RuntimeFeatures = { ...none, ops: pathOps, encodings: ENCODINGS.map((e) => e.code) };
  const pathBaseSize = (await buildRuntime(pathBase, { simd: true })).length;
  for (const p of EXEC_PATHS)
    rows.push(['exec path', p.name, (await adds(pathBase, { paths: [p.code] }, pathBaseSize)).toLocaleString('en-US')]);
  return [
    `What each piece adds to a SIMD runtime, in bytes: the runtime with it minus the runtime without it. The base`,
    `is the core alone (parser, checks, planner, ABI, messages: ${bytesAndKb(noneSize)}), plus the decoded path and`,
    `the pooling loops for the ops, plus a dense op on the decoded path for the encodings, plus dense, conv2d,`,
    `depthwise and both pools with every encoding for the paths. Pieces share code (the walker, the window`,
    `geometry), so the sum of a column is more than a runtime with all of them.`,
    '',
    markdownTable(['kind', 'name', 'adds (B)'], rows),
  ].join('\n');
}

async function main(o: { write: boolean; pieces: boolean }): Promise<void> {
  const general = {
    simd: readFileSync(new URL('build/sqz.wasm', ROOT)).length,
    scalar: readFileSync(new URL('build/sqz-scalar.wasm', ROOT)).length,
  };
  const lenet5 = benchVariants(await loadBenchModel('lenet5', undefined), [0.02]).at(-1)!;
  const lenetFeatures = await runtimeFeatures([lenet5.sqz]);
  const trainedJson = findTrainedModel('lenet5', new URL('.', ROOT).pathname);
  const trained =
    trainedJson === undefined ? undefined : benchVariants(await loadBenchModel('lenet5', trainedJson), [0.02]).at(-1)!;
  const trainedFeatures = trained === undefined ? undefined : await runtimeFeatures([trained.sqz]);
  const mlp = exportModel(await importModel(new URL('examples/models/mnist-mlp/model.json', ROOT).pathname), {
    weights: 'q8',
  });
  const mlpFeatures = await runtimeFeatures([mlp], ['any']);
  const rows: string[][] = [];
  const add = (what: string, s: { simd: number; scalar: number }) =>
    rows.push([what, bytesAndKb(s.simd), bytesAndKb(s.scalar)]);
  add('general runtime (`build/sqz.wasm`, every op, activation, encoding and path)', general);
  const lenetSizes = await sizes(lenetFeatures);
  const lenetSections = sectionBytes(lenetSizes.module);
  const core = await buildRuntime(none, { simd: true });
  const coreSections = sectionBytes(core);
  add(
    `tailored: compressed LeNet-5 (seeded weights, ${lenet5.label}, ${lenet5.sqz.length.toLocaleString('en-US')}-byte file), exec auto`,
    lenetSizes,
  );
  if (trained !== undefined && trainedFeatures !== undefined) {
    add(
      `tailored: compressed trained LeNet-5 (${trained.label}, ${trained.sqz.length.toLocaleString('en-US')}-byte file), exec auto ` +
        `(paths: ${describePaths(trainedFeatures)})`,
      await sizes(trainedFeatures),
    );
  }
  add("tailored: the web demo's MNIST MLP (q8), `--exec any`", await sizes(mlpFeatures));
  const body = [
    `Last run: ${machineDescription()}. \`node dist/bench/runtime_sizes.js\`; the tailored runtimes are what`,
    '`sqz runtime MODEL.sqz -o runtime.wasm [--scalar]` writes (AssemblyScript with the feature masks of',
    '`assembly/features.ts`: only the kernels, activations, decoders and execution paths the model uses).',
    '',
    markdownTable(['runtime', 'SIMD', 'scalar'], rows),
    '',
    'The compressed LeNet-5 runtime holds:',
    '',
    ...describeFeatures(lenetFeatures).map((line) => `    ${line}`),
    '',
    `Targets (issue 14): general SIMD ≤ 40 KB (${general.simd <= 40 * 1024 ? 'met' : 'missed'}: ${KB(general.simd)}); ` +
      `tailored compressed LeNet-5 ≤ 12 KB (${lenetSizes.simd <= 12 * 1024 ? 'met' : 'missed'}: ${KB(lenetSizes.simd)} SIMD, ` +
      `${KB(lenetSizes.scalar)} scalar; moonshot 8 KB).`,
    '',
    `Where the LeNet-5 runtime's ${bytesAndKb(lenetSizes.simd)} go (SIMD):`,
    '',
    `- code ${KB(lenetSections.code)}, data ${KB(lenetSections.data)} (the error messages: one latin-1 table), exports ` +
      `${KB(lenetSections.exports)} (the ABI's names, with the`,
    `  introspection \`SqzModel.info\` reads), the rest ` +
      `${KB(lenetSizes.simd - lenetSections.code - lenetSections.data - lenetSections.exports)} (types, globals, the function list);`,
    `- the core alone, with no op: ${core.length.toLocaleString('en-US')} B (${KB(core.length)}; code ${KB(coreSections.code)}, ` +
      `data ${KB(coreSections.data)}): the protobuf reader and header`,
    '  checks, the graph and tensor checks, the planner and the memory pre-check, the ABI;',
    `- LeNet-5's ops, decoders and paths: ${bytesAndKb(lenetSizes.simd - core.length)}: conv2d on shifted planes, the Rice rows of`,
    '  the compressed dense layers and the chunk walker, the 2×2 max-pool loop, softmax with its f64 exp.',
    '',
    'Why 12 KB is still missed: every byte of the core serves a model that runs (the checks make a damaged or hostile',
    'file an error instead of a trap, and the fuzz tests hold every build to that), and the kernels are the fast ones.',
    "Under 12 KB would mean dropping load checks, the introspection exports, or the kernels' fast paths. Compiler",
    "settings do not help: `--shrinkLevel 2` (or asc's `-Oz`) instead of `-O3 --shrinkLevel 1` saves 20 to 50 B, a",
    'further `wasm-opt -Oz` pass over the module about 200 B (1%); `--runtime stub` and `--noAssert` were already set',
    '(no check of hostile input is an assert).',
    '',
    'What shrank them (bytes, measured by this script after each change):',
    '',
    markdownTable(
      ['change', 'general SIMD', 'LeNet-5 SIMD', 'LeNet-5 scalar', 'MLP SIMD'],
      HISTORY.map((row) => [...row]),
    ),
  ];
  if (o.pieces) body.push('', await pieceTable());
  const text = body.join('\n');
  console.log(text);
  if (o.write)
    await replaceSection(
      new URL('BENCHMARKS.md', ROOT).pathname,
      'runtime-sizes',
      `## Runtime size (issue 14): a runtime per model\n\n${text}`,
    );
}

const opts = new Command()
  .option('--no-write', 'print only; do not update BENCHMARKS.md')
  .option('--no-pieces', 'skip the per-piece table (about 40 compiles)')
  .parse()
  .opts<{ write: boolean; pieces: boolean }>();
await main(opts);
