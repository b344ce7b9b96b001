// Bookkeeping for the kernels sqz replaces (SQZ_OVERRIDES in register.ts): the backend's own config is kept
// here so that the override can delegate the cases it does not speed up, and so it can be restored.
import type { KernelConfig } from '@tensorflow/tfjs-core';

const replaced = new Map<string, KernelConfig>();

function key(kernelName: string, backendName: string): string {
  return `${backendName}_${kernelName}`;
}

/** Remembers the config that an override displaced. */
export function rememberReplaced(config: KernelConfig): void {
  replaced.set(key(config.kernelName, config.backendName), config);
}

/** The backend's own config that sqz's override of `kernelName` displaced, if any. */
export function replacedKernel(kernelName: string, backendName: string): KernelConfig | undefined {
  return replaced.get(key(kernelName, backendName));
}

/** Forgets a displaced config (after it was restored). */
export function forgetReplaced(kernelName: string, backendName: string): void {
  replaced.delete(key(kernelName, backendName));
}
