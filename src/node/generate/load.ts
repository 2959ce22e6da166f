// Builds the small per-symbol per-day state in JS (seeded paths and surfaces) and loads it into
// DuckDB with appenders; the SQL in tables.ts expands it into the lake tables. Earnings reports
// (earnings.ts) go in as `events` (what the options price) and `earnings_cal` (the lake's calendar).
import type { DuckDBConnection } from '@duckdb/node-api';
import { expirationsOn, MONTHLY_HORIZON_DAYS, tradingDays } from './calendar.ts';
import { earningsEvents, eventVarianceAhead } from './earnings.ts';
import { pathDays, simulateMarket, simulateSymbol, volatilityHistory } from './paths.ts';
import { surfaceOf } from './surface.ts';
import { listedStrikes, symbolSpec } from './universe.ts';

export interface StateRange {
  seed: number;
  symbols: string[];
  /** --strikes: strikes per side of a deep chain; shallower listings get their share of it. */
  strikes: number;
  from: number;
  to: number;
}

export async function loadState(conn: DuckDBConnection, p: StateRange): Promise<{ days: number[] }> {
  const all = pathDays(p.from, p.to);
  const market = simulateMarket(p.seed, all);
  const lo = all.findIndex((d) => d >= p.from);
  const hi = all.findLastIndex((d) => d <= p.to);
  const days = lo < 0 || hi < lo ? [] : all.slice(lo, hi + 1);

  await conn.run(`CREATE OR REPLACE TABLE sym (sym_id INTEGER, symbol VARCHAR, vrp DOUBLE, oi_base DOUBLE, spread_mult DOUBLE,
    strikes INTEGER, weekly_days INTEGER)`);
  await conn.run(`CREATE OR REPLACE TABLE state_raw (sym_id INTEGER, day INTEGER, spot DOUBLE, vol DOUBLE,
    iv_short DOUBLE, iv_long DOUBLE, skew DOUBLE, curv DOUBLE, hv20 DOUBLE)`);
  await conn.run(`CREATE OR REPLACE TABLE vol_raw (symbol VARCHAR, day INTEGER, iv DOUBLE, hv DOUBLE, iv_rank DOUBLE, iv_percentile DOUBLE)`);
  const symA = await conn.createAppender('sym');
  const stA = await conn.createAppender('state_raw');
  const volA = await conn.createAppender('vol_raw');
  // Reports the options price (jump days up to the longest expiry after --to) and the calendar the
  // lake lists (reports in the range, and each company's next one after it).
  await conn.run(`CREATE OR REPLACE TABLE events_raw (sym_id INTEGER, jump_day INTEGER, ev_var DOUBLE)`);
  await conn.run(`CREATE OR REPLACE TABLE earnings_raw (symbol VARCHAR, day INTEGER, session VARCHAR, fiscal_quarter VARCHAR)`);
  const evA = await conn.createAppender('events_raw');
  const calA = await conn.createAppender('earnings_raw');
  p.symbols.forEach((symbol, id) => {
    const spec = symbolSpec(symbol, p.seed);
    const events = earningsEvents(p.seed, spec, all[0]!, p.to + MONTHLY_HORIZON_DAYS + 7);
    const path = simulateSymbol(p.seed, spec, market, events);
    const surfaces = Array.from(path.vol, (v) => surfaceOf(spec, v));
    const hist = volatilityHistory(path, surfaces, eventVarianceAhead(all, events, 30));
    for (const e of events) {
      evA.appendInteger(id);
      evA.appendInteger(e.jumpDay);
      evA.appendDouble(e.impliedVar);
      evA.endRow();
    }
    const next = events.find((e) => e.day > p.to);
    for (const e of events) {
      if (e.day < p.from || (e.day > p.to && e !== next)) continue;
      calA.appendVarchar(symbol);
      calA.appendInteger(e.day);
      calA.appendVarchar(e.session);
      calA.appendVarchar(e.fiscalQuarter);
      calA.endRow();
    }
    symA.appendInteger(id);
    symA.appendVarchar(symbol);
    symA.appendDouble(spec.vrp);
    symA.appendDouble(spec.oiBase);
    symA.appendDouble(spec.spreadMult);
    symA.appendInteger(listedStrikes(spec, p.strikes));
    symA.appendInteger(spec.weeklyDays);
    symA.endRow();
    for (let i = lo; i >= 0 && i <= hi; i++) {
      const s = surfaces[i]!, h = hist[i]!;
      stA.appendInteger(id);
      stA.appendInteger(all[i]!);
      for (const v of [path.spot[i]!, path.vol[i]!, s.short, s.long, s.skew, s.curv]) stA.appendDouble(v);
      if (Number.isNaN(h.hv20)) stA.appendNull();
      else stA.appendDouble(h.hv20);
      stA.endRow();
      volA.appendVarchar(symbol);
      volA.appendInteger(all[i]!);
      for (const v of [h.iv30, h.hv20, h.ivRank, h.ivPercentile]) {
        if (Number.isNaN(v)) volA.appendNull();
        else volA.appendDouble(v);
      }
      volA.endRow();
    }
  });
  for (const a of [symA, stA, volA, evA, calA]) a.closeSync();

  await conn.run(`CREATE OR REPLACE TABLE expiry_raw (day INTEGER, exp INTEGER, monthly BOOLEAN)`);
  await conn.run(`CREATE OR REPLACE TABLE horizon_raw (day INTEGER, horizon VARCHAR, end_day INTEGER)`);
  const exA = await conn.createAppender('expiry_raw');
  const hzA = await conn.createAppender('horizon_raw');
  // Horizon ends may fall after --to: the calendar is rule-based, so the future is known.
  const ahead = [...days, ...tradingDays(p.to + 1, p.to + 15)];
  days.forEach((day, i) => {
    for (const e of expirationsOn(day)) {
      exA.appendInteger(day);
      exA.appendInteger(e.day);
      exA.appendBoolean(e.monthly);
      exA.endRow();
    }
    for (const [h, n] of [['1d', 1], ['5d', 5]] as const) {
      hzA.appendInteger(day);
      hzA.appendVarchar(h);
      hzA.appendInteger(ahead[i + n]!);
      hzA.endRow();
    }
  });
  exA.closeSync();
  hzA.closeSync();

  const date = (c: string): string => `(DATE '1970-01-01' + ${c})::DATE`;
  await conn.run(`CREATE OR REPLACE TABLE state AS SELECT sym_id, ${date('day')} AS date, spot, vol, iv_short, iv_long, skew, curv, hv20 FROM state_raw`);
  await conn.run(`CREATE OR REPLACE TABLE vol_hist AS SELECT ${date('day')} AS date, symbol, iv, hv, iv_rank, iv_percentile FROM vol_raw`);
  await conn.run(`CREATE OR REPLACE TABLE expiry AS SELECT ${date('day')} AS date, ${date('exp')} AS expiration, exp - day AS dte, monthly FROM expiry_raw`);
  await conn.run(`CREATE OR REPLACE TABLE horizon_days AS SELECT ${date('day')} AS date, horizon, ${date('end_day')} AS end_date FROM horizon_raw`);
  await conn.run(`CREATE OR REPLACE TABLE events AS SELECT sym_id, ${date('jump_day')} AS jump_date, ev_var FROM events_raw`);
  await conn.run(`CREATE OR REPLACE TABLE earnings_cal AS SELECT symbol, ${date('day')} AS earnings_date, session, fiscal_quarter FROM earnings_raw`);
  for (const t of ['state_raw', 'vol_raw', 'expiry_raw', 'horizon_raw', 'events_raw', 'earnings_raw']) await conn.run(`DROP TABLE ${t}`);
  return { days };
}
