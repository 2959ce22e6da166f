// Runs the real production nginx.conf locally (for `quantiv serve` and the e2e tests): only the
// `# quantiv:<key>` marked lines are rewritten, so what is tested is what ships.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { connect } from 'node:net';
import { freePort } from './net.ts';
import { processAlive } from './pid.ts';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export { freePort };

export const NGINX_CONF = fileURLToPath(new URL('../../nginx.conf', import.meta.url));

export const MARKER_KEYS = ['user', 'pid', 'error_log', 'access_log', 'temp', 'listen', 'site', 'data'] as const;
export type MarkerKey = (typeof MARKER_KEYS)[number];

export interface RenderValues {
  prefix: string;
  port: number;
  host: string;
  siteRoot: string;
  dataRoot: string;
  /** Started as root: the `user` directive applies (without root nginx ignores it, with a warning). */
  asRoot: boolean;
  /** With asRoot: the account (and group) workers run as; default root (test instances serving 0700 temp dirs). */
  user?: { name: string; group: string } | undefined;
}

const MARKED = /^(\s*)(\w+)\s+[^;]*;(\s*# quantiv:(\w+))\s*$/;

function quote(v: string): string {
  if (/["$\\]/.test(v)) throw new Error(`nginx path must not contain " $ or \\: ${v}`);
  return /[\s;{}#']/.test(v) ? `"${v}"` : v;
}

/** Rewrites the marked directives of the production config for a private local instance. */
export function renderConf(template: string, v: RenderValues): string {
  const seen = new Set<string>();
  const out = template.split('\n').map((line) => {
    const m = MARKED.exec(line);
    if (!m) {
      if (line.includes('# quantiv:') && !/^\s*#/.test(line)) throw new Error(`unparsable marked line: ${line}`);
      return line;
    }
    const [, indent, directive, marker, key] = m as unknown as string[];
    if (!(MARKER_KEYS as readonly string[]).includes(key!)) throw new Error(`unknown marker quantiv:${key}`);
    seen.add(key!);
    let value: string;
    switch (key as MarkerKey) {
      case 'user':
        // nginx warns about `user` when not started as root, so drop it there.
        if (!v.asRoot) return `${indent}# user (not root: workers keep our uid)${marker}`;
        return `${indent}user ${v.user ? `${quote(v.user.name)} ${quote(v.user.group)}` : 'root'};${marker}`;
      case 'pid': value = quote(join(v.prefix, 'nginx.pid')); break;
      case 'error_log': value = `${quote(join(v.prefix, 'error.log'))} warn`; break;
      case 'access_log': value = `${quote(join(v.prefix, 'access.log'))} quantiv`; break;
      case 'temp': value = quote(join(v.prefix, 'temp', directive!.replace(/_temp_path$/, ''))); break;
      case 'listen': value = `${v.host.includes(':') ? `[${v.host}]` : v.host}:${v.port}`; break;
      case 'site': value = quote(resolve(v.siteRoot)); break;
      // alias maps /data/x to <dataRoot>/x: the trailing slash is required.
      case 'data': value = quote(resolve(v.dataRoot) + '/'); break;
    }
    return `${indent}${directive} ${value};${marker}`;
  });
  const missing = MARKER_KEYS.filter((k) => !seen.has(k));
  if (missing.length) throw new Error(`nginx.conf lacks marked lines: ${missing.join(', ')}`);
  return out.join('\n');
}


export interface NginxOptions {
  siteRoot: string;
  dataRoot: string;
  port?: number;
  host?: string;
  /** Folder for the rendered conf, logs, pid and temp files; a fresh temp dir by default. */
  prefix?: string;
  nginxBin?: string;
  template?: string;
  readyTimeoutMs?: number;
  /**
   * When started as root, run the workers as this account (`quantiv serve`: nobody) instead of
   * root. The site and data must be readable by it (checked first); the temp dirs are given to it.
   */
  workerUser?: string;
}

/** The account's primary group name (nginx's `user NAME GROUP`). */
function primaryGroup(user: string): string {
  const r = spawnSync('id', ['-gn', user], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`no such user for the nginx workers: ${user} (${r.stderr.trim()})`);
  return r.stdout.trim();
}

/** The folders and files nginx serves from, as `test` flags: -x to enter, -r to read. */
export function servedPaths(siteRoot: string, dataRoot: string): [string, string][] {
  const site = resolve(siteRoot);
  return [['-x', site], ['-r', join(site, 'index.html')], ['-x', resolve(dataRoot)]];
}

/** The first check `user` fails (as `runuser -u user -- test FLAG PATH`), or null. */
export function unreadableBy(user: string, checks: [string, string][]): [string, string] | null {
  return checks.find(([flag, path]) => spawnSync('runuser', ['-u', user, '--', 'test', flag, path]).status !== 0) ?? null;
}

