// What a set of .sqz models needs of the wasm runtime: the ops, activations and encodings their files hold (read by
// the format layer's reader), and the execution paths their weights take when loaded the way they will run, asked
// of the general runtime itself (opPaths), so the rule that picks a path is written once, in assembly/.
import { readSqz } from '../../formats/container.js';
import { SqzModel, type ExecChoice } from '../../runtime/index.js';

/** Codes by kind, each list ascending. */
export interface RuntimeFeatures {
  /** OP_* */
  ops: number[];
  /** ACT_* */
  activations: number[];
  /** ENC_* */
  encodings: number[];
  /** PATH_* */
  paths: number[];
}

/** The exec modes a tailored runtime can be asked to serve ('any' = all three). */
export type RuntimeExec = ExecChoice | 'any';

function add(set: Set<number>, codes: Iterable<number>): void {
  for (const code of codes) set.add(code);
}

const bits = (mask: number): number[] =>
  Array.from({ length: 32 }, (_, i) => i).filter((i) => ((mask >>> i) & 1) === 1);

/**
 * What `files` (valid .sqz files) need when loaded with each exec mode of `exec` (default: auto, as SqzModel.load).
 * @throws SqzFormatError for a bad file
 */
export async function runtimeFeatures(
  files: readonly Uint8Array[],
  exec: readonly RuntimeExec[] = ['auto'],
): Promise<RuntimeFeatures> {
  const ops = new Set<number>(),
    activations = new Set<number>(),
    encodings = new Set<number>(),
    paths = new Set<number>();
  const modes = new Set<ExecChoice>(
    exec.flatMap((e): ExecChoice[] => (e === 'any' ? ['auto', 'dense', 'compressed'] : [e])),
  );
  for (const bytes of files) {
    const model = readSqz(bytes);
    add(
      ops,
      model.ops.map((op) => op.type),
    );
    add(
      activations,
      model.ops.map((op) => op.activation),
    );
    add(
      encodings,
      model.tensors.map((t) => t.encoding),
    );
    for (const mode of modes) {
      const loaded = await SqzModel.load(bytes, { exec: mode });
      for (let i = 0; i < loaded.wasmExports.opCount(); i++) add(paths, bits(loaded.wasmExports.opPaths(i)));
      loaded.dispose();
    }
  }
  const sorted = (set: Set<number>) => [...set].sort((a, b) => a - b);
  return { ops: sorted(ops), activations: sorted(activations), encodings: sorted(encodings), paths: sorted(paths) };
}

/** Every feature of both lists. */
export function mergeFeatures(a: RuntimeFeatures, b: RuntimeFeatures): RuntimeFeatures {
  const union = (x: number[], y: number[]) => [...new Set([...x, ...y])].sort((p, q) => p - q);
  return {
    ops: union(a.ops, b.ops),
    activations: union(a.activations, b.activations),
    encodings: union(a.encodings, b.encodings),
    paths: union(a.paths, b.paths),
  };
}

/** The compile-time masks of assembly/features.ts for `features` (bit c = code c). */
export function featureMasks(
  features: RuntimeFeatures,
): Record<'SQZ_OPS' | 'SQZ_ACTIVATIONS' | 'SQZ_ENCODINGS' | 'SQZ_PATHS', number> {
  const mask = (codes: number[]) => codes.reduce((m, c) => (m | (1 << c)) >>> 0, 0);
  return {
    SQZ_OPS: mask(features.ops),
    SQZ_ACTIVATIONS: mask(features.activations),
    SQZ_ENCODINGS: mask(features.encodings),
    SQZ_PATHS: mask(features.paths),
  };
}
