// Builds DuckDB's parquet extension for @duckdb/duckdb-wasm 1.32.0 (DuckDB v1.4.3, wasm_eh) from
// registry packages only: DuckDB's C++ source from the npm package duckdb@1.4.3 and Debian's
// emscripten. No release of DuckDB-WASM after 1.28 has Parquet built in, and the official
// extension lives on a site this app must not depend on, so we build and self-host it.
//
// Cached by input hash (pins, shim, this script, the compiler's version); the output must match the
// sha256 committed in src/engine/parquet-extension.json, or the build fails.
//
// usage: tsx scripts/engine/build-parquet-extension.ts [--out DIR] [--print-sha]
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { EXTENSION, extensionFilePath, withSignatureTrailer } from '../../src/engine/extension.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const lock = EXTENSION;

const args = process.argv.slice(2);
const printSha = args.includes('--print-sha');
const outIndex = args.indexOf('--out');
const outRoot = resolve(outIndex >= 0 ? (args[outIndex + 1] ?? fail('--out needs a folder')) : join(root, 'public'));
const target = join(outRoot, extensionFilePath());

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
const log = (msg: string): void => console.log(`[parquet-extension] ${msg}`);
function fail(msg: string): never {
  console.error(`[parquet-extension] ${msg}`);
  process.exit(1);
}

function publish(bytes: Uint8Array): void {
  mkdirSync(dirname(target), { recursive: true });
  for (const [path, data] of [[target, bytes], [`${target}.gz`, gzipSync(bytes, { level: 9 })]] as const) {
    writeFileSync(`${path}.tmp`, data);
    renameSync(`${path}.tmp`, path);
  }
  log(`${target} (${bytes.length} bytes, sha256 ${sha256(bytes)})`);
}

function checked(bytes: Uint8Array, where: string): Uint8Array {
  const got = sha256(bytes);
  if (printSha) return bytes;
  if (!lock.sha256) fail(`src/engine/parquet-extension.json has no sha256 yet; built ${got} (${where}). Commit it after review.`);
  if (got !== lock.sha256) {
    fail(
      `${where} has sha256 ${got}, but src/engine/parquet-extension.json expects ${lock.sha256}.\n` +
        `  The toolchain differs from the pinned one (emscripten ${lock.emscripten}) or an input changed.\n` +
        `  Refusing to ship an unverified engine extension.`,
    );
  }
  return bytes;
}

// 1. Already in place and right: nothing to do (the common case for `npm run build`).
if (existsSync(target) && existsSync(`${target}.gz`) && sha256(readFileSync(target)) === lock.sha256 && !printSha) {
  log(`up to date: ${target}`);
  process.exit(0);
}

// 2. The toolchain. Its version is part of the cache key: another compiler, another file.
function compilerVersion(): string {
  try {
    return execFileSync('em++', ['--version'], { encoding: 'utf8' }).split('\n')[0] ?? '';
  } catch {
    return '';
  }
}
let emVersion = compilerVersion();
if (!emVersion && process.getuid?.() === 0) {
  // As root on Debian (CI, a container, a fresh machine): install the compiler rather than stop.
  log('em++ is missing: installing Debian emscripten (scripts/ensure-system-deps.sh emscripten)');
  spawnSync('bash', [join(root, 'scripts/ensure-system-deps.sh'), 'emscripten'], { stdio: 'inherit' });
  emVersion = compilerVersion();
}
const missing: string[] = emVersion ? [] : ['em++ (Debian package: emscripten)'];
for (const tool of ['npm', 'tar']) {
  try {
    execFileSync(tool, ['--version'], { stdio: 'ignore' });
  } catch {
    missing.push(tool);
  }
}

const shim = readFileSync(join(here, 'shim.cpp'));
const inputs = createHash('sha256')
  .update(JSON.stringify({ ...lock, sha256: undefined, comment: undefined }))
  .update(shim)
  .update(readFileSync(fileURLToPath(import.meta.url)))
  .update(readFileSync(join(root, 'src/engine/extension.ts')))
  .update(emVersion)
  .digest('hex')
  .slice(0, 16);
const cacheRoot = join(process.env.QUANTIV_CACHE || process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'quantiv', 'parquet-extension');
const cached = join(cacheRoot, `${inputs}.wasm`);

if (existsSync(cached)) {
  log(`cache hit ${cached}`);
  publish(checked(readFileSync(cached), cached));
  process.exit(0);
}
if (missing.length) {
  fail(
    `cannot build the DuckDB parquet extension: missing ${missing.join(', ')}.\n` +
      `  Install with: bash scripts/ensure-system-deps.sh   (or: apt-get install -y emscripten)`,
  );
}
if (!emVersion.includes(` ${lock.emscripten} `)) {
  log(`warning: ${emVersion} is not the pinned emscripten ${lock.emscripten}; the sha256 check will likely fail`);
}

