// The C host's footprint (examples/embedded): builds sqz_host at -O2 and -Os, records `size` (text / data / bss)
// and file bytes, stripped and not, and runs it on real .sqz files and one real MNIST digit under
// `/usr/bin/time -v` for the peak resident memory (max RSS), next to the file size and the runtime's own heap and
// linear memory (`--info`). Writes the "embedded" section of BENCHMARKS.md.
//   node dist/bench/embedded.js [--no-write]

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineDescription, replaceSection } from './benchmarks_md.js';
import { buildHostModels, loadDigits } from '../test/hosts/host_models.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const TIME = '/usr/bin/time';
const RSS_RUNS = 3;

interface Binary {
  cflags: string;
  text: number;
  data: number;
  bss: number;
  bytes: number;
  strippedBytes: number;
}
interface Memory {
  model: string;
  fileBytes: number;
  exec: string;
  heap: number;
  linear: number;
  maxRssKb: number;
}

function run(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): { stdout: string; stderr: string; status: number | null } {
  const result = spawnSync(command, args, { encoding: 'utf8', env, timeout: 600_000 });
  if (result.error !== undefined) throw new Error(`${command}: ${result.error.message}`);
  return result;
}

/** `size` in Berkeley format: text, data, bss of one file. */
function sectionSizes(path: string): { text: number; data: number; bss: number } {
  const lines = run('size', [path]).stdout.trim().split('\n');
  const [text, data, bss] = lines[1]!.trim().split(/\s+/).map(Number);
  return { text: text!, data: data!, bss: bss! };
}

function buildHost(dir: string, cflags: string): Binary {
  const built = run('bash', [join(root, 'examples/embedded/build.sh'), dir], { ...process.env, CFLAGS: cflags });
  if (built.status !== 0) throw new Error(`build.sh failed:\n${built.stderr}`);
  const host = join(dir, 'sqz_host');
  const stripped = `${host}.stripped`;
  if (run('strip', ['-o', stripped, host]).status !== 0) throw new Error('strip failed');
  return { cflags, ...sectionSizes(host), bytes: statSync(host).size, strippedBytes: statSync(stripped).size };
}

/** Median over RSS_RUNS of the max RSS (KB) `/usr/bin/time -v` reports, and the last run's stderr. */
function peakRss(host: string, args: string[]): { kb: number; stderr: string } {
  const samples: number[] = [];
  let stderr = '';
  for (let i = 0; i < RSS_RUNS; i++) {
    const result = run(TIME, ['-v', host, ...args]);
    stderr = result.stderr;
    const match = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
    if (match === null) throw new Error(`no max RSS in /usr/bin/time output:\n${stderr}`);
    samples.push(Number(match[1]));
  }
  samples.sort((a, b) => a - b);
  return { kb: samples[Math.floor(RSS_RUNS / 2)]!, stderr };
}

const n = (x: number): string => x.toLocaleString('en-US');

async function main(): Promise<void> {
  if (!existsSync(TIME))
    throw new Error(`${TIME} not found: run \`bash scripts/system-deps.sh\` (Debian package time)`);
  const dir = mkdtempSync(join(tmpdir(), 'sqz-bench-embedded-'));
  try {
    const binaries = ['-O2', '-Os'].map((cflags) => buildHost(join(dir, cflags.slice(1)), cflags));
    const host = join(dir, 'O2', 'sqz_host');
    const digit = (await loadDigits(1)).images;
    const digitPath = join(dir, 'digit.f32');
    writeFileSync(digitPath, new Uint8Array(digit.buffer, digit.byteOffset, digit.byteLength));
    const baseline = peakRss(host, []); // usage error: the process with nothing loaded
    const memory: Memory[] = [];
    for (const model of await buildHostModels()) {
      const path = join(dir, `${model.name}.sqz`);
      writeFileSync(path, model.bytes);
      for (const exec of ['compressed', 'dense']) {
        const { kb, stderr } = peakRss(host, [path, digitPath, '--exec', exec, '--info']);
        const info = /heap (\d+) B, linear memory (\d+) B/.exec(stderr);
        if (info === null) throw new Error(`sqz_host --info printed no memory figures:\n${stderr}`);
        memory.push({
          model: model.name,
          fileBytes: model.bytes.length,
          exec,
          heap: Number(info[1]),
          linear: Number(info[2]),
          maxRssKb: kb,
        });
      }
    }
    const gcc = run('gcc', ['--version']).stdout.split('\n')[0];
    const wasm2c = run('wasm2c', ['--version']).stdout.trim();
    const body = [
      '## Embedded host (C via wasm2c)',
      '',
      `Recorded by \`node dist/bench/embedded.js\` on ${machineDescription()}; ${gcc}, wasm2c ${wasm2c}, x86-64. ` +
        '`examples/embedded/build.sh` (scalar runtime → C, bounds-checked memory, `-ffp-contract=off`) with the CFLAGS ' +
        'shown; `size` is Berkeley format; stripped = `strip -o`.',
      '',
      '| CFLAGS | text | data | bss | file bytes | stripped file bytes |',
      '| --- | ---: | ---: | ---: | ---: | ---: |',
      ...binaries.map(
        (b) =>
          `| \`${b.cflags}\` | ${n(b.text)} | ${n(b.data)} | ${n(b.bss)} | ${n(b.bytes)} | ${n(b.strippedBytes)} |`,
      ),
      '',
      `Peak memory of the \`-O2\` binary classifying one real MNIST test digit (median of ${RSS_RUNS} runs of ` +
        '`/usr/bin/time -v sqz_host MODEL.sqz digit.f32 --exec E --info`; max RSS includes libc and the binary ' +
        `itself: the same binary exiting on a usage error, nothing loaded, peaks at ${n(baseline.kb)} KB). Runtime heap ` +
        'and linear memory are what `--info` prints (file, tables, decoded weights, arena; memory grows in 64 KB pages). ' +
        "Models: the test hosts' `mlp-sparse-q8` (examples/models/mnist-mlp, 70 % magnitude-pruned, q8) and `cnn-q8` " +
        '(28×28 conv 6 → pool → conv 8 → dense 10, q8), written by the real converter.',
      '',
      '| model | .sqz bytes | exec | runtime heap | linear memory | max RSS |',
      '| --- | ---: | --- | ---: | ---: | ---: |',
      ...memory.map(
        (m) =>
          `| ${m.model} | ${n(m.fileBytes)} | ${m.exec} | ${n(m.heap)} B | ${n(m.linear)} B | ${n(m.maxRssKb)} KB |`,
      ),
    ].join('\n');
    console.log(body);
    if (!process.argv.includes('--no-write')) await replaceSection(join(root, 'BENCHMARKS.md'), 'embedded', body);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
