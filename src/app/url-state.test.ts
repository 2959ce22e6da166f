import { describe, expect, it } from 'vitest';
import { isIsoDate, linkParams, linkParts, MAX_SEARCH, parseUrlState, pinnedManifestUrl, serializeUrlState } from './url-state.ts';

describe('url state', () => {
  it('round-trips every field', () => {
    const state = { data: 'data/manifest.json', symbol: 'SPY', from: '2025-07-01', to: '2025-07-31' };
    expect(parseUrlState(serializeUrlState(state))).toEqual({ state, problems: [] });
  });

  it('writes only what was chosen, readably', () => {
    expect(serializeUrlState({ symbol: 'QQQ' })).toBe('?symbol=QQQ');
    expect(serializeUrlState({})).toBe('');
  });

  it('drops malformed values with a message instead of throwing', () => {
    const { state, problems } = parseUrlState('?symbol=spy;drop&from=2025-02-30&to=yesterday&data=javascript:alert(1)');
    expect(state).toEqual({});
    expect(problems).toHaveLength(4);
    expect(problems.join(' ')).toMatch(/symbol/);
  });

  it('keeps the skew axis, and refuses an unknown one', () => {
    expect(parseUrlState('?skew=delta').state).toEqual({ skew: 'delta' });
    expect(serializeUrlState({ symbol: 'SPY', expiry: '2025-09-19', skew: 'delta' })).toBe('?symbol=SPY&expiry=2025-09-19&skew=delta');
    const { state, problems } = parseUrlState('?skew=moneyness');
    expect(state).toEqual({});
    expect(problems[0]).toMatch(/skew/);
  });

  it('keeps the console chart settings', () => {
    const state = { page: 'console', cx: 'date', cy: 'avg vol', ck: 'bar' };
    expect(parseUrlState(serializeUrlState(state))).toEqual({ state, problems: [] });
    expect(parseUrlState('?ck=pie').problems[0]).toMatch(/ck/);
  });

  it('drops an inverted range', () => {
    const { state, problems } = parseUrlState('?from=2025-08-01&to=2025-07-01&symbol=IWM');
    expect(state).toEqual({ symbol: 'IWM' });
    expect(problems[0]).toMatch(/after/);
  });

  it('rejects protocol-relative data URLs', () => {
    expect(parseUrlState('?data=//evil.example/manifest.json').state.data).toBeUndefined();
    expect(parseUrlState('?data=https://cdn.example/lake/manifest.json').state.data).toBe(
      'https://cdn.example/lake/manifest.json',
    );
  });

  it('keeps a pinned dataset version and a poll interval, rejecting malformed ones', () => {
    const state = { data: 'data/live/manifest.json', v: '0123456789abcdef', poll: '1', symbol: 'SPY' };
    expect(parseUrlState(serializeUrlState(state))).toEqual({ state, problems: [] });
    const bad = parseUrlState('?v=../../etc&poll=0');
    expect(bad.state).toEqual({});
    expect(bad.problems).toHaveLength(2);
    expect(pinnedManifestUrl('data/live/manifest.json', '0123456789abcdef', 'http://h/app/')).toEqual({
      manifest: 'http://h/app/data/live/manifests/0123456789abcdef.json',
      base: 'http://h/app/data/live/',
    });
  });

  it('validates calendar dates', () => {
    expect(isIsoDate('2024-02-29')).toBe(true);
    expect(isIsoDate('2025-02-29')).toBe(false);
    expect(isIsoDate('2025-1-01')).toBe(false);
  });
});

describe('url state: analytics pages', () => {
  it('round-trips page, snapshot, expiry, model, horizon, embed and SQL', () => {
    const state = {
      page: 'forecasts', symbol: 'NVDA', from: '2025-06-01', to: '2025-06-30', date: '2025-06-13',
      expiry: '2025-07-18', model: 'qrf-v2', horizon: 'to_exp', embed: '1', chart: 'forecast',
      sql: "SELECT * FROM options WHERE act_symbol = 'NVDA' -- & = ? #",
    };
    expect(parseUrlState(serializeUrlState(state))).toEqual({ state, problems: [] });
  });

  it('drops unknown pages, charts and horizons with a message each', () => {
    const { state, problems } = parseUrlState('?page=admin&chart=pie&horizon=2w&embed=yes&model=a%20b');
    expect(state).toEqual({});
    expect(problems).toHaveLength(5);
    expect(problems[0]).toMatch(/page="admin".*symbol, forecasts, screener, console/);
  });

  it('rejects impossible snapshot and expiry dates', () => {
    const { state, problems } = parseUrlState('?date=2025-06-31&expiry=2025-13-01&symbol=SPY');
    expect(state).toEqual({ symbol: 'SPY' });
    expect(problems.map((p) => p.split('=')[0])).toEqual(['Ignored date', 'Ignored expiry']);
  });
});

describe('links the server can open', () => {
  const longSql = `SELECT ${Array.from({ length: 2000 }, (_, i) => `c${i}`).join(', ')} FROM options`;

  it('keeps a short link entirely in the query string', () => {
    const params = new URLSearchParams({ page: 'console', sql: 'SELECT 1' });
    expect(linkParts(params)).toEqual({ search: '?page=console&sql=SELECT+1', hash: '' });
    expect(linkParts(new URLSearchParams())).toEqual({ search: '', hash: '' });
  });

  it('moves long SQL into the fragment, keeping the query under nginx\'s limit, and round-trips', () => {
    const params = new URLSearchParams({ page: 'console', symbol: 'SPY', sqlz: 'x'.repeat(10_450) });
    const { search, hash } = linkParts(params);
    expect(search).toBe('?page=console&symbol=SPY');
    expect(search.length).toBeLessThanOrEqual(MAX_SEARCH);
    expect(hash).toBe(`#sqlz=${'x'.repeat(10_450)}`);
    const back = linkParams(search, hash);
    expect(Object.fromEntries(back)).toEqual(Object.fromEntries(params));
  });

  it('round-trips plain SQL with URL-special characters through the fragment', () => {
    const sql = `${longSql} WHERE x = '#&=?%+' -- é`;
    const { search, hash } = linkParts(new URLSearchParams({ page: 'console', sql }));
    expect(search).toBe('?page=console');
    const parsed = parseUrlState(`?${linkParams(search, hash).toString()}`);
    expect(parsed.state).toEqual({ page: 'console', sql });
  });

  it('reads the query first when a key is in both, and ignores other fragment keys', () => {
    const p = linkParams('?sql=SELECT+1', '#sql=SELECT+2&data=https://evil.example/manifest.json');
    expect(p.get('sql')).toBe('SELECT 1');
    expect(p.get('data')).toBeNull();
    expect(linkParams('', '').toString()).toBe('');
  });
});
