// Plotly is large and evaluating it is one long main-thread task (measured cold in Chromium here:
// 1.1-1.5 s for the full bundle, 0.27-0.40 s for the basic one). 2D charts draw with the basic
// partial bundle (scatter, bar); only a 3D trace loads the full bundle, on first use.
type Plotly = (typeof import('plotly.js-dist-min'))['default'];

export type PlotlyBundle = 'basic' | 'full';

/** Trace types the basic bundle draws; anything else needs the full one. */
const BASIC_TYPES = new Set(['scatter', 'bar', 'pie']);

export function bundleFor(traces: ReadonlyArray<Record<string, unknown>>): PlotlyBundle {
  return traces.every((t) => BASIC_TYPES.has(typeof t.type === 'string' ? t.type : 'scatter')) ? 'basic' : 'full';
}

const loading = new Map<PlotlyBundle, Promise<Plotly>>();

// One import() per function: in one expression, vite's preload helper would fetch both chunks.
const importBasic = () => import('plotly.js-basic-dist-min').then((m) => m.default);
const importFull = () => import('plotly.js-dist-min').then((m) => m.default);

export function loadPlotly(bundle: PlotlyBundle = 'basic'): Promise<Plotly> {
  let p = loading.get(bundle);
  if (!p) {
    p = bundle === 'basic' ? importBasic() : importFull();
    loading.set(bundle, p);
    p.catch(() => loading.delete(bundle));
  }
  return p;
}

export function themeLayout(): Record<string, unknown> {
  const css = getComputedStyle(document.documentElement);
  const text = css.getPropertyValue('--text').trim() || '#1b1f24';
  const grid = css.getPropertyValue('--border').trim() || '#d9dee5';
  return {
    paper_bgcolor: 'rgba(0,0,0,0)',
    plot_bgcolor: 'rgba(0,0,0,0)',
    font: { color: text },
    xaxis: { gridcolor: grid },
    yaxis: { gridcolor: grid },
    margin: { l: 56, r: 16, t: 36, b: 40 },
  };
}
