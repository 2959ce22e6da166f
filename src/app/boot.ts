// What the first chart waits for starts here, at navigation, before the app's own chunk has even
// loaded: the DuckDB worker (which starts fetching and compiling its wasm at once), engine.init
// (the manifest), and Plotly's import. Started one after another, they took ~6.9 s cold; the app
// picks up the already-running start with takeBoot().
import type { InitInfo, Progress } from '../engine/api.ts';
import { createEngine, type EngineClient } from '../engine/client.ts';
import { markOnce } from '../engine/marks.ts';
import { loadPlotly } from './charts/plotly.ts';
import { foreignDataOrigin, loadDataOrigins } from './origins.ts';
import { DEFAULT_DATA_URL, linkParams, parseUrlState, pinnedManifestUrl, type ParsedState } from './url-state.ts';

export interface Boot {
  engine: EngineClient;
  parsed: ParsedState;
  dataUrl: string;
  /** ?v=<version>: that version's immutable manifest, read relative to the lake root. */
  pinned: { manifest: string; base: string } | null;
  /** Waits for consent() when the data is on an origin the deployment does not list. */
  ready: Promise<InitInfo>;
  /** That origin, or null when the data may load at once (the app's own or a listed origin). */
  foreign: Promise<string | null>;
  /** The reader agreed to load data from the foreign origin. */
  consent(): void;
  /** Replays the latest progress at once, then each new one. */
  onProgress(fn: (p: Progress) => void): void;
}

let started: Boot | null = null;

export function startBoot(search: string = linkParams(location.search, location.hash).toString(), page: string = document.baseURI): Boot {
  markOnce('boot');
  const engine = createEngine();
  const parsed = parseUrlState(search);
  const dataUrl = parsed.state.data ?? DEFAULT_DATA_URL;
  const pinned = parsed.state.v ? pinnedManifestUrl(dataUrl, parsed.state.v, page) : null;
  let last: Progress | null = null;
  let listener: ((p: Progress) => void) | null = null;
  const manifestUrl = pinned?.manifest ?? dataUrl;
  // The app's own origin needs no config, so the usual start waits for nothing.
  const foreign = foreignDataOrigin(manifestUrl, page, []) === null
    ? Promise.resolve(null)
    : loadDataOrigins(page).then((allowed) => foreignDataOrigin(manifestUrl, page, allowed));
  let consent: () => void = () => undefined;
  const consented = new Promise<void>((resolve) => (consent = resolve));
  const ready = foreign
    .then((origin) => (origin ? consented : undefined))
    .then(() => engine.init(manifestUrl, (p) => {
      last = p;
      listener?.(p);
    }, { base: pinned?.base }));
  // The app reports a failure when it awaits `ready`; until then it is not unhandled.
  ready.catch(() => undefined);
  // Evaluating Plotly is a long main-thread task; here it overlaps the engine's start in the worker
  // instead of following the first result.
  void loadPlotly().then(() => markOnce('plotly-loaded'), () => undefined);
  started = {
    engine, parsed, dataUrl, pinned, ready, foreign, consent,
    onProgress(fn) {
      listener = fn;
      if (last) fn(last);
    },
  };
  return started;
}

/** The boot main.ts started; a second app instance (none today) would start its own. */
export function takeBoot(): Boot {
  const boot = started ?? startBoot();
  started = null;
  return boot;
}
