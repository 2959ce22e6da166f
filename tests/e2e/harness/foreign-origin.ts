// A second origin on another port that records every request it gets, WebSocket upgrades and
// CONNECTs included: tests assert that a link could not make the reader's browser talk to it.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ForeignRequest {
  method: string;
  url: string;
  /** 'http', 'upgrade' (WebSocket) or 'connect'. */
  kind: string;
}

export interface ForeignOrigin {
  /** http://127.0.0.1:PORT, no trailing slash. */
  origin: string;
  requests: ForeignRequest[];
  stop(): Promise<void>;
}

export async function startForeignOrigin(): Promise<ForeignOrigin> {
  const requests: ForeignRequest[] = [];
  const note = (kind: string, req: IncomingMessage) => requests.push({ method: req.method ?? '', url: req.url ?? '', kind });
  const server = createServer((req, res) => {
    note('http', req);
    // Answers like a permissive lake would, so nothing fails for want of CORS: only the app's
    // own defences can keep these requests from arriving.
    res.writeHead(200, {
      'Access-Control-Allow-Origin': '*',
      'Access-Control-Allow-Headers': '*',
      'Content-Type': req.url?.endsWith('.js') ? 'text/javascript' : 'application/json',
    });
    res.end(req.url?.endsWith('.js') ? 'export const x = 1;' : '{}');
  });
  server.on('upgrade', (req, socket) => {
    note('upgrade', req);
    socket.destroy();
  });
  server.on('connect', (req, socket) => {
    note('connect', req);
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    stop: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
