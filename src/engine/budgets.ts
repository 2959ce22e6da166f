// Per-query budgets: a runaway query is stopped with a message instead of holding the engine.
// Memory is DuckDB's own memory_limit, set in the worker before the configuration is locked; time
// is enforced by the client (a timer, then a worker restart when DuckDB cannot be interrupted).

export const DEFAULT_QUERY_SECONDS = 120;
export const DEFAULT_MEMORY_MIB = 2048;
/** After Cancel, how long a query may take to stop before its worker is replaced. */
export const CANCEL_GRACE_MS = 250;

/** localStorage keys: a reader's own choice, over the deployment's <meta> default. */
export const QUERY_SECONDS_KEY = 'quantiv.querySeconds';
export const MEMORY_MIB_KEY = 'quantiv.memoryMiB';

export interface Budgets {
  querySeconds: number;
  memoryMiB: number;
}

type Lookup = (name: string) => string | null | undefined;

/** First positive number among a reader's setting, the deployment's meta, then the default. */
export function budgetsFrom(stored: Lookup, meta: Lookup): Budgets {
  const pick = (key: string, metaName: string, fallback: number) => {
    for (const raw of [stored(key), meta(metaName)]) {
      const n = Number(raw ?? '');
      if (raw && Number.isFinite(n) && n > 0) return n;
    }
    return fallback;
  };
  return {
    querySeconds: pick(QUERY_SECONDS_KEY, 'quantiv-query-seconds', DEFAULT_QUERY_SECONDS),
    memoryMiB: Math.round(pick(MEMORY_MIB_KEY, 'quantiv-memory-mib', DEFAULT_MEMORY_MIB)),
  };
}

export class BudgetError extends Error {
  override name = 'BudgetError';
}

export function timeBudgetMessage(seconds: number): string {
  return `Query stopped: it ran longer than its ${seconds} s time budget. Narrow it (a date range, a symbol, a LIMIT), or raise the budget (setting quantiv.querySeconds, or <meta name="quantiv-query-seconds"> for the deployment).`;
}

/** DuckDB's own limit, so its buffer manager fails a query rather than the tab running out of memory. */
export function memoryLimitSql(mib: number): string {
  return `SET memory_limit = '${Math.max(64, Math.round(mib))}MiB'`;
}
