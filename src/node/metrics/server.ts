// The /metrics endpoint every long-running tool serves: one prom-client registry per process over
// node:http, so a tool's metrics never leak into another's (tests run several in one process).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectDefaultMetrics, Registry } from 'prom-client';

export const DEFAULT_METRICS_HOST = '127.0.0.1';

export interface MetricsServer {
  registry: Registry;
  port: number;
  url: string;
  close(): Promise<void>;
}

/** A registry with the process metrics (CPU, memory, event-loop lag) already in it. */
export function newRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}

/** Serves `registry` at GET /metrics on host:port (port 0 picks a free one). */
export async function serveMetrics(registry: Registry, port: number, host = DEFAULT_METRICS_HOST): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '/').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('metrics are at /metrics\n');
      return;
    }
    registry.metrics().then(
      (body) => res.writeHead(200, { 'content-type': registry.contentType }).end(body),
      (e: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${(e as Error).message}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    registry,
    port: bound,
    url: `http://${host}:${bound}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Prometheus keeps its scrape connection alive; close() alone would wait for it forever.
        server.closeAllConnections();
      }),
  };
}
