// Producer for tests and demos: replays the generator's quotes for the next trading day after the
// lake's last date into the stream, so prices, greeks and the calendar agree with the lake. It can
// also inject bad messages to exercise the dead-letter path.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { quoteString, TABLES } from '../../lake/schema.ts';
import { dayOf, isoOf, tradingDays } from '../generate/calendar.ts';
import { DEFAULT_STRIKES } from '../generate/args.ts';
import { openGeneratorDb } from '../generate/index.ts';
import { loadState } from '../generate/load.ts';
import { optionsSql } from '../generate/tables.ts';
import { readLakeManifest } from '../lake-io.ts';
import { appendOnce, IdClock, lastGeneratedId } from './append.ts';
import type { Redis } from './stream.ts';

export interface QuoteSource {
  root: string;
  /** Generator seed; must be the lake's for the replay to continue its paths (generate's default 42). */
  seed?: number;
  /** Default: the symbols in the lake's symbols_metadata. */
  symbols?: string[];
  /** Quote date; default the next trading day after the lake's last options date. */
  date?: string;
  strikes?: number;
  /** At most this many quotes, spread over the symbols; default all. */
  count?: number;
}

export type Message = Record<string, string>;

export function nextTradingDay(iso: string): string {
  const day = dayOf(iso);
  return isoOf(tradingDays(day + 1, day + 10)[0]!);
}

/** The generator's option rows for one day, as stream messages (values are exact decimal text). */
export async function generateQuotes(src: QuoteSource): Promise<{ date: string; messages: Message[] }> {
  const manifest = await readLakeManifest(src.root);
  const last = manifest.files.reduce<string | null>((m, f) => (f.table === 'options' && f.maxDate && (!m || f.maxDate > m) ? f.maxDate : m), null);
  const date = src.date ?? nextTradingDay(last ?? isoOf(Math.floor(Date.now() / 86_400_000)));
  const spill = await mkdtemp(join(tmpdir(), 'quantiv-produce-'));
  const { conn, close } = await openGeneratorDb(spill);
  try {
    let symbols = src.symbols;
    if (!symbols) {
      const meta = manifest.files.find((f) => f.table === 'symbols_metadata');
      symbols = meta
        ? (await conn.runAndReadAll(`SELECT symbol FROM read_parquet(${quoteString(join(src.root, meta.path))}) ORDER BY symbol`)).getRows().map((r) => String(r[0]))
        : ['SPY'];
    }
    const strikes = src.strikes ?? DEFAULT_STRIKES;
    await loadState(conn, { seed: src.seed ?? 42, symbols, strikes, from: dayOf(date), to: dayOf(date) });
    const sql = optionsSql({ from: date, to: date, seed: src.seed ?? 42, strikes });
    // Through the lake types first: the generator's doubles (e.g. ask = bid + 0.01) become the exact
    // decimals the lake stores.
    const cols = TABLES.options.columns.map((c) => `CAST(CAST("${c.name}" AS ${c.type}) AS VARCHAR) AS "${c.name}"`).join(', ');
    // Round-robin over symbols so a --count prefix still covers every symbol.
    const limit = src.count !== undefined ? `LIMIT ${Math.max(0, Math.floor(src.count))}` : '';
    const reader = await conn.runAndReadAll(`SELECT ${cols} FROM (${sql})
      ORDER BY row_number() OVER (PARTITION BY act_symbol ORDER BY expiration, strike, call_put), act_symbol ${limit}`);
    const names = reader.columnNames();
    const messages = reader.getRows().map((r) => {
      const m: Message = {};
      names.forEach((n, i) => {
        if (r[i] !== null && r[i] !== undefined) m[n] = String(r[i]);
      });
      return m;
    });
    return { date, messages };
  } finally {
    close();
    await rm(spill, { recursive: true, force: true });
  }
}

/** K broken variants of real messages: each kind of mistake the validator must catch. */
export function badMessages(good: Message[], k: number): Message[] {
  const base: Message = good[0] ?? { date: '2025-09-02', act_symbol: 'SPY', expiration: '2025-09-19', strike: '500.00', call_put: 'C' };
  const breakers: ((m: Message) => Message)[] = [
    ({ strike: _s, ...m }) => m, // missing required field
    (m) => ({ ...m, call_put: 'X' }),
    (m) => ({ ...m, bid: 'abc' }),
    (m) => ({ ...m, date: '2025-02-30' }),
    (m) => ({ ...m, strike: '12345678901.5' }), // beyond DECIMAL(10,2)
    (m) => ({ ...m, vol: '0.123456' }), // more decimals than DECIMAL(6,4)
    (m) => ({ ...m, volume: '-5' }),
    (m) => ({ ...m, act_symbol: 'not a ticker' }),
  ];
  return Array.from({ length: k }, (_, i) => breakers[i % breakers.length]!({ ...(good[i % Math.max(1, good.length)] ?? base) }));
}

/** Mixes bad messages evenly into the good ones. */
export function interleave(good: Message[], bad: Message[]): Message[] {
  if (bad.length === 0) return good;
  const out: Message[] = [];
  const every = Math.max(1, Math.floor(good.length / (bad.length + 1)));
  let b = 0;
  good.forEach((m, i) => {
    if (i > 0 && i % every === 0 && b < bad.length) out.push(bad[b++]!);
    out.push(m);
  });
  while (b < bad.length) out.push(bad[b++]!);
  return out;
}

/**
 * XADDs messages, each exactly once even across a lost connection (append.ts); rate = messages per
 * second (0 = as fast as pipelining allows). Returns the IDs.
 */
export async function xaddMessages(redis: Redis, stream: string, messages: Message[], rate = 0): Promise<string[]> {
  const ids: string[] = [];
  const clock = new IdClock();
  clock.after(await lastGeneratedId(redis, stream));
  const started = Date.now();
  const chunk = rate > 0 ? Math.max(1, Math.min(500, Math.ceil(rate / 20))) : 500;
  for (let i = 0; i < messages.length; i += chunk) {
    if (rate > 0) {
      const due = started + (i / rate) * 1000;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    const part = messages.slice(i, i + chunk);
    ids.push(...(await appendOnce(redis, stream, part, clock)));
  }
  return ids;
}
