// Minimal HTTP client for `quantiv check`: node:http(s) directly, so nothing is decompressed or
// followed behind our back and we see exactly the status, headers and bytes a browser would get.
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface HttpAnswer {
  url: string;
  status: number;
  headers: IncomingHttpHeaders;
  /** Body as received (still compressed if the server compressed it), up to maxBody bytes. */
  body: Buffer;
  /** True when the body was longer than maxBody and cut off. */
  truncated: boolean;
}

export interface HttpOptions {
  method?: string;
  headers?: Record<string, string>;
  timeoutMs?: number;
  maxBody?: number;
}

/** What Chromium sends: a server that compresses for browsers compresses for us too. */
export const BROWSER_ACCEPT_ENCODING = 'gzip, deflate, br, zstd';

export function fetchRaw(url: string, opts: HttpOptions = {}): Promise<HttpAnswer> {
  const u = new URL(url);
  const request = u.protocol === 'https:' ? httpsRequest : u.protocol === 'http:' ? httpRequest : null;
  if (!request) return Promise.reject(new Error(`unsupported URL scheme ${u.protocol} (http or https only)`));
  const maxBody = opts.maxBody ?? 8 * 1024 * 1024;
  // One deadline for the whole exchange: the socket's idle timeout alone never fires against a
  // server that trickles a byte every few seconds.
  const deadlineMs = opts.timeoutMs ?? 15_000;
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (f: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      f();
    };
    const req = request(u, { method: opts.method ?? 'GET', headers: { 'user-agent': 'quantiv-check', ...opts.headers } }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let truncated = false;
      res.on('data', (c: Buffer) => {
        if (size >= maxBody) {
          truncated = true;
          res.destroy();
          return;
        }
        chunks.push(c);
        size += c.length;
      });
      const done = () => {
        const body = Buffer.concat(chunks);
        settle(() => resolve({ url, status: res.statusCode ?? 0, headers: res.headers, body: body.subarray(0, maxBody), truncated: truncated || body.length > maxBody }));
      };
      res.on('end', done);
      res.on('close', done);
      res.on('error', (e) => (truncated ? done() : settle(() => reject(e))));
    });
    const timer = setTimeout(() => {
      settle(() => reject(new Error(`no complete answer within ${deadlineMs} ms`)));
      req.destroy();
    }, deadlineMs);
    req.on('error', (e) => settle(() => reject(e)));
    req.end();
  });
}

/** A header as one string (multiple values joined with ', '), or '' when absent. */
export function header(a: HttpAnswer, name: string): string {
  const v = a.headers[name.toLowerCase()];
  if (v === undefined) return '';
  return Array.isArray(v) ? v.join(', ') : String(v);
}

/** Comma-separated header tokens, lower-cased. */
export function tokens(a: HttpAnswer, name: string): string[] {
  return header(a, name).split(',').map((t) => t.trim().toLowerCase()).filter(Boolean);
}

/** max-age in seconds from Cache-Control, or null when absent. */
export function maxAge(cacheControl: string): number | null {
  const m = /(?:^|[,\s])(?:s-)?max-age\s*=\s*(\d+)/i.exec(cacheControl);
  return m ? Number(m[1]) : null;
}
