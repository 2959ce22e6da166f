// Whole files fetched ahead of the synchronous request DuckDB makes for them later. The parquet
// extension is the one today: DuckDB asks for it only after the engine has started, and each
// synchronous request holds the worker for its full download; fetched during the engine's start,
// it is in memory by the time LOAD asks.
const loads = new Map<string, Promise<void>>();
const bodies = new Map<string, ArrayBuffer>();

/** Starts fetching url; a failure leaves DuckDB's own request to meet (and report) it. */
export function preload(url: string): void {
  if (loads.has(url)) return;
  loads.set(url, fetch(url).then(async (r) => {
    if (r.ok) bodies.set(url, await r.arrayBuffer());
  }).catch(() => undefined));
}

/** Waits for every preload started so far, successful or not. */
export async function settlePreloads(): Promise<void> {
  await Promise.all(loads.values());
}

/** A preloaded file's bytes, for a synchronous request to answer from memory. */
export function preloaded(url: string): ArrayBuffer | undefined {
  return bodies.get(url);
}

/** Frees the preloaded bytes once their reader has taken them. */
export function dropPreloads(): void {
  bodies.clear();
  loads.clear();
}
