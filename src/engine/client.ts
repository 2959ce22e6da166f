// The main thread's handle on the DuckDB worker: one lazily started worker, a small result cache,
// identical in-flight queries shared, and per-slot supersession so a newer query's result is never
// replaced by an older one.
import * as Comlink from 'comlink';
import { extensionRepositoryPath } from './extension.ts';
import { adoptMarks, markOnce } from './marks.ts';
import { BudgetError, budgetsFrom, CANCEL_GRACE_MS, timeBudgetMessage, type Budgets } from './budgets.ts';
import { CANCELLED, noTraffic, type EngineApi, type ExportFormat, type ExtensionSource, type InitInfo, type InitOptions, type Progress, type QueryResult, type RefreshInfo, type SqlVerdict } from './api.ts';

export class Superseded extends Error {
  override name = 'Superseded';
}

export function isSilent(e: unknown): boolean {
  return e instanceof Superseded || (e instanceof Error && e.message === CANCELLED);
}

export interface RunOptions {
  /** Queries in one slot supersede each other: the older is cancelled and its result dropped. */
  slot?: string;
  onProgress?: (p: Progress) => void;
  /** Console SQL: runs on the console's own connection (EngineApi.runConsole), never cached. */
  console?: boolean;
}

const CACHE_SIZE = 32;

/** A run the client tracks until it settles, so a replaced worker can pick it up again. */
interface Run {
  sql: string;
  id: number;
  onProgress: ((p: Progress) => void) | undefined;
  /** On the console's connection: never cached or shared. */
  console: boolean;
  resolve: (r: QueryResult) => void;
  reject: (e: unknown) => void;
  /** Why it must stop (cancel, time budget); null while it is wanted. */
  stop: Error | null;
  /** The worker generation it was sent to; answers from an older worker are ignored. */
  generation: number;
  timers: ReturnType<typeof setTimeout>[];
}