// 3. DuckDB's source, exactly the pinned package, checked against its registry integrity.
// A path fixed by the inputs keeps the build byte-identical from run to run.
const work = join(cacheRoot, `build-${inputs}`);
rmSync(work, { recursive: true, force: true });
mkdirSync(join(work, 'obj'), { recursive: true });
log(`fetching ${lock.duckdbPackage} (npm)`);
const packed = execFileSync('npm', ['pack', lock.duckdbPackage, '--json', '--pack-destination', work], { encoding: 'utf8' });
const tarball = (JSON.parse(packed) as { filename: string; integrity: string }[])[0] ?? fail('npm pack printed nothing');
if (tarball.integrity !== lock.duckdbIntegrity) fail(`${lock.duckdbPackage} integrity ${tarball.integrity} != pinned ${lock.duckdbIntegrity}`);
execFileSync('tar', ['xzf', join(work, tarball.filename), '-C', work]);
const pkg = join(work, 'package');
const versionCpp = readFileSync(join(pkg, 'src/duckdb/src/function/table/version/pragma_version.cpp'), 'utf8');
if (!versionCpp.includes(`DUCKDB_SOURCE_ID "${lock.sourceId}"`)) fail(`${lock.duckdbPackage} is not DuckDB source ${lock.sourceId}`);

// 4. Sources and include paths as the package's own binding.gyp lists them.
const gyp = readFileSync(join(pkg, 'binding.gyp'), 'utf8');
const includeBlock = /"include_dirs"\s*:\s*\[([\s\S]*?)\]/.exec(gyp)?.[1] ?? fail('binding.gyp: no include_dirs');
const includes = [...includeBlock.matchAll(/"([^"]+)"/g)].map((m) => m[1]!).filter((d) => d.startsWith('src/')).map((d) => `-I${join(pkg, d)}`);
const sourceRe = /"(src\/duckdb\/(?:extension\/parquet|ub_extension_parquet)[^"]*\.cpp|src\/duckdb\/third_party\/(?:thrift|snappy|parquet|lz4|brotli)[^"]*\.cc?p?p?)"/g;
const sources = [...new Set([...gyp.matchAll(sourceRe)].map((m) => m[1]!))].sort();
if (sources.length < 10) fail(`binding.gyp: found only ${sources.length} parquet sources`);

const flags = ['-O2', '-std=c++17', '-fwasm-exceptions', '-fPIC', '-DNDEBUG', '-DDUCKDB_BUILD_LOADABLE_EXTENSION', '-DDUCKDB_EXTENSION_NAME=parquet', '-DDUCKDB_EXTENSION_MAIN', '-Wno-deprecated-declarations'];
const jobs = [
  ...sources.map((src) => ({ name: src, args: [...flags, '-x', 'c++', ...includes, '-c', join(pkg, src), '-o', join(work, 'obj', `${src.replaceAll('/', '_')}.o`)] })),
  { name: 'shim.cpp', args: ['-O2', '-std=c++17', '-fwasm-exceptions', '-fPIC', '-c', join(here, 'shim.cpp'), '-o', join(work, 'obj', 'zz_shim.o')] },
];

function run(cmd: string, cmdArgs: string[]): Promise<void> {
  return new Promise((ok, ko) => {
    const child = spawn(cmd, cmdArgs, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', ko);
    child.on('close', (code) => (code === 0 ? ok() : ko(new Error(`${cmd} exited ${code}\n${err.slice(-4000)}`))));
  });
}

const started = Date.now();
log(`compiling ${jobs.length} files with ${emVersion} on ${cpus().length} cores (about 3 minutes on 2)`);
let next = 0;
let done = 0;
async function worker() {
  while (next < jobs.length) {
    const job = jobs[next++]!;
    await run('em++', job.args).catch((e) => fail(`${job.name}: ${e.message}`));
    done += 1;
    if (done % 10 === 0 || done === jobs.length) log(`${done}/${jobs.length} compiled (${Math.round((Date.now() - started) / 1000)} s)`);
  }
}
await Promise.all(Array.from({ length: Math.max(1, cpus().length) }, worker));

const objects = jobs.map((j) => j.args[j.args.length - 1]!).sort();
const raw = join(work, 'parquet_raw.wasm');
await run('em++', ['-O2', '-fwasm-exceptions', '-sSIDE_MODULE=1', '-o', raw, ...objects]).catch((e) => fail(`link: ${e.message}`));
const bytes = withSignatureTrailer(readFileSync(raw), lock);
log(`built in ${Math.round((Date.now() - started) / 1000)} s, sha256 ${sha256(bytes)}`);
// Cached before the check: a mismatch is then re-reported at once, without another 3-minute build.
mkdirSync(cacheRoot, { recursive: true });
writeFileSync(`${cached}.tmp`, bytes);
renameSync(`${cached}.tmp`, cached);
rmSync(work, { recursive: true, force: true });
if (printSha) process.exit(0);
publish(checked(bytes, 'the built file'));
