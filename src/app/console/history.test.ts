import { describe, expect, it } from 'vitest';
import { addHistory, HISTORY_MAX, loadHistory } from './history.ts';

function memory(): Storage {
  const m = new Map<string, string>();
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v) } as Storage;
}

const entry = (sql: string) => ({ sql, at: '2025-09-01T00:00:00Z', rows: 1, ms: 2, error: null });

describe('console history', () => {
  it('keeps newest first without duplicates', () => {
    const s = memory();
    addHistory(s, entry('SELECT 1'));
    addHistory(s, entry('SELECT 2'));
    addHistory(s, entry(' SELECT 1 '));
    expect(loadHistory(s).map((e) => e.sql)).toEqual([' SELECT 1 ', 'SELECT 2']);
  });
  it('is bounded and survives garbage in storage', () => {
    const s = memory();
    for (let i = 0; i < HISTORY_MAX + 10; i++) addHistory(s, entry(`SELECT ${i}`));
    expect(loadHistory(s)).toHaveLength(HISTORY_MAX);
    s.setItem('quantiv.console.history', '{not json');
    expect(loadHistory(s)).toEqual([]);
  });
});
