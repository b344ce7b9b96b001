// Every bad-input case the tests try, run through the real CLI (one process each) with the exact line it prints
// and its exit code, recorded in BENCHMARKS.md (section "badinput"). The cases come from the tests' own tables:
// test/cli/error_cases.ts (arguments, files, damaged .sqz through `sqz inspect` and `sqz run`) and
// test/compiler/convert/hostile_model_cases.ts (hostile model.json through `sqz convert`).
// Usage: node dist/bench/bad_input.js [--no-write]
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { argumentCases, badSqzCases, type ErrorCase } from '../test/cli/error_cases.js';
import { convertMlp, ROOT, runCli, type CliResult } from '../test/cli/helpers.js';
import { HOSTILE_MODEL_CASES } from '../test/compiler/convert/hostile_model_cases.js';
import { machineDescription, replaceSection } from './benchmarks_md.js';

const { values } = parseArgs({ options: { 'no-write': { type: 'boolean', default: false } } });
tf.env().set('PROD', true);
if (!(await tf.setBackend('cpu'))) throw new Error('bad_input: the tfjs cpu backend did not start');

const dir = await mkdtemp(path.join(tmpdir(), 'sqz-bad-input-'));
/** Paths as the record shows them: the temporary folder as <tmp>, the repository relative. */
const shown = (text: string) => text.split(dir).join('<tmp>').split(ROOT).join('');
const cell = (text: string) => shown(text).replace(/\|/g, '\\|');

interface Row {
  name: string;
  args: string[];
  result: CliResult;
  /** The case's expectation holds: exit code, one line, the message. */
  ok: boolean;
}

async function runAll(cases: readonly ErrorCase[]): Promise<Row[]> {
  const rows: Row[] = new Array(cases.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < cases.length; i = next++) {
      const c = cases[i]!;
      const result = await runCli(c.args);
      const lines = result.stderr.trimEnd().split('\n');
      const ok =
        result.code === c.code &&
        lines.length === 1 &&
        lines[0]!.startsWith('sqz: error: ') &&
        c.message.test(lines[0]!);
      rows[i] = { name: c.name, args: c.args, result, ok };
    }
  };
  await Promise.all([worker(), worker()]);
  return rows;
}

const line = (r: Row) => `\`${cell(r.result.stderr.trim().replace(/^sqz: error: /, ''))}\``;
const exit = (r: Row) => `${r.result.code ?? r.result.signal}${r.ok ? '' : ' ✗'}`;

const started = performance.now();
const sqz = await convertMlp(dir);
const argumentRows = await runAll(await argumentCases(dir, sqz));
const sqzRows = await runAll(await badSqzCases(dir, sqz));
const hostileCases: ErrorCase[] = [];
for (const [i, c] of HOSTILE_MODEL_CASES.entries()) {
  const m = await c.make(path.join(dir, `hostile-${i}`, 'model'));
  await mkdir(path.join(dir, 'converted'), { recursive: true });
  const fragments = m.fragments.map((f) =>
    typeof f === 'string' ? f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : f.source,
  );
  hostileCases.push({
    name: c.name,
    args: ['convert', m.file, '-o', path.join(dir, 'converted', `${i}.sqz`)],
    code: 3,
    message: new RegExp(fragments.map((f) => `(?=.*${f})`).join('')),
  });
}
const hostileRows = await runAll(hostileCases);
const seconds = (performance.now() - started) / 1000;
await rm(dir, { recursive: true, force: true });

const all = [...argumentRows, ...sqzRows, ...hostileRows];
const failed = all.filter((r) => !r.ok);
const pairs = sqzRows.filter((_, i) => i % 2 === 0).map((r, i) => [r, sqzRows[2 * i + 1]!] as const);
const body = `## Bad input

\`node dist/bench/bad_input.js\` — ${machineDescription()}.

${all.length} cases in ${seconds.toFixed(0)} s, each as its own \`sqz\` process. ${
  failed.length === 0
    ? "Every one exits with its class's code and prints one line (`sqz: error: ...`, shown without that prefix) and no stack trace."
    : `${failed.length} do not behave as their test expects (marked ✗): ${failed.map((r) => r.name).join('; ')}.`
}
The cases are the tests' own tables (test/cli/error_cases.ts, test/compiler/convert/hostile_model_cases.ts), so
this record and the tests cannot drift apart. \`<tmp>\` is the run's temporary folder.

### Arguments and files

| case | command | exit | message |
| --- | --- | --- | --- |
${argumentRows.map((r) => `| ${r.name} | \`sqz ${cell(r.args.join(' '))}\` | ${exit(r)} | ${line(r)} |`).join('\n')}

### Damaged .sqz files: \`sqz inspect\` (TS reader) and \`sqz run\` (wasm runtime)

Each file derives from \`sqz convert\` of the digit MLP; "valid CRC" payloads pass the checksum so the payload's own
checks are reached.

| file | exit | \`sqz inspect FILE\` | \`sqz run FILE --input digit.json\` |
| --- | --- | --- | --- |
${pairs.map(([a, b]) => `| ${a.name.replace(/ \(inspect\)$/, '')} | ${exit(a)} / ${exit(b)} | ${line(a)} | ${line(b)} |`).join('\n')}

### Hostile model.json: \`sqz convert model.json -o out.sqz\`

Each starts from a saved one-layer dense model (fc: kernel [3, 2], bias [2]).

| case | exit | message |
| --- | --- | --- |
${hostileRows.map((r) => `| ${r.name} | ${exit(r)} | ${line(r)} |`).join('\n')}`;
console.log(body);
if (!values['no-write']) await replaceSection(path.join(ROOT, 'BENCHMARKS.md'), 'badinput', body);
if (failed.length > 0) process.exitCode = 1;
