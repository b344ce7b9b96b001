// Shared set-up for sqz's composite gradient kernels: each one is written as a few calls to kernels the target
// backend already has (transpose, reshape, conv, sum, ...). Calling those kernels' functions directly, rather
// than through tf ops, keeps the intermediates out of the engine's tensor bookkeeping; `KernelScratch` frees
// every intermediate it made, on success and on error, so a composite kernel leaks nothing.
import * as tf from '@tensorflow/tfjs-core';

type TensorInfo = tf.TensorInfo;

/** What tfjs passes to a kernel function (`tf.KernelFunc`'s argument, with the backend left abstract). */
export interface KernelArgs {
  inputs: tf.NamedTensorInfoMap;
  backend: tf.KernelBackend;
  attrs?: tf.NamedAttrMap;
}

/** Runs the backend's own kernels and frees their outputs, except the ones handed back with `keep`. */
export class KernelScratch {
  private readonly temps: TensorInfo[] = [];

  /**
   * @param owner name of the composite kernel, for error messages
   * @param backend the backend instance the composite kernel was called with
   * @param backendName registry name of that backend ('wasm')
   */
  constructor(
    private readonly owner: string,
    private readonly backend: tf.KernelBackend,
    private readonly backendName: string,
  ) {}

  /** Runs kernel `kernelName` of this backend; its output is freed by `dispose()` unless kept. */
  run(kernelName: string, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap = {}): TensorInfo {
    const kernel = tf.getKernel(kernelName, this.backendName);
    if (kernel === undefined) {
      throw new Error(
        `sqz kernel ${this.owner}: it is built from kernel '${kernelName}', which is not registered for ` +
          `backend '${this.backendName}'`,
      );
    }
    const out = kernel.kernelFunc({ inputs, backend: this.backend, attrs });
    const info = Array.isArray(out) ? out[0] : out;
    if (Array.isArray(out)) {
      for (let i = 1; i < out.length; i++) this.temps.push(out[i]);
    }
    this.temps.push(info);
    return info;
  }

  /** Same tensor data seen with another shape (no copy on backends whose Reshape shares data). */
  reshape(x: TensorInfo, shape: number[]): TensorInfo {
    return this.run('Reshape', { x }, { shape });
  }

  transpose(x: TensorInfo, perm: number[]): TensorInfo {
    return this.run('Transpose', { x }, { perm });
  }

  /** Rows/columns [begin, begin + size) of a tensor; a no-op slice is returned as is (not copied). */
  slice(x: TensorInfo, begin: number[], size: number[]): TensorInfo {
    if (begin.every((b) => b === 0) && size.every((s, i) => s === x.shape[i])) return x;
    return this.run('Slice', { x }, { begin, size });
  }

  /** Whether `info` is an intermediate made (and not yet freed) by this scratch scope. */
  owns(info: TensorInfo): boolean {
    return this.temps.includes(info);
  }

  /** Removes `info` from the list of intermediates, so that it survives `dispose()`. */
  keep(info: TensorInfo): TensorInfo {
    const i = this.temps.lastIndexOf(info);
    if (i >= 0) this.temps.splice(i, 1);
    return info;
  }

  /** Frees one intermediate now, to bound peak memory in a loop. Inputs of the composite kernel are never freed. */
  free(info: TensorInfo): void {
    const i = this.temps.lastIndexOf(info);
    if (i < 0) return;
    this.temps.splice(i, 1);
    this.backend.disposeData(info.dataId);
  }

  /** Frees every intermediate not kept. */
  dispose(): void {
    for (const t of this.temps) this.backend.disposeData(t.dataId);
    this.temps.length = 0;
  }
}

/**
 * Runs `body` with a scratch scope and returns the tensor it produces; every other intermediate is freed,
 * also when `body` throws.
 */
export function withScratch(
  owner: string,
  backend: tf.KernelBackend,
  backendName: string,
  body: (s: KernelScratch) => TensorInfo,
): TensorInfo {
  const scratch = new KernelScratch(owner, backend, backendName);
  try {
    let out = body(scratch);
    // A kernel must return data of its own: handing back one of its inputs (e.g. after a no-op slice) would
    // give two tensors one buffer without a reference count, and a double free later.
    if (!scratch.owns(out)) out = scratch.run('Identity', { x: out });
    return scratch.keep(out);
  } finally {
    scratch.dispose();
  }
}

/** [height, width] from a scalar-or-pair attribute such as strides or dilations. */
export function pair(v: number | [number, number] | number[] | undefined, fallback = 1): [number, number] {
  if (v === undefined || v === null) return [fallback, fallback];
  if (typeof v === 'number') return [v, v];
  return [v[0], v[1]];
}

/**
 * Padding of one spatial axis of a correlation that must produce exactly `outSize` outputs from an input of
 * `inSize` elements with `taps` filter taps spaced `dilation` apart and `before` zeros in front. A negative
 * `after` means the input's last elements are never read: the caller crops them instead of padding.
 */
export function trailingPad(inSize: number, before: number, taps: number, dilation: number, outSize: number): number {
  // outSize = before + inSize + after - ((taps - 1) * dilation + 1) + 1
  return outSize + (taps - 1) * dilation - before - inSize;
}

/** Throws unless every entry is 1: the composite kernels implement undilated forward convolutions only. */
export function assertUndilated(owner: string, dilations: number | [number, number] | undefined): void {
  const [dh, dw] = pair(dilations);
  if (dh !== 1 || dw !== 1) {
    throw new Error(`sqz kernel ${owner}: dilations must be 1 (got [${dh}, ${dw}]); tfjs gradients never pass others`);
  }
}

