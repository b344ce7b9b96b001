// Numeric constants shared by compiler/, formats/ and assembly/.
// This file is compiled both by tsc and by the AssemblyScript compiler, so it holds
// only integer literals: no imports, no types, no expressions beyond a literal.

// ── Container ────────────────────────────────────────────────────────────────
// Header (little-endian, 14 bytes), then the protobuf payload (sqz.Model):
//   0..3   magic  'S' 'Q' 'Z' 0x1A
//   4..5   u16 format version
//   6..9   u32 payload length in bytes
//   10..13 u32 CRC-32 (IEEE, reflected, as zlib) of the payload
export const MAGIC_0 = 0x53;
export const MAGIC_1 = 0x51;
export const MAGIC_2 = 0x5a;
export const MAGIC_3 = 0x1a;
export const FORMAT_VERSION = 1;
export const HEADER_BYTES = 14;

// ── Ops (sqz.Op.type) ────────────────────────────────────────────────────────
export const OP_DENSE = 1; // in: [..., N] flattened per sample; weight [N, M]; bias [M]
export const OP_CONV2D = 2; // in: [H, W, C]; weight [KH, KW, C, M]; bias [M]
export const OP_DEPTHWISE_CONV2D = 3; // in: [H, W, C]; weight [KH, KW, C, D]; bias [C*D]; out channel = c*D + d
export const OP_MAX_POOL2D = 4; // in: [H, W, C]
export const OP_AVG_POOL2D = 5; // in: [H, W, C]; 'same' padding averages only the valid cells
export const OP_GLOBAL_AVG_POOL2D = 6; // in: [H, W, C] -> [C]
export const OP_GLOBAL_MAX_POOL2D = 7; // in: [H, W, C] -> [C]
export const OP_ACTIVATION = 8; // elementwise activation (softmax: over the last axis)
export const OP_ADD = 9; // elementwise sum of two or more inputs of equal shape
export const OP_RESHAPE = 10; // same elements, new per-sample shape
export const OP_PRELU = 11; // out = x < 0 ? alpha · x : x; alpha (the bias slot) [C] per channel or [size]
export const OP_ZERO_PAD2D = 12; // in: [H, W, C]; params [top, bottom, left, right]; zeros around the image
export const OP_CROP2D = 13; // in: [H, W, C]; params [top, bottom, left, right]; rows and columns cut off
export const OP_UP_SAMPLING2D = 14; // in: [H, W, C]; params [SH, SW]; nearest: out[h, w] = in[h / SH, w / SW]
export const OP_CONCAT = 15; // two or more inputs joined along per-sample axis params[0]
export const OP_MULTIPLY = 16; // elementwise product of two or more inputs of equal shape
export const OP_AVERAGE = 17; // elementwise mean of two or more inputs of equal shape: (x0 + … + xk−1) · (1 / k)
export const OP_MAXIMUM = 18; // elementwise maximum of two or more inputs of equal shape
export const OP_MINIMUM = 19; // elementwise minimum of two or more inputs of equal shape
export const OP_TRANSPOSE = 20; // per-sample axes permuted: out axis i is input axis params[i]
export const OP_RESCALE = 21; // out = x · scale + offset; the bias slot holds [scale, offset]
export const OP_THRESHOLDED_RELU = 22; // out = x > theta ? x : 0; the bias slot holds [theta]
export const OP_CONV2D_TRANSPOSE = 23; // in: [H, W, C]; weight [KH, KW, C, M]; bias [M]; out[ih·SH + kh − pt] += x[ih] · w[kh]
export const OP_COUNT = 24; // one past the largest op code

// ── Activations (sqz.Op.activation) ─────────────────────────────────────────
export const ACT_LINEAR = 0;
export const ACT_RELU = 1;
export const ACT_RELU_CLIP = 2; // min(max(x, 0), Op.clip_max); relu6 is clip_max = 6
export const ACT_SIGMOID = 3;
export const ACT_TANH = 4;
export const ACT_SOFTMAX = 5; // over the last axis of the op's output
export const ACT_ELU = 6; // x > 0 ? x : exp(x) − 1
export const ACT_SELU = 7; // scale · (x > 0 ? x : alpha · (exp(x) − 1)), scale 1.0507…, alpha 1.6733…
export const ACT_SOFTPLUS = 8; // log(1 + exp(x))
export const ACT_SOFTSIGN = 9; // x / (1 + |x|)
export const ACT_HARD_SIGMOID = 10; // clip(0.2 · x + 0.5, 0, 1), as tfjs-layers
export const ACT_SWISH = 11; // x · sigmoid(x)
export const ACT_MISH = 12; // x · tanh(softplus(x))
export const ACT_GELU = 13; // x · Φ(x) = 0.5 · x · (1 + erf(x / √2))
export const ACT_LOG_SOFTMAX = 14; // x − log Σ exp(x), over the last axis of the op's output
export const ACT_COUNT = 15;

