import { describe, expect, it } from 'vitest';
import { isIsoDate, parseUrlState, pinnedManifestUrl, serializeUrlState } from './url-state.ts';

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
