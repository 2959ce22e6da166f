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
