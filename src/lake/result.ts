// Query results as the UI receives them: flat columns, no Arrow on the main thread.

export type ColumnKind = 'number' | 'string' | 'date' | 'timestamp' | 'boolean';

export interface ResultColumn {
  name: string;
  kind: ColumnKind;
  /** The engine's type, for the schema browser and the table header. */
  sqlType: string;
  values: Float64Array | (string | null)[] | (boolean | null)[];
}

export interface Columns {
  columns: ResultColumn[];
  rows: number;
}

/** Plain row objects, for tests and small results. */
export function columnsToRows(result: Columns): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = [];
  for (let r = 0; r < result.rows; r++) {
    const row: Record<string, unknown> = {};
    for (const c of result.columns) {
      const v = c.values[r];
      row[c.name] = typeof v === 'number' && Number.isNaN(v) ? null : v;
    }
    rows.push(row);
  }
  return rows;
}

/**
 * An order-sensitive fingerprint of a whole result, equal across engines that give the same answer:
 * numbers at 12 significant digits (engines sum doubles in different orders), NULL as one token.
 * FNV-1a over the canonical text, so the browser and node compute it the same way, synchronously.
 */
export function resultDigest(result: Columns): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  const feed = (text: string) => {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193) >>> 0;
      h2 = Math.imul(h2 ^ c, 0x5bd1e995) >>> 0;
    }
  };
  feed(result.columns.map((c) => c.name).join('\u0001'));
  for (let r = 0; r < result.rows; r++) {
    for (const c of result.columns) {
      const v = c.values[r];
      feed(v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v)) ? '\u0000' : typeof v === 'number' ? v.toPrecision(12) : String(v));
      feed('\u0001');
    }
    feed('\u0002');
  }
  return `${result.rows}:${h1.toString(16).padStart(8, '0')}${h2.toString(16).padStart(8, '0')}`;
}
