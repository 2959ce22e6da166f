// A loopback HTTP proxy that holds every request for a fixed time before forwarding it, so the app
// can be measured as a reader far from the server sees it: DuckDB-WASM sends its lake reads one
// after another, so each one costs a full round trip and the request count becomes the latency.
// Responses go back unchanged (status, headers, body streamed), so 206/Content-Range and HEAD
// behave exactly as the upstream nginx answers them.
import { Agent, createServer, request, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const DEFAULT_DELAY_MS = 40;

export interface LatencyProxyOptions {
  /** Where requests go, e.g. nginx's http://127.0.0.1:PORT. */
  upstream: string;
  /** Added to every request before it is forwarded. */
  delayMs?: number;
  host?: string;
  /** 0 (default): an ephemeral port. */
  port?: number;
}

export interface LatencyProxy {
  url: string;
  port: number;
  delayMs: number;
  /** Requests received so far, whatever became of them. */
  readonly requests: number;
  /** Requests whose path (query string excluded) starts with the prefix, e.g. '/data/'. */
  requestsUnder(prefix: string): number;
  stop(): Promise<void>;
}

// Hop-by-hop headers describe one connection, not the message (RFC 9110 7.6.1); Node sets its own.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

function endToEnd(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([k]) => !HOP_BY_HOP.has(k.toLowerCase())));
}

/** Raw [name, value, name, value, ...] keeps the upstream's spelling, order and repeated headers. */
function endToEndRaw(raw: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (!HOP_BY_HOP.has(raw[i]!.toLowerCase())) out.push(raw[i]!, raw[i + 1]!);
  }
  return out;
}

/** setTimeout may fire a millisecond early against performance.now(); the delay is a floor. */
async function holdUntil(deadline: number): Promise<void> {
  for (let left = deadline - performance.now(); left > 0; left = deadline - performance.now()) {
    await new Promise((r) => setTimeout(r, Math.ceil(left)));
  }
}

function badGateway(res: ServerResponse, upstream: string, e: Error): void {
  if (res.headersSent) {
    // Mid-body: the only honest signal left is a cut connection.
    res.destroy(e);
    return;
  }
  const code = (e as NodeJS.ErrnoException).code ?? e.message;
  const body = `latency proxy: upstream ${upstream} failed (${code})\n`;
  res.writeHead(502, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

export async function startLatencyProxy(opts: LatencyProxyOptions): Promise<LatencyProxy> {
  const delayMs = opts.delayMs ?? DEFAULT_DELAY_MS;
  if (!Number.isFinite(delayMs) || delayMs < 0) throw new Error(`latency proxy: delay must be >= 0 ms, got ${delayMs}`);
  const target = new URL(opts.upstream);
  if (target.protocol !== 'http:') throw new Error(`latency proxy: upstream must be http://, got ${opts.upstream}`);
  const upstream = target.origin;
  // Keep-alive to the upstream: the injected delay should be the only extra cost per request.
  const agent = new Agent({ keepAlive: true });
  let total = 0;
  const byPath = new Map<string, number>();

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const arrived = performance.now();
    total += 1;
    const path = (req.url ?? '/').replace(/\?.*$/, '');
    byPath.set(path, (byPath.get(path) ?? 0) + 1);
    let gone = false;
    res.once('close', () => { gone = true; });
    void holdUntil(arrived + delayMs).then(() => {
      if (gone) return;
      const up = request({
        protocol: target.protocol, hostname: target.hostname, port: target.port, agent,
        method: req.method, path: req.url, headers: endToEnd(req.headers),
      }, (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.statusMessage, endToEndRaw(upRes.rawHeaders));
        upRes.pipe(res);
        upRes.once('error', (e) => res.destroy(e));
      });
      up.once('error', (e) => badGateway(res, upstream, e));
      // The browser gave up (navigation, cancel): stop the upstream transfer too.
      res.once('close', () => { if (!res.writableFinished) up.destroy(); });
      req.pipe(up);
    });
  });

  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(opts.port ?? 0, host, () => { server.off('error', fail); ok(); });
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}`,
    port,
    delayMs,
    get requests() { return total; },
    requestsUnder(prefix: string): number {
      let n = 0;
      for (const [p, c] of byPath) if (p.startsWith(prefix)) n += c;
      return n;
    },
    async stop() {
      const closed = new Promise<void>((ok) => server.close(() => ok()));
      server.closeAllConnections();
      agent.destroy();
      await closed;
    },
  };
}
