// Conv2DBackpropFilter for the wasm backend, which lacks it: the filter gradient of a conv2d is itself one
// (dilated) conv2d over transposed tensors, which the wasm backend runs through XNNPACK.
//
//   dW[kh, kw, c, m] = Σ_{n, oh, ow} x[n, oh·sh + kh − pt, ow·sw + kw − pl, c] · dy[n, oh, ow, m]
//
// Read x as a batch of C images with N channels, X' = x^T [C, H, W, N], and dy as a filter
// F' = dy^T [OH, OW, N, M]. Then conv2d(X', F', stride 1, dilation [sh, sw], padding top pt / left pl) at
// output pixel (c, kh, kw) is exactly the sum above, and its [C, KH, KW, M] output transposes to dW.
// The bottom/right padding is chosen so the output is KH × KW; where it would be negative (rows of x that
// no output reads, e.g. 'valid' with a stride that does not divide), those rows are sliced off instead.
import * as tf from '@tensorflow/tfjs-core';
import { type KernelArgs, convGradientInfo, pair, trailingPad, withScratch } from './kernel_common.js';

const BACKEND = 'wasm';
const OWNER = 'Conv2DBackpropFilter';

function conv2dBackpropFilter(args: KernelArgs): tf.TensorInfo {
  const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const attrs = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  if (attrs.dataFormat === 'NCHW') {
    throw new Error(`sqz kernel ${OWNER}: dataFormat 'NCHW' is not supported on wasm; use 'NHWC'`);
  }
  const info = convGradientInfo(
    OWNER,
    ['x', x.shape],
    ['filterShape', attrs.filterShape],
    ['dy', dy.shape],
    attrs,
    false,
  );
  const [n, h, w, c] = x.shape;
  const [, oh, ow] = dy.shape;
  const [sh, sw] = pair(attrs.strides);
  const kh = info.filterHeight;
  const kw = info.filterWidth;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const bottom = trailingPad(h, top, oh, sh, kh);
  const right = trailingPad(w, left, ow, sw, kw);

  return withScratch(OWNER, args.backend, BACKEND, (s) => {
    // Rows/columns of x that no output reads are dropped, so the padding below is never negative.
    const xUsed = s.slice(x, [0, 0, 0, 0], [n, h + Math.min(bottom, 0), w + Math.min(right, 0), c]);
    const xT = s.transpose(xUsed, [3, 1, 2, 0]); // [C, H', W', N]
    const dyT = s.transpose(dy, [1, 2, 0, 3]); // [OH, OW, N, M]
    const pad = [
      [0, 0],
      [top, Math.max(bottom, 0)],
      [left, Math.max(right, 0)],
      [0, 0],
    ];
    const grad = s.run('Conv2D', { x: xT, filter: dyT }, {
      strides: [1, 1],
      pad,
      dataFormat: 'NHWC',
      dilations: [sh, sw],
      dimRoundingMode: undefined,
    } as unknown as tf.NamedAttrMap); // [C, KH, KW, M]
    return s.transpose(grad, [1, 2, 0, 3]); // [KH, KW, C, M]
  });
}

export const conv2dBackpropFilterConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: BACKEND,
  kernelFunc: conv2dBackpropFilter as unknown as tf.KernelFunc,
};
