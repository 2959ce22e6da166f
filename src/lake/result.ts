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
