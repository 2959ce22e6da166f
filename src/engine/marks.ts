// Cold-start phase marks: performance.mark() under one prefix, cheap enough to stay always on.
// bench/browser.ts reads them back (performance.getEntriesByType('mark')) to say where time goes.
export const MARK_PREFIX = 'quantiv:';

const done = new Set<string>();

/** Marks `name` the first time only: the phases of the first load, not of every later query. */
export function markOnce(name: string, startTime?: number): void {
  if (done.has(name) || typeof performance?.mark !== 'function') return;
  done.add(name);
  performance.mark(MARK_PREFIX + name, startTime === undefined ? undefined : { startTime });
}

/** The worker's clock starts at its own timeOrigin: its marks travel as epoch milliseconds. */
export function epochMarks(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of performance.getEntriesByType('mark')) {
    if (m.name.startsWith(MARK_PREFIX)) out[m.name.slice(MARK_PREFIX.length)] = performance.timeOrigin + m.startTime;
  }
  return out;
}

/** Re-marks the worker's phases on this page's clock, so one timeline holds them all. */
export function adoptMarks(epoch: Record<string, number> | undefined): void {
  for (const [name, at] of Object.entries(epoch ?? {})) markOnce(name, Math.max(0, at - performance.timeOrigin));
}
