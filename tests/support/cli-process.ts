// The real `quantiv` command as a child process, for tests that act on it while it runs (kill its
// server, wait for a line it prints, then check its exit code and output).
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'bin/quantiv.mjs');

export interface CliProcess {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
  /** Resolves once stdout or stderr has matched; rejects on timeout or when the process exits first. */
  waitFor(re: RegExp, timeoutMs?: number): Promise<void>;
}

export function runCli(args: string[], env: Record<string, string> = {}): CliProcess {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...process.env, ...env } });
  let out = '';
  let err = '';
  const watchers: (() => void)[] = [];
  child.stdout!.on('data', (d) => {
    out += String(d);
    for (const w of watchers) w();
  });
  child.stderr!.on('data', (d) => {
    err += String(d);
    for (const w of watchers) w();
  });
  const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitFor: (re, timeoutMs = 60_000) =>
      new Promise<void>((res, rej) => {
        const check = () => {
          if (re.test(out) || re.test(err)) res();
        };
        watchers.push(check);
        check();
        setTimeout(() => rej(new Error(`timed out waiting for ${re}:\n${out}\n${err}`)), timeoutMs).unref();
        void exited.then((code) => setTimeout(() => rej(new Error(`exited (${code}) before ${re}:\n${out}\n${err}`)), 50));
      }),
  };
}
