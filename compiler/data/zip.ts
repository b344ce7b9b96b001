// Just enough of the ZIP format to read a NumPy .npz (what numpy.savez and numpy.savez_compressed write): the end
// of central directory record, the central directory (with ZIP64 sizes and offsets), and each entry's data,
// stored (method 0) or deflated (method 8). Sizes and offsets come from the central directory, which is
// authoritative; the local header is read only for the length of its name and extra fields. Encrypted entries,
// multi-disk archives and other methods are refused.
import * as zlib from 'node:zlib';
import { DataError } from '../errors.js';

const EOCD = 0x06054b50;
const ZIP64_EOCD_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const U32_MAX = 0xffffffff;

export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  crc: number;
  /** Offset of the entry's local header. */
  localOffset: number;
}

/** The archive's entries, in central-directory order. @throws DataError for anything that is not a readable zip */
export function listZip(bytes: Uint8Array, file: string): ZipEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fail = (what: string) => new DataError(`${file}: not a readable .npz (zip) archive: ${what}`);
  const u32 = (at: number) => (at + 4 <= bytes.length ? view.getUint32(at, true) : NaN);
  const u16 = (at: number) => (at + 2 <= bytes.length ? view.getUint16(at, true) : NaN);
  const u64 = (at: number) => (at + 8 <= bytes.length ? Number(view.getBigUint64(at, true)) : NaN);
  // The end record is the last 22 bytes plus a comment of up to 65,535 bytes.
  let eocd = -1;
  for (let at = bytes.length - 22; at >= Math.max(0, bytes.length - 22 - 0xffff); at--) {
    if (u32(at) === EOCD) {
      eocd = at;
      break;
    }
  }
  if (eocd < 0) throw fail('no end of central directory record (the file is truncated or not a zip)');
  if (u16(eocd + 4) !== 0 || u16(eocd + 6) !== 0) throw fail('multi-disk archives are not supported');
  let count = u16(eocd + 10);
  let dirOffset = u32(eocd + 16);
  if (count === 0xffff || dirOffset === U32_MAX) {
    const locator = eocd - 20;
    if (u32(locator) !== ZIP64_EOCD_LOCATOR) throw fail('a ZIP64 archive without its locator');
    const record = u64(locator + 8);
    if (u32(record) !== ZIP64_EOCD) throw fail(`no ZIP64 end record at offset ${record}`);
    count = u64(record + 32);
    dirOffset = u64(record + 48);
  }
  const entries: ZipEntry[] = [];
  let at = dirOffset;
  for (let i = 0; i < count; i++) {
    if (u32(at) !== CENTRAL) throw fail(`central directory entry ${i} at offset ${at} is corrupt`);
    const flags = u16(at + 8);
    const nameLength = u16(at + 28);
    const extraLength = u16(at + 30);
    const commentLength = u16(at + 32);
    if (at + 46 + nameLength + extraLength > bytes.length) throw fail(`central directory entry ${i} is truncated`);
    const name = new TextDecoder().decode(bytes.subarray(at + 46, at + 46 + nameLength));
    if (flags & 1) throw fail(`entry ${name} is encrypted`);
    const entry: ZipEntry = {
      name,
      method: u16(at + 10),
      crc: u32(at + 16),
      compressedSize: u32(at + 20),
      size: u32(at + 24),
      localOffset: u32(at + 42),
    };
    readZip64Extra(view, at + 46 + nameLength, extraLength, entry);
    entries.push(entry);
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** Replaces the 0xFFFFFFFF placeholders of `entry` by the 64-bit values of its ZIP64 extra field (id 1). */
function readZip64Extra(view: DataView, start: number, length: number, entry: ZipEntry): void {
  for (let at = start; at + 4 <= start + length;) {
    const id = view.getUint16(at, true);
    const size = view.getUint16(at + 2, true);
    if (id === 1) {
      let p = at + 4;
      const next = (): number => {
        const v = p + 8 <= at + 4 + size ? Number(view.getBigUint64(p, true)) : NaN;
        p += 8;
        return v;
      };
      if (entry.size === U32_MAX) entry.size = next();
      if (entry.compressedSize === U32_MAX) entry.compressedSize = next();
      if (entry.localOffset === U32_MAX) entry.localOffset = next();
      return;
    }
    at += 4 + size;
  }
}

/** The uncompressed bytes of `entry`, checked against its size and CRC-32. */
export function readZipEntry(bytes: Uint8Array, entry: ZipEntry, file: string): Uint8Array {
  const fail = (what: string) => new DataError(`${file}: entry ${entry.name}: ${what}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const at = entry.localOffset;
  if (!(at + 30 <= bytes.length) || view.getUint32(at, true) !== LOCAL) throw fail('corrupt local header');
  const start = at + 30 + view.getUint16(at + 26, true) + view.getUint16(at + 28, true);
  const end = start + entry.compressedSize;
  if (!(end <= bytes.length)) throw fail(`truncated: its data ends at byte ${end}, the file has ${bytes.length}`);
  const raw = bytes.subarray(start, end);
  let data: Uint8Array;
  if (entry.method === 0) data = raw;
  else if (entry.method === 8) {
    try {
      data = zlib.inflateRawSync(raw);
    } catch (err) {
      throw fail(`corrupt deflate stream (${(err as Error).message})`);
    }
  } else throw fail(`compression method ${entry.method} is not supported (stored and deflate are)`);
  if (data.length !== entry.size)
    throw fail(`${data.length} bytes after decompression, the directory says ${entry.size}`);
  // zlib.crc32 arrived in Node 20.15; on older Nodes the size check above is all there is.
  if (typeof zlib.crc32 === 'function' && zlib.crc32(data) >>> 0 !== entry.crc >>> 0)
    throw fail('CRC-32 mismatch (the file is corrupt)');
  return data;
}
