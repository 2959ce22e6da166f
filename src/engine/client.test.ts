// The client's ordering guarantees, against a scripted engine on the other end of a real
// MessageChannel (the same comlink transport the worker uses); the browser E2E tests cover the
// real worker.
import * as Comlink from 'comlink';
import { afterEach, describe, expect, it } from 'vitest';
import { CANCELLED, noTraffic, type EngineApi, type QueryResult } from './api.ts';
import { EngineClient, Superseded, isSilent } from './client.ts';

interface Call {
  sql: string;
  id: number;
  resolve: () => void;
}

/** An engine whose queries finish only when the test says so; cancel() rejects them. */
function scripted() {
  const calls: Call[] = [];
  const cancelled = new Set<number>();
  const api: Partial<EngineApi> = {
    run(sql, id) {
      return new Promise<QueryResult>((resolve, reject) => {
        calls.push({
          sql,
          id,
          resolve: () =>
            cancelled.has(id)
              ? reject(new Error(CANCELLED))
              : resolve({ columns: [{ name: 'sql', kind: 'string', sqlType: 'Utf8', values: [sql] }], rows: 1, stats: { ms: 1, ...noTraffic(), requests: 1, bytes: 10, statuses: { 206: 1 }, reads: 1 } }),
        });
      });
    },
    async cancel(id) {
      cancelled.add(id);
      return true;
    },
  };
  const channel = new MessageChannel();
  Comlink.expose(api, channel.port1 as unknown as Comlink.Endpoint);
  const client = new EngineClient(() => channel.port2 as unknown as Worker);
  return { client, calls, cancelled, close: () => (channel.port1.close(), channel.port2.close()) };
}

const until = async (ok: () => boolean) => {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(ok()).toBe(true);
};

/**
 * Engines spawned on demand, each on its own MessageChannel: queries in `held` answer only when the
 * test resolves them, and cancel() is acknowledged while the operator keeps running.
 */
function stubbornEngines(held: string[]) {
  const engines: { calls: Call[]; inits: number; refreshes: number; closed: boolean }[] = [];
  const spawn = () => {
    const state = { calls: [] as Call[], inits: 0, refreshes: 0, closed: false };
    engines.push(state);
    const api: Partial<EngineApi> = {
      async init() {
        state.inits += 1;
        return { manifestUrl: 'm', manifest: { datasetVersion: 'v1' } as never, duckdbVersion: 'x', bundle: 'eh', ms: 1 };
      },
      async refresh() {
        state.refreshes += 1;
        return { changed: false, manifest: { datasetVersion: 'v1' } as never };
      },
      run(sql, id) {
        return new Promise<QueryResult>((resolve) => {
          const answer = () => resolve({ columns: [{ name: 'sql', kind: 'string', sqlType: 'Utf8', values: [sql] }], rows: 1, stats: { ms: 1, ...noTraffic() } });
          state.calls.push({ sql, id, resolve: answer });
          if (!held.includes(sql)) answer();
        });
      },
      async cancel() {
        return true;
      },
    };
    const channel = new MessageChannel();
    Comlink.expose(api, channel.port1 as unknown as Comlink.Endpoint);
    const port = channel.port2 as unknown as Worker & { terminate(): void };
    port.terminate = () => ((state.closed = true), channel.port1.close(), channel.port2.close());
    return port;
  };
  return { engines, spawn };
}

let close: () => void = () => {};
afterEach(() => close());

/** A worker whose init and cancel succeed and whose run() is the given one. */
function engineWith(run: EngineApi['run']): Worker {
  const api: Partial<EngineApi> = {
    async init() {
      return { manifestUrl: 'm', manifest: { datasetVersion: 'v1' } as never, duckdbVersion: 'x', bundle: 'eh', ms: 1 };
    },
    run,
    async cancel() {
      return true;
    },
  };
  const channel = new MessageChannel();
  Comlink.expose(api, channel.port1 as unknown as Comlink.Endpoint);
  return channel.port2 as unknown as Worker;
}

