// DuckDB-WASM lives here, not on the main thread: the blocking bindings run inside this worker,
// Arrow results are decoded here, and the UI receives compact columns over comlink. The worker's
// entry (duckdb.worker.ts) loads this module after it has started the wasm and the manifest.
import { ENGINE_WASM_URL, engineModule, onWasmProgress } from './engine-wasm.ts';
import * as Comlink from 'comlink';
import { tableFromIPC, type Table } from 'apache-arrow';
import {
  BROWSER_RUNTIME,
  DuckDBDataProtocol,
  VoidLogger,
  createDuckDB,
  getPlatformFeatures,
  type DuckDBBindings,
  type DuckDBConnection,
} from '@duckdb/duckdb-wasm/dist/duckdb-browser-blocking.mjs';
import { CANCELLED, type EngineApi, type ExtensionSource, type InitInfo, type Progress, type QueryResult, type RefreshInfo, type SqlVerdict } from '../src/engine/api.ts';
import { probeSql, splitStatements, verdict } from '../src/engine/statements.ts';
import { EXPORT_PREFIX, loadParquetSql, lockdownSql, PAGES_SEARCH_PATH } from '../src/engine/fences.ts';
import { tableToColumns } from '../src/lake/columns.ts';
import { pruneFiles, type Manifest } from '../src/lake/manifest.ts';
import { TABLE_NAMES } from '../src/lake/schema.ts';
import { loadManifest } from './manifest-load.ts';
import { createViewsSql, registeredName, urlLocator } from '../src/lake/views.ts';
import { viewDefs, viewsFor, type ViewDef } from '../src/engine/view-deps.ts';
import { allowOrigins, installHttpMeter, lakeCache, meter, NoAnswerError, prefetchTails, takeFault } from './http-meter.ts';
import { dropPreloads, settlePreloads } from './preloads.ts';
import { guardRemoteWrites, RemoteWriteError } from './remote-writes.ts';
import { unreachableFault } from './server-faults.ts';
import { memoryLimitSql } from '../src/engine/budgets.ts';
import { concatBytes } from '../src/engine/bytes.ts';
import { epochMarks, markOnce } from '../src/engine/marks.ts';

installHttpMeter(self as unknown as { XMLHttpRequest: typeof XMLHttpRequest });
/** A write DuckDB tried to send to a server during the current query. */
let refusedWrite: RemoteWriteError | null = null;
guardRemoteWrites(BROWSER_RUNTIME, (e) => (refusedWrite ??= e));

interface Engine {
  db: DuckDBBindings;
  /** The pages' connection: their views are temporary views of this connection. */
  conn: DuckDBConnection;
  /** The console's (and exports') connection; see EngineApi.runConsole. */
  console: DuckDBConnection;
  bundle: string;
}

let engine: Promise<Engine> | null = null;

type InstantiateWasm = (imports: WebAssembly.Imports, done: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void) => unknown;

/**
 * The eh engine, instantiated from the module engine-wasm.ts is already compiling. It needs nothing
 * from init(), so it starts when the worker does, while the page is still loading its own code.
 */
async function instantiate(): Promise<DuckDBBindings> {
  // Our parquet extension is compiled with wasm exceptions, so only the eh build can load it.
  if (!(await getPlatformFeatures()).wasmExceptions) {
    throw new Error('This browser lacks WebAssembly exception handling, which Quantiv\'s engine needs (Chrome 95+, Firefox 100+, Safari 15.2+)');
  }
  const eh = { mainModule: ENGINE_WASM_URL, mainWorker: '' };
  const db = await createDuckDB({ mvp: eh, eh }, new VoidLogger(), BROWSER_RUNTIME);
  const module = await engineModule();
  let failed: (e: unknown) => void = () => undefined;
  const failure = new Promise<never>((_, reject) => (failed = reject));
  // duckdb-wasm's own instantiateWasm fetches the file again; hand Emscripten the compiled module.
  // Like the original it publishes the runtime that the wasm's imports call into.
  (db as unknown as { instantiateWasm: InstantiateWasm }).instantiateWasm = (imports, done) => {
    (globalThis as { DUCKDB_RUNTIME?: unknown }).DUCKDB_RUNTIME = BROWSER_RUNTIME;
    WebAssembly.instantiate(module, imports).then((instance) => done(instance, module), failed);
    return [];
  };
  await Promise.race([db.instantiate(() => undefined), failure]);
  markOnce('engine-instantiated');
  return db;
}

let instantiated: Promise<DuckDBBindings> | null = null;

