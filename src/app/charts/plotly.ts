// Plotly is large and evaluating it is one long main-thread task (measured cold in Chromium here:
// 1.1-1.5 s for the full bundle, 0.27-0.40 s for the basic one). 2D charts draw with the basic
// partial bundle (scatter, bar); only a 3D trace loads the full bundle, on first use.
import { chartLayout } from '../theme.ts';

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

/** Below this width the toolbar would sit on the chart's title, and is left out. */
export const NARROW_PX = 640;

export function isNarrow(): boolean {
  return typeof matchMedia === 'function' && matchMedia(`(max-width: ${NARROW_PX}px)`).matches;
}

export function themeLayout(): Record<string, unknown> {
  const css = getComputedStyle(document.documentElement);
  return chartLayout((name) => css.getPropertyValue(name), isNarrow());
}

/**
 * Plotly's toolbar: on a phone none (it covered the titles); elsewhere it shows on hover only,
 * and its buttons are taken out of the Tab order, which they filled with ~60 stops before the
 * content. Mouse users keep it; keyboard users reach the data table instead.
 */
export function chartConfig(): Record<string, unknown> {
  return { responsive: true, displaylogo: false, displayModeBar: isNarrow() ? false : 'hover' };
}

export function untabToolbar(root: HTMLElement): void {
  for (const el of root.querySelectorAll<HTMLElement>('.modebar-btn, .modebar a, .modebar button')) el.tabIndex = -1;
}
