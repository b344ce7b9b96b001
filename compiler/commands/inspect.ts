// `sqz inspect model.sqz [--json]`: what the file holds, tensor by tensor, and where its bytes go.
import { Command } from 'commander';
import { summarizeSqz, type SqzSummary } from '../inspect/sqz_summary.js';
import { withSqzFile } from '../io/sqz_file.js';
import { formatTable } from '../util/text_table.js';

const int = (n: number) => n.toLocaleString('en-US');
const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
const shape = (s: readonly number[]) => `[${s.join('×')}]`;

/** The table and totals `sqz inspect` prints. */
function formatSummary(file: string, s: SqzSummary): string {
  const header = [
    'op',
    'type',
    'activation',
    'output',
    'tensor',
    'shape',
    'params',
    'nonzeros',
    'density',
    'bits',
    'encoding',
    'bytes',
    'values',
    'positions',
    'codebook',
    'framing',
  ];
  const rows: string[][] = [];
  for (const op of s.ops) {
    const lead = [String(op.index), op.type, op.activation, shape(op.outputShape)];
    if (op.tensors.length === 0) rows.push([...lead, '-', '', '', '', '', '', '', '', '', '', '', '']);
    for (const t of op.tensors) {
      const p = t.parts;
      rows.push([
        ...lead,
        t.role,
        shape(t.shape),
        int(t.n),
        int(t.nonzeros),
        pct(t.density),
        String(t.bits),
        t.encoding,
        int(t.bytes),
        int(p.values),
        int(p.positions),
        int(p.codebook),
        int(p.framing),
      ]);
    }
  }
  const t = s.totals;
  const graphBytes = t.fileBytes - t.tensorBytes - t.headerBytes;
  const b = t.bytes;
  const share = (x: number) => `${int(x)} (${((100 * x) / Math.max(1, b.file)).toFixed(1)}%)`;
  return [
    `${file}: ${int(s.fileBytes)} bytes, inputs ${s.inputs.map(shape).join(', ')} → outputs ${s.outputs.map(shape).join(', ')}`,
    '',
    ...formatTable(header, rows, 5),
    '',
    `file bytes      ${int(t.fileBytes)} (tensors ${int(t.tensorBytes)}, graph ${int(graphBytes)}, header ${int(t.headerBytes)})`,
    `kernel bytes    values ${share(b.values)}, positions ${share(b.positions)}, codebooks ${share(b.codebook)}, framing ${share(b.framing)}`,
    `other bytes     biases ${share(b.bias)}, graph ${share(b.graph)}, header ${share(b.header)}${b.other > 0 ? `, other ${share(b.other)}` : ''}`,
    `parameters      ${int(t.parameters)}`,
    `nonzeros        ${int(t.nonzeros)} (${pct(t.parameters === 0 ? 0 : t.nonzeros / t.parameters)})`,
    ...(s.classNames.length > 0 ? [`classes         ${s.classNames.map((n, i) => `${i} ${n}`).join(', ')}`] : []),
    ...(s.inputRange ? [`input range     pixels 0..255 → [${s.inputRange.join(', ')}]`] : []),
    `Σ nnz·bits      ${int(t.nonzeroBits)} bits = ${int(Math.ceil(t.nonzeroBits / 8))} bytes of values (positions, codebooks and framing are the rest)`,
  ].join('\n');
}

/** Adds `inspect` to the CLI program. */
export function registerInspectCommand(program: Command): void {
  program
    .command('inspect')
    .description(
      'show what a .sqz file holds: per tensor its op, shape, density, bits, encoding and bytes (split into values, positions, codebook and framing), and the totals',
    )
    .argument('<model.sqz>', 'the .sqz file')
    .option('--json', 'print the same as JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ sqz inspect model.sqz
  $ sqz inspect model.sqz --json | jq .totals`,
    )
    .action(async (file: string, o: { json?: boolean }) => {
      const summary = await withSqzFile(file, summarizeSqz);
      console.log(o.json ? JSON.stringify({ file, ...summary }, null, 2) : formatSummary(file, summary));
    });
}
