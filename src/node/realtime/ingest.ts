// The ingest loop: Redis stream (consumer group) -> buffer -> Parquet file + manifest -> XACK.
// At-least-once delivery plus dedupe on the natural key gives exactly-once rows in the lake:
//   1. on start, leftovers of interrupted writes are removed and this consumer's PENDING entries
//      (delivered before a crash, never acknowledged) are read again and flushed first;
//   2. every flush interval (and on shutdown) the buffer becomes new files, then a new manifest,
//      and only then are its entries acknowledged;
//   3. a crash anywhere before the ack means re-delivery, and publishBatch drops keys already in
//      the lake, so a re-delivered entry is acknowledged without a second copy.
// Bad messages go to `<stream>:dead` with the reason and are acknowledged at once: those that do not
// fit the schema (quote.ts) and those that break an ingest rule (rules.ts: date range and trading
// day, expiration horizon, known symbol). On start, entries left pending by another consumer for
// longer than claimIdleMs (a consumer that died) are claimed with XAUTOCLAIM, with a warning.
// Losing Redis is survived (the client reconnects with backoff, stream.ts): the loop waits for it,
// acknowledges what it had published, re-reads this consumer's pending entries (those whose reply
// was lost in the drop) and goes on; entries it already holds are not taken twice. Past the
// give-up time it publishes what it holds (acknowledged, deduplicated, on the next run) and exits
// with EXIT.UNAVAILABLE.
import type { DuckDBConnection } from '@duckdb/node-api';
import { ingestMetrics, type IngestObserver } from '../metrics/ingest.ts';
import { newRegistry, serveMetrics } from '../metrics/server.ts';
import { crashPoint } from './crash.ts';
import { openWriterDb } from './lake-io.ts';
import { cleanupLake, publishBatch, type BufferedQuote, type PublishResult } from './publish.ts';
import { validateQuote } from './quote.ts';
import { readLakeManifest } from '../lake-io.ts';
import { ruleViolation, rulesFor, type IngestRules, type RuleOptions } from './rules.ts';
import { backoffMs, connectionProblem, sleep } from '../reconnect.ts';
import { ack, claimIdle, connectRedis, deadLetter, ensureGroup, readAllPending, readGroup, whenReady, type Redis, type StreamEntry } from './stream.ts';

export interface IngestOptions {
  redisUrl: string;
  root: string;
  stream: string;
  group: string;
  consumer: string;
  flushMs: number;
  /** Flush early once this many entries are buffered. */
  maxBatch: number;
  /** Exit once the stream has nothing new (after the final flush): for tests and back-fills. */
  untilIdle: boolean;
  /** Ingest rules (rules.ts); the defaults when absent. */
  rules?: RuleOptions;
  /** Claim other consumers' entries pending longer than this (default 60 s). */
  claimIdleMs?: number;
  log: (line: string) => void;
  /** Outage lines (Redis lost / reconnected); they matter even with --quiet. Default: log. */
  warn?: (line: string) => void;
  /** Reconnect to Redis for this long per outage before exiting (default reconnect.ts DEFAULT_GIVE_UP_MS). */
  giveUpMs?: number;
  /** Serve Prometheus metrics on this port (0: a free one) while running; off when absent. */
  metricsPort?: number | undefined;
  metricsHost?: string | undefined;
  /** Told what the loop does; runIngest sets it when metrics are on. */
  observer?: IngestObserver | undefined;
}

export const DEFAULT_CLAIM_IDLE_MS = 60_000;

export interface IngestStats {
  read: number;
  dead: number;
  flushes: number;
  rowsWritten: number;
  alreadyPublished: number;
  supersededInBatch: number;
  filesWritten: number;
  /** Pending entries found at start (left by a crash). */
  recovered: number;
  /** Of those, entries claimed from other (dead) consumers. */
  claimed: number;
  /** Times the loop lost Redis and resumed. */
  resumed: number;
}

// After a non-persistent Redis restart the group is gone: recreate it and go on.
const noGroup = (e: unknown): boolean => e instanceof Error && /^NOGROUP\b/.test(e.message);

export class Ingestor {
  readonly stats: IngestStats = { read: 0, dead: 0, flushes: 0, rowsWritten: 0, alreadyPublished: 0, supersededInBatch: 0, filesWritten: 0, recovered: 0, claimed: 0, resumed: 0 };
  #buffer: BufferedQuote[] = [];
  /** IDs in #buffer, or published and not yet acknowledged: a re-read after a reconnect skips them. */
  #held = new Set<string>();
  #unacked: string[] = [];
  #wake: (() => void) | null = null;
  #stopping = false;
  #stopped: Promise<void> | null = null;
  #rules: IngestRules | null = null;

