// Console query history in localStorage: newest first, de-duplicated, bounded.

export const HISTORY_KEY = 'quantiv.console.history';
export const HISTORY_MAX = 50;

export interface HistoryEntry {
  sql: string;
  at: string;
  rows: number | null;
  ms: number | null;
  error: string | null;
}

type Store = Pick<Storage, 'getItem' | 'setItem'>;

export function loadHistory(store: Store): HistoryEntry[] {
  try {
    const raw = JSON.parse(store.getItem(HISTORY_KEY) ?? '[]') as unknown;
    return Array.isArray(raw) ? raw.filter((e): e is HistoryEntry => typeof e?.sql === 'string').slice(0, HISTORY_MAX) : [];
  } catch {
    return [];
  }
}

export function addHistory(store: Store, entry: HistoryEntry): HistoryEntry[] {
  const next = [entry, ...loadHistory(store).filter((e) => e.sql.trim() !== entry.sql.trim())].slice(0, HISTORY_MAX);
  try {
    store.setItem(HISTORY_KEY, JSON.stringify(next));
  } catch {
    // Storage full or disabled: history is a convenience, the query result is not affected.
  }
  return next;
}