/** Errors after which the worker's engine may be left mid-query: replace it. */
const FATAL = /RemoteWriteError|Quantiv never writes|RuntimeError|Aborted\(|memory access out of bounds|unreachable/;

export class EngineClient {
  #api: Comlink.Remote<EngineApi> | null = null;
  #worker: Worker | null = null;
  #generation = 0;
  #runs = new Map<number, Run>();
  /** What init() was given, so a replacement worker opens the same dataset. */
  #opened: { url: string; options: InitOptions } | null = null;
  /** A replacement worker being started; calls wait for it. */
  #restarting: Promise<void> | null = null;
  /**
   * A second engine opened on the same dataset and left idle, so replacing a stuck worker is a
   * swap, not a new engine start (compiling 34 MB of wasm, the extension, the views: seconds).
   * Started on request (prepareStandby: the console, where runaway queries are typed) and again
   * after each swap; it costs a second engine's memory.
   */
  #standby: { worker: Worker; api: Comlink.Remote<EngineApi>; ready: Promise<InitInfo> } | null = null;
  #wantStandby = false;
  /** The first init's outcome: a standby starts after it, never competing with the cold start. */
  #initialized: Promise<unknown> | null = null;
  #budgets: Budgets;
  /** Workers replaced after a query could not be stopped (tests and the status line read it). */
  restarts = 0;
  #nextId = 1;
  #latest = new Map<string, number>();
  #inflight = new Map<string, Promise<QueryResult>>();
  #cache = new Map<string, QueryResult>();
  #info: InitInfo | null = null;

  constructor(private readonly spawn: () => Worker, budgets?: Budgets) {
    this.#budgets = budgets ?? budgetSettings();
  }

  get info(): InitInfo | null {
    return this.#info;
  }

  #remote(): Comlink.Remote<EngineApi> {
    if (!this.#api) {
      this.#worker = this.spawn();
      this.#api = Comlink.wrap<EngineApi>(this.#worker);
      markOnce('worker-spawned');
    }
    return this.#api;
  }

  /** The current worker once any replacement has opened the dataset. */
  async #ready(): Promise<Comlink.Remote<EngineApi>> {
    while (this.#restarting) await this.#restarting.catch(() => undefined);
    return this.#remote();
  }

  /**
   * Replaces a worker whose engine is stuck: DuckDB cannot interrupt some operators (a cross
   * join) and a poll may never return. The new worker opens the same dataset; stopped runs are
   * rejected with their reason and every other run is sent again, so the pages see only answers.
   */
  #restart(): Promise<void> {
    if (this.#restarting) return this.#restarting;
    this.restarts += 1;
    // Visible to tests and profiles without any UI: one mark per replaced worker.
    globalThis.performance?.mark?.('quantiv-engine-restart');
    this.#generation += 1;
    const old = this.#worker;
    this.#api?.[Comlink.releaseProxy]();
    (old as Partial<Worker> | null)?.terminate?.();
    this.#api = null;
    this.#worker = null;
    for (const run of this.#runs.values()) if (run.stop) this.#settle(run, run.stop);
    const opened = this.#opened;
    const standby = this.#standby;
    this.#standby = null;
    this.#restarting = (async () => {
      if (!opened) return;
      let info: InitInfo | null = null;
      if (standby) {
        this.#worker = standby.worker;
        this.#api = standby.api;
        info = await standby.ready.catch(() => null);
        // Opened a while ago: pick up a manifest published since (live mode); unchanged otherwise.
        if (info) info = { ...info, manifest: (await standby.api.refresh()).manifest };
        else {
          (standby.worker as Partial<Worker>).terminate?.();
          this.#api = null;
          this.#worker = null;
        }
      }
      info ??= await this.#remote().init(opened.url, undefined, opened.options);
      if (info.manifest.datasetVersion !== this.#info?.manifest.datasetVersion) this.#cache.clear();
      this.#info = { ...info, marks: this.#info?.marks ?? info.marks };
      if (this.#wantStandby) this.#startStandby();
    })();
    const done = this.#restarting.then(
      () => {
        this.#restarting = null;
        for (const run of this.#runs.values()) this.#send(run);
      },
      (e: unknown) => {
        this.#restarting = null;
        for (const run of this.#runs.values()) this.#settle(run, e);
      },
    );
    return done;
  }

  /** Keeps an idle second engine on the current dataset from now on (see #standby). */
  prepareStandby(): void {
    this.#wantStandby = true;
    void this.#initialized?.then(() => !this.#restarting && this.#startStandby(), () => undefined);
  }

  /** Whether an idle engine is waiting to replace the current one (tests read it). */
  get hasStandby(): boolean {
    return this.#standby !== null;
  }

  #startStandby(): void {
    if (this.#standby || !this.#opened) return;
    const worker = this.spawn();
    const api = Comlink.wrap<EngineApi>(worker);
    const ready = api.init(this.#opened.url, undefined, this.#opened.options);
    const standby = { worker, api, ready };
    ready.catch(() => {
      // A standby that cannot open is dropped; a replacement then starts a fresh engine.
      if (this.#standby === standby) this.#standby = null;
      (worker as Partial<Worker>).terminate?.();
    });
    this.#standby = standby;
  }

  #settle(run: Run, outcome: unknown, result?: QueryResult): void {
    if (!this.#runs.delete(run.id)) return;
    for (const t of run.timers) clearTimeout(t);
    if (result) run.resolve(result);
    else run.reject(outcome);
  }

  /** Sends a tracked run to the current worker and arms its time budget. */
  #send(run: Run): void {
    const generation = this.#generation;
    run.generation = generation;
    const arm = () => {
      for (const t of run.timers) clearTimeout(t);
      run.timers = [setTimeout(() => this.#stop(run, new BudgetError(timeBudgetMessage(this.#budgets.querySeconds))), this.#budgets.querySeconds * 1000)];
    };
    arm();
    const api = this.#remote();
    // The worker says when the query itself starts; the budget is re-armed from there.
    const progress = Comlink.proxy((p: Progress) => {
      if (p.phase === 'started') {
        if (run.generation === generation && !run.stop) arm();
      } else run.onProgress?.(p);
    });
    (run.console ? api.runConsole(run.sql, run.id, progress) : api.run(run.sql, run.id, progress))
      .then(
        (result) => {
          if (run.generation === generation) this.#settle(run, null, result);
        },
        (e: unknown) => {
          if (run.generation !== generation) return;
          const cancelled = e instanceof Error && e.message === CANCELLED;
          this.#settle(run, cancelled && run.stop ? run.stop : e);
          if (!cancelled && FATAL.test(String((e as Error)?.message ?? e))) void this.#restart();
        },
      );
  }

  /** Asks the worker to stop a run; if it has not stopped within the grace, the worker is replaced. */
  #stop(run: Run, why: Error): void {
    if (!this.#runs.has(run.id)) return;
    run.stop ??= why;
    const generation = this.#generation;
    void this.#remote().cancel(run.id).catch(() => undefined);
    run.timers.push(
      setTimeout(() => {
        if (this.#runs.has(run.id) && this.#generation === generation) void this.#restart();
      }, CANCEL_GRACE_MS),
    );
  }

  #cancelId(id: number): void {
    const run = this.#runs.get(id);
    if (run) this.#stop(run, new Error(CANCELLED));
  }

  async init(manifestUrl: string, onProgress?: (p: Progress) => void, options: InitOptions = {}): Promise<InitInfo> {
    // Resolve against the page, not against the worker script's folder.
    const page = globalThis.document?.baseURI ?? globalThis.location?.href;
    const absolute = new URL(manifestUrl, page).href;
    const base = options.base === undefined ? undefined : new URL(options.base, page).href;
    const extension = options.extension ?? extensionSource(page);
    const cacheBytes = options.cacheBytes ?? cacheSetting();
    const opened = { base, extension, cacheBytes, memoryMiB: options.memoryMiB ?? this.#budgets.memoryMiB };
    this.#opened = { url: absolute, options: opened };
    const started = this.#remote().init(absolute, onProgress ? Comlink.proxy(onProgress) : undefined, opened);
    this.#initialized = started;
    const info = await started;
    adoptMarks(info.marks);
    markOnce('engine-ready');
    this.#cache.clear();
    this.#info = info;
    if (this.#wantStandby && !this.#restarting) this.#startStandby();
    return info;
  }

  /** Picks up a newly published manifest; cached results of the old version are dropped. */
  async refresh(): Promise<RefreshInfo> {
    const result = await (await this.#ready()).refresh();
    if (result.changed) {
      this.#cache.clear();
      if (this.#info) this.#info = { ...this.#info, manifest: result.manifest };
    }
    return result;
  }

  async query(sql: string, options: RunOptions = {}): Promise<QueryResult> {
    const { slot, onProgress } = options;
    const id = this.#nextId++;
    if (slot !== undefined) {
      const previous = this.#latest.get(slot);
      this.#latest.set(slot, id);
      if (previous !== undefined) this.#cancelId(previous);
    }
    // Console SQL may change the console's own session, so the same text can answer differently.
    const result = options.console ? await this.#track(sql, id, onProgress, true) : await this.#fetch(sql, id, onProgress);
    if (slot !== undefined && this.#latest.get(slot) !== id) throw new Superseded('A newer query replaced this one');
    return result;
  }

  /** Whether DuckDB reads sql as one read-only SELECT (what a link may run unasked). */
  async classify(sql: string): Promise<SqlVerdict> {
    return (await this.#ready()).classify(sql);
  }

  async exportQuery(sql: string, format: ExportFormat): Promise<Uint8Array> {
    const generation = this.#generation;
    const api = await this.#ready();
    // A worker replaced meanwhile never answers: say so instead of waiting forever.
    let poll: ReturnType<typeof setInterval> | undefined;
    const replaced = new Promise<never>((_, reject) => {
      poll = setInterval(() => {
        if (this.#generation !== generation) reject(new Error('The engine was restarted while exporting; export again.'));
      }, 100);
    });
    try {
      return await Promise.race([api.exportQuery(sql, format), replaced]);
    } finally {
      clearInterval(poll);
    }
  }

  async cancel(slot: string): Promise<void> {
    const id = this.#latest.get(slot);
    this.#latest.delete(slot);
    if (id !== undefined) this.#cancelId(id);
  }

  /** A run the client follows until it settles, sent now or once a replacement worker is ready. */
  #track(sql: string, id: number, onProgress: ((p: Progress) => void) | undefined, console: boolean): Promise<QueryResult> {
    return new Promise<QueryResult>((resolve, reject) => {
      const run: Run = { sql, id, onProgress, console, resolve, reject, stop: null, generation: -1, timers: [] };
      this.#runs.set(id, run);
      if (this.#restarting) void this.#ready().then(() => this.#runs.has(id) && run.generation === -1 && this.#send(run));
      else this.#send(run);
    });
  }

  #fetch(sql: string, id: number, onProgress?: (p: Progress) => void): Promise<QueryResult> {
    const hit = this.#cache.get(sql);
    if (hit) {
      // Refresh its place in the LRU order; a repeat costs no request.
      this.#cache.delete(sql);
      this.#cache.set(sql, hit);
      return Promise.resolve({ ...hit, stats: { ...hit.stats, ms: 0, ...noTraffic() } });
    }
    const shared = this.#inflight.get(sql);
    if (shared) {
      // The run being shared may be cancelled by its own caller's slot; then this caller, which
      // still wants the answer, starts its own run.
      return shared.catch((e: unknown) =>
        e instanceof Error && e.message === CANCELLED ? this.#fetch(sql, id, onProgress) : Promise.reject(e),
      );
    }
    markOnce('first-query-sent');
    const run = this.#track(sql, id, onProgress, false)
      .then((result) => {
        markOnce('first-result');
        this.#cache.set(sql, result);
        if (this.#cache.size > CACHE_SIZE) this.#cache.delete(this.#cache.keys().next().value as string);
        return result;
      })
      .finally(() => this.#inflight.delete(sql));
    this.#inflight.set(sql, run);
    return run;
  }
}

/**
 * The deployment's choice, from `<meta name="quantiv-extension-repository" content="URL">` in
 * index.html: DuckDB's official signed repository (or a mirror of it). Empty or absent: the
 * self-built extension this site serves beside the app.
 */
export function extensionSource(page: string, doc: Pick<Document, 'querySelector'> | undefined = globalThis.document): ExtensionSource {
  const configured = metaContent('quantiv-extension-repository', doc);
  if (configured) return { repository: new URL(configured, page).href, signed: true };
  return { repository: new URL(`${extensionRepositoryPath()}/`, page).href, signed: false };
}

/** The reader's own budgets (localStorage), over the deployment's <meta>, over the defaults. */
function budgetSettings(doc: Pick<Document, 'querySelector'> | undefined = globalThis.document): Budgets {
  let stored: Storage | undefined;
  try {
    stored = globalThis.localStorage;
  } catch {
    stored = undefined; // storage disabled: the deployment's values apply
  }
  return budgetsFrom((k) => stored?.getItem(k), (name) => metaContent(name, doc));
}

/** `<meta name="quantiv-cache-mib" content="512">`: the deployment's cap on cached lake bytes. */
function cacheSetting(doc: Pick<Document, 'querySelector'> | undefined = globalThis.document): number | undefined {
  const mib = Number(metaContent('quantiv-cache-mib', doc));
  return Number.isFinite(mib) && mib > 0 ? mib * 2 ** 20 : undefined;
}

/** A deployment setting in index.html's `<meta name=... content=...>`; '' when absent or empty. */
function metaContent(name: string, doc: Pick<Document, 'querySelector'> | undefined): string {
  return doc?.querySelector<HTMLMetaElement>(`meta[name="${name}"]`)?.content.trim() ?? '';
}

export function createEngine(): EngineClient {
  return new EngineClient(
    () => new Worker(new URL('../../workers/duckdb.worker.ts', import.meta.url), { type: 'module', name: 'duckdb' }),
  );
}
