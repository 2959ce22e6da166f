// Appending to a stream exactly once across a lost connection. An XADD whose reply was lost may or
// may not have been applied, and resending it blindly would write a second copy. So each message
// gets its ID from the writer (explicit `<ms>-<seq>`, increasing), and after a reconnect the
// writer asks Redis which of the unanswered IDs exist (XRANGE id id) and resends only the others.
// An explicit ID at or below the stream's top (another writer got ahead) is refused by Redis and
// re-issued above the new top; either way each message lands once.
import { backoffMs, connectionProblem, sleep } from '../reconnect.ts';
import { compareIds, whenReady, type Redis } from './stream.ts';

export type Fields = Record<string, string>;

/** Hands out increasing stream IDs from the clock, never at or below the last one seen. */
export class IdClock {
  #ms = 0;
  #seq = 0;

  constructor(private readonly now: () => number = Date.now) {}

  next(): string {
    const t = this.now();
    if (t > this.#ms) {
      this.#ms = t;
      this.#seq = 0;
    } else this.#seq += 1;
    return `${this.#ms}-${this.#seq}`;
  }

  /** Moves past `top` (the stream's last generated ID) if it is ahead of the clock. */
  after(top: string): void {
    if (compareIds(top, `${this.#ms}-${this.#seq}`) >= 0) {
      const [ms = '0', seq = '0'] = top.split('-');
      this.#ms = Number(ms);
      this.#seq = Number(seq);
    }
  }
}

const idTooSmall = (e: unknown): boolean => e instanceof Error && /equal or smaller than the target stream top item/.test(e.message);

function field(flat: unknown[], name: string): unknown {
  for (let i = 0; i + 1 < flat.length; i += 2) if (String(flat[i]) === name) return flat[i + 1];
  return undefined;
}

export async function lastGeneratedId(redis: Redis, stream: string): Promise<string> {
  try {
    const info = (await redis.sendCommand(['XINFO', 'STREAM', stream])) as unknown[];
    return String(field(info, 'last-generated-id') ?? '0-0');
  } catch (e) {
    if (/no such key/i.test(String((e as Error).message))) return '0-0';
    throw e;
  }
}

/**
 * XADDs `messages` (pipelined) with writer-chosen IDs; returns each message's ID, in order. A lost
 * connection is waited for (the client reconnects, stream.ts) and only the messages not yet in the
 * stream are sent again. Past the client's give-up time its error is thrown.
 */
export async function appendOnce(redis: Redis, stream: string, messages: Fields[], clock: IdClock): Promise<string[]> {
  const ids: (string | null)[] = messages.map(() => null);
  const assigned = messages.map(() => clock.next());
  let todo = messages.map((_, i) => i);
  let unsure: number[] = [];
  const reissue = async () => {
    clock.after(await lastGeneratedId(redis, stream));
    for (const i of todo) assigned[i] = clock.next();
  };
  for (let attempt = 0; todo.length > 0; ) {
    try {
      if (unsure.length > 0) {
        await whenReady(redis);
        const found = await Promise.all(unsure.map((i) => redis.sendCommand(['XRANGE', stream, assigned[i]!, assigned[i]!])));
        unsure.forEach((i, k) => {
          if (Array.isArray(found[k]) && (found[k] as unknown[]).length > 0) ids[i] = assigned[i]!;
        });
        unsure = [];
        todo = todo.filter((i) => ids[i] === null);
        if (todo.length === 0) break;
        await reissue();
      }
      const settled = await Promise.allSettled(todo.map((i) => redis.sendCommand(['XADD', stream, assigned[i]!, ...Object.entries(messages[i]!).flat()])));
      const again: number[] = [];
      let lost: unknown = null;
      let stale = false;
      settled.forEach((r, k) => {
        const i = todo[k]!;
        if (r.status === 'fulfilled') ids[i] = String(r.value);
        else if (idTooSmall(r.reason)) {
          stale = true;
          again.push(i);
        } else if (connectionProblem(r.reason) === 'lost') {
          lost = r.reason;
          again.push(i);
          unsure.push(i);
        } else throw r.reason;
      });
      todo = again;
      if (lost !== null) throw lost;
      if (stale) await reissue();
      attempt = 0;
    } catch (e) {
      if (connectionProblem(e) !== 'lost') throw e;
      await sleep(backoffMs(attempt++));
    }
  }
  return ids as string[];
}
