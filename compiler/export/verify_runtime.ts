// Checks a .sqz file in the wasm runtime against the IR's forward pass in tfjs on seeded random inputs.
import * as tf from '@tensorflow/tfjs-core';
import { SqzModel, type ExecChoice } from '../../runtime/index.js';
import type { Graph } from '../ir/graph.js';
import { forwardAll } from '../ir/forward.js';
import { elementCount } from '../ir/graph_utils.js';
import { createRng } from '../util/rng.js';

export interface RuntimeCheck {
  exec: ExecChoice;
  /** Which wasm build ran: 'simd' or 'scalar'. */
  variant: string;
  batch: number;
  /** Largest |runtime − tfjs| / max(1, |tfjs|) over every output value. */
  maxRelativeError: number;
}

/** Tolerance of verifyWithRuntime: |Δ| ≤ 1e-4 · max(1, |reference|). */
export const RUNTIME_CHECK_TOLERANCE = 1e-4;

/**
 * Loads `bytes` in the wasm runtime (exec mode `exec`), runs `batch` samples of uniform [−1, 1) inputs from
 * `seed`, and compares every output with forwardAll(`graph`) on the active tfjs backend. `graph` must hold the
 * weights the file stores (ExportResult.graph). Returns the figures; the caller judges them.
 */
export async function verifyWithRuntime(
  bytes: Uint8Array,
  graph: Graph,
  exec: ExecChoice,
  opts: { batch?: number; seed?: number; simd?: boolean } = {},
): Promise<RuntimeCheck> {
  const batch = opts.batch ?? 4;
  const rng = createRng(opts.seed ?? 1);
  const inputs = graph.inputs.map((v) => {
    const values = new Float32Array(batch * elementCount(graph.values[v]!.shape));
    for (let i = 0; i < values.length; i++) values[i] = 2 * rng.float() - 1;
    return values;
  });
  const model = await SqzModel.load(bytes, { exec, ...(opts.simd === undefined ? {} : { simd: opts.simd }) });
  try {
    const actual = model.predictAll(inputs, batch);
    const expected = tf.tidy(() =>
      forwardAll(
        graph,
        inputs.map((x, i) => tf.tensor(x, [batch, ...graph.values[graph.inputs[i]!]!.shape])),
      ).map((t) => t.dataSync() as Float32Array),
    );
    let worst = 0;
    expected.forEach((ref, o) => {
      const got = actual[o]!;
      if (got.length !== ref.length)
        throw new Error(`runtime output ${o} has ${got.length} values, tfjs ${ref.length}`);
      for (let i = 0; i < ref.length; i++) {
        const err = Math.abs(got[i]! - ref[i]!) / Math.max(1, Math.abs(ref[i]!));
        if (!(err <= worst)) worst = Number.isNaN(err) ? Infinity : err;
      }
    });
    return { exec, variant: model.info.variant ?? 'unknown', batch, maxRelativeError: worst };
  } finally {
    model.dispose();
  }
}
