// The ADMM phase (Yang et al., CVPR 2020, with the schedule changes DESIGN.md measured for short runs):
//   W-step   every SGD step: momentum SGD on the loss, then the prox pull W ← (W + β(V − U)) / (1 + β), β = lr·ρ.
//   V-step   every `projectionInterval` steps (and once from the pretrained weights): V = joint projection of W + U
//            onto "file ≤ budget" (joint_projection.ts); the budget may be annealed down to the target.
//   U-step   right after: U ← U + W − V; ρ grows geometrically (up to rhoMax) so W is pulled onto V by the end.
import * as tf from '@tensorflow/tfjs-core';
import { batches } from '../data/dataset.js';
import {
  applySgd,
  batchTensors,
  checkLoss,
  disposeBatch,
  FisherAccumulator,
  sgdStep,
  TrainingCollapsedError,
} from './sgd.js';
import { collapsedLoss } from './chance.js';
import { assignArray } from './train_state.js';
import { cosineLr, type RunContext } from './context.js';
import {
  initialCosts,
  projectJoint,
  openableUnits,
  type CostModel,
  type Importance,
  type JointProjection,
} from './joint_projection.js';
import { faultPoint, stepLoss } from '../util/fault.js';
import { shiftBatch } from '../data/augment.js';

export interface AdmmSnapshot {
  rho: number;
  /** Per-weight EMA of the squared gradient (diagonal Fisher), one array per layer, and the steps it has seen. */
  fisher: Float32Array[];
  fisherSteps: number;
  projections: number;
  u: Float32Array[];
  v: Float32Array[];
  costs: CostModel;
  /** The previous epoch's hard projection (bits and masks), for the stopping rule (admm_loop.ts). */
  lastHard?: { bits: number[]; masks: Uint8Array[] };
  /** Training loss of ADMM's first step (the projected original weights): the collapse guard's reference. */
  startLoss?: number;
}

/**
 * The collapse guard: a classifier whose loss at ADMM's first step was under COLLAPSE_START of the chance level
 * and whose mean loss over a window of GUARD_WINDOW steps reaches COLLAPSE_LEVEL of it has collapsed or blown up (measured on
 * a 7,203-weight LeNet-5 at lr 0.05: 0.30 → 3.08 within 150 steps, then held at ln 10 with its first layers' biases
 * frozen). A network the first projection pruned past use starts near chance, so it does not count.
 */
const COLLAPSE_START = 0.5;
const COLLAPSE_LEVEL = 0.95;
/** The guard compares mean losses over windows of this many steps (an epoch's last window: at least GUARD_MIN_STEPS). */
const GUARD_WINDOW = 20;
const GUARD_MIN_STEPS = 5;

/** EMA decay of the per-step gradient energy (≈ the last 50 steps). */
const FISHER_DECAY = 0.98;

export interface EpochResult {
  loss: number;
  seconds: number;
  projectionSeconds: number;
  projections: number;
}

export class AdmmPhase {
  rho: number;
  readonly fisher: FisherAccumulator;
  projections: number;
  u: Float32Array[];
  v: Float32Array[];
  costs: CostModel;
  lastHard?: { bits: number[]; masks: Uint8Array[] };
  startLoss?: number;
  /** The chance-level loss the collapse guard watches for; undefined: no guard (see admm_loop.ts). */
  private readonly chance?: number;
  private anchors = new Map<string, tf.Tensor>();
  private last?: JointProjection;
  private residual = NaN;