function bindings(): Promise<DuckDBBindings> {
  instantiated ??= instantiate();
  instantiated.catch(() => {
    instantiated = null;
  });
  return instantiated;
}

bindings().catch(() => undefined);

/**
 * One DuckDB per worker, created on first use behind a single promise: the eh engine, the parquet
 * extension from `source`, then the fences (src/engine/fences.ts), locked before any other SQL runs.
 * `origins` are the only ones DuckDB may read from afterwards.
 */
function getEngine(source?: ExtensionSource, origins: string[] = [], memoryMiB?: number): Promise<Engine> {
  engine ??= (async () => {
    if (!source) throw new Error('The engine is not running: opening the dataset failed, reload the page to retry');
    const db = await bindings();
    db.open({
      // An unsigned extension loads only from our own repository; a signed one needs no exception.
      allowUnsignedExtensions: !source.signed,
      // Range reads of registered files, never a whole-file download.
      filesystem: { forceFullHTTPReads: false, allowFullHTTPReads: false },
      // Each poll of a pending query works for at most this long, then yields so cancel() can land.
      query: { queryPollingInterval: 50 },
    });
    const conn = db.connect();
    markOnce('engine-opened');
    allowOrigins([...origins, source.repository]);
    // The entry started the extension's download; LOAD's synchronous request is answered from it.
    await settlePreloads();
    try {
      for (const stmt of loadParquetSql(source)) conn.query(stmt);
    } catch (e) {
      throw new Error(`Could not load DuckDB's parquet extension from ${source.repository}: ${(e as Error).message}`);
    }
    dropPreloads();
    markOnce('parquet-loaded');
    // Before the lock: afterwards no statement can change it.
    if (memoryMiB) conn.query(memoryLimitSql(memoryMiB));
    for (const stmt of lockdownSql(origins)) conn.query(stmt);
    conn.query(PAGES_SEARCH_PATH);
    // The repository's origin was needed for the load only.
    allowOrigins(origins);
    return { db, conn, console: db.connect(), bundle: 'eh' };
  })();
  engine.catch(() => {
    engine = null;
  });
  return engine;
}

/** Queries run one at a time on the connection; the chain keeps their order. */
let chain: Promise<unknown> = Promise.resolve();
/** Ids queued or running; a cancel for anything else is a no-op. */
const pending = new Set<number>();
/** Queued (not yet started) runs: cancel() settles them at once instead of after the running one. */
const queued = new Map<number, (e: Error) => void>();
const cancelled = new Set<number>();

function serial<T>(task: () => Promise<T>): Promise<T> {
  const next = chain.then(task, task);
  chain = next.catch(() => undefined);
  return next;
}

/** Lets comlink messages (like cancel) in between polls of a running query. */
function yieldToEvents(): Promise<void> {
  return new Promise((resolve) => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => resolve();
    ch.port2.postMessage(null);
  });
}

async function execute(sql: string, id: number, onProgress?: (p: Progress) => void, on: 'pages' | 'console' = 'pages'): Promise<QueryResult> {
  // Not queued any more: cancel() already settled it.
  if (!queued.delete(id)) throw new Error(CANCELLED);
  const eng = await getEngine();
  const { db } = eng;
  const conn = on === 'console' ? await consoleConnection(eng) : eng.conn;
  if (on === 'pages') await ensureViews(eng, sql);
  if (cancelled.delete(id)) throw new Error(CANCELLED);
  onProgress?.({ phase: 'started', bytes: 0 });
  takeFault();
  lakeCache?.takeTouched();
  refusedWrite = null;
  const started = performance.now();
  let lastReport = 0;
  const stop = meter((received) => {
    const now = performance.now();
    if (onProgress && now - lastReport > 100) {
      lastReport = now;
      onProgress({ phase: 'query', bytes: received });
    }
  });
  let table: Table;
  try {
    const handle = conn.useUnsafe((_b, c) => c);
    let header = db.startPendingQuery(handle, sql, false);
    while (header === null) {
      await yieldToEvents();
      if (cancelled.delete(id)) {
        db.cancelPendingQuery(handle);
        throw new Error(CANCELLED);
      }
      header = db.pollPendingQuery(handle);
    }
    const chunks: Uint8Array[] = [header];
    for (;;) {
      const chunk = db.fetchQueryResults(handle);
      if (chunk === null) {
        await yieldToEvents();
        continue;
      }
      if (chunk.byteLength === 0) break;
      chunks.push(chunk);
      if (cancelled.delete(id)) throw new Error(CANCELLED);
    }
    // DuckDB may have swallowed a refused read or write; its rows must not be shown.
    const swallowed = refusedWrite ?? takeFault();
    if (swallowed) throw swallowed;
    table = tableFromIPC(concatBytes(chunks));
  } catch (e) {
    await stop();
    if ((e as Error).message === CANCELLED) throw e;
    // The refusal itself is the clearest message, whatever DuckDB made of it.
    const cause = refusedWrite ?? takeFault() ?? (e as Error);
    throw new Error(brokenIn(cause.message) ?? (await diagnose(cause.message, cause)));
  }
  const ms = performance.now() - started;
  const http = await stop();
  return { ...tableToColumns(table), stats: { ...http, ms } };
}

