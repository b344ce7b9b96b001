// DepthwiseConv2dNativeBackpropInput for the wasm backend, which lacks it: a transposed depthwise conv,
// written as zero-insertion (for strides > 1), one stride-1 depthwise conv2d with the spatially flipped
// filter, and a sum over the depth multiplier.
//
//   dx[n, h, w, c] = Σ_{kh, kw, d} dyU[n, h + pt − kh, w + pl − kw, c·D + d] · W[kh, kw, c, d]
//
// where dyU is dy with sh − 1 zero rows (sw − 1 zero columns) inserted between its rows (columns). With the
// flipped filter W'[kh] = W[KH − 1 − kh] this is a plain correlation over dyU padded by KH − 1 − pt on top,
// whose N·H·W·(C·D) outputs then sum over d. The zero-insertion costs sh·sw times the direct loop's
// multiply-adds; depthwise layers are the cheap part of a network, and one big conv beats per-channel loops.
import * as tf from '@tensorflow/tfjs-core';
import {
  type KernelArgs,
  assertUndilated,
  convGradientInfo,
  pair,
  transposedConvInput,
  withScratch,
} from './kernel_common.js';

const BACKEND = 'wasm';
const OWNER = 'DepthwiseConv2dNativeBackpropInput';

function depthwiseConv2dNativeBackpropInput(args: KernelArgs): tf.TensorInfo {
  const { dy, filter } = args.inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const attrs = args.attrs as unknown as tf.DepthwiseConv2dNativeBackpropInputAttrs;
  assertUndilated(OWNER, attrs.dilations);
  const info = convGradientInfo(
    OWNER,
    ['inputShape', attrs.inputShape],
    ['filter', filter.shape],
    ['dy', dy.shape],
    attrs,
    true,
  );
  const [n, h, w, c] = attrs.inputShape;
  const [, , , cd] = dy.shape;
  const [kh, kw, , mult] = filter.shape;
  return withScratch(OWNER, args.backend, BACKEND, (s) => {
    const { x, pad } = transposedConvInput(s, dy, info, pair(attrs.strides));
    const flipped = s.run('Reverse', { x: filter }, { dims: [0, 1] });
    const flatFilter = s.reshape(flipped, [kh, kw, cd, 1]);
    const perDepth = s.run('DepthwiseConv2dNative', { x, filter: flatFilter }, {
      strides: [1, 1],
      pad,
      dilations: [1, 1],
      dimRoundingMode: undefined,
    } as unknown as tf.NamedAttrMap); // [N, H, W, C·D]
    if (mult === 1) return perDepth;
    const split = s.reshape(perDepth, [n, h, w, c, mult]);
    return s.run('Sum', { x: split }, { axis: [4], keepDims: false }); // [N, H, W, C]
  });
}

export const depthwiseConv2dNativeBackpropInputConfig: tf.KernelConfig = {
  kernelName: tf.DepthwiseConv2dNativeBackpropInput,
  backendName: BACKEND,
  kernelFunc: depthwiseConv2dNativeBackpropInput as unknown as tf.KernelFunc,
};