/** Fails with what to do when `user` could not read what nginx must serve. */
function assertReadableBy(user: string, checks: [string, string][]): void {
  const failed = unreadableBy(user, checks);
  if (failed) {
    const [flag, path] = failed;
    throw new Error(`nginx workers run as ${user}, who cannot ${flag === '-r' ? 'read' : 'enter'} ${path}: make it readable (chmod o+rX on it and its parent folders) or choose another --user`);
  }
}

export interface NginxServer {
  url: string;
  port: number;
  pid: number;
  prefix: string;
  confFile: string;
  accessLog: string;
  errorLog: string;
  /** Resolves when nginx exits, with its exit code (or signal name). */
  exited: Promise<number | string>;
  stop(): Promise<void>;
}

function portAnswers(host: string, port: number): Promise<boolean> {
  return new Promise((ok) => {
    const sock = connect({ host, port });
    sock.once('connect', () => { sock.destroy(); ok(true); });
    sock.once('error', () => ok(false));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Graceful QUIT, then TERM, then KILL; usable from a process that did not start nginx. */
export async function stopNginxPid(pid: number, graceMs = 5000): Promise<void> {
  for (const sig of ['SIGQUIT', 'SIGTERM', 'SIGKILL'] as const) {
    if (!processAlive(pid)) return;
    try { process.kill(pid, sig); } catch { return; }
    const until = Date.now() + (sig === 'SIGKILL' ? 2000 : graceMs);
    while (Date.now() < until) {
      if (!processAlive(pid)) return;
      await sleep(50);
    }
  }
  throw new Error(`nginx ${pid} did not exit`);
}

export async function startNginx(opts: NginxOptions): Promise<NginxServer> {
  const host = opts.host ?? '127.0.0.1';
  const port = opts.port ?? (await freePort(host));
  const prefix = resolve(opts.prefix ?? mkdtempSync(join(tmpdir(), 'quantiv-nginx-')));
  mkdirSync(join(prefix, 'temp'), { recursive: true });
  for (const [what, dir] of [['site', opts.siteRoot], ['data', opts.dataRoot]] as const) {
    if (!existsSync(dir)) throw new Error(`nginx ${what} root does not exist: ${dir}`);
  }
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  let user: RenderValues['user'];
  if (asRoot && opts.workerUser && opts.workerUser !== 'root') {
    user = { name: opts.workerUser, group: primaryGroup(opts.workerUser) };
    assertReadableBy(user.name, servedPaths(opts.siteRoot, opts.dataRoot));
    // Workers buffer request bodies and proxied responses in the temp dirs: theirs to write. The
    // prefix only needs to be passable; logs and the pid file are opened by the root master.
    chmodSync(prefix, 0o711);
    const uid = Number(spawnSync('id', ['-u', user.name], { encoding: 'utf8' }).stdout.trim());
    const gid = Number(spawnSync('id', ['-g', user.name], { encoding: 'utf8' }).stdout.trim());
    chownSync(join(prefix, 'temp'), uid, gid);
  }
  const conf = renderConf(opts.template ?? readFileSync(NGINX_CONF, 'utf8'), {
    prefix, port, host, siteRoot: opts.siteRoot, dataRoot: opts.dataRoot, asRoot, user,
  });
  const confFile = join(prefix, 'nginx.conf');
  writeFileSync(confFile, conf);
  const errorLog = join(prefix, 'error.log');

  // daemon off keeps the master as our child, so its exit is observable and nothing is orphaned
  // by a double fork; -e keeps start-up errors out of /var/log/nginx (which may not exist).
  const child: ChildProcess = spawn(opts.nginxBin ?? 'nginx', ['-p', prefix, '-c', confFile, '-e', errorLog, '-g', 'daemon off;'], {
    stdio: ['ignore', 'ignore', 'pipe'],
    // Own process group: Ctrl+C reaches only us, and stop() then shuts nginx down gracefully.
    detached: true,
  });
  // Never outlive the process that started it, even on an uncaught error.
  const reap = () => { try { process.kill(child.pid!, 'SIGTERM'); } catch { /* already gone */ } };
  process.once('exit', reap);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); });
  const exited = new Promise<number | string>((ok) => {
    child.once('exit', (code, signal) => ok(code ?? signal ?? -1));
    child.once('error', (e) => { stderr += String(e); ok(-1); });
  });
  let gone = false;
  void exited.then(() => { gone = true; process.off('exit', reap); });

  const deadline = Date.now() + (opts.readyTimeoutMs ?? 10_000);
  while (!(await portAnswers(host, port))) {
    if (gone || Date.now() > deadline) {
      if (!gone) child.kill('SIGKILL');
      const log = existsSync(errorLog) ? readFileSync(errorLog, 'utf8') : '';
      throw new Error(`nginx did not start on ${host}:${port}\n${stderr}${log}`.trim());
    }
    await sleep(50);
  }

  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}`,
    port,
    pid: child.pid!,
    prefix,
    confFile,
    accessLog: join(prefix, 'access.log'),
    errorLog,
    exited,
    async stop() {
      if (gone) return;
      await stopNginxPid(child.pid!);
      await exited;
    },
  };
}
