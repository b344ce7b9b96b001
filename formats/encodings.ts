// The encoding table: one descriptor per ENC_* code, read by the encoder and decoder (formats/), sqz convert's and
// sqz inspect's reports, model.info (runtime/info.ts) and the docs. Byte layouts are in formats/README.md
// ("Tensors"); the wasm runtime's decoders are assembly/tensor.ts (checks), assembly/walk.ts, assembly/rice.ts and
// assembly/codes.ts. No imports beyond the constants, so the browser runtime can use it.
import { ENC_CODEBOOK, ENC_F16, ENC_F32, ENC_SPARSE_BITMAP, ENC_SPARSE_RICE } from './constants.js';

/** A field of sqz.Tensor beyond `shape` and `encoding` (TensorMessage's camelCase names). */
export type TensorField = 'data' | 'bits' | 'codebook' | 'codebookType' | 'positions' | 'riceK' | 'nnz';

/** Every optional field of a Tensor message, in field-number order. */
export const TENSOR_FIELDS: readonly TensorField[] = [
  'data',
  'bits',
  'codebook',
  'codebookType',
  'positions',
  'riceK',
  'nnz',
];

export interface EncodingDescriptor {
  /** ENC_* */
  readonly code: number;
  /** The one spelling used everywhere: sqz convert, sqz inspect, model.info, the docs. */
  readonly name: string;
  /** The constant's name, for messages about the file ('ENC_SPARSE_RICE'). */
  readonly constant: string;
  /** Bits per stored value when fixed (32 for f32, 16 for f16); the codebook forms use the tensor's `bits`. */
  readonly valueBits?: number;
  /** Values come from a codebook of at most 2^bits entries (f16 or f32) through packed `bits`-bit codes. */
  readonly codebook: boolean;
  /** Zero is implicit: only `nnz` values are stored, at the positions the `positions` field gives. */
  readonly sparse: boolean;
  /** The fields it may set; every other field must be absent (formats/README.md, "Clarifications"). */
  readonly fields: readonly TensorField[];
}

/** Every encoding, in ENC_* order (ENCODINGS[code].code === code; a test checks it). */
const ENCODINGS_TABLE = [
  { code: ENC_F32, name: 'f32', constant: 'ENC_F32', valueBits: 32, codebook: false, sparse: false, fields: ['data'] },
  { code: ENC_F16, name: 'f16', constant: 'ENC_F16', valueBits: 16, codebook: false, sparse: false, fields: ['data'] },
  {
    code: ENC_CODEBOOK,
    name: 'codebook',
    constant: 'ENC_CODEBOOK',
    codebook: true,
    sparse: false,
    fields: ['data', 'bits', 'codebook', 'codebookType'],
  },
  {
    code: ENC_SPARSE_BITMAP,
    name: 'sparse-bitmap',
    constant: 'ENC_SPARSE_BITMAP',
    codebook: true,
    sparse: true,
    fields: ['data', 'bits', 'codebook', 'codebookType', 'positions', 'nnz'],
  },
  {
    code: ENC_SPARSE_RICE,
    name: 'sparse-rice',
    constant: 'ENC_SPARSE_RICE',
    codebook: true,
    sparse: true,
    fields: ['data', 'bits', 'codebook', 'codebookType', 'positions', 'riceK', 'nnz'],
  },
] as const satisfies readonly EncodingDescriptor[];

/** The name of an encoding: 'f32', 'f16', 'codebook', 'sparse-bitmap' or 'sparse-rice'. */
export type EncodingName = (typeof ENCODINGS_TABLE)[number]['name'];

/** The table, typed as descriptors. */
export const ENCODINGS: readonly EncodingDescriptor[] = ENCODINGS_TABLE;

/** The descriptor of ENC_* `code`, or undefined for a code with no entry. */
export function encodingByCode(code: number): EncodingDescriptor | undefined {
  return Number.isInteger(code) ? ENCODINGS[code] : undefined;
}

/** The name of ENC_* `code` for reports: its descriptor's name, else "encoding <code>". */
export function encodingName(code: number): string {
  return encodingByCode(code)?.name ?? `encoding ${code}`;
}
