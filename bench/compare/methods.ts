// The compared methods. Each takes a fresh RunContext on the baseline weights and a target in bytes, picks what to
// keep (mask and bits per layer) so that sqz's exporter writes a file ≤ target, fine-tunes, and returns the final
// kernels and biases; scoring (file on disk, wasm accuracy) is the caller's.
import type { RunContext } from '../../compiler/compress/context.js';
import { allocateBits, type BitOption } from '../../compiler/optimize/bit_allocation.js';
import { kmeansByBits } from '../../compiler/optimize/kmeans.js';
import { indexBitsPerNonzero } from '../../compiler/optimize/size_model.js';
import { sparseProject } from '../../compiler/optimize/sparse_projection.js';
import { bisectToSize } from './bisect.js';
import { allOnes, codeLayers, std, thresholdMask, topMagnitudeMask } from './codes.js';
import { maskedFinetune, quantizedFinetune } from './finetune.js';
import { measureKernels } from './measure.js';

export interface MethodResult {
  kernels: Float32Array[];
  biases: Map<number, Float32Array>;
  /** The method's free parameter as found by the size search (density, quality factor, ...). */
  note: string;
}

const baseKernels = (ctx: RunContext) => ctx.layers.map((l) => ctx.graph.ops[l.opIndex]!.kernel!.values);
const baseBiases = (ctx: RunContext) => ctx.state.readBiases();

/** Fits masks(x) at fixed bits to the target by bisection on x, then runs sqz's fine-tune on them. */
async function fitThenFinetune(
  ctx: RunContext,
  target: number,
  bits: (i: number) => number,
  masks: (x: number) => Uint8Array[],
  note: (x: number) => string,
): Promise<MethodResult | undefined> {
  const w = baseKernels(ctx);
  const biases = baseBiases(ctx);
  const b = ctx.layers.map((_, i) => bits(i));
  const fit = bisectToSize(0, 1, target, (x) => {
    const coded = codeLayers(w, masks(x), b);
    return { bytes: measureKernels(ctx, coded.quantized, biases).bytes, value: coded };
  });
  if (!fit) return undefined;
  return {
    ...(await quantizedFinetune(
      ctx,
      fit.value.codes,
      w.map((k) => k.slice()),
    )),
    note: note(fit.x),
  };
}

/** Method 2: the same magnitude density in every layer, 8-bit k-means codebooks, sqz's fine-tune. */
export async function uniformPruning8(ctx: RunContext, target: number): Promise<MethodResult | undefined> {
  const w = baseKernels(ctx);
  return fitThenFinetune(
    ctx,
    target,
    () => 8,
    (d) => w.map((k) => topMagnitudeMask(k, d)),
    (d) => `density ${(100 * d).toFixed(2)}% per layer`,
  );
}

/**
 * Method 3, Deep Compression (Han et al. 2016): per-layer threshold q·std(layer), masked retrain, then per-layer
 * k-means (conv 8 bits, fc 5 bits) and a codebook fine-tune. q is bisected so the final file fits; the size is
 * decided before the retrain because the mask and bits fix it. The retrain runs `retrainEpochs`, the codebook
 * fine-tune ctx.hyper.finetuneEpochs.
 */
export async function deepCompression(
  ctx: RunContext,
  target: number,
  retrainEpochs: number,
  qMax = 6,
): Promise<MethodResult | undefined> {
  const w = baseKernels(ctx);
  const biases = baseBiases(ctx);
  const stds = w.map(std);
  const bits = ctx.layers.map((l) => (l.type === 'dense' ? 5 : 8));
  const masksAt = (x: number) => w.map((k, i) => thresholdMask(k, qMax * (1 - x) * stds[i]!));
  const fit = bisectToSize(0, 1, target, (x) => {
    const coded = codeLayers(w, masksAt(x), bits);
    return { bytes: measureKernels(ctx, coded.quantized, biases).bytes, value: masksAt(x) };
  });
  if (!fit) return undefined;
  const retrained = maskedFinetune(ctx, fit.value, retrainEpochs);
  const coded = codeLayers(retrained, fit.value, bits);
  return {
    ...(await quantizedFinetune(ctx, coded.codes, retrained)),
    note: `q = ${(qMax * (1 - fit.x)).toFixed(3)}·std, bits ${bits.join('/')}`,
  };
}

/**
 * Method 4, sequential: sqz's sparse knapsack alone (magnitudes, per-nonzero cost 8 bits + the layer's index
 * bits: a pruning step that does not know what quantization will follow), then sqz's bit allocation (MCKP over
 * per-layer k-means at 1..8 bits) on the kept weights within the same bit budget; the budget is bisected so the
 * real file fits. Then sqz's fine-tune.
 */
export async function sequential(ctx: RunContext, target: number): Promise<MethodResult | undefined> {
  const w = baseKernels(ctx);
  const biases = baseBiases(ctx);
  const plan = (x: number) => {
    const budget = x * 8 * target;
    // Two passes: index bits depend on the density the knapsack picks.
    let idx = ctx.layers.map((l) => indexBitsPerNonzero(l.n, Math.max(1, Math.round(((budget / 16) * l.n) / total))));
    let sp = sparseProject(
      w.map((values, i) => ({ values, costBitsPerNonzero: 8 + idx[i]! })),
      budget,
    );
    idx = ctx.layers.map((l, i) => indexBitsPerNonzero(l.n, sp.nnz[i]!));
    sp = sparseProject(
      w.map((values, i) => ({ values, costBitsPerNonzero: 8 + idx[i]! })),
      budget,
    );
    const options: BitOption[][] = w.map((values, i) => {
      const kept = values.filter((v, j) => sp.keep[i]![j] !== 0 && v !== 0);
      if (kept.length === 0) return [{ bits: 1, costBits: 0, distortion: 0 }];
      return kmeansByBits(kept, 8).map((o) => ({
        bits: o.bits,
        distortion: o.distortion,
        costBits: kept.length * (o.bits + idx[i]!) + 16 * o.centroids.length,
      }));
    });
    const alloc = allocateBits(options, budget);
    const bits = alloc.choice.map((c, i) => options[i]![c]!.bits);
    return { masks: sp.keep, bits };
  };
  const total = ctx.layers.reduce((s, l) => s + l.n, 0);
  // The budget scale goes past 1: the knapsack prices every kept weight at 8 bits, the bit allocation then spends
  // fewer, so the real file at x = 1 is well under the target (LeNet-300-100 at 300×: 2,911 of 3,554 B).
  const fit = bisectToSize(
    0,
    3,
    target,
    (x) => {
      const p = plan(x);
      const coded = codeLayers(w, p.masks, p.bits);
      return { bytes: measureKernels(ctx, coded.quantized, biases).bytes, value: { coded, bits: p.bits } };
    },
    10,
    36,
  );
  if (!fit) return undefined;
  return {
    ...(await quantizedFinetune(
      ctx,
      fit.value.coded.codes,
      w.map((k) => k.slice()),
    )),
    note: `bits ${fit.value.bits.join('/')}`,
  };
}

/** Method 5: dense weights, one k-means codebook of 2^bits entries per layer, sqz's fine-tune. No size target. */
export async function quantOnly(ctx: RunContext, bits: number): Promise<MethodResult> {
  const w = baseKernels(ctx);
  const coded = codeLayers(
    w,
    w.map((k) => allOnes(k.length)),
    w.map(() => bits),
  );
  return {
    ...(await quantizedFinetune(
      ctx,
      coded.codes,
      w.map((k) => k.slice()),
    )),
    note: `dense, ${bits}-bit codebooks`,
  };
}