function transferables(result: QueryResult): Transferable[] {
  return result.columns.flatMap((c) => (c.values instanceof Float64Array ? [c.values.buffer] : []));
}

/** url: the manifest's URL; base: what its file paths are relative to (usually the same folder). */
let dataset: { manifest: Manifest; url: string; base: string } | null = null;
/** Registered file names: refresh() registers only files it has not seen. */
const registered = new Set<string>();

/** The dataset version whose views the console connection has; null: create them on first use. */
let consoleViewsOf: string | null = null;

/**
 * The console's connection with the current views, created on first use so the pages' cold start
 * does not pay for them. Its views are ordinary (shared-catalog) views: the console may replace
 * them, which changes only what the console sees. Call inside serial().
 */
async function consoleConnection(eng: Engine): Promise<DuckDBConnection> {
  if (dataset && consoleViewsOf !== dataset.manifest.datasetVersion) {
    for (const stmt of createViewsSql(dataset.manifest, registeredName)) {
      // A view that cannot be created (a broken file or server) is left out here too: a query
      // naming it gets that finding (brokenIn), every other table stays usable.
      const view = /VIEW (\w+)/.exec(stmt)?.[1] ?? '';
      if (broken.has(view)) continue;
      const finding = await createView(eng.console, stmt);
      if (finding) broken.set(view, finding);
    }
    consoleViewsOf = dataset.manifest.datasetVersion;
  }
  return eng.console;
}

/** EngineApi.classify on the console's connection (binding a SELECT needs its views); inside serial(). */
async function classifyOn(eng: Engine, sql: string): Promise<SqlVerdict> {
  const conn = await consoleConnection(eng);
  const tokens = eng.db.tokenize(sql);
  const statements = splitStatements(sql, tokens);
  let probeError: string | null = null;
  if (statements.length === 1) {
    const { start, end } = statements[0]!;
    const handle = conn.useUnsafe((_b, c) => c);
    try {
      eng.db.closePrepared(handle, eng.db.createPrepared(handle, probeSql(sql.slice(start, end))));
    } catch (e) {
      probeError = (e as Error).message;
    }
  }
  return verdict(sql, tokens, probeError);
}

/**
 * Registers the manifest's files with the range cache and fetches in parallel the footers that
 * creating the views reads (each view's first file), which DuckDB would read one after another.
 */
function prefetchFooters(manifest: Manifest, base: string): Promise<void> {
  const url = urlLocator(base);
  for (const file of manifest.files) lakeCache?.register(url(file), file.bytes, { path: file.path, proof: file.footer });
  const firsts = TABLE_NAMES.flatMap((t) => pruneFiles(manifest, t).slice(0, 1));
  return prefetchTails(firsts.map(url));
}

/**
 * Registers the manifest's new files with DuckDB (prefetchFooters registered them with the range
 * cache) and defines its views; each is created on the pages' connection when a query first names
 * it (ensureViews). Call inside serial().
 */
async function openDataset(eng: Engine, manifest: Manifest, base: string): Promise<void> {
  const url = urlLocator(base);
  for (const file of manifest.files) {
    const name = registeredName(file);
    if (registered.has(name)) continue;
    // directIO false: with it DuckDB bypasses its external file cache and asks this worker again
    // for every byte of every repeat. Measured here, warm, A/B in one browser: one month of
    // options_daily 23 -> 11 ms, the raw full scan 2.5 -> 1.7 s, with no read left for the worker.
    eng.db.registerFileURL(name, url(file), DuckDBDataProtocol.HTTP, false);
    registered.add(name);
  }
  broken.clear();
  created.clear();
  views = viewDefs(createViewsSql(manifest, registeredName, { temp: true }));
}

/** The dataset's views, and those created on the pages' connection since it was opened. */
let views = new Map<string, ViewDef>();
const created = new Set<string>();

