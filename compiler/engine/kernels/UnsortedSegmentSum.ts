// UnsortedSegmentSum for the wasm backend, which lacks it (it is the gradient of gather, e.g. of an
// embedding lookup): one matrix product with a one-hot matrix.
//
//   out[s, r] = Σ_i [segmentIds[i] = s] · x[i, r]   =   (onehot(segmentIds, S)^T · x)[s, r]
//
// segmentIds may have any shape that is a prefix of x's shape; both are flattened to i. Ids outside
// [0, numSegments) get an all-zero one-hot row and so are dropped, as in TensorFlow. The product costs
// S · (number of ids) · R multiply-adds, fine for the segment counts of classifier training; a very large S
// (a big vocabulary) would want a scatter-add instead.
import * as tf from '@tensorflow/tfjs-core';
import { type KernelArgs, withScratch } from './kernel_common.js';

const BACKEND = 'wasm';
const OWNER = 'UnsortedSegmentSum';

function unsortedSegmentSum(args: KernelArgs): tf.TensorInfo {
  const { x, segmentIds } = args.inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
  const { numSegments } = args.attrs as unknown as tf.UnsortedSegmentSumAttrs;
  const k = segmentIds.shape.length;
  if (k > x.shape.length || segmentIds.shape.some((d, i) => d !== x.shape[i])) {
    throw new Error(
      `sqz kernel ${OWNER}: segmentIds shape [${segmentIds.shape}] must be a prefix of x shape [${x.shape}]`,
    );
  }
  if (!Number.isInteger(numSegments) || numSegments < 0) {
    throw new Error(`sqz kernel ${OWNER}: numSegments must be a non-negative integer, got ${numSegments}`);
  }
  if (x.dtype !== 'float32' && x.dtype !== 'int32') {
    throw new Error(`sqz kernel ${OWNER}: x must be float32 or int32, got ${x.dtype}`);
  }
  const ids = segmentIds.shape.reduce((a, b) => a * b, 1);
  const rest = x.shape.slice(k);
  const width = rest.reduce((a, b) => a * b, 1);

  return withScratch(OWNER, args.backend, BACKEND, (s) => {
    const flatIds = s.reshape(segmentIds, [ids]);
    const idsInt = segmentIds.dtype === 'int32' ? flatIds : s.run('Cast', { x: flatIds }, { dtype: 'int32' });
    // tfjs-backend-wasm 4.22's OneHot writes int32 bits whatever dtype it is asked for: make int32, then cast.
    const oneHotInt = s.run(
      'OneHot',
      { indices: idsInt },
      {
        depth: numSegments,
        onValue: 1,
        offValue: 0,
        dtype: 'int32',
      },
    );
    const oneHot = s.run('Cast', { x: oneHotInt }, { dtype: 'float32' }); // [ids, S]
    const xFloat = x.dtype === 'float32' ? x : s.run('Cast', { x }, { dtype: 'float32' });
    const x3 = s.reshape(xFloat, [1, ids, width]);
    const a3 = s.reshape(oneHot, [1, ids, numSegments]);
    const product = s.run('BatchMatMul', { a: a3, b: x3 }, { transposeA: true, transposeB: false }); // [1, S, R]
    const shaped = s.reshape(product, [numSegments, ...rest]);
    // Integer sums of integers are exact in f32 up to 2^24, which covers the counts this is used for.
    return x.dtype === 'float32' ? shaped : s.run('Cast', { x: shaped }, { dtype: 'int32' });
  });
}

export const unsortedSegmentSumConfig: tf.KernelConfig = {
  kernelName: tf.UnsortedSegmentSum,
  backendName: BACKEND,
  kernelFunc: unsortedSegmentSum as unknown as tf.KernelFunc,
};
