// Elementwise f32 loops shared by the kernels, over a pointer and a count. Each branches on the compile-time
// constant ASC_FEATURE_SIMD: the SIMD build does 4 floats per step with f32x4, the scalar build plain loops.
// They are loops on purpose: memory.copy / memory.fill are calls out of wasm in some engines, slow for short runs,
// and f32.max compiles to branches in V8, slow on noisy data.

/** out[i] = x[i] for i < count. */
export function copyFloats(out: usize, x: usize, count: u32): void {
  let i: u32 = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 4 <= count; i += 4) v128.store(out + (<usize>i << 2), v128.load(x + (<usize>i << 2)));
  }
  for (; i < count; i++) store<f32>(out + (<usize>i << 2), load<f32>(x + (<usize>i << 2)));
}

/** Writes `rows` copies of the `length`-float vector `bias` (or zeros when bias = 0) to `out`. */
export function fillRows(out: usize, bias: usize, length: u32, rows: u32): void {
  let rowBytes = <usize>length << 2;
  if (bias == 0) {
    memory.fill(out, 0, rowBytes * rows);
    return;
  }
  for (let r: u32 = 0; r < rows; r++) {
    copyFloats(out, bias, length);
    out += rowBytes;
  }
}

/** out[i] += x[i] for i < count. */
export function addInto(out: usize, x: usize, count: u32): void {
  let i: u32 = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 4 <= count; i += 4) {
      let at = <usize>i << 2;
      v128.store(out + at, f32x4.add(v128.load(out + at), v128.load(x + at)));
    }
  }
  for (; i < count; i++) {
    let at = <usize>i << 2;
    store<f32>(out + at, load<f32>(out + at) + load<f32>(x + at));
  }
}

/** out[i] += x[i] · w[i] for i < count. */
export function multiplyAccumulate(out: usize, x: usize, w: usize, count: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 4 <= count; i += 4) {
      let at = <usize>i << 2;
      v128.store(out + at, f32x4.add(v128.load(out + at), f32x4.mul(v128.load(x + at), v128.load(w + at))));
    }
  }
  for (; i < count; i++) {
    let at = <usize>i << 2;
    store<f32>(out + at, load<f32>(out + at) + load<f32>(x + at) * load<f32>(w + at));
  }
}

/** out[i] *= scale for i < count. */
export function scaleInPlace(out: usize, count: u32, scale: f32): void {
  let i: u32 = 0;
  if (ASC_FEATURE_SIMD) {
    let s = f32x4.splat(scale);
    for (; i + 4 <= count; i += 4) {
      let at = <usize>i << 2;
      v128.store(out + at, f32x4.mul(v128.load(out + at), s));
    }
  }
  for (; i < count; i++) {
    let at = <usize>i << 2;
    store<f32>(out + at, load<f32>(out + at) * scale);
  }
}

/** The float with bits `bits` as an i32 whose signed order is the float order (NaN aside; −0 < +0). */
@inline export function orderKey(bits: i32): i32 {
  return bits ^ ((bits >> 31) >>> 1);
}

/** out[i] = max(out[i], x[i]) for i < count, branch-free (f32x4.pmax; scalar: integer compare and select). */
export function maxInto(out: usize, x: usize, count: u32): void {
  let i: u32 = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 4 <= count; i += 4) {
      let at = <usize>i << 2;
      v128.store(out + at, f32x4.pmax(v128.load(out + at), v128.load(x + at)));
    }
  }
  for (; i < count; i++) {
    let at = <usize>i << 2;
    let a = load<i32>(out + at), b = load<i32>(x + at);
    store<i32>(out + at, select<i32>(b, a, orderKey(b) > orderKey(a)));
  }
}

/** out[i] = min(out[i], x[i]) for i < count, branch-free (f32x4.pmin; scalar: integer compare and select). */
export function minInto(out: usize, x: usize, count: u32): void {
  let i: u32 = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 4 <= count; i += 4) {
      let at = <usize>i << 2;
      v128.store(out + at, f32x4.pmin(v128.load(out + at), v128.load(x + at)));
    }
  }
  for (; i < count; i++) {
    let at = <usize>i << 2;
    let a = load<i32>(out + at), b = load<i32>(x + at);
    store<i32>(out + at, select<i32>(b, a, orderKey(b) < orderKey(a)));
  }
}

/** out[i] *= x[i] for i < count. */
export function multiplyInto(out: usize, x: usize, count: u32): void {
  let i: u32 = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 4 <= count; i += 4) {
      let at = <usize>i << 2;
      v128.store(out + at, f32x4.mul(v128.load(out + at), v128.load(x + at)));
    }
  }
  for (; i < count; i++) {
    let at = <usize>i << 2;
    store<f32>(out + at, load<f32>(out + at) * load<f32>(x + at));
  }
}