  constructor(
    private readonly opts: IngestOptions,
    private readonly redis: Redis,
    private readonly conn: DuckDBConnection,
  ) {}

  /** Asks the loop to finish: it flushes what it holds, acknowledges, and returns. */
  stop(): void {
    this.#stopping = true;
    this.#wake?.();
  }

  async #take(delivered: StreamEntry[]): Promise<void> {
    const { stream, group } = this.opts;
    // A re-read after a reconnect delivers again what is already buffered or published.
    const entries = delivered.filter((e) => !this.#held.has(e.id));
    this.stats.read += entries.length;
    this.opts.observer?.read(entries.length);
    const bad: string[] = [];
    for (const e of entries) {
      if (e.fields === null) {
        // Pending, but the message was trimmed from the stream: nothing left to ingest.
        bad.push(e.id);
        continue;
      }
      const v = validateQuote(e.fields);
      const reason = v.ok ? (this.#rules ? ruleViolation(v.row, this.#rules) : null) : v.reason;
      if (v.ok && reason === null) {
        this.#buffer.push({ id: e.id, row: v.row });
        this.#held.add(e.id);
      } else {
        await deadLetter(this.redis, stream, e, reason!);
        crashPoint('after-dead-letter');
        this.stats.dead += 1;
        this.opts.observer?.deadLetter(reason!);
        bad.push(e.id);
        this.opts.log(`dead-letter ${e.id}: ${reason}`);
      }
    }
    if (bad.length) await ack(this.redis, stream, group, bad);
    if (entries.length) crashPoint('after-read');
  }

  async flush(): Promise<PublishResult | null> {
    if (this.#buffer.length === 0) return null;
    const batch = this.#buffer;
    const result = await publishBatch(this.conn, this.opts.root, batch);
    const ids = batch.map((q) => q.id);
    // Published: from here a lost Redis only delays the ack (#ackPublished after the reconnect).
    this.#buffer = [];
    this.#unacked.push(...ids);
    if (process.env.QUANTIV_CRASH_AT === 'mid-ack') {
      await ack(this.redis, this.opts.stream, this.opts.group, ids.slice(0, Math.floor(ids.length / 2)));
      crashPoint('mid-ack');
    }
    this.opts.observer?.published({ rows: result.rowsWritten, files: result.files.length, seconds: result.ms / 1000, at: new Date() });
    const s = this.stats;
    s.flushes += 1;
    s.rowsWritten += result.rowsWritten;
    s.alreadyPublished += result.alreadyPublished;
    s.supersededInBatch += result.supersededInBatch;
    s.filesWritten += result.files.length;
    this.opts.log(
      `flush ${batch.length} entries -> ${result.rowsWritten} rows in ${result.files.length} file(s)` +
        (result.alreadyPublished ? `, ${result.alreadyPublished} already published` : '') +
        (result.supersededInBatch ? `, ${result.supersededInBatch} superseded in batch` : '') +
        ` in ${result.ms.toFixed(0)} ms` +
        (result.manifest ? `; dataset ${result.manifest.datasetVersion}` : ''),
    );
    // Redis away: the ack waits for the reconnect (#resume, or the next flush) instead of blocking.
    if (this.redis.isReady) await this.#ackPublished();
    return result;
  }

  async #ackPublished(): Promise<void> {
    if (this.#unacked.length === 0) return;
    await ack(this.redis, this.opts.stream, this.opts.group, this.#unacked);
    for (const id of this.#unacked) this.#held.delete(id);
    this.#unacked = [];
  }

  /**
   * After a lost connection: waits for the client to reconnect (or for stop()), acknowledges what
   * was published meanwhile and re-reads this consumer's pending entries. Throws the give-up error
   * after publishing the buffer, so nothing read is lost even if Redis never comes back.
   */
  async #resume(err: unknown, attempt: number): Promise<void> {
    const { stream, group, consumer } = this.opts;
    if (noGroup(err)) this.opts.log(`warning: consumer group ${group} is gone from ${stream} (Redis restarted without its data?): recreating it`);
    await sleep(backoffMs(attempt));
    if (this.#stopping) return;
    try {
      await Promise.race([whenReady(this.redis), new Promise<void>((r) => (this.#wake = r))]);
    } catch (gaveUp) {
      if (this.#buffer.length) {
        const r = await publishBatch(this.conn, this.opts.root, this.#buffer);
        this.opts.log(`published ${this.#buffer.length} entries read before Redis was lost (${r.rowsWritten} rows); they are acknowledged on the next run`);
        this.#buffer = [];
      }
      throw gaveUp;
    } finally {
      this.#wake = null;
    }
    if (this.#stopping) return;
    await ensureGroup(this.redis, stream, group);
    await this.#ackPublished();
    await this.#take(await readAllPending(this.redis, { stream, group, consumer }));
    this.stats.resumed += 1;
  }

  async #recover(): Promise<void> {
    const { stream, group, consumer } = this.opts;
    await ensureGroup(this.redis, stream, group);
    const minIdleMs = this.opts.claimIdleMs ?? DEFAULT_CLAIM_IDLE_MS;
    const own = new Set((await readAllPending(this.redis, { stream, group, consumer })).map((e) => e.id));
    const claimed = (await claimIdle(this.redis, { stream, group, consumer, minIdleMs })).filter((id) => !own.has(id));
    if (claimed.length) {
      this.stats.claimed += claimed.length;
      this.opts.log(`warning: claimed ${claimed.length} entr${claimed.length === 1 ? 'y' : 'ies'} pending over ${Math.round(minIdleMs / 1000)} s with other consumers (dead?)`);
    }
    const pending = await readAllPending(this.redis, { stream, group, consumer });
    if (pending.length) {
      this.stats.recovered = pending.length;
      this.opts.log(`recovering ${pending.length} pending entr${pending.length === 1 ? 'y' : 'ies'}`);
      await this.#take(pending);
      await this.flush();
    }
  }

  async run(): Promise<IngestStats> {
    const { stream, group, consumer, root, flushMs, maxBatch } = this.opts;
    let lastError: unknown = null;
    const removed = await cleanupLake(root);
    if (removed.length) this.opts.log(`removed ${removed.length} leftover temp file(s)`);
    this.#rules = await rulesFor(this.conn, root, await readLakeManifest(root).catch(() => null), this.opts.rules ?? {});
    // 1. Whatever this consumer, or a consumer that died, was given and never acknowledged; a
    //    Redis lost meanwhile is waited for and the step redone (it only re-reads and skips what it holds).
    for (let attempt = 0; ; attempt++) {
      try {
        await this.#recover();
        break;
      } catch (e) {
        if (connectionProblem(e) !== 'lost' && !noGroup(e)) throw e;
        await sleep(backoffMs(attempt));
        await whenReady(this.redis);
      }
    }
    // 2. New entries, flushed on a fixed cadence; a lost Redis is waited for and resumed from.
    let nextFlush = Date.now() + flushMs;
    let failures = 0;
    for (;;) {
      try {
        if (failures > 0) await this.#resume(lastError, failures - 1);
        if (this.#stopping) break;
        const wait = Math.max(1, Math.min(500, nextFlush - Date.now()));
        const entries = await readGroup(this.redis, { stream, group, consumer, id: '>', count: Math.min(maxBatch, 5000), blockMs: this.opts.untilIdle ? 50 : wait });
        await this.#take(entries);
        failures = 0;
        const now = Date.now();
        if (now >= nextFlush || this.#buffer.length >= maxBatch) {
          await this.flush();
          nextFlush = Date.now() + flushMs;
        }
        if (this.opts.untilIdle && entries.length === 0) break;
      } catch (e) {
        if (connectionProblem(e) !== 'lost' && !noGroup(e)) throw e;
        lastError = e;
        failures += 1;
      }
    }
    // The final flush publishes whatever happens; only its ack may have to wait for Redis.
    await this.flush().catch((e: unknown) => {
      if (connectionProblem(e) !== 'lost') throw e;
    });
    if (this.#unacked.length) this.opts.log(`stopping with ${this.#unacked.length} published entries unacknowledged (Redis away): the next run acknowledges them`);
    return this.stats;
  }
}

/** Runs ingest until SIGINT/SIGTERM (or idle with untilIdle); always flushes before returning. */
export async function runIngest(opts: IngestOptions): Promise<IngestStats> {
  const redis = await connectRedis(opts.redisUrl, { warn: opts.warn ?? opts.log, ...(opts.giveUpMs !== undefined ? { giveUpMs: opts.giveUpMs } : {}) });
  const metrics = opts.metricsPort === undefined ? null : await serveMetrics(newRegistry(), opts.metricsPort, opts.metricsHost);
  if (metrics) {
    opts = { ...opts, observer: await ingestMetrics({ registry: metrics.registry, redis, stream: opts.stream, group: opts.group, root: opts.root }) };
    opts.log(`metrics at ${metrics.url}`);
  }
  const db = await openWriterDb();
  const ingestor = new Ingestor(opts, redis, db.conn);
  const onSignal = (sig: string) => {
    opts.log(`${sig}: flushing and stopping`);
    ingestor.stop();
  };
  const onInt = () => onSignal('SIGINT');
  const onTerm = () => onSignal('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  try {
    return await ingestor.run();
  } finally {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
    db.close();
    await metrics?.close();
    await redis.close().catch(() => {});
  }
}
