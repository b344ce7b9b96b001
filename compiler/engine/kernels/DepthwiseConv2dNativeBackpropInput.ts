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
import { assertUndilated, pair, trailingPad, withScratch } from './kernel_common.js';

const BACKEND = 'wasm';
const OWNER = 'DepthwiseConv2dNativeBackpropInput';

function depthwiseConv2dNativeBackpropInput(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: tf.KernelBackend;
  attrs?: tf.NamedAttrMap;
}): tf.TensorInfo {
  const { dy, filter } = args.inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const attrs = args.attrs as unknown as tf.DepthwiseConv2dNativeBackpropInputAttrs;
  assertUndilated(OWNER, attrs.dilations);
  if (dy.shape.length !== 4 || filter.shape.length !== 4 || attrs.inputShape.length !== 4) {
    throw new Error(
      `sqz kernel ${OWNER}: dy, filter and inputShape must be rank 4, got [${dy.shape}], [${filter.shape}], ` +
        `[${attrs.inputShape}]`,
    );
  }
  const info = tf.backend_util.computeConv2DInfo(
    attrs.inputShape, filter.shape as [number, number, number, number], attrs.strides, 1, attrs.pad,
    attrs.dimRoundingMode, true, 'channelsLast',
  );
  const [n, h, w, c] = attrs.inputShape;
  const [, oh, ow, cd] = dy.shape;
  const [kh, kw, fc, mult] = filter.shape;
  if (fc !== c || cd !== c * mult || oh !== info.outHeight || ow !== info.outWidth || dy.shape[0] !== n) {
    throw new Error(
      `sqz kernel ${OWNER}: dy [${dy.shape}], filter [${filter.shape}] and inputShape [${attrs.inputShape}] ` +
        `disagree (expected dy [${info.outShape}])`,
    );
  }
  const [sh, sw] = pair(attrs.strides);
  // Rows of dy after zero-insertion. The reshape-and-pad below makes OH·sh rows: the last sh − 1 are zeros
  // that the bottom padding would otherwise add.
  const uh = oh * sh;
  const uw = ow * sw;
  const top = kh - 1 - info.padInfo.top;
  const left = kw - 1 - info.padInfo.left;
  const bottom = trailingPad(uh, top, kh, 1, h);
  const right = trailingPad(uw, left, kw, 1, w);

  return withScratch(OWNER, args.backend, BACKEND, (s) => {
    let up = dy;
    if (sh > 1 || sw > 1) {
      const spread = s.reshape(dy, [n, oh, 1, ow, 1, cd]);
      const padded = s.run('PadV2', { x: spread }, {
        paddings: [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]], constantValue: 0,
      } as unknown as tf.NamedAttrMap);
      up = s.reshape(padded, [n, uh, uw, cd]);
    }
    // Negative paddings (explicit pads larger than the filter, or unread trailing rows) become crops.
    const cropTop = Math.max(-top, 0);
    const cropLeft = Math.max(-left, 0);
    const cropped = s.slice(
      up, [0, cropTop, cropLeft, 0],
      [n, uh - cropTop + Math.min(bottom, 0), uw - cropLeft + Math.min(right, 0), cd],
    );
    const flipped = s.run('Reverse', { x: filter }, { dims: [0, 1] });
    const flatFilter = s.reshape(flipped, [kh, kw, cd, 1]);
    const pad = [[0, 0], [Math.max(top, 0), Math.max(bottom, 0)], [Math.max(left, 0), Math.max(right, 0)], [0, 0]];
    const perDepth = s.run('DepthwiseConv2dNative', { x: cropped, filter: flatFilter }, {
      strides: [1, 1], pad, dilations: [1, 1], dimRoundingMode: undefined,
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