/** Creates the views sql names, and the views they read, that are not there yet; inside serial(). */
async function ensureViews(eng: Engine, sql: string): Promise<void> {
  for (const view of viewsFor(sql, views)) {
    if (created.has(view.name) || broken.has(view.name)) continue;
    const finding = await createView(eng.conn, view.sql);
    if (finding) broken.set(view.name, finding);
    else created.add(view.name);
  }
}

/**
 * Runs one CREATE VIEW. Creating a view reads its first file's footer, so a broken file or server
 * fails here already: such a finding (and a view built on a broken one) is returned, the view is
 * left out and its queries get the finding, while every other table keeps working.
 */
async function createView(conn: DuckDBConnection, stmt: string): Promise<string | null> {
  try {
    takeFault();
    conn.query(stmt);
    const late = takeFault();
    if (late) throw late;
    return null;
  } catch (e) {
    const cause = takeFault() ?? (e as Error);
    const dependsOn = brokenIn(cause.message);
    const isFinding = cause instanceof NoAnswerError || /^Data server:|was replaced on the server/.test(cause.message);
    if (!isFinding && !dependsOn) throw new Error(await diagnose(cause.message, cause));
    return dependsOn ?? (await diagnose(cause.message, cause));
  }
}

/** Views left out because their files cannot be read, with the reason (see openDataset). */
const broken = new Map<string, string>();

/** The reason of the broken view a Catalog error names, if it names one. */
function brokenIn(message: string): string | undefined {
  const name = /Catalog Error: Table with name (\w+) does not exist/.exec(message)?.[1];
  return name ? broken.get(name) : undefined;
}

/**
 * DuckDB reports a missing or cut file only as a read failure; ask the server about each lake file
 * the error names and say what is actually wrong with it.
 */
async function diagnose(message: string, cause?: Error): Promise<string> {
  if (cause instanceof NoAnswerError) {
    return unreachableFault(cause.url, lakeCache?.pathOf(cause.url) ?? cause.url, lakeCache?.size(cause.url) ?? 0);
  }
  if (/^Data server:|was replaced on the server|Quantiv never writes/.test(message)) return message;
  if (!dataset) return message;
  const { manifest, base } = dataset;
  const locate = urlLocator(base);
  const touched = lakeCache?.takeTouched() ?? [];
  // A decoder failure names no file: it is about the file DuckDB was reading last.
  if (/ZSTD|Decompression|Corrupt|Invalid .*(page|Thrift)|Snappy|out of buffer|deserialize/i.test(message) && touched.length) {
    const path = lakeCache?.pathOf(touched[touched.length - 1]!) ?? touched[touched.length - 1]!;
    return `${message}\nData file corrupted: ${path} could not be decoded (its bytes differ from what was published). None of its rows were returned; restore the file or republish the lake.`;
  }
  // DuckDB names files by the registered name; a bare URL can appear too.
  const named = manifest.files.filter((f) => message.includes(registeredName(f)) || message.includes(locate(f))).slice(0, 3);
  const notes: string[] = [];
  for (const file of named) {
    try {
      const head = await fetch(locate(file), { method: 'HEAD', cache: 'no-store' });
      const length = Number(head.headers.get('Content-Length') ?? NaN);
      if (!head.ok) notes.push(`${file.path}: HTTP ${head.status}`);
      else if (length !== file.bytes) {
        notes.push(`${file.path}: the server has ${length} bytes but the manifest says ${file.bytes} (truncated or replaced)`);
      }
    } catch (e) {
      notes.push(`${file.path}: ${(e as Error).message}`);
    }
  }
  return notes.length ? `${message}\n${notes.join('\n')}` : message;
}

/** Ids for queries without a caller-chosen id; negative so they never meet the UI's. */
let nextInternalId = -1;

let exportCount = 0;

