// A private, real redis-server for one test file: free port on 127.0.0.1, its own temp dir;
// stop() shuts down exactly the server it started (by the pid it wrote). Fault tests ask for
// `persist` (append-only file, fsync on every write: what a server acknowledged survives a kill -9)
// and use kill()/start()/restart() to take the same server (port, dir, data) away and back.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'redis';
import { freePort } from '../../src/node/net.ts';
import { processAlive } from '../../src/node/pid.ts';

export interface RedisServer {
  url: string;
  port: number;
  dir: string;
  pid: number;
  /** Kills the server (SIGKILL by default: no chance to say goodbye to clients) and waits until it is gone. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port with the same dir (and so, with `persist`, the same data). */
  start(): Promise<void>;
  /** kill, optionally wait downMs, start. */
  restart(downMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface RedisStartOptions {
  /** Keep data across kill/start: appendonly yes, appendfsync always. */
  persist?: boolean;
  /** requirepass: clients must AUTH with it (the returned url carries it). */
  password?: string;
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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Launches redis-server on port/dir; returns its pid, or null when the port was taken. */
async function launch(port: number, dir: string, persist: boolean, password?: string): Promise<number | null> {
  const pidfile = join(dir, 'redis.pid');
  rmSync(pidfile, { force: true });
  execFileSync('redis-server', [
    '--port', String(port), '--bind', '127.0.0.1', '--daemonize', 'yes', '--dir', dir,
    '--save', '', ...(persist ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']),
    '--pidfile', pidfile, '--logfile', join(dir, 'redis.log'), ...(password ? ['--requirepass', password] : []),
  ]);
  const url = `redis://${password ? `:${password}@` : ''}127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  while (!(existsSync(pidfile) && (await ping(url)))) {
    if (Date.now() > deadline) {
      const log = existsSync(join(dir, 'redis.log')) ? readFileSync(join(dir, 'redis.log'), 'utf8') : '';
      if (/Address already in use/.test(log)) return null;
      throw new Error(`redis-server on ${port} did not start:\n${log}`);
    }
    await sleep(50);
  }
  return Number(readFileSync(pidfile, 'utf8').trim());
}

export async function startRedis(opts: RedisStartOptions = {}): Promise<RedisServer> {
  const persist = opts.persist ?? false;
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'quantiv-redis-'));
    let pid: number | null;
    try {
      pid = await launch(port, dir, persist, opts.password);
    } catch (e) {
      rmSync(dir, { recursive: true, force: true });
      if (attempt < 3) continue;
      throw e;
    }
    if (pid === null) {
      rmSync(dir, { recursive: true, force: true });
      if (attempt < 3) continue;
      throw new Error(`no free port for redis-server after ${attempt + 1} attempts`);
    }
    let current: number = pid;
    const server: RedisServer = {
      url: `redis://${opts.password ? `:${opts.password}@` : ''}127.0.0.1:${port}`,
      port,
      dir,
      get pid() {
        return current;
      },
      async kill(signal: NodeJS.Signals = 'SIGKILL') {
        try {
          process.kill(current, signal);
        } catch {
          return;
        }
        const until = Date.now() + 5000;
        while (processAlive(current) && Date.now() < until) await sleep(25);
      },
      async start() {
        const again = await launch(port, dir, persist, opts.password);
        if (again === null) throw new Error(`port ${port} was taken while redis-server was down`);
        current = again;
      },
      async restart(downMs = 0) {
        await server.kill();
        if (downMs > 0) await sleep(downMs);
        await server.start();
      },
      async stop() {
        await server.kill('SIGTERM');
        rmSync(dir, { recursive: true, force: true });
      },
    };
    return server;
  }
}
