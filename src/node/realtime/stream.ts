// The Redis side of ingest: the consumer group, reading pending then new entries, acknowledging,
// and the dead-letter stream. Raw XREADGROUP replies are parsed here so a pending entry whose
// message was trimmed away (nil) is seen as such.
import { createClient } from 'redis';
import { connectionProblem, DEFAULT_GIVE_UP_MS, Outage, refusedError, serviceLabel } from '../reconnect.ts';

// RESP2 explicitly (node-redis 6 defaults to RESP3): the raw stream replies parsed below are arrays.
const makeClient = (url: string) => createClient({ url, RESP: 2 });
export type Redis = ReturnType<typeof makeClient>;

export const DEFAULT_STREAM = 'quotes';
export const DEFAULT_GROUP = 'quantiv-ingest';
export const deadLetterStream = (stream: string): string => `${stream}:dead`;

export interface StreamEntry {
  id: string;
  /** null when the entry is pending but its message is gone from the stream (trimmed or deleted). */
  fields: Record<string, string> | null;
}

export interface RedisConnectOptions {
  /** Keep reconnecting this long per outage (the first connect included); Infinity: forever. */
  giveUpMs?: number;
  /** Where the outage lines go (default stderr). */
  warn?: (line: string) => void;
  /** Return at once and connect in the background (the monitor: it must serve metrics while Redis is down). */
  background?: boolean;
}

const outages = new WeakMap<Redis, Outage>();

/**
 * A client that reconnects by itself with backoff (reconnect.ts) and logs one line when Redis is
 * lost and one when it is back. Commands sent while it is away wait for the reconnect; those in
 * flight when the socket dropped fail, and the caller retries them (ingest, produce). After the
 * give-up time the client closes and every command fails: connect and whenReady then throw a
 * ToolError with EXIT.UNAVAILABLE. A server that refuses (bad password) is not retried (EXIT.REFUSED).
 */
export async function connectRedis(url: string, o: RedisConnectOptions = {}): Promise<Redis> {
  const label = serviceLabel('Redis', url);
  const outage = new Outage(label, o.warn ?? ((l) => process.stderr.write(`${l}\n`)), o.giveUpMs ?? DEFAULT_GIVE_UP_MS);
  let refused: unknown = null;
  const client = createClient({
    url,
    RESP: 2,
    socket: {
      reconnectStrategy: (retries: number, cause: Error) => {
        if (connectionProblem(cause) === 'refused') {
          refused = cause;
          return new Error('refused');
        }
        outage.lost(cause);
        return outage.nextDelay(retries) ?? new Error('gave up');
      },
    },
  });
  outages.set(client, outage);
  // Every failed attempt is an 'error' event; the outage has already said what matters.
  client.on('error', () => {});
  client.on('ready', () => outage.recovered());
  if (o.background) {
    client.connect().catch(() => {});
    return client;
  }
  try {
    await client.connect();
  } catch (e) {
    if (refused !== null) throw refusedError(label, refused);
    if (outage.active) throw outage.gaveUp();
    throw e;
  }
  return client;
}

/**
 * Resolves once the client is connected again after a failed command; rejects with the give-up
 * ToolError when the client stopped reconnecting.
 */
export async function whenReady(redis: Redis): Promise<void> {
  const outage = outages.get(redis);
  if (redis.isReady) return;
  if (!redis.isOpen) throw outage?.gaveUp() ?? new Error('redis client closed');
  await new Promise<void>((resolve, reject) => {
    const ready = () => {
      redis.off('terminated', terminated);
      resolve();
    };
    const terminated = () => {
      redis.off('ready', ready);
      reject(outage?.gaveUp() ?? new Error('redis client closed'));
    };
    redis.once('ready', ready);
    redis.once('terminated', terminated);
  });
}

/** Creates the group (from the stream's start, so entries added before the first run count). */
export async function ensureGroup(redis: Redis, stream: string, group: string, startId = '0'): Promise<void> {
  try {
    await redis.sendCommand(['XGROUP', 'CREATE', stream, group, startId, 'MKSTREAM']);
  } catch (e) {
    if (!String((e as Error).message).includes('BUSYGROUP')) throw e;
  }
}

