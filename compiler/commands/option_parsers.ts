// Value parsers for commander options. They throw commander's InvalidArgumentError, which commander turns into
// a usage error naming the option ("option '--ratio <R>' argument 'x' is invalid. expects a number").
import { InvalidArgumentError } from 'commander';

/** Any finite number. */
export function parseNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError('expects a number.');
  return n;
}

/** An integer ≥ 0. */
export function parseCount(value: string): number {
  const n = parseNumber(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expects a non-negative integer.');
  return n;
}

/** Two numbers A,B with A < B: what pixel values 0 and 255 map to (--input-range). */
export function parseRange(value: string): [number, number] {
  const parts = value.split(',').map((s) => s.trim());
  const [a, b] = parts.map(Number);
  if (parts.length !== 2 || parts.some((s) => s === '') || !Number.isFinite(a) || !Number.isFinite(b) || !(a! < b!))
    throw new InvalidArgumentError('expects two numbers A,B with A < B, e.g. 0,1 or -1,1.');
  return [a!, b!];
}

/** An integer ≥ 1. */
export function parsePositiveInt(value: string): number {
  const n = parseNumber(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expects a positive integer.');
  return n;
}