describe('EngineClient', () => {
  it('drops an older result that arrives after a newer query in the same slot', async () => {
    const e = scripted();
    close = e.close;
    const first = e.client.query('SELECT 1', { slot: 'chart' });
    await until(() => e.calls.length === 1);
    const second = e.client.query('SELECT 2', { slot: 'chart' });
    await until(() => e.calls.length === 2);
    e.calls[1]!.resolve(); // the newer one finishes first
    expect((await second).columns[0]!.values).toEqual(['SELECT 2']);
    await until(() => e.cancelled.has(e.calls[0]!.id));
    e.calls[0]!.resolve();
    const late = await first.catch((x: unknown) => x);
    expect(isSilent(late)).toBe(true);
  });

  it('a finished older query still loses to a newer one issued meanwhile', async () => {
    const e = scripted();
    close = e.close;
    const first = e.client.query('SELECT a', { slot: 's' });
    await until(() => e.calls.length === 1);
    const second = e.client.query('SELECT b', { slot: 's' });
    e.calls[0]!.resolve();
    await expect(first).rejects.toSatisfy((x: unknown) => isSilent(x));
    await until(() => e.calls.length === 2);
    e.calls[1]!.resolve();
    await expect(second).resolves.toMatchObject({ rows: 1 });
  });

  it('shares one run between identical queries and caches the answer', async () => {
    const e = scripted();
    close = e.close;
    const a = e.client.query('SELECT x');
    const b = e.client.query('SELECT x');
    await until(() => e.calls.length === 1);
    e.calls[0]!.resolve();
    expect((await a).rows).toBe(1);
    expect((await b).rows).toBe(1);
    const again = await e.client.query('SELECT x');
    expect(e.calls).toHaveLength(1);
    // A cached answer cost no request, and says so.
    expect(again.stats).toMatchObject({ requests: 0, bytes: 0 });
  });

  it('re-runs for a caller whose shared run was cancelled by another slot', async () => {
    const e = scripted();
    close = e.close;
    const mine = e.client.query('SELECT shared', { slot: 'one' });
    await until(() => e.calls.length === 1);
    const theirs = e.client.query('SELECT shared', { slot: 'two' });
    e.client.query('SELECT other', { slot: 'one' }).catch(() => {}); // supersedes and cancels the shared run
    await until(() => e.cancelled.has(e.calls[0]!.id));
    e.calls[0]!.resolve();
    await expect(mine).rejects.toSatisfy((x: unknown) => isSilent(x));
    await until(() => e.calls.filter((c) => c.sql === 'SELECT shared').length === 2);
    e.calls.filter((c) => c.sql === 'SELECT shared')[1]!.resolve();
    expect((await theirs).columns[0]!.values).toEqual(['SELECT shared']);
  });

  it('Superseded is silent, real errors are not', () => {
    expect(isSilent(new Superseded('x'))).toBe(true);
    expect(isSilent(new Error(CANCELLED))).toBe(true);
    expect(isSilent(new Error('Parser Error'))).toBe(false);
  });

  it('replaces a worker that cannot stop a cancelled query, re-runs the others, and answers the next', async () => {
    // Each spawn is a fresh engine; the first one's 'SELECT stuck' never stops, even when cancelled.
    const { engines, spawn } = stubbornEngines(['SELECT stuck', 'SELECT waits']);
    const client = new EngineClient(spawn, { querySeconds: 60, memoryMiB: 512 });
    await client.init('http://x/manifest.json', undefined, { extension: { repository: 'http://x/ext/', signed: false } });
    const stuck = client.query('SELECT stuck', { slot: 'console' });
    const other = client.query('SELECT waits', { slot: 'chart' });
    await until(() => engines[0]!.calls.length === 2);
    const cancelledAt = performance.now();
    await client.cancel('console');
    await expect(stuck).rejects.toSatisfy((x: unknown) => isSilent(x));
    // The other slot's query was sent again to the new worker and answered there.
    expect(engines.length).toBe(2);
    await until(() => engines[1]!.calls.some((c) => c.sql === 'SELECT waits'));
    engines[1]!.calls.find((c) => c.sql === 'SELECT waits')!.resolve();
    expect((await other).columns[0]!.values).toEqual(['SELECT waits']);
    expect((await client.query('SELECT 42')).columns[0]!.values).toEqual(['SELECT 42']);
    expect(performance.now() - cancelledAt).toBeLessThan(1000);
    expect(client.restarts).toBe(1);
    expect(engines).toHaveLength(2);
    expect(engines[0]!.closed).toBe(true);
    expect(engines[1]!.inits).toBe(1);
  });

  it('with a standby, a stuck worker is swapped for the engine already open, and a new standby starts', async () => {
    const { engines, spawn } = stubbornEngines(['SELECT stuck']);
    const client = new EngineClient(spawn, { querySeconds: 60, memoryMiB: 512 });
    client.prepareStandby();
    await client.init('http://x/manifest.json', undefined, { extension: { repository: 'http://x/ext/', signed: false } });
    // Only after the first engine opened: a standby never competes with the cold start.
    await until(() => engines.length === 2 && engines[1]!.inits === 1);
    expect(client.hasStandby).toBe(true);
    const stuck = client.query('SELECT stuck', { slot: 'console', console: false });
    await until(() => engines[0]!.calls.length === 1);
    await client.cancel('console');
    await expect(stuck).rejects.toSatisfy((x: unknown) => isSilent(x));
    expect((await client.query('SELECT 42')).columns[0]!.values).toEqual(['SELECT 42']);
    // The standby answered, opened once (its init) and refreshed once (the swap); a new one waits.
    expect(engines[0]!.closed).toBe(true);
    expect(engines[1]!.calls.map((c) => c.sql)).toEqual(['SELECT 42']);
    expect([engines[1]!.inits, engines[1]!.refreshes]).toEqual([1, 1]);
    await until(() => engines.length === 3 && engines[2]!.inits === 1);
    expect(client.hasStandby).toBe(true);
    expect(client.restarts).toBe(1);
  });

  it('stops a query past its time budget with a message, and the next one answers', async () => {
    const engines: number[] = [];
    const client = new EngineClient(() => {
      engines.push(1);
      return engineWith((sql) => sql === 'SELECT forever'
        ? new Promise<QueryResult>(() => {})
        : Promise.resolve({ columns: [], rows: 0, stats: { ms: 1, ...noTraffic() } }));
    }, { querySeconds: 0.1, memoryMiB: 512 });
    await client.init('http://x/manifest.json', undefined, { extension: { repository: 'http://x/ext/', signed: false } });
    await expect(client.query('SELECT forever')).rejects.toThrow(/0\.1 s time budget/);
    await expect(client.query('SELECT 1')).resolves.toMatchObject({ rows: 0 });
    expect(engines).toHaveLength(2);
  });

  it('the time budget counts from the query\'s start: waiting for its turn is not charged', async () => {
    const ok = { columns: [], rows: 0, stats: { ms: 1, ...noTraffic() } };
    const client = new EngineClient(() => engineWith(async (sql, _id, onProgress) => {
      // 300 ms queued behind others (or creating views), then 150 ms of its own work.
      await new Promise((r) => setTimeout(r, 300));
      void onProgress?.({ phase: 'started', bytes: 0 });
      await new Promise((r) => setTimeout(r, sql === 'SELECT slow' ? 1500 : 150));
      return ok;
    }), { querySeconds: 0.4, memoryMiB: 512 });
    await client.init('http://x/manifest.json', undefined, { extension: { repository: 'http://x/ext/', signed: false } });
    // 450 ms after it was sent, but 150 ms after it started: within a 0.4 s budget.
    await expect(client.query('SELECT quick')).resolves.toMatchObject({ rows: 0 });
    // 1.5 s of its own work: stopped at 0.4 s after its start.
    await expect(client.query('SELECT slow')).rejects.toThrow(/0\.4 s time budget/);
  });
});
