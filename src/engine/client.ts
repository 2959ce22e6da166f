// The main thread's handle on the DuckDB worker: one lazily started worker, a small result cache,
// identical in-flight queries shared, and per-slot supersession so a newer query's result is never
// replaced by an older one.
import * as Comlink from 'comlink';
import { extensionRepositoryPath } from './extension.ts';
import { adoptMarks, markOnce } from './marks.ts';
import { CANCELLED, type EngineApi, type ExportFormat, type ExtensionSource, type InitInfo, type InitOptions, type Progress, type QueryResult, type RefreshInfo, type SqlVerdict } from './api.ts';

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

export class EngineClient {
  #api: Comlink.Remote<EngineApi> | null = null;
  #nextId = 1;
  #latest = new Map<string, number>();
  #inflight = new Map<string, Promise<QueryResult>>();
  #cache = new Map<string, QueryResult>();
  #info: InitInfo | null = null;

  constructor(private readonly spawn: () => Worker) {}

  get info(): InitInfo | null {
    return this.#info;
  }

  #remote(): Comlink.Remote<EngineApi> {
    if (!this.#api) {
      this.#api = Comlink.wrap<EngineApi>(this.spawn());
      markOnce('worker-spawned');
    }
    return this.#api;
  }

  async init(manifestUrl: string, onProgress?: (p: Progress) => void, options: InitOptions = {}): Promise<InitInfo> {
    // Resolve against the page, not against the worker script's folder.
    const page = globalThis.document?.baseURI ?? globalThis.location?.href;
    const absolute = new URL(manifestUrl, page).href;
    const base = options.base === undefined ? undefined : new URL(options.base, page).href;
    const extension = options.extension ?? extensionSource(page);
    const cacheBytes = options.cacheBytes ?? cacheSetting();
    const info = await this.#remote().init(absolute, onProgress ? Comlink.proxy(onProgress) : undefined, { base, extension, cacheBytes });
    adoptMarks(info.marks);
    markOnce('engine-ready');
    this.#cache.clear();
    this.#info = info;
    return info;
  }

  /** Picks up a newly published manifest; cached results of the old version are dropped. */
  async refresh(): Promise<RefreshInfo> {
    const result = await this.#remote().refresh();
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
      if (previous !== undefined) void this.#remote().cancel(previous);
    }
    // Console SQL may change the console's own session, so the same text can answer differently.
    const result = options.console
      ? await this.#remote().runConsole(sql, id, onProgress ? Comlink.proxy(onProgress) : undefined)
      : await this.#fetch(sql, id, onProgress);
    if (slot !== undefined && this.#latest.get(slot) !== id) throw new Superseded('A newer query replaced this one');
    return result;
  }

  /** Whether DuckDB reads sql as one read-only SELECT (what a link may run unasked). */
  classify(sql: string): Promise<SqlVerdict> {
    return this.#remote().classify(sql);
  }

  exportQuery(sql: string, format: ExportFormat): Promise<Uint8Array> {
    return this.#remote().exportQuery(sql, format);
  }

  async cancel(slot: string): Promise<void> {
    const id = this.#latest.get(slot);
    this.#latest.delete(slot);
    if (id !== undefined) await this.#remote().cancel(id);
  }

  #fetch(sql: string, id: number, onProgress?: (p: Progress) => void): Promise<QueryResult> {
    const hit = this.#cache.get(sql);
    if (hit) {
      // Refresh its place in the LRU order; a repeat costs no request.
      this.#cache.delete(sql);
      this.#cache.set(sql, hit);
      return Promise.resolve({ ...hit, stats: { ...hit.stats, ms: 0, requests: 0, bytes: 0, cachedBytes: 0, statuses: {}, rangeIgnored: 0 } });
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
    const run = this.#remote()
      .run(sql, id, onProgress ? Comlink.proxy(onProgress) : undefined)
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