export const api: EngineApi = {
  async exportQuery(sql, format) {
    const bytes = await serial(async () => {
      const eng = await getEngine();
      const { db } = eng;
      // On the console's connection: the text is the console's, spliced into a COPY.
      const conn = await consoleConnection(eng);
      // Only a query may be spliced into the COPY, or its text could close the parenthesis.
      const check = await classifyOn(eng, sql);
      if (!check.readOnly) throw new Error(check.statements === 1 ? 'Only a SELECT can be exported' : check.reason);
      // An in-memory file: DuckDB writes it, we copy it out and drop it.
      // Under the one prefix the fences let DuckDB write to.
      const name = `${EXPORT_PREFIX}${++exportCount}.${format}`;
      db.registerFileBuffer(name, new Uint8Array());
      try {
        // USE_TMP_FILE false: DuckDB 1.x otherwise writes a temporary file and renames it over ours.
        const options = format === 'csv' ? 'FORMAT CSV, HEADER, USE_TMP_FILE false' : 'FORMAT PARQUET, COMPRESSION ZSTD, USE_TMP_FILE false';
        // The one statement DuckDB's tokenizer found, on lines of its own so a trailing comment
        // cannot swallow the rest of the COPY.
        const [only] = splitStatements(sql, db.tokenize(sql));
        conn.query(`COPY (\n${sql.slice(only!.start, only!.end)}\n) TO '${name}' (${options})`);
        return db.copyFileToBuffer(name);
      } catch (e) {
        throw new Error(await diagnose((e as Error).message));
      } finally {
        db.dropFile(name);
      }
    });
    return Comlink.transfer(bytes, [bytes.buffer]);
  },

  async init(manifestUrl, onProgress, options) {
    const started = performance.now();
    const absolute = new URL(manifestUrl, self.location.href).href;
    const base = options?.base ? new URL(options.base, self.location.href).href : absolute;
    onWasmProgress(onProgress);
    if (options?.cacheBytes) lakeCache?.setCap(options.cacheBytes);
    const origins = [self.location.href, base];
    allowOrigins(origins);
    // The footers come in while the engine is still starting.
    const opening = loadManifest(absolute).then((m) => ({ manifest: m, footers: prefetchFooters(m, base) }));
    const [eng, { manifest, footers }] = await Promise.all([getEngine(options?.extension, origins, options?.memoryMiB), opening]);
    onWasmProgress(undefined);
    onProgress?.({ phase: 'views', bytes: 0 });
    dataset = { manifest, url: absolute, base };
    await footers;
    await serial(() => openDataset(eng, manifest, base));
    markOnce('views-created');
    const version = eng.conn.query('SELECT version() AS v').getChildAt(0)?.get(0);
    const info: InitInfo = {
      manifestUrl: absolute,
      manifest,
      duckdbVersion: String(version),
      bundle: eng.bundle,
      ms: performance.now() - started,
      marks: epochMarks(),
    };
    return info;
  },

  async refresh(): Promise<RefreshInfo> {
    const current = dataset;
    if (!current) throw new Error('refresh() before init()');
    const manifest = await loadManifest(current.url);
    if (manifest.datasetVersion === current.manifest.datasetVersion) return { changed: false, manifest: current.manifest };
    const eng = await getEngine();
    // The new files' footers in parallel, before a query reads them one after another.
    await prefetchFooters(manifest, current.base);
    await serial(() => openDataset(eng, manifest, current.base));
    dataset = { ...current, manifest };
    return { changed: true, manifest };
  },

  async run(sql, id, onProgress) {
    pending.add(id);
    const dropped = new Promise<never>((_, reject) => queued.set(id, reject));
    dropped.catch(() => undefined);
    try {
      const result = await Promise.race([serial(() => execute(sql, id, onProgress)), dropped]);
      return Comlink.transfer(result, transferables(result));
    } finally {
      pending.delete(id);
      cancelled.delete(id);
      queued.delete(id);
    }
  },

  async query(sql) {
    return api.run(sql, nextInternalId--);
  },

  async runConsole(sql, id, onProgress) {
    pending.add(id);
    const dropped = new Promise<never>((_, reject) => queued.set(id, reject));
    dropped.catch(() => undefined);
    try {
      const result = await Promise.race([serial(async () => {
        const { db } = await getEngine();
        const tokens = db.tokenize(sql);
        // DuckDB's own message for this is "PendingQuery can only take a single statement".
        if (splitStatements(sql, tokens).length > 1) throw new Error(verdict(sql, tokens, null).reason);
        return execute(sql, id, onProgress, 'console');
      }), dropped]);
      return Comlink.transfer(result, transferables(result));
    } finally {
      pending.delete(id);
      cancelled.delete(id);
      queued.delete(id);
    }
  },

  async classify(sql): Promise<SqlVerdict> {
    return serial(async () => classifyOn(await getEngine(), sql));
  },

  async cancel(id) {
    if (!pending.has(id)) return false;
    // A running query sees the mark between polls; a queued one is settled now and skipped later.
    cancelled.add(id);
    const drop = queued.get(id);
    queued.delete(id);
    drop?.(new Error(CANCELLED));
    return true;
  },
};

