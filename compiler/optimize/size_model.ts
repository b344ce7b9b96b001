// Predicted encoded size of a weight tensor, for the optimizer's budget (formats/README.md, "Tensors").
//
// The encoder (formats/tensor_codec.ts) writes whichever exact encoding gives the smallest `Tensor` message, so the
// estimate is the minimum over the same candidates: f32, f16, dense codebook (zero stored as an entry), sparse
// bitmap and sparse Rice (zero implicit). Sizes are protobuf bytes as the tensor sits inside `Model`: field tag +
// length prefix + body, where the body omits fields at their default (0 or empty) and packs `shape`.
// Code widths are the smallest that fit the codebook (ceil log2 entries, at least 1), as the encoder chooses them.
//
// Rice positions: a random mask of density p = nnz/n has gaps that are nearly geometric, P(gap = g) = p(1 − p)^g.
// With r = (1 − p)^(2^k), E[floor(gap / 2^k)] = r / (1 − r), so a position costs k + 1 + r / (1 − r) bits in
// expectation. `sparseTensorBytesForMask` counts the real stream of a given mask instead (exact).
// Everything here is written independently of formats/ on purpose: test/compiler/optimize checks it against the
// real encoder.

/** Rice parameters the format allows: 0..24. */
const RICE_K_MAX = 24;

/** Bytes of a uint32 as a protobuf varint. */
function varintBytes(v: number): number {
  let bytes = 1;
  for (let x = Math.floor(v / 128); x > 0; x = Math.floor(x / 128)) bytes++;
  return bytes;
}

/** A uint32 field: omitted at 0. */
function uintField(v: number): number {
  return v === 0 ? 0 : 1 + varintBytes(v);
}

/** A bytes field: omitted when empty. */
function bytesField(len: number): number {
  return len === 0 ? 0 : 1 + varintBytes(len) + len;
}

function shapeField(shape: readonly number[]): number {
  let len = 0;
  for (const d of shape) len += varintBytes(d);
  return bytesField(len);
}

/** Smallest code width b ≥ 1 with 2^b ≥ entries. */
function codeBits(entries: number): number {
  let b = 1;
  while (2 ** b < entries) b++;
  return b;
}

/** The tensor as a field of Model: tag + length + body. */
function embedded(body: number): number {
  return 1 + varintBytes(body) + body;
}

function checkCounts(fn: string, n: number, nnz: number): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`${fn}: n is ${n}; it must be an integer ≥ 1`);
  if (!Number.isInteger(nnz) || nnz < 0 || nnz > n)
    throw new RangeError(`${fn}: nnz is ${nnz}; it must be an integer in 0..n (n = ${n})`);
}

/**
 * Expected Rice(k) bits per nonzero for nnz nonzeros at random positions among n, and the k minimizing it.
 * nnz is clamped to [1, n] (the cost of the first nonzero of an empty layer).
 */
export function riceKForRandomPositions(n: number, nnz: number): { k: number; bitsPerNonzero: number } {
  const p = Math.min(Math.max(nnz, 1), n) / n;
  const logQ = Math.log1p(-p); // log(1 − p); −Infinity when p = 1
  let best = { k: 0, bitsPerNonzero: Infinity };
  for (let k = 0; k <= RICE_K_MAX; k++) {
    const r = p >= 1 ? 0 : Math.exp(2 ** k * logQ);
    const bits = k + 1 + r / (1 - r);
    if (bits < best.bitsPerNonzero) best = { k, bitsPerNonzero: bits };
  }
  return best;
}

/** Position bits per nonzero: the cheaper of an n-bit bitmap (n / nnz) and the Rice expectation. nnz clamped to [1, n]. */
export function indexBitsPerNonzero(n: number, nnz: number): number {
  const m = Math.min(Math.max(nnz, 1), n);
  return Math.min(n / m, riceKForRandomPositions(n, m).bitsPerNonzero);
}

/** Options of the byte estimates. */
export interface TensorSizeOptions {
  /** The tensor's shape (default [n]); its packed varints are part of the message. */
  shape?: readonly number[];
}

/** Bytes of each candidate encoding (Infinity where it does not apply); `best` is their minimum. */
export interface SparseTensorBytes {
  f32: number;
  f16: number;
  codebook: number;
  bitmap: number;
  rice: number;
  best: number;
}