  /** `guard`: watch for a collapse (classification, whose input-blind loss is known: chance.ts collapsedLoss). */
  constructor(
    private readonly ctx: RunContext,
    snapshot?: AdmmSnapshot,
    guard = true,
  ) {
    const { layers, state } = ctx;
    this.rho = snapshot?.rho ?? ctx.hyper.rho;
    this.fisher = new FisherAccumulator(
      layers.map((l) => state.kernel(l.opIndex).name),
      layers.map((l) => l.shape),
      FISHER_DECAY,
      snapshot && { values: snapshot.fisher, steps: snapshot.fisherSteps },
    );
    this.projections = snapshot?.projections ?? 0;
    this.u = snapshot?.u ?? layers.map((l) => new Float32Array(l.n));
    this.v = snapshot?.v ?? layers.map((l) => new Float32Array(l.n));
    this.costs = snapshot?.costs ?? initialCosts(ctx.setup, state.readBiases(), ctx.targetBytes);
    this.lastHard = snapshot?.lastHard;
    this.startLoss = snapshot?.startLoss;
    if (guard && ctx.task.name === 'classification') this.chance = collapsedLoss(ctx.data.train, ctx.loss);
    if (snapshot) this.updateAnchors();
  }

  snapshot(): AdmmSnapshot {
    return {
      rho: this.rho,
      fisher: this.fisher.read(),
      fisherSteps: this.fisher.steps,
      projections: this.projections,
      u: this.u,
      v: this.v,
      costs: this.costs,
      lastHard: this.lastHard,
      startLoss: this.startLoss,
    };
  }

  get stepsPerEpoch(): number {
    return Math.ceil(this.ctx.data.train.count / this.ctx.hyper.batchSize);
  }

  /** Projections between two bitwidth searches: about one search per epoch (the rest keep the bits). */
  get searchEvery(): number {
    return Math.max(1, Math.round(this.stepsPerEpoch / this.ctx.hyper.projectionInterval));
  }

  get totalSteps(): number {
    return this.stepsPerEpoch * this.ctx.hyper.epochs;
  }

  /** The projection budget at `step`: the target, or on the annealing ramp a cubic decay from ~8-bit dense. */
  budgetAt(step: number): number {
    const { hyper, targetBytes, layers } = this.ctx;
    const rampSteps = Math.round(hyper.anneal * this.totalSteps);
    if (rampSteps <= 0 || step >= rampSteps) return targetBytes;
    const dense8 = layers.reduce((s, l) => s + l.n, 0); // one byte per weight
    const start = Math.max(targetBytes, dense8);
    const t = step / rampSteps;
    return Math.round(targetBytes + (start - targetBytes) * (1 - t) ** 3);
  }

  /**
   * Importance for the projections, from the diagonal Fisher estimate F (mean squared gradient). Per layer: its
   * mean F relative to the largest layer's, to the power `sensitivity` (how much loss a unit of squared weight
   * error costs in that layer). With `saliency` > 0, each weight's F relative to its layer's mean (floored at 1% of
   * it, so no weight is worth nothing), to that power, multiplies the layer's figure (Optimal Brain Damage's
   * ½·F·w²). Before any gradient was seen (the first projection, from the pretrained weights) everything weighs 1.
   */
  importance(): Importance[] {
    const { sensitivity, saliency } = this.ctx.hyper;
    if (this.fisher.steps === 0) return this.ctx.layers.map(() => 1);
    const perWeight = this.fisher.read();
    const means = perWeight.map((f) => f.reduce((s, x) => s + x, 0) / Math.max(f.length, 1));
    const top = Math.max(...means);
    const layer = means.map((m) => (top > 0 && sensitivity > 0 ? Math.max(m / top, 1e-6) ** sensitivity : 1));
    if (saliency === 0) return layer;
    return perWeight.map((f, i) => {
      const mean = means[i]!;
      if (!(mean > 0)) return layer[i]!;
      const out = new Float32Array(f.length);
      for (let j = 0; j < f.length; j++) out[j] = layer[i]! * (Math.max(f[j]!, 0.01 * mean) / mean) ** saliency;
      return out;
    });
  }

  /** The current kernels, one flat array per compressible layer. */
  kernels(): Float32Array[] {
    return this.ctx.layers.map((l) => this.ctx.state.kernel(l.opIndex).dataSync().slice() as Float32Array);
  }

