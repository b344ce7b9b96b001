// The activation table: one descriptor per ACT_* code, read by every side that names, imports, exports or checks an
// activation (compiler import and export, formats/model_check.ts, runtime/info.ts, sqz inspect, sqz/tfjs, the
// dead-unit pass). The wasm runtime's kernels are in assembly/kernels/activation.ts; docs/adding-an-op.md says
// what a new entry touches. No imports beyond the constants, so the browser runtime can use it.
import {
  ACT_LINEAR,
  ACT_RELU,
  ACT_RELU_CLIP,
  ACT_SIGMOID,
  ACT_SOFTMAX,
  ACT_TANH,
  ACT_ELU,
  ACT_SELU,
  ACT_SOFTPLUS,
  ACT_SOFTSIGN,
  ACT_HARD_SIGMOID,
  ACT_SWISH,
  ACT_MISH,
  ACT_GELU,
  ACT_LOG_SOFTMAX,
} from './constants.js';

/** One activation. `apply` (elementwise ones) or `applyRow` (row-wise ones) is the f64 reference formula. */
export interface ActivationDescriptor {
  /** ACT_* */
  readonly code: number;
  /** The one spelling used everywhere: model.info, sqz inspect, the IR, error messages. */
  readonly name: string;
  /**
   * tfjs-layers / Keras identifiers that import as this activation (an `activation` argument or an Activation
   * layer); the first is what sqz/tfjs writes back. Empty: none (relu-clip comes from relu6 or ReLU(maxValue)).
   */
  readonly keras: readonly string[];
  /** One output element per input element. False: the activation works on rows of the last axis. */
  readonly elementwise: boolean;
  /** The activation of one value, in f64 (`clip` is the op's clip_max; only relu-clip reads it). */
  readonly apply?: (x: number, clip: number) => number;
  /** The activation of one row of the last axis, in place, in f64 (row-wise activations). */
  readonly applyRow?: (row: Float64Array) => void;
}

function softmaxRow(row: Float64Array): void {
  let largest = -Infinity;
  for (const v of row) largest = Math.max(largest, v);
  let sum = 0;
  for (let i = 0; i < row.length; i++) {
    row[i] = Math.exp(row[i]! - largest);
    sum += row[i]!;
  }
  for (let i = 0; i < row.length; i++) row[i] = row[i]! / sum;
}

/** erf(x) in f64: its Taylor series below |x| = 3 (summed until the terms vanish), the asymptotic series above. */
function erf(x: number): number {
  const a = Math.abs(x);
  if (a < 3) {
    let term = a,
      sum = a;
    for (let n = 1; Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
      term *= (-a * a) / n;
      sum += term / (2 * n + 1);
    }
    return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * sum;
  }
  // erfc(a) = exp(−a²) / (a √π) · (1 − 1/(2a²) + 3/(2a²)² − 15/(2a²)³ + 105/(2a²)⁴)
  const u = 1 / (2 * a * a);
  const erfc = (Math.exp(-a * a) / (a * Math.sqrt(Math.PI))) * (1 - u + 3 * u * u - 15 * u ** 3 + 105 * u ** 4);
  return Math.sign(x) * (1 - erfc);
}

function logSoftmaxRow(row: Float64Array): void {
  let largest = -Infinity;
  for (const v of row) largest = Math.max(largest, v);
  let sum = 0;
  for (const v of row) sum += Math.exp(v - largest);
  const shift = largest + Math.log(sum);
  for (let i = 0; i < row.length; i++) row[i] = row[i]! - shift;
}

