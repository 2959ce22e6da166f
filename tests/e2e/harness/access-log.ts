// Reads the nginx access log (format `quantiv` in nginx.conf: one JSON object a line) so tests can
// assert what the browser really fetched: how many requests, which ranges, how many body bytes.
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';

export interface AccessEntry {
  method: string;
  uri: string;
  status: number;
  /** Body bytes sent (headers excluded); 0 for HEAD and 304. */
  bytes: number;
  /** The Range request header, or null when none was sent. */
  range: string | null;
  /** Seconds, millisecond resolution. */
  time: number;
}

function logPath(path?: string): string {
  const p = path ?? process.env.QUANTIV_ACCESS_LOG;
  if (!p) throw new Error('QUANTIV_ACCESS_LOG is not set (is the e2e globalSetup running?)');
  return p;
}

export function parseAccessLine(line: string): AccessEntry {
  const o = JSON.parse(line) as Record<string, unknown>;
  if (typeof o.uri !== 'string' || typeof o.status !== 'number') throw new Error(`not a quantiv access log line: ${line}`);
  return {
    method: typeof o.method === 'string' ? o.method : '',
    uri: o.uri,
    status: o.status,
    bytes: typeof o.bytes === 'number' ? o.bytes : 0,
    range: typeof o.range === 'string' && o.range !== '' ? o.range : null,
    time: typeof o.time === 'number' ? o.time : 0,
  };
}

/** Parses complete lines only: nginx may be mid-write on the last one. */
export function parseAccessLog(text: string): AccessEntry[] {
  const end = text.lastIndexOf('\n');
  if (end < 0) return [];
  return text.slice(0, end).split('\n').filter((l) => l.trim() !== '').map(parseAccessLine);
}

/** Byte offset of the log's end now; pass it to readAccessLog to see only later requests. */
export function currentOffset(path?: string): number {
  const p = logPath(path);
  return existsSync(p) ? statSync(p).size : 0;
}

export function readAccessLog(sinceOffset = 0, path?: string): AccessEntry[] {
  const p = logPath(path);
  if (!existsSync(p)) return [];
  const size = statSync(p).size;
  if (size <= sinceOffset) return [];
  const buf = Buffer.alloc(size - sinceOffset);
  const fd = openSync(p, 'r');
  try {
    readSync(fd, buf, 0, buf.length, sinceOffset);
  } finally {
    closeSync(fd);
  }
  return parseAccessLog(buf.toString('utf8'));
}

/** Body bytes served for URIs under a prefix (default the lake), e.g. to bound a query's reads. */
export function bytesServed(entries: AccessEntry[], uriPrefix = '/data/'): number {
  return entries.filter((e) => e.uri.startsWith(uriPrefix)).reduce((n, e) => n + e.bytes, 0);
}
