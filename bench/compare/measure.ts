// What every method is scored by: its kernels and biases exported by sqz's own exporter (dead units removed,
// smallest exact encodings), written to disk, the size read back from the file system, and test accuracy from the
// wasm runtime (SqzModel) on the test split.
import { mkdir, stat, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { RunContext } from '../../compiler/compress/context.js';
import { paperRatio } from '../../compiler/compress/finish.js';
import { graphWithWeights, measureFile, type FileMeasure } from '../../compiler/compress/measure_file.js';
import { fractionEqual, runtimeClasses } from '../../compiler/eval/runtime_classes.js';
import { SqzModel } from '../../runtime/index.js';

export interface Scored {
  file: string;
  bytes: number;
  paperRatio: number;
  testAccuracy: number;
  bits: number[];
  density: number[];
}

export function measureKernels(
  ctx: RunContext,
  kernels: readonly Float32Array[],
  biases: ReadonlyMap<number, Float32Array>,
): FileMeasure {
  return measureFile(graphWithWeights(ctx.graph, ctx.layers, kernels, biases), ctx.layers);
}

/** Writes the export to `file` and scores it from disk. */
export async function scoreFile(ctx: RunContext, measure: FileMeasure, file: string): Promise<Scored> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, measure.exported.bytes);
  const bytes = (await stat(file)).size;
  return {
    file,
    bytes,
    paperRatio: paperRatio(ctx.layers, measure),
    testAccuracy: await runtimeAccuracy(measure.exported.bytes, ctx),
    bits: measure.layers.map((l) => l.bits),
    density: measure.layers.map((l, i) => l.nnz / ctx.layers[i]!.n),
  };
}

export async function runtimeAccuracy(sqz: Uint8Array, ctx: RunContext): Promise<number> {
  const model = await SqzModel.load(sqz);
  try {
    return fractionEqual(runtimeClasses(model, ctx.data.test), ctx.data.test.labels);
  } finally {
    model.dispose();
  }
}
