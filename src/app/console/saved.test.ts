import { describe, expect, it } from 'vitest';
import { deleteSaved, loadSaved, saveQuery, SAVED_KEY } from './saved.ts';

function memory(): Pick<Storage, 'getItem' | 'setItem'> & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v) };
}

describe('saved queries', () => {
  it('save, replace by name, delete, survive a reload', () => {
    const s = memory();
    saveQuery(s, 'spy iv', 'SELECT 1', 't1');
    saveQuery(s, 'qqq', 'SELECT 2', 't2');
    expect(saveQuery(s, ' spy iv ', 'SELECT 3', 't3').map((q) => [q.name, q.sql])).toEqual([['spy iv', 'SELECT 3'], ['qqq', 'SELECT 2']]);
    expect(loadSaved(s)).toHaveLength(2);
    expect(deleteSaved(s, 'qqq').map((q) => q.name)).toEqual(['spy iv']);
  });
  it('refuses a nameless or empty query, and ignores a damaged store', () => {
    const s = memory();
    expect(() => saveQuery(s, '  ', 'SELECT 1')).toThrow(/name/);
    expect(() => saveQuery(s, 'x', ' ')).toThrow(/SQL/);
    s.data.set(SAVED_KEY, '{not json');
    expect(loadSaved(s)).toEqual([]);
  });
});
