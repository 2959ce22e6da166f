// The few Plotly calls Quantiv makes; the dist-min bundle ships no types.
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
