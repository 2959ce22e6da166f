// Stream lag as Redis sees it, so the number is the same whether ingest or the monitor reports it
// (and is still reported while ingest is down): entries never delivered to the group plus entries
// delivered but not yet acknowledged. Ingest acknowledges only after publishing, so the sum is
// "entries not yet published".
import { Gauge, type Registry } from 'prom-client';
import type { Redis } from '../realtime/stream.ts';

export interface StreamLag {
  /** Entries not yet delivered to the group. */
  undelivered: number;
  /** Delivered, not yet acknowledged (buffered or in a flush). */
  pending: number;
}

function field(flat: unknown[], name: string): unknown {
  for (let i = 0; i + 1 < flat.length; i += 2) if (String(flat[i]) === name) return flat[i + 1];
  return undefined;
}

export async function streamLag(redis: Redis, stream: string, group: string): Promise<StreamLag> {
  const length = Number(await redis.sendCommand(['XLEN', stream]));
  let groups: unknown;
  try {
    groups = await redis.sendCommand(['XINFO', 'GROUPS', stream]);
  } catch (e) {
    // No such stream yet: nothing is waiting.
    if (/no such key/i.test(String((e as Error).message))) return { undelivered: 0, pending: 0 };
    throw e;
  }
  const info = (Array.isArray(groups) ? groups : []).find((g) => Array.isArray(g) && String(field(g, 'name')) === group) as unknown[] | undefined;
  // The group does not exist until ingest first runs: every entry is waiting.
  if (!info) return { undelivered: length, pending: 0 };
  const pending = Number(field(info, 'pending') ?? 0);
  const lag = field(info, 'lag');
  if (lag !== null && lag !== undefined) return { undelivered: Number(lag), pending };
  // Redis cannot say (entries deleted mid-range): count what follows the last delivered ID.
  const last = String(field(info, 'last-delivered-id') ?? '0-0');
  const rest = (await redis.sendCommand(['XRANGE', stream, `(${last}`, '+'])) as unknown[];
  return { undelivered: rest.length, pending };
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms).unref())]);
}

/**
 * The lag for a scrape, or null while Redis is away: node-redis queues commands until it
 * reconnects, and a scrape that waited for that would time out and read as "ingest down".
 */
export async function lagForScrape(redis: Redis, stream: string, group: string): Promise<number | null> {
  if (!redis.isReady) return null;
  const lag = await withTimeout(streamLag(redis, stream, group), 2000).catch(() => null);
  return lag ? lag.undelivered + lag.pending : null;
}

/** 1 when Redis answers PING within 2 s. */
export async function redisUp(redis: Redis): Promise<boolean> {
  if (!redis.isReady) return false;
  return (await withTimeout(redis.ping(), 2000).catch(() => null)) === 'PONG';
}

/**
 * quantiv_stream_lag_entries and quantiv_redis_up, read from Redis at scrape time: the same series
 * whether ingest or the monitor serves them.
 */
export function redisGauges(registers: Registry[], redis: Redis, stream: string, group: string): void {
  new Gauge({
    name: 'quantiv_stream_lag_entries',
    help: 'Stream entries not yet published: never delivered to the group plus delivered but unacknowledged.',
    labelNames: ['stream', 'group'],
    registers,
    async collect() {
      // Unknown while Redis is down: no sample rather than a made-up 0 (quantiv_redis_up says why).
      this.reset();
      const lag = await lagForScrape(redis, stream, group);
      if (lag !== null) this.set({ stream, group }, lag);
    },
  });
  new Gauge({
    name: 'quantiv_redis_up',
    help: '1 when Redis answers PING, else 0.',
    registers,
    async collect() {
      this.set((await redisUp(redis)) ? 1 : 0);
    },
  });
}
