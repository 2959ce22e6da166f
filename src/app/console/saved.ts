// Saved console queries in localStorage: named, newest first; saving a name again replaces it.

export const SAVED_KEY = 'quantiv.console.saved';
export const SAVED_MAX = 100;

export interface SavedQuery {
  name: string;
  sql: string;
  at: string;
}

type Store = Pick<Storage, 'getItem' | 'setItem'>;

export function loadSaved(store: Store): SavedQuery[] {
  try {
    const raw = JSON.parse(store.getItem(SAVED_KEY) ?? '[]') as unknown;
    return Array.isArray(raw)
      ? raw.filter((e): e is SavedQuery => typeof e?.name === 'string' && typeof e?.sql === 'string').slice(0, SAVED_MAX)
      : [];
  } catch {
    return [];
  }
}

function write(store: Store, list: SavedQuery[]): SavedQuery[] {
  try {
    store.setItem(SAVED_KEY, JSON.stringify(list));
  } catch {
    // Storage full or disabled: the list lasts for this page only.
  }
  return list;
}

export function saveQuery(store: Store, name: string, sql: string, at = new Date().toISOString()): SavedQuery[] {
  const clean = name.trim();
  if (!clean) throw new Error('Give the query a name');
  if (!sql.trim()) throw new Error('There is no SQL to save');
  return write(store, [{ name: clean, sql, at }, ...loadSaved(store).filter((q) => q.name !== clean)].slice(0, SAVED_MAX));
}

export function deleteSaved(store: Store, name: string): SavedQuery[] {
  return write(store, loadSaved(store).filter((q) => q.name !== name));
}
