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

/** An integer ≥ 1. */
export function parsePositiveInt(value: string): number {
  const n = parseNumber(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expects a positive integer.');
  return n;
}