  /** ‖W − V‖ / ‖W‖ over all layers for kernels `w` (0 before the first projection, when V is all zero and W is too). */
  residualOf(w: readonly Float32Array[]): number {
    let diff2 = 0;
    let norm2 = 0;
    w.forEach((wi, i) => {
      const vi = this.v[i]!;
      for (let j = 0; j < wi.length; j++) {
        const d = wi[j]! - vi[j]!;
        diff2 += d * d;
        norm2 += wi[j]! * wi[j]!;
      }
    });
    return norm2 > 0 ? Math.sqrt(diff2 / norm2) : 0;
  }

  /**
   * V- and U-steps at `step`. With workers, a bit search of a one-round projection evaluates its candidates on the
   * workers (joint_projection.ts, searchLayoutWith: the same layout as in this thread); the rest runs here.
   */
  async project(step: number): Promise<JointProjection> {
    const w = this.kernels();
    const z = w.map((wi, i) => {
      const ui = this.u[i]!;
      const out = new Float32Array(wi.length);
      for (let j = 0; j < wi.length; j++) out[j] = wi[j]! + ui[j]!;
      return out;
    });
    // Bits are re-searched (and the cost model re-measured) about once per epoch; in between only masks and codebooks move.
    const search = this.projections % this.searchEvery === 0;
    // Sparse support from W itself (pruned in place, as the paper's code does), values from W + U.
    const rounds = this.projections === 0 ? 3 : 1;
    const importance = this.importance();
    const budgetBytes = this.budgetAt(step);
    const { pool } = this.ctx;
    const layout =
      pool && search && rounds === 1
        ? await pool.searchLayout(
            this.ctx.state,
            { z, select: w, costs: this.costs, importance, budgetBytes },
            this.ctx.loss,
            openableUnits(this.ctx.setup),
          )
        : undefined;
    // The first projection may already exist: head_collapse.ts computed it with these same inputs (used once; a
    // restart projects again).
    const computed =
      this.projections === 0 && budgetBytes === this.ctx.targetBytes ? this.ctx.firstProjection : undefined;
    delete this.ctx.firstProjection;
    const projection =
      computed ??
      projectJoint(this.ctx.setup, z, this.ctx.state.readBiases(), this.costs, budgetBytes, {
        select: w,
        rounds,
        searchBits: search,
        widthMoves: this.projections > 0,
        measure: search,
        importance,
        layout,
      });
    projection.codes.forEach((code, i) => {
      const wi = w[i]!;
      for (let j = 0; j < wi.length; j++) if (code.mask[j] === 0) wi[j] = 0;
      assignArray(this.ctx.state.kernel(this.ctx.layers[i]!.opIndex), wi);
    });
    let diff2 = 0;
    let norm2 = 0;
    projection.values.forEach((vi, i) => {
      const wi = w[i]!;
      const ui = this.u[i]!;
      for (let j = 0; j < vi.length; j++) {
        const d = wi[j]! - vi[j]!;
        ui[j] = ui[j]! + d;
        diff2 += d * d;
        norm2 += wi[j]! * wi[j]!;
      }
    });
    this.v = projection.values;
    this.costs = projection.costs;
    this.last = projection;
    this.residual = Math.sqrt(diff2 / Math.max(norm2, 1e-30));
    this.projections++;
    if (this.projections > 1) this.rho = Math.min(this.ctx.hyper.rhoMax, this.rho * this.ctx.hyper.rhoGrowth);
    this.updateAnchors();
    return projection;
  }

  private updateAnchors(): void {
    for (const a of this.anchors.values()) a.dispose();
    this.anchors.clear();
    this.ctx.layers.forEach((l, i) => {
      const vi = this.v[i]!;
      const ui = this.u[i]!;
      const a = new Float32Array(vi.length);
      for (let j = 0; j < a.length; j++) a[j] = vi[j]! - ui[j]!;
      this.anchors.set(this.ctx.state.kernel(l.opIndex).name, tf.tensor(a, l.shape, 'float32'));
    });
  }