// ── Padding (sqz.Op.padding) ─────────────────────────────────────────────────
export const PAD_VALID = 0;
export const PAD_SAME = 1; // TF 'same': pad_total = max((ceil(in/s)-1)*s + k - in, 0), top/left = floor(total/2)

// ── Tensor encodings (sqz.Tensor.encoding) ───────────────────────────────────
export const ENC_F32 = 0; // data: n little-endian f32
export const ENC_F16 = 1; // data: n little-endian IEEE half floats
export const ENC_CODEBOOK = 2; // data: n packed b-bit codes; value = codebook[code]
export const ENC_SPARSE_BITMAP = 3; // positions: n-bit bitmap; data: nnz packed b-bit codes; zeros implicit
export const ENC_SPARSE_RICE = 4; // positions: nnz Rice(k)-coded gaps; data: nnz packed b-bit codes
export const ENC_COUNT = 5;

// ── Codebook element type (sqz.Tensor.codebook_type) ────────────────────────
export const CB_F16 = 0;
export const CB_F32 = 1;
// Entries on a power-of-two grid (formats/codebook_q8.ts): int8 exponent e, int16 LE offset j0, then a u8 u per
// entry; entry = (j0 + u) · 2^e.
export const CB_Q8 = 2;
export const CB_Q8_EXP_MIN = -126;
export const CB_Q8_EXP_MAX = 127;

// ── Runtime execution modes (per layer, chosen at load) ─────────────────────
export const EXEC_AUTO = 0; // compressed form at or below the density thresholds below, dense above
export const EXEC_DENSE = 1; // decode to dense f32 at load
export const EXEC_COMPRESSED = 2; // compute from positions + codes in the file's own bytes
// Break-even densities measured at batch 1 (bench/runtime_layers.ts): a compressed dense layer beats f32 below
// about 3–4% (more when inputs are zero), a stride-1 conv below about 20%.
export const SPARSE_EXEC_MAX_DENSITY_PERMILLE_DENSE = 40;
export const SPARSE_EXEC_MAX_DENSITY_PERMILLE_CONV = 200;

// ── Execution paths: the kernel code an op runs through (assembly/features.ts SQZ_PATHS; formats/exec_paths.ts) ──
export const PATH_DECODED = 0; // the weight decoded to f32 (EXEC_DENSE; ENC_F32 always): matvec, patches
export const PATH_DENSE_COMPRESSED = 1; // a dense op from its compressed weight: Rice rows, bitmap rows, the walker
export const PATH_CONV_SHIFTED = 2; // compressed conv2d / depthwise with stride 1, on shifted planes
export const PATH_CONV_IM2COL = 3; // compressed strided conv2d, sparse weight × im2col tiles
export const PATH_CONV_PLANAR = 4; // compressed conv2d / depthwise / conv2dTranspose, tap by tap on planar rows (any stride)
// Pooling loops (the SIMD build's; the scalar build runs every pool one window cell at a time):
export const PATH_POOL_2X2 = 5; // max pooling 2×2, stride 2, no padding cell, ≥ 4 channels: 4 loads, no loop
export const PATH_POOL_WINDOW = 6; // max pooling over any other window, ≥ 4 channels: the maximum kept in a register
export const PATH_POOL_CELLS = 7; // pooling one window cell at a time: max with < 4 channels, average pooling
export const PATH_COUNT = 8;

// ── Error codes returned across the wasm boundary ───────────────────────────
export const ERR_NONE = 0;
export const ERR_TRUNCATED = 1; // fewer bytes than the header or a field needs
export const ERR_MAGIC = 2; // not a .sqz file
export const ERR_VERSION = 3; // unsupported format version
export const ERR_CHECKSUM = 4; // CRC-32 mismatch: file corrupt
export const ERR_MALFORMED = 5; // bad protobuf wire data or an inconsistent field
export const ERR_UNSUPPORTED = 6; // unknown op, activation, encoding or bitwidth
export const ERR_SHAPE = 7; // shapes of values, weights or attributes disagree
export const ERR_INPUT = 8; // the host passed an input of the wrong length or batch
export const ERR_STATE = 9; // call order: run before load, etc.
export const ERR_MEMORY = 10; // the memory limit refused the need, or linear memory could not grow
