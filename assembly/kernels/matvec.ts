// The f32 matrix-vector cores of dense and conv2d: out[m] += Σ_k x[k] · w[k·count + m], for one input vector or
// two at once (two samples of a batch, or two output pixels), sharing every weight load between the two.
// SIMD build: 16 columns at a time in four f32x4 accumulators per vector, then 4 at a time, then the last 1 to 3
// columns as one vector over the last 4 columns with only the new lanes added. Scalar build: plain loops.

const tailScratch: usize = memory.data(32, 16);

/** Adds the lanes [from, 4) of the vector stored at tailScratch + offset to out[first + lane]. */
@inline function addTailLanes(out: usize, first: i32, from: i32, offset: usize): void {
  for (let j = from; j < 4; j++) {
    let o = out + (<usize>(first + j) << 2);
    store<f32>(o, load<f32>(o) + load<f32>(tailScratch + offset + (<usize>j << 2)));
  }
}

/**
 * Σ_k x[k] · w[k·rowBytes/4 .. +4] for one block of 4 columns. Two accumulators (even and odd k) so the adds do not
 * wait on each other: a single chain would be bound by the add latency.
 */
function columnBlock(x: usize, wp: usize, depth: i32, rowBytes: usize): v128 {
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0);
  let k = 0;
  for (; k + 2 <= depth; k += 2) {
    a0 = f32x4.add(a0, f32x4.mul(f32x4.splat(load<f32>(x + (<usize>k << 2))), v128.load(wp)));
    a1 = f32x4.add(a1, f32x4.mul(f32x4.splat(load<f32>(x + (<usize>k << 2), 4)), v128.load(wp + rowBytes)));
    wp += rowBytes << 1;
  }
  if (k < depth) a0 = f32x4.add(a0, f32x4.mul(f32x4.splat(load<f32>(x + (<usize>k << 2))), v128.load(wp)));
  return f32x4.add(a0, a1);
}

/** columnBlock for two input vectors; the two sums go to tailScratch[0..3] and [4..7]. */
function columnBlock2(x0: usize, x1: usize, wp: usize, depth: i32, rowBytes: usize): void {
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), b0 = f32x4.splat(0), b1 = f32x4.splat(0);
  let k = 0;
  for (; k + 2 <= depth; k += 2) {
    let w0 = v128.load(wp), w1 = v128.load(wp + rowBytes);
    let at = <usize>k << 2;
    a0 = f32x4.add(a0, f32x4.mul(f32x4.splat(load<f32>(x0 + at)), w0));
    b0 = f32x4.add(b0, f32x4.mul(f32x4.splat(load<f32>(x1 + at)), w0));
    a1 = f32x4.add(a1, f32x4.mul(f32x4.splat(load<f32>(x0 + at, 4)), w1));
    b1 = f32x4.add(b1, f32x4.mul(f32x4.splat(load<f32>(x1 + at, 4)), w1));
    wp += rowBytes << 1;
  }
  if (k < depth) {
    let w0 = v128.load(wp);
    a0 = f32x4.add(a0, f32x4.mul(f32x4.splat(load<f32>(x0 + (<usize>k << 2))), w0));
    b0 = f32x4.add(b0, f32x4.mul(f32x4.splat(load<f32>(x1 + (<usize>k << 2))), w0));
  }
  v128.store(tailScratch, f32x4.add(a0, a1));
  v128.store(tailScratch, f32x4.add(b0, b1), 16);
}

/** out[m] += Σ_k x[k] · w[k·count + m] for m < count, k < depth (w rows are contiguous, `count` floats each). */
export function accumulateRows(out: usize, x: usize, w: usize, depth: i32, count: i32): void {
  let rowBytes = <usize>count << 2;
  if (ASC_FEATURE_SIMD) {
    let m = 0;
    for (; m + 16 <= count; m += 16) {
      let o = out + (<usize>m << 2);
      let a0 = v128.load(o), a1 = v128.load(o, 16), a2 = v128.load(o, 32), a3 = v128.load(o, 48);
      let wp = w + (<usize>m << 2);
      for (let k = 0; k < depth; k++) {
        let xv = f32x4.splat(load<f32>(x + (<usize>k << 2)));
        a0 = f32x4.add(a0, f32x4.mul(xv, v128.load(wp)));
        a1 = f32x4.add(a1, f32x4.mul(xv, v128.load(wp, 16)));
        a2 = f32x4.add(a2, f32x4.mul(xv, v128.load(wp, 32)));
        a3 = f32x4.add(a3, f32x4.mul(xv, v128.load(wp, 48)));
        wp += rowBytes;
      }
      v128.store(o, a0);
      v128.store(o, a1, 16);
      v128.store(o, a2, 32);
      v128.store(o, a3, 48);
    }
    for (; m + 4 <= count; m += 4) {
      let o = out + (<usize>m << 2);
      v128.store(o, f32x4.add(v128.load(o), columnBlock(x, w + (<usize>m << 2), depth, rowBytes)));
    }
    if (m < count) {
      if (count >= 4) {
        let first = count - 4;
        v128.store(tailScratch, columnBlock(x, w + (<usize>first << 2), depth, rowBytes));
        addTailLanes(out, first, m - first, 0);
        return;
      }
    } else {
      return;
    }
  }
  // Scalar build, or fewer than 4 columns.
  let outEnd = out + rowBytes;
  for (let k = 0; k < depth; k++) {
    let xk = load<f32>(x + (<usize>k << 2));
    let wp = w + <usize>k * rowBytes;
    for (let o = out; o < outEnd; o += 4) {
      store<f32>(o, load<f32>(o) + xk * load<f32>(wp));
      wp += 4;
    }
  }
}

