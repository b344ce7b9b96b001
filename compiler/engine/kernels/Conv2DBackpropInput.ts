// Conv2DBackpropInput for the wasm backend. The backend HAS this kernel, but as a plain C++ loop that takes
// 2-3.5× longer than an XNNPACK conv2d doing the same work (LeNet-5's second conv, batch 128: 24.7 ms vs
// 7.0 ms), and it was the slowest kernel of a LeNet-5 training step. So sqz replaces it (SQZ_OVERRIDES in
// register.ts) with one conv2d over dy, zero-inserted for strides > 1:
//
//   dx[n, h, w, c] = Σ_{kh, kw, m} dyU[n, h + pt − kh, w + pl − kw, m] · W[kh, kw, c, m]
//                  = conv2d(dyU padded by KH − 1 − pt on top, W')   with W'[kh, kw, m, c] = W[KH−1−kh, KW−1−kw, c, m]
//
// where dyU has sh − 1 zero rows (sw − 1 zero columns) between dy's rows (columns). The zeros cost sh·sw times
// the multiply-adds; at stride 2 XNNPACK still wins (measured: 47.6 vs 49.8 ms, 42.8 vs 87.1 ms, 63.5 vs
// 125.9 ms on three layer shapes), beyond that the backend's own kernel (kept aside when the override was
// registered) gets the call, as do NCHW layouts.
import * as tf from '@tensorflow/tfjs-core';
import { type KernelArgs, convGradientInfo, pair, transposedConvInput, withScratch } from './kernel_common.js';
import { replacedKernel } from './overrides.js';

const BACKEND = 'wasm';
const OWNER = 'Conv2DBackpropInput';
/** Largest stride handled by zero-insertion; larger ones go to the backend's own kernel. */
const MAX_STRIDE = 2;

function conv2dBackpropInput(args: KernelArgs): tf.TensorInfo {
  const { dy, filter } = args.inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const attrs = args.attrs as unknown as tf.Conv2DBackpropInputAttrs;
  const [sh, sw] = pair(attrs.strides);
  if (sh > MAX_STRIDE || sw > MAX_STRIDE || attrs.dataFormat === 'NCHW') return callReplaced(args);
  const info = convGradientInfo(
    OWNER,
    ['inputShape', attrs.inputShape],
    ['filter', filter.shape],
    ['dy', dy.shape],
    attrs,
    false,
  );
  return withScratch(OWNER, args.backend, BACKEND, (s) => {
    const { x, pad } = transposedConvInput(s, dy, info, [sh, sw]);
    const flipped = s.run('Reverse', { x: filter }, { dims: [0, 1] });
    const swapped = s.transpose(flipped, [0, 1, 3, 2]); // [KH, KW, M, C]
    return s.run('Conv2D', { x, filter: swapped }, {
      strides: [1, 1],
      pad,
      dataFormat: 'NHWC',
      dilations: [1, 1],
      dimRoundingMode: undefined,
    } as unknown as tf.NamedAttrMap); // [N, H, W, C]
  });
}

function callReplaced(args: KernelArgs): tf.TensorInfo {
  const original = replacedKernel(OWNER, BACKEND);
  if (original === undefined) {
    throw new Error(
      `sqz kernel ${OWNER}: strides > ${MAX_STRIDE} and NCHW are delegated to the backend's own kernel, but backend ` +
        `'${BACKEND}' had none when sqz registered its override`,
    );
  }
  return original.kernelFunc(args) as tf.TensorInfo;
}

export const conv2dBackpropInputConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropInput,
  backendName: BACKEND,
  kernelFunc: conv2dBackpropInput as unknown as tf.KernelFunc,
  // The backend runs setup functions only for kernels registered when it initialises. If the override went in
  // first, the displaced kernel's setup (binding its wasm export) must still run, or delegating to it fails.
  setupFunc: (backend) => replacedKernel(OWNER, BACKEND)?.setupFunc?.(backend),
};