/** Every activation, in ACT_* order (ACTIVATIONS[code].code === code; a test checks it). */
const ACTIVATIONS_TABLE = [
  { code: ACT_LINEAR, name: 'linear', keras: ['linear'], elementwise: true, apply: (x: number) => x },
  { code: ACT_RELU, name: 'relu', keras: ['relu'], elementwise: true, apply: (x: number) => Math.max(x, 0) },
  {
    code: ACT_RELU_CLIP,
    name: 'relu-clip',
    keras: [],
    elementwise: true,
    apply: (x: number, clip: number) => Math.min(Math.max(x, 0), clip),
  },
  {
    code: ACT_SIGMOID,
    name: 'sigmoid',
    keras: ['sigmoid'],
    elementwise: true,
    apply: (x: number) => 1 / (1 + Math.exp(-x)),
  },
  { code: ACT_TANH, name: 'tanh', keras: ['tanh'], elementwise: true, apply: Math.tanh },
  { code: ACT_SOFTMAX, name: 'softmax', keras: ['softmax'], elementwise: false, applyRow: softmaxRow },
  { code: ACT_ELU, name: 'elu', keras: ['elu'], elementwise: true, apply: (x: number) => (x > 0 ? x : Math.expm1(x)) },
  {
    code: ACT_SELU,
    name: 'selu',
    keras: ['selu'],
    elementwise: true,
    apply: (x: number) => 1.0507009873554805 * (x > 0 ? x : 1.6732632423543772 * Math.expm1(x)),
  },
  {
    code: ACT_SOFTPLUS,
    name: 'softplus',
    keras: ['softplus'],
    elementwise: true,
    apply: (x: number) => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x))),
  },
  {
    code: ACT_SOFTSIGN,
    name: 'softsign',
    keras: ['softsign'],
    elementwise: true,
    apply: (x: number) => x / (1 + Math.abs(x)),
  },
  {
    code: ACT_HARD_SIGMOID,
    name: 'hardSigmoid',
    keras: ['hardSigmoid'],
    elementwise: true,
    apply: (x: number) => Math.min(Math.max(0.2 * x + 0.5, 0), 1),
  },
  { code: ACT_SWISH, name: 'swish', keras: ['swish'], elementwise: true, apply: (x: number) => x / (1 + Math.exp(-x)) },
  {
    code: ACT_MISH,
    name: 'mish',
    keras: ['mish'],
    elementwise: true,
    apply: (x: number) => x * Math.tanh(x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x))),
  },
  {
    code: ACT_GELU,
    name: 'gelu',
    keras: ['gelu'],
    elementwise: true,
    apply: (x: number) => 0.5 * x * (1 + erf(x / Math.SQRT2)),
  },
  { code: ACT_LOG_SOFTMAX, name: 'logSoftmax', keras: ['logSoftmax'], elementwise: false, applyRow: logSoftmaxRow },
] as const satisfies readonly ActivationDescriptor[];

/** The name of an activation: 'linear', 'relu', 'relu-clip', ... */
export type ActivationName = (typeof ACTIVATIONS_TABLE)[number]['name'];

/** The table, typed as descriptors. */
export const ACTIVATIONS: readonly ActivationDescriptor[] = ACTIVATIONS_TABLE;

const BY_NAME = new Map<string, ActivationDescriptor>(ACTIVATIONS.map((a) => [a.name, a]));
const BY_KERAS = new Map<string, ActivationDescriptor>(ACTIVATIONS.flatMap((a) => a.keras.map((k) => [k, a] as const)));

/** The descriptor of ACT_* `code`, or undefined for a code with no entry. */
export function activationByCode(code: number): ActivationDescriptor | undefined {
  return Number.isInteger(code) ? ACTIVATIONS[code] : undefined;
}

/** The descriptor named `name` (see ActivationName), or undefined. */
export function activationByName(name: string): ActivationDescriptor | undefined {
  return BY_NAME.get(name);
}

/** The descriptor a tfjs-layers activation identifier imports as, or undefined (relu6 is relu-clip at 6: see import). */
export function activationByKeras(identifier: string): ActivationDescriptor | undefined {
  return BY_KERAS.get(identifier);
}

/** The name of ACT_* `code` for messages and reports: its descriptor's name, else "activation <code>". */
export function activationName(code: number): string {
  return activationByCode(code)?.name ?? `activation ${code}`;
}

/**
 * The activation applied to `x` in f64, elementwise or over rows of `lastAxis` values: the runtime kernels' oracle.
 * @throws Error for a code with no entry
 */
export function applyActivation(code: number, x: ArrayLike<number>, clip: number, lastAxis: number): Float64Array {
  const a = activationByCode(code);
  if (a === undefined) throw new Error(`applyActivation: unknown activation code ${code}`);
  const y = Float64Array.from(x);
  if (a.elementwise) {
    for (let i = 0; i < y.length; i++) y[i] = a.apply!(y[i]!, clip);
  } else {
    for (let row = 0; row < y.length; row += lastAxis) a.applyRow!(y.subarray(row, row + lastAxis));
  }
  return y;
}
