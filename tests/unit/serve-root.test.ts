// `quantiv serve` started as root: the nginx master keeps root, every worker runs as the unprivileged
// --user (read from /proc), the site and data are still served, and a folder that user cannot read is
// refused before nginx starts, with one line and no stack.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/node/exit-codes.ts';
import { freePort } from '../../src/node/net.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const asRoot = process.getuid?.() === 0;
const hasNginx = ['/usr/sbin/nginx', '/usr/bin/nginx'].some((p) => existsSync(p));
const NOBODY = 65534;

const tmp = mkdtempSync(join(tmpdir(), 'quantiv-serve-root-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function serve(args: string[]): { child: ChildProcess; out: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [join(ROOT, 'bin/quantiv.mjs'), 'serve', ...args], { cwd: ROOT });
  let out = '';
  child.stdout!.on('data', (d) => (out += String(d)));
  child.stderr!.on('data', (d) => (out += String(d)));
  return { child, out: () => out, exited: new Promise((r) => child.on('close', (code) => r(code))) };
}

/** Real, effective, saved and filesystem uids of a process, from /proc. */
function uids(pid: number): number[] {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('Uid:'))!;
  return line.split(/\s+/).slice(1, 5).map(Number);
}

function childrenOf(pid: number): number[] {
  return readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number).filter((p) => {
    try {
      // Field 4 of /proc/PID/stat is the parent pid (after the parenthesised command name).
      return Number(readFileSync(`/proc/${p}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ')[1]) === pid;
    } catch {
      return false;
    }
  });
}

function folders(name: string, mode: number): { site: string; data: string } {
  const base = join(tmp, name);
  const site = join(base, 'site');
  const data = join(base, 'data');
  mkdirSync(site, { recursive: true });
  mkdirSync(data, { recursive: true });
  writeFileSync(join(site, 'index.html'), '<!doctype html><p>quantiv</p>');
  writeFileSync(join(data, 'manifest.json'), '{"format":"x"}');
  chmodSync(tmp, 0o755);
  chmodSync(base, mode);
  return { site, data };
}

describe.skipIf(!asRoot || !hasNginx)('quantiv serve as root', () => {
  it('runs the nginx workers as nobody, not root, and still serves the site and the lake', async () => {
    const { site, data } = folders('readable', 0o755);
    const port = await freePort();
    const s = serve(['--port', String(port), '--site', site, '--data', data]);
    try {
      const deadline = Date.now() + 30_000;
      while (!/Ctrl\+C to stop/.test(s.out())) {
        if (Date.now() > deadline) throw new Error(`serve did not start:\n${s.out()}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(s.out()).toContain('nginx workers run as nobody (started as root)');
      const prefix = /logs (\S+)\)/.exec(s.out())![1]!;
      const master = Number(readFileSync(join(prefix, 'nginx.pid'), 'utf8').trim());
      expect(uids(master)[1]).toBe(0);
      const workers = childrenOf(master);
      expect(workers.length).toBeGreaterThan(0);
      for (const w of workers) expect(uids(w), `worker ${w}`).toEqual([NOBODY, NOBODY, NOBODY, NOBODY]);
      // The temp paths (request bodies, proxy buffers) are the workers' to write.
      for (const d of ['', ...readdirSync(join(prefix, 'temp'))]) expect(statSync(join(prefix, 'temp', d)).uid, `temp/${d}`).toBe(NOBODY);
      const page = await fetch(`http://127.0.0.1:${port}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('quantiv');
      const manifest = await fetch(`http://127.0.0.1:${port}/data/manifest.json`);
      expect(manifest.status).toBe(200);
    } finally {
      s.child.kill('SIGTERM');
    }
    expect(await s.exited).toBe(EXIT.OK);
  }, 60_000);

  it('refuses folders the workers could not read, naming the folder, before nginx starts', async () => {
    const { site, data } = folders('private', 0o700);
    const s = serve(['--port', String(await freePort()), '--site', site, '--data', data]);
    expect(await s.exited).toBe(EXIT.FAILED);
    expect(s.out()).toBe(`quantiv serve: nginx workers run as nobody, who cannot enter ${site}: make it readable (chmod o+rX on it and its parent folders) or choose another --user\n`);
  }, 60_000);
});
