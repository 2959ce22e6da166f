// `quantiv serve`: the production nginx.conf on this machine, in the foreground. Started as root,
// nginx's master keeps root (it binds the port, opens the logs) but its workers, which read the
// files and talk to clients, run as --user (default nobody), as the production config's
// `user www-data` does.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseFlags } from './flags.ts';
import { startNginx } from '../node/nginx.ts';
import { ToolError, UsageError } from '../node/usage-error.ts';

export const DEFAULT_WORKER_USER = 'nobody';

const USAGE = `usage: quantiv serve [--port N] [--host 127.0.0.1] [--site dist] [--data data] [--user nobody]
Serves the built site at / and the lake at /data/ with the production nginx.conf.
Run as root, the nginx workers drop to --user (default ${DEFAULT_WORKER_USER}): the site and data folders
must be readable by it (checked before nginx starts). Needs nginx on PATH (Debian: apt-get install
nginx). Ctrl+C stops it.`;

export async function run(argv: string[]): Promise<void> {
  const values = parseFlags(
    argv,
    {
      port: { type: 'string' },
      host: { type: 'string', default: '127.0.0.1' },
      site: { type: 'string', default: 'dist' },
      data: { type: 'string', default: 'data' },
      user: { type: 'string', default: DEFAULT_WORKER_USER },
    },
    USAGE,
  );
  if (!values) return;
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) {
    throw new UsageError(`--port must be 1-65535, got ${values.port}`);
  }
  const site = resolve(values.site);
  const data = resolve(values.data);
  if (!existsSync(join(site, 'index.html'))) throw new ToolError(`${site}/index.html not found: run \`npx vite build\` first`);
  if (!existsSync(join(data, 'manifest.json'))) {
    console.warn(`warning: ${data}/manifest.json not found; generate a lake with \`quantiv generate\``);
  }

  let server;
  try {
    server = await startNginx({ siteRoot: site, dataRoot: data, host: values.host, workerUser: values.user, ...(port ? { port } : {}) });
  } catch (e) {
    // Start-up problems (unreadable folders, unknown user, nginx's own errors) are one message.
    throw new ToolError((e as Error).message);
  }
  const asRoot = process.getuid?.() === 0;
  console.log(`Quantiv at ${server.url}/  (data ${server.url}/data/, logs ${server.prefix})`);
  if (asRoot) console.log(`nginx workers run as ${values.user} (started as root)`);
  console.log('Ctrl+C to stop');
  const running = server;

  await new Promise<void>((done, fail) => {
    let stopping = false;
    const stop = () => {
      stopping = true;
      running.stop().then(done, fail);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    // nginx dying on its own is an error, not a clean stop.
    void running.exited.then((how) => {
      if (stopping) return;
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      fail(new ToolError(`nginx exited (${how}); see ${running.errorLog}`));
    });
  });
}
