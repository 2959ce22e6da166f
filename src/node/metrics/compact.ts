// Metrics of `quantiv compact --every`: runs by result, files merged, run durations and the last
// success, so a compaction that keeps failing (while ingest keeps adding small files) is visible.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface CompactObserver {
  succeeded(r: { merged: number; written: number; seconds: number }): void;
  failed(seconds: number): void;
}

export function compactMetrics(registry: Registry): CompactObserver {
  const registers = [registry];
  const runs = new Counter({ name: 'quantiv_compact_runs_total', help: 'Compaction runs by result (ok, error).', labelNames: ['result'], registers });
  const merged = new Counter({ name: 'quantiv_compact_files_merged_total', help: 'Options files merged away (inputs of compactions).', registers });
  const written = new Counter({ name: 'quantiv_compact_files_written_total', help: 'Compacted files published.', registers });
  const took = new Histogram({ name: 'quantiv_compact_duration_seconds', help: 'One compaction run, including the manifest publish.', buckets: [0.1, 0.5, 1, 5, 15, 60, 300], registers });
  const last = new Gauge({ name: 'quantiv_compact_last_success_timestamp_seconds', help: 'Unix time of the last successful run.', registers });
  runs.inc({ result: 'ok' }, 0);
  runs.inc({ result: 'error' }, 0);
  return {
    succeeded: (r) => {
      runs.inc({ result: 'ok' });
      merged.inc(r.merged);
      written.inc(r.written);
      took.observe(r.seconds);
      last.set(Date.now() / 1000);
    },
    failed: (seconds) => {
      runs.inc({ result: 'error' });
      took.observe(seconds);
    },
  };
}
