// Plotly is large: it loads on first use, so the first paint never waits for it.
type Plotly = (typeof import('plotly.js-dist-min'))['default'];

let loading: Promise<Plotly> | null = null;

export function loadPlotly(): Promise<Plotly> {
  loading ??= import('plotly.js-dist-min').then((m) => m.default);
  loading.catch(() => {
    loading = null;
  });
  return loading;
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
