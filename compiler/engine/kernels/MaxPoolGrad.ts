// MaxPoolGrad for the wasm backend. The backend HAS this kernel, but tfjs-backend-wasm 4.22's version is wrong:
// it starts each window's running maximum at FLT_MIN (the smallest positive float) instead of −∞, so a window
// whose maximum is ≤ 1.2e-38 (any negative window, or an all-zero window after relu) never finds its argmax
// and its gradient lands on a wrong element (element 0 of the tensor in our checks). (MaxPoolWithArgmax has the same fault; the forward
// MaxPool, which goes through XNNPACK, is right.) sqz replaces it (SQZ_OVERRIDES in register.ts).
//
// Each window's gradient goes to the FIRST position (row-major within the window) holding the window's
// maximum y (the forward output), exactly like the cpu backend's kernel and TensorFlow's. Two paths:
//  - Tiled windows (filter = stride, the usual 2×2/2): one pass in plain JS over the backend's heap. Windows do
//    not overlap, so each input element gets its window's dy or 0: no sums, the same bits as any exact kernel.
//    (A composite of backend kernels, transposes around an ArgMax, took 17% of a LeNet-5 fine-tune step.)
//  - Any other geometry: for each window offset t = (kh, kw) in row-major order, sample X_t (strided slice),
//    first = (X_t == y) and not taken, taken |= (X_t == y), and add dy where first, placed back at X_t's
//    positions (zero-insertion and padding). Slower (the wasm StridedSlice is plain JS), but general.
import * as tf from '@tensorflow/tfjs-core';
import { type KernelArgs, type KernelScratch, pair, withScratch, zeroInsert } from './kernel_common.js';

const BACKEND = 'wasm';
const OWNER = 'MaxPoolGrad';

function maxPoolGrad(args: KernelArgs): tf.TensorInfo {
  const { dy, input, output } = args.inputs as { dy: tf.TensorInfo; input: tf.TensorInfo; output: tf.TensorInfo };
  const attrs = args.attrs as unknown as tf.MaxPoolGradAttrs;
  if (input.shape.length !== 4) {
    throw new Error(`sqz kernel ${OWNER}: input must be rank 4 [N, H, W, C], got [${input.shape}]`);
  }
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const [n, h, w, c] = input.shape;
  const { outHeight: oh, outWidth: ow, filterHeight: kh, filterWidth: kw } = info;
  const expected = [n, oh, ow, c];
  if (dy.shape.join() !== expected.join() || output.shape.join() !== expected.join()) {
    throw new Error(
      `sqz kernel ${OWNER}: dy [${dy.shape}] and output [${output.shape}] must both be [${expected}] for input ` +
        `[${input.shape}]`,
    );
  }
  const [sh, sw] = pair(attrs.strides);
  const geometry: Geometry = { n, h, w, c, oh, ow, kh, kw, sh, sw, top: info.padInfo.top, left: info.padInfo.left };
  if (kh === sh && kw === sw) return tiledGrad(args.backend as unknown as HeapBackend, dy, input, geometry);
  return withScratch(OWNER, args.backend, BACKEND, (s) => generalGrad(s, dy, input, output, geometry));
}

/** What tiledGrad uses of tfjs-backend-wasm's BackendWasm: tensors allocated on, and viewed in, its heap. */
interface HeapBackend {
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array;
}

interface Geometry {
  n: number;
  h: number;
  w: number;
  c: number;
  oh: number;
  ow: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  top: number;
  left: number;
}

/**
 * Windows that tile the padded input exactly (KH = SH, KW = SW): per window, the first element (row-major) holding
 * its maximum gets dy, every other element 0. Padding is never a candidate (every window holds an input element),
 * and rows or columns no window reads (valid padding) get 0.
 */
function tiledGrad(backend: HeapBackend, dy: tf.TensorInfo, input: tf.TensorInfo, g: Geometry): tf.TensorInfo {
  const { n, h, w, c, oh, ow, kh, kw, top, left } = g;
  const out = backend.makeOutput([n, h, w, c], 'float32');
  // Views after the allocation: it may grow the heap, which detaches views taken before.
  const grad = backend.typedArrayFromHeap(out);
  const x = backend.typedArrayFromHeap(input);
  const d = backend.typedArrayFromHeap(dy);
  grad.fill(0);
  const best = new Float32Array(c);
  const at = new Int32Array(c);
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        at.fill(-1);
        for (let ky = 0; ky < kh; ky++) {
          const iy = oy * kh + ky - top;
          if (iy < 0 || iy >= h) continue;
          for (let kx = 0; kx < kw; kx++) {
            const ix = ox * kw + kx - left;
            if (ix < 0 || ix >= w) continue;
            const base = ((b * h + iy) * w + ix) * c;
            for (let ch = 0; ch < c; ch++) {
              const v = x[base + ch]!;
              if (at[ch]! < 0 || v > best[ch]!) {
                best[ch] = v;
                at[ch] = base + ch;
              }
            }
          }
        }
        const dyBase = ((b * oh + oy) * ow + ox) * c;
        for (let ch = 0; ch < c; ch++) grad[at[ch]!] = d[dyBase + ch]!;
      }
    }
  }
  return out;
}

