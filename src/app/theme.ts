// Theme choice: follow the system, or force light or dark. Kept in localStorage, applied as
// data-theme on <html> so CSS variables switch without a reload.

export const THEMES = ['auto', 'light', 'dark'] as const;
export type Theme = (typeof THEMES)[number];
const KEY = 'quantiv.theme';

export function loadTheme(store: Pick<Storage, 'getItem'>): Theme {
  const v = store.getItem(KEY);
  return (THEMES as readonly string[]).includes(v ?? '') ? (v as Theme) : 'auto';
}

export function nextTheme(t: Theme): Theme {
  return THEMES[(THEMES.indexOf(t) + 1) % THEMES.length]!;
}

export const THEME_EVENT = 'quantiv-theme';

/** 'auto' follows the system setting at the time of the call. */
export function resolveTheme(t: Theme, prefersDark: boolean): 'light' | 'dark' {
  return t === 'auto' ? (prefersDark ? 'dark' : 'light') : t;
}

export function applyTheme(t: Theme, root: HTMLElement, store: Pick<Storage, 'setItem'>): void {
  const dark = typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: dark)').matches;
  root.setAttribute('data-theme', resolveTheme(t, dark));
  // Charts read the colours when they draw; tell them to draw again.
  root.dispatchEvent(new CustomEvent(THEME_EVENT, { bubbles: true }));
  try {
    store.setItem(KEY, t);
  } catch {
    // Storage disabled: the choice lasts for this page only.
  }
}

/** Reads one CSS custom property of the current theme (getComputedStyle in the page). */
export type ReadVar = (name: string) => string;

export const CHART_COLORS = ['--chart-1', '--chart-2', '--chart-3', '--chart-4', '--chart-5', '--chart-6'];

/**
 * Plotly's layout for the current theme, built from the same CSS variables as the page, so
 * gridlines, axes, legends, hover labels and 3D scenes switch with it. `narrow` (a phone) lets
 * every axis grow its margin for its ticks instead of clipping them.
 */
export function chartLayout(read: ReadVar, narrow = false): Record<string, unknown> {
  const v = (name: string, fallback: string) => read(name).trim() || fallback;
  const text = v('--text', '#1b1f24');
  const muted = v('--muted', '#5b6470');
  const grid = v('--grid', '#e4e8ee');
  const axisLine = v('--axis', '#b8c0cb');
  const panel = v('--panel', '#ffffff');
  // A fresh object per axis: Plotly writes its autotype back into the layout it is given, so a
  // shared object made the y axis a date axis whenever x was one.
  const axis = () => ({ gridcolor: grid, zerolinecolor: axisLine, linecolor: axisLine, tickcolor: axisLine, automargin: true, title: { font: { color: muted } } });
  const scene = () => ({ ...axis(), backgroundcolor: 'rgba(0,0,0,0)', showbackground: false });
  return {
    paper_bgcolor: 'rgba(0,0,0,0)',
    plot_bgcolor: 'rgba(0,0,0,0)',
    font: { color: text, size: narrow ? 10 : 12 },
    colorway: CHART_COLORS.map((c, i) => v(c, ['#1f6feb', '#d9480f', '#2f9e44', '#ae3ec9', '#e8a400', '#0c8599'][i]!)),
    title: { x: 0, xanchor: 'left', font: { size: narrow ? 12 : 14 } },
    xaxis: axis(),
    yaxis: axis(),
    yaxis2: { ...axis(), gridcolor: 'rgba(0,0,0,0)' },
    scene: { xaxis: scene(), yaxis: scene(), zaxis: scene() },
    legend: { font: { color: text }, bgcolor: 'rgba(0,0,0,0)' },
    hoverlabel: { bgcolor: panel, bordercolor: axisLine, font: { color: text } },
    modebar: { bgcolor: 'rgba(0,0,0,0)', color: muted, activecolor: v('--accent', '#1f6feb') },
    margin: narrow ? { l: 40, r: 8, t: 32, b: 32 } : { l: 56, r: 16, t: 36, b: 40 },
  };
}