  /** One epoch of W-steps with V/U-steps every projectionInterval steps. `step` is the global step at its start. */
  async runEpoch(epoch: number, startStep: number): Promise<EpochResult> {
    const { ctx } = this;
    const { hyper, data, state, progress } = ctx;
    const started = performance.now();
    let projectionMs = 0;
    let projectionsThisEpoch = 0;
    const timedProject = async (step: number) => {
      const t0 = performance.now();
      await this.project(step);
      projectionMs += performance.now() - t0;
      projectionsThisEpoch++;
    };
    if (this.projections === 0) await timedProject(startStep); // the first projection, from the pretrained weights
    progress.startEpoch(`admm ${epoch + 1}/${hyper.epochs}`, this.stepsPerEpoch);
    let step = startStep;
    let lossSum = 0;
    let count = 0;
    let windowSum = 0;
    let windowSteps = 0;
    let windowSamples = 0;
    const watch = (where: string) => {
      if (windowSteps >= GUARD_MIN_STEPS) this.watchCollapse(windowSum / windowSamples, where);
      windowSum = windowSteps = windowSamples = 0;
    };
    try {
      const sgd = {
        momentum: hyper.momentum,
        weightDecay: hyper.weightDecay,
        clipNorm: hyper.clipNorm,
        loss: ctx.loss,
      };
      for (const raw of batches(data.train, hyper.batchSize, ctx.rng)) {
        const batch = shiftBatch(raw, ctx.inputShape, hyper.augmentShift, ctx.rng);
        const lr = cosineLr(hyper.lr, step, this.totalSteps);
        const prox = { beta: lr * this.rho, anchors: this.anchors };
        let loss: number;
        if (ctx.pool) {
          const step = await ctx.pool.gradients(state, batch, ctx.loss);
          applySgd(state, step.grads, { ...sgd, lr }, prox, this.fisher);
          loss = step.loss;
        } else {
          const tensors = batchTensors(batch, ctx.inputShape, ctx.task);
          loss = sgdStep(state, tensors, { ...sgd, lr }, prox, this.fisher);
          disposeBatch(tensors);
        }
        checkLoss(
          stepLoss(loss),
          `in ADMM epoch ${epoch + 1}, step ${step - startStep + 1}`,
          hyper.lr,
          ctx.divergedAbove,
        );
        lossSum += loss * batch.count;
        count += batch.count;
        windowSum += loss * batch.count;
        windowSamples += batch.count;
        this.startLoss ??= loss;
        step++;
        faultPoint('epoch-step');
        if (++windowSteps === GUARD_WINDOW) watch(`in ADMM epoch ${epoch + 1}, step ${step - startStep}`);
        if (step % hyper.projectionInterval === 0) await timedProject(step);
        progress.update(step - startStep, this.stats(lossSum / count));
      }
      watch(`at the end of ADMM epoch ${epoch + 1}`);
    } finally {
      progress.endEpoch();
    }
    return {
      loss: lossSum / Math.max(count, 1),
      seconds: (performance.now() - started) / 1000,
      projectionSeconds: projectionMs / 1000,
      projections: projectionsThisEpoch,
    };
  }

  /** The collapse guard, at the end of a window of steps whose mean training loss was `loss`. */
  private watchCollapse(loss: number, where: string): void {
    const { chance, startLoss } = this;
    if (chance === undefined || startLoss === undefined) return;
    if (startLoss < COLLAPSE_START * chance && loss >= COLLAPSE_LEVEL * chance)
      throw new TrainingCollapsedError(where, loss, startLoss, chance);
  }

  stats(loss: number) {
    const codes = this.last?.codes ?? [];
    return {
      loss,
      residual: this.residual,
      nnz: codes.reduce((s, c) => s + c.nnz, 0),
      bits: codes.map((c) => c.bits).join('/'),
      bytes: this.last?.bytes ?? 0,
    };
  }

  dispose(): void {
    for (const a of this.anchors.values()) a.dispose();
    this.anchors.clear();
    this.fisher.dispose();
  }
}