/** accumulateRows for two input vectors x0 → out0 and x1 → out1 over the same weights. */
export function accumulateRows2(out0: usize, out1: usize, x0: usize, x1: usize, w: usize, depth: i32, count: i32): void {
  let rowBytes = <usize>count << 2;
  if (ASC_FEATURE_SIMD) {
    let m = 0;
    for (; m + 16 <= count; m += 16) {
      let o0 = out0 + (<usize>m << 2), o1 = out1 + (<usize>m << 2);
      let a0 = v128.load(o0), a1 = v128.load(o0, 16), a2 = v128.load(o0, 32), a3 = v128.load(o0, 48);
      let b0 = v128.load(o1), b1 = v128.load(o1, 16), b2 = v128.load(o1, 32), b3 = v128.load(o1, 48);
      let wp = w + (<usize>m << 2);
      for (let k = 0; k < depth; k++) {
        let xa = f32x4.splat(load<f32>(x0 + (<usize>k << 2)));
        let xb = f32x4.splat(load<f32>(x1 + (<usize>k << 2)));
        let w0 = v128.load(wp), w1 = v128.load(wp, 16), w2 = v128.load(wp, 32), w3 = v128.load(wp, 48);
        a0 = f32x4.add(a0, f32x4.mul(xa, w0));
        b0 = f32x4.add(b0, f32x4.mul(xb, w0));
        a1 = f32x4.add(a1, f32x4.mul(xa, w1));
        b1 = f32x4.add(b1, f32x4.mul(xb, w1));
        a2 = f32x4.add(a2, f32x4.mul(xa, w2));
        b2 = f32x4.add(b2, f32x4.mul(xb, w2));
        a3 = f32x4.add(a3, f32x4.mul(xa, w3));
        b3 = f32x4.add(b3, f32x4.mul(xb, w3));
        wp += rowBytes;
      }
      v128.store(o0, a0); v128.store(o0, a1, 16); v128.store(o0, a2, 32); v128.store(o0, a3, 48);
      v128.store(o1, b0); v128.store(o1, b1, 16); v128.store(o1, b2, 32); v128.store(o1, b3, 48);
    }
    for (; m + 4 <= count; m += 4) {
      let o0 = out0 + (<usize>m << 2), o1 = out1 + (<usize>m << 2);
      columnBlock2(x0, x1, w + (<usize>m << 2), depth, rowBytes);
      v128.store(o0, f32x4.add(v128.load(o0), v128.load(tailScratch)));
      v128.store(o1, f32x4.add(v128.load(o1), v128.load(tailScratch, 16)));
    }
    if (m < count) {
      if (count >= 4) {
        let first = count - 4;
        columnBlock2(x0, x1, w + (<usize>first << 2), depth, rowBytes);
        addTailLanes(out0, first, m - first, 0);
        addTailLanes(out1, first, m - first, 16);
        return;
      }
    } else {
      return;
    }
  }
  let end0 = out0 + rowBytes;
  for (let k = 0; k < depth; k++) {
    let xa = load<f32>(x0 + (<usize>k << 2)), xb = load<f32>(x1 + (<usize>k << 2));
    let wp = w + <usize>k * rowBytes;
    let o1 = out1;
    for (let o = out0; o < end0; o += 4) {
      let wk = load<f32>(wp);
      store<f32>(o, load<f32>(o) + xa * wk);
      store<f32>(o1, load<f32>(o1) + xb * wk);
      wp += 4;
      o1 += 4;
    }
  }
}
