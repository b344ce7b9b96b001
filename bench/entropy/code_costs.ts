// What a symbol sequence would cost under order-0 coders, from its symbol counts. Three figures, from bound to
// buildable: the empirical entropy (no model cost: a lower bound for any order-0 code), a canonical Huffman code
// with its table of code lengths, and an adaptive arithmetic coder (Laplace counts, so it sends no table and pays
// for learning the distribution instead). All in bits; callers round up to bytes.

/** Order-0 empirical entropy of a sequence with these symbol counts, times its length: Σ −c·log2(c/N) bits. */
export function entropyBits(counts: ArrayLike<number>): number {
  let total = 0;
  for (let s = 0; s < counts.length; s++) total += counts[s]!;
  let bits = 0;
  for (let s = 0; s < counts.length; s++) {
    const c = counts[s]!;
    if (c > 0) bits -= c * Math.log2(c / total);
  }
  return bits;
}

/** log2(m!) by summing logs (exact enough: the counts here are at most a few million). */
export function log2Factorial(m: number): number {
  let sum = 0;
  for (let i = 2; i <= m; i++) sum += Math.log2(i);
  return sum;
}

/**
 * Ideal code length of an adaptive order-0 arithmetic coder over an alphabet of `alphabet` symbols that starts
 * every count at 1 (Laplace): log2((N + A − 1)! / ((A − 1)! · Π c_s!)) bits. It does not depend on the order of
 * the symbols. A real coder adds a few bytes for its final flush (counted by the caller).
 */
export function adaptiveCodeBits(counts: ArrayLike<number>, alphabet: number): number {
  if (counts.length > alphabet)
    throw new RangeError(`adaptiveCodeBits: ${counts.length} counts for an alphabet of ${alphabet}`);
  let total = 0;
  let sumLogCounts = 0;
  for (let s = 0; s < counts.length; s++) {
    total += counts[s]!;
    sumLogCounts += log2Factorial(counts[s]!);
  }
  return log2Factorial(total + alphabet - 1) - log2Factorial(alphabet - 1) - sumLogCounts;
}

/**
 * Huffman code lengths for symbols with these counts (0 for unused symbols; a lone used symbol gets length 0:
 * the decoder knows it without reading a bit). Ties broken by symbol index, so the result is deterministic.
 */
export function huffmanLengths(counts: ArrayLike<number>): number[] {
  const lengths = new Array<number>(counts.length).fill(0);
  // Nodes: leaves are symbols; each internal node remembers its children. A sorted array is enough at ≤ 256 symbols.
  interface Node {
    weight: number;
    order: number;
    symbols: number[];
  }
  const nodes: Node[] = [];
  for (let s = 0; s < counts.length; s++)
    if (counts[s]! > 0) nodes.push({ weight: counts[s]!, order: s, symbols: [s] });
  let order = counts.length;
  while (nodes.length > 1) {
    nodes.sort((a, b) => a.weight - b.weight || a.order - b.order);
    const [a, b] = nodes.splice(0, 2) as [Node, Node];
    for (const s of [...a.symbols, ...b.symbols]) lengths[s]!++;
    nodes.push({ weight: a.weight + b.weight, order: order++, symbols: [...a.symbols, ...b.symbols] });
  }
  return lengths;
}

/** Bits of the Huffman-coded sequence alone: Σ c_s · len_s. */
export function huffmanDataBits(counts: ArrayLike<number>, lengths: readonly number[]): number {
  let bits = 0;
  for (let s = 0; s < counts.length; s++) bits += counts[s]! * lengths[s]!;
  return bits;
}

/**
 * Bits of the table a canonical Huffman decoder needs: one code length per symbol of the alphabet, each in
 * 4 bits when every length is ≤ 15, else 5 bits (plus 1 bit saying which).
 */
export function huffmanTableBits(lengths: readonly number[], alphabet: number): number {
  const longest = lengths.reduce((m, l) => Math.max(m, l), 0);
  return 1 + alphabet * (longest <= 15 ? 4 : 5);
}
