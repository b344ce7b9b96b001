// The `csv:FILE` spec: a header row naming the columns, then one sample per row of numbers (value rules in
// arrays.ts: features are used as they are). One column is y: --label-column NAME, the last column by default.
// The file has no split of its own: split by index like idx: (every 6th row is test).
// Fields are separated by commas; a field may be quoted ("…"), surrounding spaces are ignored. An empty or
// non-numeric field, NaN and ±Infinity are errors naming the line and the column.
import { DataError } from '../errors.js';
import { arraySplit } from './arrays.js';
import { splitByIndex, type Dataset } from './dataset.js';
import { readDataFile } from './files.js';

/** Splits one CSV line into fields (quotes removed, "" inside quotes is one "). */
function fields(line: string): string[] {
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(field.trim());
      field = '';
    } else field += ch;
  }
  out.push(field.trim());
  return out;
}

/** A strict number: decimal or exponent notation, nothing else (no empty field, no NaN, no Infinity). */
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** `csv:FILE`; `labelColumn` names y (default: the last column). */
export function loadCsv(file: string, labelColumn?: string): Dataset {
  const text = new TextDecoder().decode(readDataFile(file)).replace(/^\uFEFF/, '');
  const lines = text.split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop();
  if (lines.length < 2) throw new DataError(`${file}: a CSV dataset needs a header row and at least one row of data`);
  const header = fields(lines[0]!);
  if (header.length < 2)
    throw new DataError(`${file}: the header row names ${header.length} column; need features and a label column`);
  const yCol = labelColumn === undefined ? header.length - 1 : header.indexOf(labelColumn);
  if (yCol < 0) {
    throw new DataError(
      `${file}: no column named '${labelColumn}' (--label-column); the header has ${header.join(', ')}`,
    );
  }
  const rows = lines.length - 1;
  const width = header.length - 1;
  const x = new Float64Array(rows * width);
  const y = new Float64Array(rows);
  let allInt = true;
  for (let r = 0; r < rows; r++) {
    const line = r + 2; // 1-based, after the header
    const row = fields(lines[r + 1]!);
    if (row.length !== header.length) {
      throw new DataError(
        `${file}: line ${line} (sample ${r}) has ${row.length} fields, the header has ${header.length}`,
      );
    }
    let k = 0;
    for (let c = 0; c < row.length; c++) {
      const f = row[c]!;
      if (!NUMBER.test(f)) {
        throw new DataError(
          `${file}: line ${line} (sample ${r}), column '${header[c]}': ${f === '' ? 'empty field' : `'${f}' is not a number`}` +
            (/^[+-]?(nan|inf(inity)?)$/i.test(f) ? ' (NaN and Infinity are not allowed)' : ''),
        );
      }
      const v = Number(f);
      if (c === yCol) {
        y[r] = v;
        if (!Number.isInteger(v)) allInt = false;
      } else x[r * width + k++] = v;
    }
  }
  const all = arraySplit(
    { shape: [rows, width], kind: 'float', data: x },
    { shape: [rows], kind: allInt ? 'int' : 'float', data: y },
    file,
    `${file}, column '${header[yCol]}'`,
  );
  const { train, test, rule } = splitByIndex(all.split);
  return {
    name: `csv:${file}`,
    shape: all.shape,
    numClasses: all.numClasses,
    targetWidth: 1,
    train,
    test,
    description: `CSV ${file}: ${rows} rows, ${width} feature columns, y = column '${header[yCol]}'. ${rule}`,
  };
}
