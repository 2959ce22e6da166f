// Ingest's Prometheus metrics. The loop reports what happened through IngestObserver (a few calls
// in realtime/ingest.ts); what Redis knows (lag, up) is asked at scrape time, so a scrape always
// sees the current value rather than the one at the last flush.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Redis } from '../realtime/stream.ts';
import { deadLetterClass } from './dead-letter-reason.ts';
import { manifestCreatedAt } from './manifest-time.ts';
import { redisGauges } from './stream-lag.ts';

export interface IngestObserver {
  read(entries: number): void;
  deadLetter(reason: string): void;
  published(p: { rows: number; files: number; seconds: number; at: Date }): void;
}

export interface IngestMetricsOptions {
  registry: Registry;
  redis: Redis;
  stream: string;
  group: string;
  /** The lake: the last publish before this process started is read from its manifest. */
  root: string;
}

/** Registers ingest's metrics; returns the observer the loop reports to. */
export async function ingestMetrics(o: IngestMetricsOptions): Promise<IngestObserver> {
  const { registry, redis, stream, group } = o;
  const registers = [registry];
  const published = await manifestCreatedAt(o.root);
  let lastPublish = published === null ? null : new Date(published);

  redisGauges(registers, redis, stream, group);
  new Gauge({
    name: 'quantiv_ingest_last_publish_timestamp_seconds',
    help: 'Unix time of the last manifest publish of the lake (by this ingest, or before it started).',
    registers,
    collect() {
      if (lastPublish) this.set(lastPublish.getTime() / 1000);
    },
  });
  new Gauge({
    name: 'quantiv_ingest_last_publish_age_seconds',
    help: 'Seconds since the last manifest publish of the lake.',
    registers,
    collect() {
      if (lastPublish) this.set((Date.now() - lastPublish.getTime()) / 1000);
    },
  });
  const read = new Counter({ name: 'quantiv_ingest_entries_read_total', help: 'Stream entries read (valid and bad).', registers });
  const rows = new Counter({ name: 'quantiv_ingest_rows_published_total', help: 'Option rows published to the lake.', registers });
  const files = new Counter({ name: 'quantiv_ingest_files_published_total', help: 'Parquet files published to the lake.', registers });
  const dead = new Counter({
    name: 'quantiv_ingest_dead_letters_total',
    help: 'Messages moved to the dead-letter stream, by reason class (missing_<column>, bad_<column>, other).',
    labelNames: ['reason'],
    registers,
  });
  const flush = new Histogram({
    name: 'quantiv_ingest_flush_duration_seconds',
    help: 'Time to turn one buffered batch into files and a manifest.',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers,
  });
  const reconnects = new Counter({ name: 'quantiv_ingest_reconnects_total', help: 'Redis reconnect attempts by the ingest client.', registers });
  redis.on('reconnecting', () => reconnects.inc());

  return {
    read: (n) => read.inc(n),
    deadLetter: (reason) => dead.inc({ reason: deadLetterClass(reason) }),
    published: (p) => {
      rows.inc(p.rows);
      files.inc(p.files);
      flush.observe(p.seconds);
      if (p.files > 0) lastPublish = p.at;
    },
  };
}
