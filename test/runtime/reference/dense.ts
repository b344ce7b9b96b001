// Reference dense layer: y[b, o] = bias[o] + Σ_i x[b, i] · w[i, o], w row-major [N, M].

export function denseReference(
  x: Float32Array,
  batch: number,
  w: Float32Array,
  n: number,
  m: number,
  bias?: Float32Array,
): Float32Array {
  const y = new Float32Array(batch * m);
  for (let b = 0; b < batch; b++) {
    for (let o = 0; o < m; o++) {
      let sum = bias ? bias[o] : 0;
      for (let i = 0; i < n; i++) sum += x[b * n + i] * w[i * m + o];
      y[b * m + o] = sum;
    }
  }
  return y;
}
