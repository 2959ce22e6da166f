import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bytesServed, currentOffset, parseAccessLine, parseAccessLog, readAccessLog } from '../e2e/harness/access-log.ts';

// Lines exactly as nginx's `log_format quantiv escape=json` writes them.
const ranged = '{"method":"GET","uri":"/data/options/year=2024/month=01/options_2024_01.parquet","status":206,"bytes":8,"range":"bytes=-8","time":0.001}';
const plain = '{"method":"GET","uri":"/?q=\\"x\\"","status":200,"bytes":512,"range":"","time":0.000}';

const dir = mkdtempSync(join(tmpdir(), 'quantiv-log-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('access log parsing', () => {
  it('parses one entry, with no Range as null', () => {
    expect(parseAccessLine(ranged)).toEqual({
      method: 'GET', uri: '/data/options/year=2024/month=01/options_2024_01.parquet', status: 206, bytes: 8, range: 'bytes=-8', time: 0.001,
    });
    expect(parseAccessLine(plain)).toMatchObject({ uri: '/?q="x"', range: null, bytes: 512 });
    expect(() => parseAccessLine('{"foo":1}')).toThrow(/not a quantiv access log line/);
  });

  it('ignores a half-written last line and blank lines', () => {
    expect(parseAccessLog(`${ranged}\n\n${plain}\n{"method":"GE`)).toHaveLength(2);
    expect(parseAccessLog('')).toEqual([]);
  });

  it('reads only what was logged after an offset', () => {
    const path = join(dir, 'access.log');
    expect(currentOffset(path)).toBe(0);
    expect(readAccessLog(0, path)).toEqual([]);
    writeFileSync(path, `${plain}\n`);
    const mark = currentOffset(path);
    appendFileSync(path, `${ranged}\n${ranged}\n`);
    const later = readAccessLog(mark, path);
    expect(later.map((e) => e.status)).toEqual([206, 206]);
    expect(bytesServed(later)).toBe(16);
    expect(bytesServed(readAccessLog(0, path), '/')).toBe(528);
    expect(readAccessLog(currentOffset(path), path)).toEqual([]);
  });
});
