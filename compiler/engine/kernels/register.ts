// Registers sqz's own kernels on the wasm backend. Two explicit lists:
//
// SQZ_KERNELS are kernels the backend lacks. The first three are what `tf.variableGrads` needed on
// tfjs-backend-wasm 4.22 to train models made of dense, conv2d (strides 1/2, same/valid), depthwiseConv2d
// (multiplier 1/2), max/avg pooling, global mean/max, relu, relu6/clipByValue, sigmoid, tanh, softmax, add,
// reshape and softmax cross-entropy, plus the optimizers' update ops (found by running those gradients on wasm
// and collecting each "Kernel 'X' not registered"). UnsortedSegmentSum (gather's gradient) is listed in
// DESIGN.md and is cheap to provide. Someone else's registration of one of these is an error.
//
// SQZ_OVERRIDES are kernels the backend has but gets wrong or runs much slower than sqz's formulation:
// MaxPoolGrad (wrong for any pooling window whose maximum is ≤ 0, see MaxPoolGrad.ts) and Conv2DBackpropInput
// (a C++ loop 2-3.5× slower than an XNNPACK conv2d). sqz displaces them and keeps the originals (for the cases
// it delegates, and for restoring).
import * as tf from '@tensorflow/tfjs-core';
import { conv2dBackpropFilterConfig } from './Conv2DBackpropFilter.js';
import { conv2dBackpropInputConfig } from './Conv2DBackpropInput.js';
import { depthwiseConv2dNativeBackpropFilterConfig } from './DepthwiseConv2dNativeBackpropFilter.js';
import { depthwiseConv2dNativeBackpropInputConfig } from './DepthwiseConv2dNativeBackpropInput.js';
import { maxPoolGradConfig } from './MaxPoolGrad.js';
import { forgetReplaced, rememberReplaced, replacedKernel } from './overrides.js';
import { unsortedSegmentSumConfig } from './UnsortedSegmentSum.js';

/** Kernels the backend lacks, each for the backend named in its config. */
const SQZ_KERNELS: readonly tf.KernelConfig[] = [
  conv2dBackpropFilterConfig,
  depthwiseConv2dNativeBackpropFilterConfig,
  depthwiseConv2dNativeBackpropInputConfig,
  unsortedSegmentSumConfig,
];

/** Correct or faster replacements for kernels the backend has. */
const SQZ_OVERRIDES: readonly tf.KernelConfig[] = [conv2dBackpropInputConfig, maxPoolGradConfig];

/**
 * Registers every kernel of `SQZ_KERNELS` and `SQZ_OVERRIDES` for `backendName`. Calling it again is harmless:
 * a kernel already registered with our config is skipped. A kernel of SQZ_KERNELS registered by someone else
 * (another library, or a newer tfjs that ships its own) is an error naming the kernel and the backend, so that
 * two implementations never silently replace each other.
 * @returns the names of the kernels registered by this call (empty when all were already ours)
 */
export function registerSqzKernels(backendName = 'wasm'): string[] {
  const added: string[] = [];
  for (const config of SQZ_KERNELS) {
    if (config.backendName !== backendName) continue;
    const existing = tf.getKernel(config.kernelName, backendName);
    if (existing !== undefined) {
      if (existing.kernelFunc === config.kernelFunc) continue;
      throw new Error(
        `sqz: kernel '${config.kernelName}' is already registered for backend '${backendName}' by another ` +
          `library; sqz will not replace it. Unregister it first (tf.unregisterKernel) or use another backend.`,
      );
    }
    tf.registerKernel(config);
    added.push(config.kernelName);
  }
  for (const config of SQZ_OVERRIDES) {
    if (config.backendName !== backendName) continue;
    const existing = tf.getKernel(config.kernelName, backendName);
    if (existing !== undefined) {
      if (existing.kernelFunc === config.kernelFunc) continue;
      rememberReplaced(existing);
      tf.unregisterKernel(config.kernelName, backendName);
    }
    tf.registerKernel(config);
    added.push(config.kernelName);
  }
  return added;
}

/**
 * Removes sqz's kernels from `backendName` and puts back the backend's own kernels that the overrides
 * displaced. Kernels registered by others are left alone. Used by tests to compare against the originals.
 * @returns the names of the kernels removed
 */
export function unregisterSqzKernels(backendName = 'wasm'): string[] {
  const removed: string[] = [];
  for (const config of [...SQZ_KERNELS, ...SQZ_OVERRIDES]) {
    if (config.backendName !== backendName) continue;
    const existing = tf.getKernel(config.kernelName, backendName);
    if (existing === undefined || existing.kernelFunc !== config.kernelFunc) continue;
    tf.unregisterKernel(config.kernelName, backendName);
    removed.push(config.kernelName);
    const original = replacedKernel(config.kernelName, backendName);
    if (original !== undefined) {
      tf.registerKernel(original);
      forgetReplaced(config.kernelName, backendName);
      // A backend runs kernel setup functions (which bind wasm exports) only for the kernels registered when
      // it is set. If the override went in first, the original was never set up: do it now.
      const backend = tf.findBackend(backendName);
      if (backend !== null) original.setupFunc?.(backend);
    }
  }
  return removed;
}

/** Names of the kernels sqz provides or replaces for `backendName`. */
export function sqzKernelNames(backendName = 'wasm'): string[] {
  return [...SQZ_KERNELS, ...SQZ_OVERRIDES].filter((k) => k.backendName === backendName).map((k) => k.kernelName);
}
