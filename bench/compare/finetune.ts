// Fine-tunes for the compared methods. Quantized fine-tunes reuse the compiler's FinetunePhase as is (mask and
// bits frozen, straight-through latent weights, codebook Lloyd refresh), so a baseline gets exactly sqz's
// fine-tune, only on its own mask and bits. The float masked fine-tune (Deep Compression's retrain after pruning)
// is plain momentum SGD from compiler/compress/sgd.ts with the mask re-applied after every step.
import type { RunContext } from '../../compiler/compress/context.js';
import { cosineLr } from '../../compiler/compress/context.js';
import { FinetunePhase } from '../../compiler/compress/finetune_phase.js';
import type { LayerCode } from '../../compiler/compress/joint_projection.js';
import { batchTensors, disposeBatch, sgdStep } from '../../compiler/compress/sgd.js';
import { assignArray } from '../../compiler/compress/train_state.js';
import { batches } from '../../compiler/data/dataset.js';

/** Runs ctx.hyper.finetuneEpochs of sqz's fine-tune from `codes`; returns the quantized kernels and biases. */
export async function quantizedFinetune(
  ctx: RunContext,
  codes: LayerCode[],
  kernels: Float32Array[],
): Promise<{ kernels: Float32Array[]; biases: Map<number, Float32Array> }> {
  ctx.state.resetMomentum();
  const phase = new FinetunePhase(ctx, { codes, kernels });
  let step = 0;
  for (let e = 0; e < ctx.hyper.finetuneEpochs; e++) {
    await phase.runEpoch(e, step);
    step += phase.stepsPerEpoch;
  }
  return { kernels: phase.quantized(), biases: ctx.state.readBiases() };
}

/** `epochs` of masked SGD (lr a quarter of the peak, as sqz's fine-tune, cosine-decayed); returns the kernels. */
export function maskedFinetune(ctx: RunContext, masks: Uint8Array[], epochs: number): Float32Array[] {
  const { state, layers, hyper } = ctx;
  const apply = () =>
    layers.forEach((l, i) => {
      const v = state.kernel(l.opIndex);
      const w = v.dataSync().slice() as Float32Array;
      const m = masks[i]!;
      for (let j = 0; j < w.length; j++) if (m[j] === 0) w[j] = 0;
      assignArray(v, w);
    });
  apply();
  state.resetMomentum();
  const total = Math.ceil(ctx.data.train.count / hyper.batchSize) * epochs;
  let step = 0;
  for (let e = 0; e < epochs; e++) {
    for (const batch of batches(ctx.data.train, hyper.batchSize, ctx.rng)) {
      const tensors = batchTensors(batch, ctx.inputShape, ctx.task);
      const lr = cosineLr(hyper.lr * 0.25, step++, total, 0.02);
      sgdStep(state, tensors, {
        lr,
        momentum: hyper.momentum,
        weightDecay: hyper.weightDecay,
        clipNorm: hyper.clipNorm,
        loss: ctx.loss,
      });
      disposeBatch(tensors);
      apply();
    }
  }
  return layers.map((l) => state.kernel(l.opIndex).dataSync().slice() as Float32Array);
}
