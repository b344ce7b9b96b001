// Output of the runtime benchmark: the machine it ran on, markdown tables, and the "Runtime" section of
// BENCHMARKS.md (between its markers; the rest of the file belongs to other benchmarks and is left as it is).
import { existsSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import * as os from 'node:os';
import type { LatencyStats } from './runtime_timing.js';

export const SECTION_START = '<!-- runtime:start -->';
export const SECTION_END = '<!-- runtime:end -->';
const TITLE = '# sqz benchmarks\n';

/** CPU model (from /proc/cpuinfo when readable), logical cores, Node version and the load when the run started. */
export function machineDescription(): string {
  let cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  try {
    const lines = readFileSync('/proc/cpuinfo', 'utf8').split('\n');
    const field = (name: string): string | undefined => {
      const line = lines.find((l) => l.split(':')[0]!.trim() === name);
      return line === undefined ? undefined : line.slice(line.indexOf(':') + 1).trim();
    };
    cpu = field('model name') ?? cpu;
    if (field('cpu family') !== undefined) cpu += ` (family ${field('cpu family')}, model ${field('model')})`;
  } catch {
    // Not Linux: os.cpus() is the best we have.
  }
  const load = os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  return (
    `${cpu}, ${os.cpus().length} logical cores, Node ${process.version}, ${os.platform()} ${os.arch()}; ` +
    `load average at start ${load}`
  );
}

/** `0.123 ms` style figure with 3 significant digits. */
export function ms(value: number): string {
  return `${value < 10 ? value.toPrecision(3) : value.toFixed(1)} ms`;
}

/** `median (p10–p90)` in ms. */
export function latencyCell(stats: LatencyStats | undefined): string {
  if (stats === undefined) return '–';
  const digits = (v: number): string => (v < 10 ? v.toPrecision(3) : v.toFixed(1));
  return `${digits(stats.median)} (${digits(stats.p10)}–${digits(stats.p90)})`;
}

/** Speed relative to the reference from per-round ratios (> 1 = faster): `median× (p10–p90)`. */
export function ratioCell(ratios: LatencyStats | undefined): string {
  if (ratios === undefined) return '–';
  return `${ratios.median.toFixed(2)}× (${ratios.p10.toFixed(2)}–${ratios.p90.toFixed(2)})`;
}

export function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KB`;
}

/** A markdown table from a header row and body rows. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/**
 * Replaces the runtime section of `file` (or appends it; creates the file with a title when missing). Written
 * to a temporary file and renamed, so a failure never leaves half a file.
 */
export function writeBenchmarksSection(file: string, body: string): void {
  const section = `${SECTION_START}\n${body.trimEnd()}\n${SECTION_END}`;
  let text = existsSync(file) ? readFileSync(file, 'utf8') : TITLE;
  const start = text.indexOf(SECTION_START);
  const end = text.indexOf(SECTION_END);
  if (start >= 0 && end > start) {
    text = text.slice(0, start) + section + text.slice(end + SECTION_END.length);
  } else if (start >= 0 || end >= 0) {
    throw new Error(
      `${file}: only one of the markers ${SECTION_START} / ${SECTION_END} is present; fix the file by hand`,
    );
  } else {
    text = `${text.trimEnd()}\n\n${section}\n`;
  }
  const temporary = `${file}.tmp-${process.pid}`;
  writeFileSync(temporary, text);
  renameSync(temporary, file);
}
