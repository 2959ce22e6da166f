// The DuckDB worker's entry, kept small so it runs within milliseconds of the worker's start: its
// imports start the engine's wasm download and compile, init() starts the manifest and extension
// downloads, and only then does the rest of the engine (DuckDB's 1.4 MB of bindings, Arrow) load.
// Measured cold here, the whole engine as one entry module started the wasm 0.7 s after the worker.
import { onWasmProgress } from './engine-wasm.ts';
import * as Comlink from 'comlink';
import type { EngineApi } from '../src/engine/api.ts';
import { prefetchManifest } from './manifest-load.ts';
import { preload } from './preloads.ts';
import { extensionUrl } from '../src/engine/extension.ts';

const engine = import('./engine-api.ts').then((m) => m.api);
// A failure to load is reported by the first call that needs it.
engine.catch(() => undefined);

const api: EngineApi = {
  init(manifestUrl, onProgress, options) {
    onWasmProgress(onProgress);
    prefetchManifest(new URL(manifestUrl, self.location.href).href);
    if (options?.extension) preload(extensionUrl(options.extension.repository));
    return engine.then((e) => e.init(manifestUrl, onProgress, options));
  },
  refresh: () => engine.then((e) => e.refresh()),
  exportQuery: (sql, format) => engine.then((e) => e.exportQuery(sql, format)),
  run: (sql, id, onProgress) => engine.then((e) => e.run(sql, id, onProgress)),
  cancel: (id) => engine.then((e) => e.cancel(id)),
  runConsole: (sql, id, onProgress) => engine.then((e) => e.runConsole(sql, id, onProgress)),
  classify: (sql) => engine.then((e) => e.classify(sql)),
  query: (sql) => engine.then((e) => e.query(sql)),
};

Comlink.expose(api);