/**
 * XREADGROUP: id '0' re-reads this consumer's pending entries (delivered, never acknowledged),
 * '>' reads entries never delivered to the group.
 */
export async function readGroup(
  redis: Redis,
  o: { stream: string; group: string; consumer: string; id: '0' | '>' | string; count: number; blockMs?: number },
): Promise<StreamEntry[]> {
  const args = ['XREADGROUP', 'GROUP', o.group, o.consumer, 'COUNT', String(o.count)];
  if (o.blockMs !== undefined && o.id === '>') args.push('BLOCK', String(Math.max(1, Math.round(o.blockMs))));
  args.push('STREAMS', o.stream, o.id);
  const reply = (await redis.sendCommand(args)) as unknown;
  if (!Array.isArray(reply)) return [];
  const out: StreamEntry[] = [];
  for (const s of reply as unknown[]) {
    const entries = Array.isArray(s) ? (s[1] as unknown) : null;
    if (!Array.isArray(entries)) continue;
    for (const e of entries as unknown[]) {
      if (!Array.isArray(e)) continue;
      const id = String(e[0]);
      const flat = e[1];
      if (!Array.isArray(flat)) {
        out.push({ id, fields: null });
        continue;
      }
      const fields: Record<string, string> = {};
      for (let i = 0; i + 1 < flat.length; i += 2) fields[String(flat[i])] = String(flat[i + 1]);
      out.push({ id, fields });
    }
  }
  return out;
}

/** Every pending entry of this consumer, in ID order. */
export async function readAllPending(redis: Redis, o: { stream: string; group: string; consumer: string }): Promise<StreamEntry[]> {
  const out: StreamEntry[] = [];
  let after = '0';
  for (;;) {
    const batch = await readGroup(redis, { ...o, id: after, count: 1000 });
    if (batch.length === 0) return out;
    out.push(...batch);
    after = batch[batch.length - 1]!.id;
  }
}

export async function ack(redis: Redis, stream: string, group: string, ids: string[]): Promise<void> {
  for (let i = 0; i < ids.length; i += 1000) {
    await redis.sendCommand(['XACK', stream, group, ...ids.slice(i, i + 1000)]);
  }
}

/** Copies a bad entry to `<stream>:dead` with the reason; the caller acknowledges it afterwards. */
export async function deadLetter(redis: Redis, stream: string, entry: StreamEntry, reason: string): Promise<void> {
  const fields: string[] = ['reason', reason, 'id', entry.id, 'stream', stream];
  for (const [k, v] of Object.entries(entry.fields ?? {})) {
    // Original fields keep their names unless they clash with ours.
    fields.push(['reason', 'id', 'stream'].includes(k) ? `original_${k}` : k, v);
  }
  await redis.sendCommand(['XADD', deadLetterStream(stream), '*', ...fields]);
}

/** Compares stream IDs ('<ms>-<seq>') numerically. */
export function compareIds(a: string, b: string): number {
  const [am = '0', as = '0'] = a.split('-');
  const [bm = '0', bs = '0'] = b.split('-');
  const d = BigInt(am) - BigInt(bm) || BigInt(as) - BigInt(bs);
  return d < 0n ? -1 : d > 0n ? 1 : 0;
}

/**
 * XAUTOCLAIM: moves to `consumer` every entry of the group pending longer than minIdleMs with any
 * other consumer (one that died before acknowledging), so readAllPending then sees it. Returns the
 * claimed IDs; entries whose message is gone are acknowledged away by the caller like any other.
 */
export async function claimIdle(redis: Redis, o: { stream: string; group: string; consumer: string; minIdleMs: number }): Promise<string[]> {
  const claimed: string[] = [];
  let start = '0-0';
  for (;;) {
    const reply = (await redis.sendCommand(['XAUTOCLAIM', o.stream, o.group, o.consumer, String(o.minIdleMs), start, 'COUNT', '1000', 'JUSTID'])) as unknown;
    if (!Array.isArray(reply)) return claimed;
    const ids = Array.isArray(reply[1]) ? (reply[1] as unknown[]).map(String) : [];
    claimed.push(...ids);
    start = String(reply[0]);
    if (start === '0-0') return claimed;
  }
}
