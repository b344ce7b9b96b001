// Training engines: backend selection (with sqz's wasm gradient kernels) and a throughput probe.
export type { BackendChoice, BackendInfo } from './backend.js';
export { BACKEND_CHOICES, selectBackend } from './backend.js';
export { registerSqzKernels, sqzKernelNames, SQZ_KERNELS, SQZ_OVERRIDES, unregisterSqzKernels } from './kernels/register.js';
export type { LeNetVariant, ThroughputResult } from './throughput.js';
export { measureLeNetThroughput } from './throughput.js';