/** Throws unless every named shape has rank 4, naming them all: "x and dy must be rank 4, got [..] and [..]". */
function assertRank4(owner: string, shapes: Record<string, readonly number[]>): void {
  const entries = Object.entries(shapes);
  if (entries.every(([, shape]) => shape.length === 4)) return;
  const list = (items: string[]): string => items.slice(0, -1).join(', ') + ' and ' + items[items.length - 1];
  throw new Error(
    `sqz kernel ${owner}: ${list(entries.map(([name]) => name))} must be rank 4, ` +
      `got ${list(entries.map(([, shape]) => `[${shape}]`))}`,
  );
}

/** A shape and the name it has in the kernel's inputs or attributes, for error messages. */
export type NamedShape = readonly [name: string, shape: readonly number[]];

/** The attributes of a conv gradient kernel that fix the forward conv's geometry. */
export interface ConvGeometryAttrs {
  strides: number | [number, number];
  pad: Parameters<typeof tf.backend_util.computeConv2DInfo>[4];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/**
 * Geometry of the undilated NHWC forward conv (depthwise or not) whose gradient a kernel computes, after checking
 * that its input [N, H, W, C], filter [KH, KW, C, M] (depthwise [KH, KW, C, D]) and dy [N, OH, OW, M] (C·D) are
 * rank 4 and agree with each other. Throws naming the three shapes otherwise.
 */
export function convGradientInfo(
  owner: string,
  [inputName, input]: NamedShape,
  [filterName, filter]: NamedShape,
  [dyName, dy]: NamedShape,
  attrs: ConvGeometryAttrs,
  depthwise: boolean,
): tf.backend_util.Conv2DInfo {
  assertRank4(owner, { [inputName]: input, [filterName]: filter, [dyName]: dy });
  const info = tf.backend_util.computeConv2DInfo(
    input as [number, number, number, number],
    filter as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    depthwise,
    'channelsLast',
  );
  if (filter[2] !== info.inChannels || dy.join() !== info.outShape.join()) {
    throw new Error(
      `sqz kernel ${owner}: ${inputName} [${input}], ${filterName} [${filter}] and ${dyName} [${dy}] disagree ` +
        `(expected ${dyName} [${info.outShape}])`,
    );
  }
  return info;
}

/**
 * x [N, R, Q, CH] spread to [N, R·sh, Q·sw, CH]: row r lands at r·sh and column q at q·sw, with sh − 1 zero
 * rows (sw − 1 zero columns) after each. Returns `x` itself for strides 1; the intermediates are freed at once.
 */
export function zeroInsert(
  s: KernelScratch,
  x: TensorInfo,
  [n, rows, cols, ch]: readonly number[],
  [sh, sw]: readonly [number, number],
): TensorInfo {
  if (sh === 1 && sw === 1) return x;
  const spread = s.reshape(x, [n, rows, 1, cols, 1, ch]);
  const padded = s.run('PadV2', { x: spread }, {
    paddings: [
      [0, 0],
      [0, 0],
      [0, sh - 1],
      [0, 0],
      [0, sw - 1],
      [0, 0],
    ],
    constantValue: 0,
  } as unknown as tf.NamedAttrMap);
  s.free(spread);
  const out = s.reshape(padded, [n, rows * sh, cols * sw, ch]);
  s.free(padded);
  return out;
}

/**
 * The input gradient of a conv with strides [sh, sw] (any dilation-free conv2d or depthwise conv2d described by
 * `info`) is a stride-1 correlation with the spatially flipped filter over dy zero-inserted and padded by
 * KH − 1 − pt on top (KW − 1 − pl on the left):
 *
 *   dx[n, h, w, ·] = Σ_{kh, kw} dyU[n, h + pt − kh, w + pl − kw, ·] · W[kh, kw, ·]
 *
 * Returns that correlation's input, dy [N, OH, OW, CH] zero-inserted to OH·sh × OW·sw (the last sh − 1 rows are
 * zeros the bottom padding would otherwise add) and cropped where a padding is negative (explicit pads larger
 * than the filter, or trailing rows no output reads), and the NHWC `pad` attribute the correlation must use.
 */
export function transposedConvInput(
  s: KernelScratch,
  dy: TensorInfo,
  info: tf.backend_util.Conv2DInfo,
  [sh, sw]: readonly [number, number],
): { x: TensorInfo; pad: number[][] } {
  const [n, oh, ow, ch] = dy.shape;
  const uh = oh * sh;
  const uw = ow * sw;
  const top = info.filterHeight - 1 - info.padInfo.top;
  const left = info.filterWidth - 1 - info.padInfo.left;
  const bottom = trailingPad(uh, top, info.filterHeight, 1, info.inHeight);
  const right = trailingPad(uw, left, info.filterWidth, 1, info.inWidth);
  const up = zeroInsert(s, dy, [n, oh, ow, ch], [sh, sw]);
  const cropTop = Math.max(-top, 0);
  const cropLeft = Math.max(-left, 0);
  const x = s.slice(
    up,
    [0, cropTop, cropLeft, 0],
    [n, uh - cropTop + Math.min(bottom, 0), uw - cropLeft + Math.min(right, 0), ch],
  );
  const pad = [
    [0, 0],
    [Math.max(top, 0), Math.max(bottom, 0)],
    [Math.max(left, 0), Math.max(right, 0)],
    [0, 0],
  ];
  return { x, pad };
}