/** Any window geometry: one pass per window offset. */
function generalGrad(
  s: KernelScratch,
  dy: tf.TensorInfo,
  input: tf.TensorInfo,
  output: tf.TensorInfo,
  g: Geometry,
): tf.TensorInfo {
  const { n, h, w, c, oh, ow, kh, kw, sh, sw, top, left } = g;
  // Padded input and gradient accumulator: large enough for the input, for every window, and for OH·sh rows
  // (OW·sw columns) starting at any window offset, which the placing below writes.
  const hb = Math.max(top + h, oh * sh + kh - 1);
  const wb = Math.max(left + w, ow * sw + kw - 1);
  const padded = s.run('PadV2', { x: input }, {
    paddings: [
      [0, 0],
      [top, hb - h - top],
      [left, wb - w - left],
      [0, 0],
    ],
    constantValue: -Infinity,
  } as unknown as tf.NamedAttrMap);
  const zeros = s.run('Fill', {}, { shape: [n, oh, ow, c], value: 0, dtype: 'float32' });
  let taken: tf.TensorInfo | undefined;
  let acc: tf.TensorInfo | undefined;
  for (let r = 0; r < kh; r++) {
    for (let q = 0; q < kw; q++) {
      const sampled = sample(s, padded, [n, oh, ow, c], [sh, sw], [r, q]);
      const hit = s.run('Equal', { a: sampled, b: output });
      s.free(sampled);
      let first = hit;
      if (taken !== undefined) {
        const notTaken = s.run('LogicalNot', { x: taken });
        first = s.run('LogicalAnd', { a: hit, b: notTaken });
        s.free(notTaken);
      }
      if (r < kh - 1 || q < kw - 1) {
        const next: tf.TensorInfo = taken === undefined ? hit : s.run('LogicalOr', { a: taken, b: hit });
        if (taken !== undefined) s.free(taken);
        taken = next;
      }
      const grad = s.run('Select', { condition: first, t: dy, e: zeros });
      if (first !== hit) s.free(first);
      if (hit !== taken) s.free(hit);
      const placed = place(s, grad, [n, oh, ow, c], [sh, sw], [r, q], [hb, wb]);
      const sum: tf.TensorInfo = acc === undefined ? placed : s.run('Add', { a: acc, b: placed });
      if (acc !== undefined) {
        s.free(acc);
        s.free(placed);
      }
      acc = sum;
    }
  }
  return s.slice(acc!, [0, top, left, 0], [n, h, w, c]);
}

/** x[:, r + oh·sh, q + ow·sw, :] for all oh < OH, ow < OW, as [N, OH, OW, C]. */
function sample(
  s: KernelScratch,
  x: tf.TensorInfo,
  [n, oh, ow, c]: number[],
  [sh, sw]: [number, number],
  [r, q]: [number, number],
): tf.TensorInfo {
  return s.run('StridedSlice', { x }, {
    begin: [0, r, q, 0],
    end: [n, r + (oh - 1) * sh + 1, q + (ow - 1) * sw + 1, c],
    strides: [1, sh, sw, 1],
    beginMask: 0,
    endMask: 0,
    ellipsisMask: 0,
    newAxisMask: 0,
    shrinkAxisMask: 0,
  } as unknown as tf.NamedAttrMap);
}

/**
 * Puts g [N, OH, OW, C] into a zero [N, HB, WB, C] tensor at rows r + oh·sh, columns q + ow·sw.
 */
function place(
  s: KernelScratch,
  g: tf.TensorInfo,
  [n, oh, ow, c]: number[],
  [sh, sw]: [number, number],
  [r, q]: [number, number],
  [hb, wb]: [number, number],
): tf.TensorInfo {
  const up = zeroInsert(s, g, [n, oh, ow, c], [sh, sw]);
  const out = s.run('PadV2', { x: up }, {
    paddings: [
      [0, 0],
      [r, hb - r - oh * sh],
      [q, wb - q - ow * sw],
      [0, 0],
    ],
    constantValue: 0,
  } as unknown as tf.NamedAttrMap);
  s.free(up);
  if (up !== g) s.free(g);
  return out;
}

export const maxPoolGradConfig: tf.KernelConfig = {
  kernelName: tf.MaxPoolGrad,
  backendName: BACKEND,
  kernelFunc: maxPoolGrad as unknown as tf.KernelFunc,
};