function candidates(
  n: number,
  nnz: number,
  entries: number,
  riceBytes: number,
  riceK: number,
  shape: readonly number[],
): SparseTensorBytes {
  const s = shapeField(shape);
  const f32 = embedded(s + bytesField(4 * n));
  const f16 = embedded(s + 2 + bytesField(2 * n));
  if (nnz === 0) {
    // ENC_SPARSE_RICE with nnz 0: shape, encoding, and bits = 1 (the encoder writes the smallest valid width).
    const empty = embedded(s + 2 + 2);
    return { f32, f16, codebook: Infinity, bitmap: Infinity, rice: empty, best: Math.min(f32, f16, empty) };
  }
  const denseEntries = entries + (nnz < n ? 1 : 0); // the dense codebook stores zero as an entry
  const codebook =
    denseEntries > 256
      ? Infinity
      : embedded(s + 2 + bytesField(Math.ceil((n * codeBits(denseEntries)) / 8)) + 2 + bytesField(2 * denseEntries));
  const sparseCommon =
    s + 2 + bytesField(Math.ceil((nnz * codeBits(entries)) / 8)) + 2 + bytesField(2 * entries) + uintField(nnz);
  const bitmap = embedded(sparseCommon + bytesField(Math.ceil(n / 8)));
  const rice = embedded(sparseCommon + bytesField(riceBytes) + uintField(riceK));
  return { f32, f16, codebook, bitmap, rice, best: Math.min(f32, f16, codebook, bitmap, rice) };
}

function checkEntries(fn: string, bits: number, entries: number, nnz: number): void {
  if (!Number.isInteger(bits) || bits < 1 || bits > 8)
    throw new RangeError(`${fn}: bits is ${bits}; it must be an integer in 1..8`);
  if (!Number.isInteger(entries) || entries < 1 || entries > 2 ** bits || (nnz > 0 && entries > nnz)) {
    throw new RangeError(
      `${fn}: entries is ${entries}; it must be an integer in 1..min(2^bits, nnz) (bits = ${bits}, nnz = ${nnz})`,
    );
  }
}

/**
 * Estimated bytes of every candidate encoding of a tensor with n weights, nnz nonzeros and a codebook of `entries`
 * (default min(2^bits, nnz)) f16 values (the smallest code width that fits is used, like the encoder does).
 * Rice positions use the geometric-gap expectation. All sizes include the tag and length prefix inside Model.
 */
export function sparseTensorByteCandidates(
  n: number,
  nnz: number,
  bits: number,
  entries?: number,
  opts: TensorSizeOptions = {},
): SparseTensorBytes {
  const fn = 'sparseTensorByteCandidates';
  checkCounts(fn, n, nnz);
  const e = entries ?? Math.max(1, Math.min(2 ** bits, nnz));
  if (nnz > 0) checkEntries(fn, bits, e, nnz); // an all-zero tensor has no codebook
  const rice = riceKForRandomPositions(n, nnz);
  return candidates(n, nnz, e, Math.ceil((nnz * rice.bitsPerNonzero) / 8), rice.k, opts.shape ?? [n]);
}

/**
 * Estimated encoded bytes of a codebook tensor with n weights, nnz nonzeros, `bits`-bit codes and `entries`
 * (default min(2^bits, nnz)) f16 codebook entries: the smallest of the encodings the encoder would consider.
 * Includes the protobuf tag and length prefix of the tensor inside Model.
 */
export function estimateSparseTensorBytes(
  n: number,
  nnz: number,
  bits: number,
  entries?: number,
  opts: TensorSizeOptions = {},
): number {
  return sparseTensorByteCandidates(n, nnz, bits, entries, opts).best;
}

/** Bytes of an f16 tensor of n weights inside Model (ENC_F16). Exact. */
export function estimateF16TensorBytes(n: number, opts: TensorSizeOptions = {}): number {
  checkCounts('estimateF16TensorBytes', n, 0);
  return embedded(shapeField(opts.shape ?? [n]) + 2 + bytesField(2 * n));
}

/**
 * Exact bytes of every candidate encoding for a given mask (keep[j] = 1 where weight j is nonzero) with a codebook
 * of `entries` f16 values, all used: the Rice stream is counted for every k and the k giving the smallest message
 * is taken, as the encoder does. Equals the encoder's output size whenever the values use all `entries` entries.
 */
export function sparseTensorBytesForMask(
  keep: Uint8Array,
  entries: number,
  opts: TensorSizeOptions = {},
): SparseTensorBytes {
  const n = keep.length;
  let nnz = 0;
  for (let j = 0; j < n; j++) if (keep[j] !== 0) nnz++;
  checkCounts('sparseTensorBytesForMask', n, nnz);
  if (nnz > 0) checkEntries('sparseTensorBytesForMask', 8, entries, nnz);
  const streamBits = new Array<number>(RICE_K_MAX + 1).fill(0);
  let prev = -1;
  for (let j = 0; j < n; j++) {
    if (keep[j] === 0) continue;
    const gap = j - prev - 1;
    for (let k = 0; k <= RICE_K_MAX; k++) streamBits[k] += k + 1 + Math.floor(gap / 2 ** k);
    prev = j;
  }
  let bestK = 0;
  let bestField = Infinity;
  for (let k = 0; k <= RICE_K_MAX; k++) {
    const field = bytesField(Math.ceil(streamBits[k] / 8)) + uintField(k);
    if (field < bestField) {
      bestField = field;
      bestK = k;
    }
  }
  return candidates(n, nnz, Math.max(entries, 1), Math.ceil(streamBits[bestK] / 8), bestK, opts.shape ?? [n]);
}
