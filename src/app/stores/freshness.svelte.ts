// Live freshness of the open dataset: polls for a newer manifest every few seconds (paused while
// the tab is hidden), and holds what the Freshness view shows: dataset version, newest data date,
// when it was published and how long ago. A pinned dataset never polls.
import type { Manifest } from '../../lake/manifest.ts';

export const DEFAULT_POLL_MS = 3000;

/** The newest options date the manifest lists, read without a query. */
export function newestOptionsDate(manifest: Manifest): string | null {
  let max: string | null = null;
  for (const f of manifest.files) if (f.table === 'options' && f.maxDate !== null && (max === null || f.maxDate > max)) max = f.maxDate;
  return max;
}

export interface PollResult {
  changed: boolean;
  manifest: Manifest;
}

export class Freshness {
  version = $state('');
  /** Newest options date in the dataset (YYYY-MM-DD). */
  newestDate = $state<string | null>(null);
  /** When the manifest was published (its createdAt, ISO). */
  publishedAt = $state<string | null>(null);
  /** Wall clock of the last successful check, ms. */
  checkedAt = $state<number | null>(null);
  /** Ticks every second so 'N s ago' stays current. */
  now = $state(Date.now());
  /** Version the page is pinned to; null when live. */
  pinned = $state<string | null>(null);
  /** Last polling failure (the page keeps showing the previous version). */
  error = $state<string | null>(null);
  paused = $state(false);

  #timer: ReturnType<typeof setTimeout> | null = null;
  #ticker: ReturnType<typeof setInterval> | null = null;
  #stopped = true;
  #onVisibility = (): void => this.#visibilityChanged();

  constructor(
    private readonly poll: () => Promise<PollResult>,
    private readonly onChange: (manifest: Manifest, previous: Manifest | null) => void,
    private readonly intervalMs = DEFAULT_POLL_MS,
  ) {}

  #current: Manifest | null = null;

  /** Seconds since the data was published, or null. */
  get ageSeconds(): number | null {
    if (!this.publishedAt) return null;
    return Math.max(0, Math.round((this.now - Date.parse(this.publishedAt)) / 1000));
  }

  show(manifest: Manifest): void {
    this.#current = manifest;
    this.version = manifest.datasetVersion;
    this.newestDate = newestOptionsDate(manifest);
    this.publishedAt = manifest.createdAt;
    this.checkedAt = Date.now();
  }

  pin(manifest: Manifest): void {
    this.show(manifest);
    this.pinned = manifest.datasetVersion;
  }

  start(): void {
    if (this.pinned || !this.#stopped) return;
    this.#stopped = false;
    this.#ticker = setInterval(() => (this.now = Date.now()), 1000);
    document.addEventListener('visibilitychange', this.#onVisibility);
    this.paused = document.hidden;
    if (!this.paused) this.#schedule();
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    if (this.#ticker) clearInterval(this.#ticker);
    this.#timer = this.#ticker = null;
    document.removeEventListener('visibilitychange', this.#onVisibility);
  }

  /** Checks now (also what the timer calls); never throws. */
  async check(): Promise<void> {
    try {
      const r = await this.poll();
      this.error = null;
      if (r.changed || r.manifest.datasetVersion !== this.version) {
        const previous = this.#current;
        this.show(r.manifest);
        this.onChange(r.manifest, previous);
      } else this.checkedAt = Date.now();
    } catch (e) {
      this.error = e instanceof Error ? e.message : String(e);
    }
  }

  #busy = false;

  /** One check at a time, then the next one is scheduled: never two timers. */
  async #tick(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      await this.check();
    } finally {
      this.#busy = false;
    }
    this.#schedule();
  }

  #schedule(): void {
    if (this.#stopped || this.paused || this.#timer || this.#busy) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.#tick();
    }, this.intervalMs);
  }

  #visibilityChanged(): void {
    this.paused = document.hidden;
    if (this.paused) {
      if (this.#timer) clearTimeout(this.#timer);
      this.#timer = null;
    } else if (!this.#stopped && !this.#timer) {
      // Back in view: look at once, then resume the cadence.
      void this.#tick();
    }
  }
}
