// Plotly is large: it loads on first use, so the first paint never waits for it.
import { chartLayout } from '../theme.ts';

type Plotly = (typeof import('plotly.js-dist-min'))['default'];

let loading: Promise<Plotly> | null = null;

export function loadPlotly(): Promise<Plotly> {
  loading ??= import('plotly.js-dist-min').then((m) => m.default);
  loading.catch(() => {
    loading = null;
  });
  return loading;
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
