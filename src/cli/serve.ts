// `quantiv serve`: the production nginx.conf on this machine, in the foreground.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseFlags } from './flags.ts';
import { startNginx } from '../node/nginx.ts';

const USAGE = `usage: quantiv serve [--port N] [--host 127.0.0.1] [--site dist] [--data data]
Serves the built site at / and the lake at /data/ with the production nginx.conf.
Needs nginx on PATH (Debian: apt-get install nginx). Ctrl+C stops it.`;

export async function run(argv: string[]): Promise<void> {
  const values = parseFlags(
    argv,
    {
      port: { type: 'string' },
      host: { type: 'string', default: '127.0.0.1' },
      site: { type: 'string', default: 'dist' },
      data: { type: 'string', default: 'data' },
    },
    USAGE,
  );
  if (!values) return;
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) {
    throw new Error(`--port must be 1-65535, got ${values.port}`);
  }
  const site = resolve(values.site);
  const data = resolve(values.data);
  if (!existsSync(join(site, 'index.html'))) throw new Error(`${site}/index.html not found: run \`npx vite build\` first`);
  if (!existsSync(join(data, 'manifest.json'))) {
    console.warn(`warning: ${data}/manifest.json not found; generate a lake with \`quantiv generate\``);
  }

  const server = await startNginx({ siteRoot: site, dataRoot: data, host: values.host, ...(port ? { port } : {}) });
  console.log(`Quantiv at ${server.url}/  (data ${server.url}/data/, logs ${server.prefix})`);
  console.log('Ctrl+C to stop');

  await new Promise<void>((done, fail) => {
    let stopping = false;
    const stop = () => {
      stopping = true;
      server.stop().then(done, fail);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    // nginx dying on its own is an error, not a clean stop.
    void server.exited.then((how) => {
      if (stopping) return;
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      fail(new Error(`nginx exited (${how}); see ${server.errorLog}`));
    });
  });
}
