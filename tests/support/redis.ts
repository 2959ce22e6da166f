// A private, real redis-server for one test file: free port on 127.0.0.1, no persistence, its own
// temp dir; stop() shuts down exactly the server it started (by the pid it wrote).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'redis';
import { freePort } from '../../src/node/net.ts';

export interface RedisServer {
  url: string;
  port: number;
  dir: string;
  pid: number;
  stop(): Promise<void>;
}

async function ping(url: string): Promise<boolean> {
  const c = createClient({ url, socket: { reconnectStrategy: false, connectTimeout: 500 } });
  c.on('error', () => {});
  try {
    await c.connect();
    await c.ping();
    return true;
  } catch {
    return false;
  } finally {
    if (c.isOpen) await c.close().catch(() => {});
  }
}

export async function startRedis(): Promise<RedisServer> {
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'quantiv-redis-'));
    const pidfile = join(dir, 'redis.pid');
    try {
      execFileSync('redis-server', [
        '--port', String(port), '--bind', '127.0.0.1', '--daemonize', 'yes', '--dir', dir,
        '--save', '', '--appendonly', 'no', '--pidfile', pidfile, '--logfile', join(dir, 'redis.log'),
      ]);
    } catch (e) {
      rmSync(dir, { recursive: true, force: true });
      if (attempt < 3) continue;
      throw e;
    }
    const url = `redis://127.0.0.1:${port}`;
    const deadline = Date.now() + 10_000;
    while (!(existsSync(pidfile) && (await ping(url)))) {
      if (Date.now() > deadline) {
        const log = existsSync(join(dir, 'redis.log')) ? readFileSync(join(dir, 'redis.log'), 'utf8') : '';
        if (attempt < 3 && /Address already in use/.test(log)) break;
        throw new Error(`redis-server on ${port} did not start:\n${log}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    if (!existsSync(pidfile)) {
      rmSync(dir, { recursive: true, force: true });
      continue;
    }
    const pid = Number(readFileSync(pidfile, 'utf8').trim());
    return {
      url,
      port,
      dir,
      pid,
      async stop() {
        try {
          process.kill(pid, 'SIGTERM');
        } catch {
          // already gone
        }
        const until = Date.now() + 5000;
        while (Date.now() < until) {
          try {
            process.kill(pid, 0);
          } catch {
            break;
          }
          await new Promise((r) => setTimeout(r, 25));
        }
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
}
