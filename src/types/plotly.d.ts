// The few Plotly calls Quantiv makes; the dist-min bundles ship no types.
declare module 'plotly.js-dist-min' {
  export type Trace = Record<string, unknown>;
  export function react(
    root: HTMLElement,
    data: Trace[],
    layout?: Record<string, unknown>,
    config?: Record<string, unknown>,
  ): Promise<HTMLElement>;
  export function purge(root: HTMLElement): void;
  const Plotly: { react: typeof react; purge: typeof purge };
  export default Plotly;
}

// Plotly's official partial bundle (scatter, bar, pie): the same API, a quarter of the code.
declare module 'plotly.js-basic-dist-min' {
  import Plotly from 'plotly.js-dist-min';
  export default Plotly;
}
