// Arrow results to compact, plot-ready columns. Runs inside the worker so the main thread only
// receives flat arrays: numbers as Float64Array (NaN for NULL, transferable), dates as ISO strings.
import { DataType, Type, type Table, type Vector } from 'apache-arrow';
import type { Columns, ResultColumn } from './result.ts';

const DAY_MS = 86_400_000;

export function isoDay(days: number): string {
  return new Date(days * DAY_MS).toISOString().slice(0, 10);
}

export function isoTimestamp(ms: number): string {
  return new Date(ms).toISOString();
}

export function tableToColumns(table: Table): Columns {
  const columns = table.schema.fields.map((field, i): ResultColumn => {
    const vector = table.getChildAt(i);
    const type = field.type as DataType;
    if (vector === null) return { name: field.name, kind: 'string', sqlType: String(type), values: [] };
    return { name: field.name, sqlType: String(type), ...convert(vector, type) };
  });
  return { columns, rows: table.numRows };
}

function convert(vector: Vector, type: DataType): Pick<ResultColumn, 'kind' | 'values'> {
  switch (type.typeId) {
    case Type.Int:
    case Type.Float:
      return { kind: 'number', values: numbers(vector, (v) => Number(v)) };
    case Type.Decimal:
      return { kind: 'number', values: decimals(vector, (type as unknown as { scale: number }).scale) };
    case Type.Date:
      return { kind: 'date', values: strings(vector, (v) => isoDay(Math.floor(toMs(v) / DAY_MS))) };
    case Type.Timestamp:
      return { kind: 'timestamp', values: strings(vector, (v) => isoTimestamp(toMs(v))) };
    case Type.Bool:
      return { kind: 'boolean', values: each(vector, (v) => Boolean(v)) };
    case Type.Utf8:
      return { kind: 'string', values: strings(vector, (v) => String(v)) };
    default:
      return { kind: 'string', values: strings(vector, stringify) };
  }
}

function toMs(v: unknown): number {
  if (v instanceof Date) return v.getTime();
  return Number(v);
}

function stringify(v: unknown): string {
  if (typeof v === 'bigint') return v.toString();
  if (v !== null && typeof v === 'object') {
    const maybe = v as { toJSON?: () => unknown };
    return JSON.stringify(maybe.toJSON ? maybe.toJSON() : v, (_k, x: unknown) =>
      typeof x === 'bigint' ? x.toString() : x,
    );
  }
  return String(v);
}

function numbers(vector: Vector, map: (v: unknown) => number): Float64Array {
  const out = new Float64Array(vector.length);
  let i = 0;
  for (const v of vector) out[i++] = v === null || v === undefined ? NaN : map(v);
  return out;
}

function each<T>(vector: Vector, map: (v: unknown) => T): (T | null)[] {
  const out: (T | null)[] = new Array(vector.length);
  let i = 0;
  for (const v of vector) out[i++] = v === null || v === undefined ? null : map(v);
  return out;
}

const strings = (vector: Vector, map: (v: unknown) => string): (string | null)[] => each(vector, map);

const TWO32 = 4294967296;

/**
 * DECIMAL values arrive as 128-bit little-endian integers (four 32-bit words). Values that fit in
 * 53 bits take a fast path; others go through BigInt.
 */
function decimals(vector: Vector, scale: number): Float64Array {
  const out = new Float64Array(vector.length);
  const div = 10 ** scale;
  const bigDiv = 10n ** BigInt(scale);
  let offset = 0;
  for (const data of vector.data) {
    const words = data.values as Uint32Array;
    for (let i = 0; i < data.length; i++) {
      if (!data.getValid(i)) {
        out[offset + i] = NaN;
        continue;
      }
      const w = (data.offset + i) * 4;
      const w0 = words[w]!;
      const w1 = words[w + 1]!;
      const w2 = words[w + 2]!;
      const w3 = words[w + 3]!;
      if (w2 === 0 && w3 === 0 && w1 < 0x200000) out[offset + i] = (w1 * TWO32 + w0) / div;
      else if (w2 === 0xffffffff && w3 === 0xffffffff && w1 >= 0xffe00000) out[offset + i] = ((w1 | 0) * TWO32 + w0) / div;
      else {
        // Past 2^53: split whole and fractional parts so the division adds no further error.
        const big = (BigInt(w3 | 0) << 96n) | (BigInt(w2) << 64n) | (BigInt(w1) << 32n) | BigInt(w0);
        out[offset + i] = Number(big / bigDiv) + Number(big % bigDiv) / div;
      }
    }
    offset += data.length;
  }
  return out;
}
