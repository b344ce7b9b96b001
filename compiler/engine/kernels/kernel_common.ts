// Shared set-up for sqz's composite gradient kernels: each one is written as a few calls to kernels the target
// backend already has (transpose, reshape, conv, sum, ...). Calling those kernels' functions directly, rather
// than through tf ops, keeps the intermediates out of the engine's tensor bookkeeping; `KernelScratch` frees
// every intermediate it made, on success and on error, so a composite kernel leaks nothing.
import * as tf from '@tensorflow/tfjs-core';

type TensorInfo = tf.TensorInfo;

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
