// A second origin in front of the real nginx that misbehaves on purpose, only for options .parquet under
// /data/: it drops the Range header (the server "ignores Range" and answers 200), gzips the body
// (Content-Encoding on Parquet), or strips the CORS headers. Everything else passes unchanged,
// so the app itself is the one nginx serves.
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';

export type Fault = 'ignore-range' | 'gzip' | 'no-cors';

export interface FaultyServer {
  url: string;
  /** Parquet requests it has misanswered. */
  readonly faulted: number;
  stop(): Promise<void>;
}

export async function startFaultyServer(upstream: string, fault: Fault): Promise<FaultyServer> {
  const target = new URL(upstream);
  let faulted = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const isParquet = /^\/data\/options\/.*\.parquet(\?|$)/.test(req.url ?? '');
    const headers = { ...req.headers, host: target.host };
    if (isParquet && fault !== 'no-cors') delete headers.range;
    if (isParquet && fault === 'gzip') delete headers['accept-encoding'];
    const up = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers }, (answer) => {
      const out = { ...answer.headers };
      delete out.connection;
      delete out['transfer-encoding'];
      if (!isParquet) {
        res.writeHead(answer.statusCode ?? 502, out);
        answer.pipe(res);
        return;
      }
      faulted += 1;
      if (fault === 'no-cors') for (const k of Object.keys(out)) if (k.startsWith('access-control-')) delete out[k];
      const chunks: Buffer[] = [];
      answer.on('data', (c: Buffer) => chunks.push(c));
      answer.on('end', () => {
        let body = Buffer.concat(chunks);
        if (fault === 'gzip') {
          // HEAD too, as nginx's gzip filter does.
          if (req.method !== 'HEAD') body = gzipSync(body);
          out['content-encoding'] = 'gzip';
        }
        // As nginx's gzip does: a chunked body of unknown length.
        if (fault === 'gzip') delete out['content-length'];
        else if (req.method !== 'HEAD') out['content-length'] = String(body.length);
        res.writeHead(answer.statusCode ?? 502, out);
        res.end(req.method === 'HEAD' ? undefined : body);
      });
    });
    up.on('error', (e) => {
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`faulty server: upstream failed (${e.message})\n`);
    });
    req.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get faulted() {
      return faulted;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * The app as a deployment that names `dataOrigin` as an allowed data origin serves it: nginx's
 * pages pass through, with that origin added to the CSP's connect-src and listed in
 * quantiv-config.json, as setting $quantiv_data_origin in nginx.conf does.
 */
export async function startDeploymentProxy(upstream: string, dataOrigin: string): Promise<{ url: string; stop(): Promise<void> }> {
  const target = new URL(upstream);
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if ((req.url ?? '').split('?')[0] === '/quantiv-config.json') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ dataOrigins: [dataOrigin] }));
      return;
    }
    const up = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } }, (answer) => {
      const out = { ...answer.headers };
      delete out.connection;
      const csp = out['content-security-policy'];
      if (typeof csp === 'string') out['content-security-policy'] = csp.replace(/connect-src 'self'/, `connect-src 'self' ${dataOrigin}`);
      res.writeHead(answer.statusCode ?? 502, out);
      answer.pipe(res);
    });
    up.on('error', (e) => {
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`deployment proxy: upstream failed (${e.message})\n`);
    });
    req.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
