// DepthwiseConv2dNativeBackpropFilter for the wasm backend, which lacks it: one depthwise conv2d in which
// every (sample, channel) pair is its own channel, then a sum over the batch.
//
//   dW[kh, kw, c, d] = Σ_{n, oh, ow} x[n, oh·sh + kh − pt, ow·sw + kw − pl, c] · dy[n, oh, ow, c·D + d]
//
// Lay x out as one image with N·C channels, X' = x^T [1, H, W, N·C] (channel n·C + c), and dy as a depthwise
// filter F' = dy^T [OH, OW, N·C, D] (dy's channel c·D + d becomes channel n·C + c, multiplier d). A depthwise
// conv2d(X', F', stride 1, dilation [sh, sw]) then gives, at output pixel (kh, kw) and channel (n·C + c)·D + d,
// the sum above restricted to sample n; summing over n gives dW. Each product is computed once, as in the
// direct loop, and the batch sum is a cheap reduction of KH·KW·N·C·D values.
import * as tf from '@tensorflow/tfjs-core';
import { type KernelArgs, assertUndilated, convGradientInfo, pair, trailingPad, withScratch } from './kernel_common.js';

const BACKEND = 'wasm';
const OWNER = 'DepthwiseConv2dNativeBackpropFilter';

function depthwiseConv2dNativeBackpropFilter(args: KernelArgs): tf.TensorInfo {
  const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const attrs = args.attrs as unknown as tf.DepthwiseConv2dNativeBackpropFilterAttrs;
  assertUndilated(OWNER, attrs.dilations);
  const info = convGradientInfo(
    OWNER,
    ['x', x.shape],
    ['filterShape', attrs.filterShape],
    ['dy', dy.shape],
    attrs,
    true,
  );
  const [n, h, w, c] = x.shape;
  const [, oh, ow] = dy.shape;
  const [kh, kw, , mult] = attrs.filterShape;
  const [sh, sw] = pair(attrs.strides);
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const bottom = trailingPad(h, top, oh, sh, kh);
  const right = trailingPad(w, left, ow, sw, kw);

  return withScratch(OWNER, args.backend, BACKEND, (s) => {
    const hUsed = h + Math.min(bottom, 0);
    const wUsed = w + Math.min(right, 0);
    const xUsed = s.slice(x, [0, 0, 0, 0], [n, hUsed, wUsed, c]);
    // [H', W', N, C] → one image with N·C channels. With a single sample the transpose is a no-op.
    const xT = n === 1 ? xUsed : s.transpose(xUsed, [1, 2, 0, 3]);
    const xImage = s.reshape(xT, [1, hUsed, wUsed, n * c]);
    const dyT = n === 1 ? dy : s.transpose(dy, [1, 2, 0, 3]); // [OH, OW, N, C·D]
    const filter = s.reshape(dyT, [oh, ow, n * c, mult]);
    const pad = [
      [0, 0],
      [top, Math.max(bottom, 0)],
      [left, Math.max(right, 0)],
      [0, 0],
    ];
    const perSample = s.run('DepthwiseConv2dNative', { x: xImage, filter }, {
      strides: [1, 1],
      pad,
      dilations: [sh, sw],
      dimRoundingMode: undefined,
    } as unknown as tf.NamedAttrMap); // [1, KH, KW, N·C·D]
    if (n === 1) return s.reshape(perSample, [kh, kw, c, mult]);
    const bySample = s.reshape(perSample, [kh, kw, n, c * mult]);
    const summed = s.run('Sum', { x: bySample }, { axis: [2], keepDims: false }); // [KH, KW, C·D]
    return s.reshape(summed, [kh, kw, c, mult]);
  });
}

export const depthwiseConv2dNativeBackpropFilterConfig: tf.KernelConfig = {
  kernelName: tf.DepthwiseConv2dNativeBackpropFilter,
  backendName: BACKEND,
  kernelFunc: depthwiseConv2dNativeBackpropFilter as unknown as tf.KernelFunc,
};
