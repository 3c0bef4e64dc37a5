import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { lastLines, runCommand } from '../run-command';
import { findExecutableOnPath, isExecutableFile } from '../temporal-cli';
import { DATA_DIR } from '../workspace-paths';

/**
 * The Temporal Server release the PostgreSQL stack runs: the one the pinned
 * CLI's dev server embeds (`temporal --version` of TEMPORAL_CLI_VERSION), so
 * tests on the dev server and on PostgreSQL exercise the same server code.
 */
export const TEMPORAL_SERVER_VERSION = '1.32.0';
const SERVER_MODULE = 'go.temporal.io/server';

/**
 * The Go release the server's go.mod requires (`go 1.26.8` for 1.32.0). A
 * Go of 1.21 or later fetches it by itself (GOTOOLCHAIN=auto); an older one
 * (Debian 12's golang-go is 1.19) is helped by downloading the same
 * toolchain module from the Go module proxy.
 */
export const GO_TOOLCHAIN_FOR_SERVER = 'go1.26.8';

/** Built binaries and schema files, git-ignored: the ~10 minute build happens once per checkout. */
export const SERVER_CACHE_DIR = path.join(DATA_DIR, 'temporal-server', TEMPORAL_SERVER_VERSION);

export type ServerTool = 'server' | 'sql-tool';

interface ToolSpec {
  /** The variable naming a binary explicitly. */
  variable: string;
  /** Its name on PATH, in the official images and in our cache. */
  fileName: string;
  /** What `go install` calls it: the last element of the package path. */
  goInstallName: string;
  package: string;
}

export const SERVER_TOOLS: Record<ServerTool, ToolSpec> = {
  server: { variable: 'SYNAPSE_TEMPORAL_SERVER_BIN', fileName: 'temporal-server', goInstallName: 'server', package: `${SERVER_MODULE}/cmd/server` },
  'sql-tool': { variable: 'SYNAPSE_TEMPORAL_SQL_TOOL_BIN', fileName: 'temporal-sql-tool', goInstallName: 'sql', package: `${SERVER_MODULE}/cmd/tools/sql` },
};

/** A directory holding `temporal/versioned` and `visibility/versioned` for PostgreSQL 12+. */
export const SCHEMA_DIR_VARIABLE = 'SYNAPSE_TEMPORAL_SCHEMA_DIR';

export type BinarySource = 'explicit path' | 'PATH' | 'project cache';

export interface BinaryCandidate {
  path: string;
  source: BinarySource;
}

/**
 * Where a tool is looked for, in order: the path someone named, the one they
 * installed, the project's cached build. Building is the caller's last resort.
 */
export function serverBinaryCandidates(tool: ServerTool, env: NodeJS.ProcessEnv, cacheDir: string = SERVER_CACHE_DIR): BinaryCandidate[] {
  const spec = SERVER_TOOLS[tool];
  const candidates: BinaryCandidate[] = [];
  const explicit = env[spec.variable];
  if (explicit) candidates.push({ path: explicit, source: 'explicit path' });
  const onPath = findExecutableOnPath(spec.fileName, env.PATH ?? '');
  if (onPath) candidates.push({ path: onPath, source: 'PATH' });
  candidates.push({ path: path.join(cacheDir, 'bin', spec.fileName), source: 'project cache' });
  return candidates;
}

export interface ResolvedServerBinary {
  path: string;
  source: BinarySource | 'built now';
  version: string;
}

export interface ServerBinaries {
  server: ResolvedServerBinary;
  sqlTool: ResolvedServerBinary;
  /**
   * PostgreSQL schema files (`temporal/versioned`, `visibility/versioned`),
   * or undefined: then the SQL tool's embedded copy of its own release.
   */
  schemaDir?: string;
}

export interface ResolveServerOptions {
  env?: NodeJS.ProcessEnv;
  cacheDir?: string;
  /** Build with Go when no binary is found (minutes); off: fail with how to get them. */
  buildIfMissing?: boolean;
  /** Progress for a person (the build is long). */
  log?: (line: string) => void;
}

export class TemporalServerBinaryError extends Error {
  override readonly name = 'TemporalServerBinaryError';
}

export async function resolveTemporalServerBinaries(options: ResolveServerOptions = {}): Promise<ServerBinaries> {
  const env = options.env ?? process.env;
  const cacheDir = options.cacheDir ?? SERVER_CACHE_DIR;
  const log = options.log ?? ((line: string) => console.error(line));

  let server = await findTool('server', env, cacheDir, log);
  let sqlTool = await findTool('sql-tool', env, cacheDir, log);
  if (!server || !sqlTool) {
    if (!options.buildIfMissing) {
      throw new TemporalServerBinaryError(
        `no Temporal Server ${TEMPORAL_SERVER_VERSION} binaries found (${SERVER_TOOLS.server.variable}/${SERVER_TOOLS['sql-tool'].variable} unset, ` +
          `no temporal-server/temporal-sql-tool of that version on PATH, nothing in ${cacheDir}/bin). ` +
          'Run `npm run test:postgres` or `TEMPORAL_STACK=postgres npm start` once: they build them with Go.',
      );
    }
    await buildTemporalServer({ env, cacheDir, log });
    server ??= await builtTool('server', cacheDir, env);
    sqlTool ??= await builtTool('sql-tool', cacheDir, env);
  }
  return { server, sqlTool, schemaDir: schemaDirFor(sqlTool, env, cacheDir) };
}

async function builtTool(tool: ServerTool, cacheDir: string, env: NodeJS.ProcessEnv): Promise<ResolvedServerBinary> {
  const file = path.join(cacheDir, 'bin', SERVER_TOOLS[tool].fileName);
  const resolved = await versionOf(file, 'built now', env);
  if (!resolved) throw new TemporalServerBinaryError(`the ${SERVER_TOOLS[tool].fileName} just built at ${file} does not run`);
  return resolved;
}

/**
 * Schema files named by SYNAPSE_TEMPORAL_SCHEMA_DIR, else the copy beside
 * our build when the SQL tool is of the pinned release, else none: a tool
 * of another release then uses the schema it embeds, which matches it.
 */
export function schemaDirFor(sqlTool: { version: string }, env: NodeJS.ProcessEnv, cacheDir: string = SERVER_CACHE_DIR): string | undefined {
  const explicit = env[SCHEMA_DIR_VARIABLE];
  if (explicit) return explicit;
  const cached = path.join(cacheDir, 'schema', 'postgresql', 'v12');
  if (sqlTool.version === TEMPORAL_SERVER_VERSION && fs.existsSync(path.join(cached, 'temporal', 'versioned'))) return cached;
  return undefined;
}

async function findTool(tool: ServerTool, env: NodeJS.ProcessEnv, cacheDir: string, log: (line: string) => void): Promise<ResolvedServerBinary | undefined> {
  for (const candidate of serverBinaryCandidates(tool, env, cacheDir)) {
    if (candidate.source === 'explicit path') {
      // Someone chose this binary on purpose: never fall back past it silently.
      const resolved = await versionOf(candidate.path, candidate.source, env);
      if (!resolved) throw new TemporalServerBinaryError(`${SERVER_TOOLS[tool].variable}="${candidate.path}" is not a working ${SERVER_TOOLS[tool].fileName}`);
      if (resolved.version !== TEMPORAL_SERVER_VERSION) {
        log(`[temporal-postgres] ${SERVER_TOOLS[tool].variable} is ${resolved.version}, not the pinned ${TEMPORAL_SERVER_VERSION}: using it as asked`);
      }
      return resolved;
    }
    if (!isExecutableFile(candidate.path)) continue;
    const resolved = await versionOf(candidate.path, candidate.source, env);
    if (resolved?.version === TEMPORAL_SERVER_VERSION) return resolved;
    if (candidate.source === 'PATH') {
      log(`[temporal-postgres] ignoring ${candidate.path} from PATH: ${resolved ? `version ${resolved.version}` : 'it does not run'}, the project pins ${TEMPORAL_SERVER_VERSION}`);
    }
  }
  return undefined;
}

async function versionOf(binary: string, source: ResolvedServerBinary['source'], env: NodeJS.ProcessEnv): Promise<ResolvedServerBinary | undefined> {
  if (!fs.existsSync(binary)) return undefined;
  // A cold 200 MB binary on a busy 2-core machine can take seconds to start.
  const outcome = await runCommand(binary, ['--version'], { timeoutMs: 60_000, env });
  const match = /version (\S+)/.exec(outcome.stdout + outcome.stderr);
  if (outcome.exitCode !== 0 || !match) return undefined;
  return { path: binary, source, version: match[1]! };
}

// ── Building with Go ──

export interface GoCommand {
  path: string;
  /** `go1.19.8` */
  version: string;
}

/** Where Go usually is when it is not on PATH (the official tarball, Debian's package). */
const GO_LOCATIONS = ['/usr/local/go/bin/go', '/usr/lib/go/bin/go'];

export function findGo(env: NodeJS.ProcessEnv, locations: readonly string[] = GO_LOCATIONS): string | undefined {
  return findExecutableOnPath('go', env.PATH ?? '') ?? locations.find(isExecutableFile);
}

/** `go1.19.8` → [1, 19, 8]; a development build reads as very new. */
export function goVersionNumbers(version: string): [number, number, number] {
  const match = /^go(\d+)\.(\d+)(?:\.(\d+))?/.exec(version);
  if (!match) return [Number.MAX_SAFE_INTEGER, 0, 0];
  return [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)];
}

/** GOTOOLCHAIN (switching to the Go a module requires) came with Go 1.21. */
export function goSwitchesToolchains(version: string): boolean {
  const [major, minor] = goVersionNumbers(version);
  return major > 1 || minor >= 21;
}

/** The toolchain module the Go proxy serves for this machine: golang.org/toolchain@v0.0.1-go1.26.8.linux-amd64. */
export function toolchainModule(goRelease: string, platform: NodeJS.Platform = process.platform, arch: string = process.arch): string {
  const goos = platform === 'win32' ? 'windows' : platform;
  const goarch = ({ x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x' } as Record<string, string>)[arch] ?? arch;
  return `golang.org/toolchain@v0.0.1-${goRelease}.${goos}-${goarch}`;
}

const NO_GO_MESSAGE =
  `building Temporal Server ${TEMPORAL_SERVER_VERSION} needs Go, and none was found (PATH, ${GO_LOCATIONS.join(', ')}). ` +
  'Install it — Debian/Ubuntu: `apt-get install golang-go` (an old Go is fine: the build fetches ' +
  `${GO_TOOLCHAIN_FOR_SERVER} from the Go module proxy), macOS: \`brew install go\`, or https://go.dev/dl — ` +
  `or point ${SERVER_TOOLS.server.variable} and ${SERVER_TOOLS['sql-tool'].variable} at prebuilt binaries.`;

/**
 * `go install` of the server and the SQL tool into the cache, renamed to the
 * names the official images use, plus the PostgreSQL schema files from the
 * module Go downloaded. Writes beside the cache and renames, so a build cut
 * short or a second build running at once never leaves half a binary.
 */
export async function buildTemporalServer(options: {
  env: NodeJS.ProcessEnv;
  cacheDir: string;
  log: (line: string) => void;
  /** Where to look for Go besides PATH (tests: none). */
  goLocations?: readonly string[];
}): Promise<void> {
  const { env, cacheDir, log } = options;
  const found = findGo(env, options.goLocations);
  if (!found) throw new TemporalServerBinaryError(NO_GO_MESSAGE);
  const go = await usableGo(found, env, log);
  const goEnv: NodeJS.ProcessEnv = { ...env, ...(goSwitchesToolchains(go.version) && !env.GOTOOLCHAIN ? { GOTOOLCHAIN: 'auto' } : {}) };

  const scratch = path.join(cacheDir, `.build-${process.pid}-${randomBytes(3).toString('hex')}`);
  fs.mkdirSync(scratch, { recursive: true });
  try {
    log(`[temporal-postgres] building Temporal Server ${TEMPORAL_SERVER_VERSION} with ${go.version} (${go.path}); about 10 minutes on 2 cores, once — cached in ${cacheDir}`);
    const startedAt = Date.now();
    const targets = Object.values(SERVER_TOOLS).map((tool) => `${tool.package}@v${TEMPORAL_SERVER_VERSION}`);
    const exitCode = await streamCommand(go.path, ['install', ...targets], { ...goEnv, GOBIN: path.join(scratch, 'bin') }, log);
    if (exitCode !== 0) throw new TemporalServerBinaryError(`\`go install ${targets.join(' ')}\` failed (exit code ${exitCode}); its output is above`);
    log(`[temporal-postgres] built in ${Math.round((Date.now() - startedAt) / 1000)} s`);

    const modCache = await goEnvValue(go.path, 'GOMODCACHE', goEnv);
    const schemaSource = path.join(modCache, `${SERVER_MODULE}@v${TEMPORAL_SERVER_VERSION}`, 'schema', 'postgresql', 'v12');
    if (!fs.existsSync(schemaSource)) throw new TemporalServerBinaryError(`the module cache has no PostgreSQL schema at ${schemaSource}`);
    copyTreeWritable(schemaSource, path.join(scratch, 'schema', 'postgresql', 'v12'));

    fs.mkdirSync(path.join(cacheDir, 'bin'), { recursive: true });
    // The schema first: a binary in place is what later runs take as "built".
    const schemaTarget = path.join(cacheDir, 'schema');
    fs.rmSync(schemaTarget, { recursive: true, force: true });
    fs.renameSync(path.join(scratch, 'schema'), schemaTarget);
    for (const tool of Object.values(SERVER_TOOLS)) {
      fs.renameSync(path.join(scratch, 'bin', tool.goInstallName), path.join(cacheDir, 'bin', tool.fileName));
    }
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

async function usableGo(goPath: string, env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<GoCommand> {
  // GOTOOLCHAIN=local keeps `go env GOVERSION` from switching before we know what is installed.
  const version = await goEnvValue(goPath, 'GOVERSION', { ...env, GOTOOLCHAIN: 'local' }).catch(() => undefined);
  if (!version) throw new TemporalServerBinaryError(`${goPath} does not run (\`go env GOVERSION\` failed). ${NO_GO_MESSAGE}`);
  if (goSwitchesToolchains(version)) return { path: goPath, version };

  // Go before 1.21 cannot switch toolchains, but it can download any module, and the Go
  // proxy serves each toolchain as one: that is where `GOTOOLCHAIN=auto` gets it too.
  const module = toolchainModule(GO_TOOLCHAIN_FOR_SERVER);
  log(`[temporal-postgres] ${goPath} is ${version}, too old to build the server: downloading ${module} from the Go module proxy`);
  const outcome = await runCommand(goPath, ['mod', 'download', '-json', module], { timeoutMs: 15 * 60_000, env: { ...env, GO111MODULE: 'on' } });
  let dir: string | undefined;
  try {
    dir = (JSON.parse(outcome.stdout) as { Dir?: string }).Dir;
  } catch {
    dir = undefined;
  }
  if (outcome.exitCode !== 0 || !dir) {
    throw new TemporalServerBinaryError(`${goPath} (${version}) could not download ${module}: ${lastLines(outcome.stdout + outcome.stderr, 4)}. Install Go 1.21 or later.`);
  }
  // The module cache does not keep execute bits; Go's own toolchain switch sets them the same way.
  for (const binDir of [path.join(dir, 'bin'), ...listDirs(path.join(dir, 'pkg', 'tool'))]) {
    for (const file of listFiles(binDir)) fs.chmodSync(file, 0o755);
  }
  const switched = path.join(dir, 'bin', 'go');
  return { path: switched, version: GO_TOOLCHAIN_FOR_SERVER };
}

async function goEnvValue(goPath: string, name: string, env: NodeJS.ProcessEnv): Promise<string> {
  const outcome = await runCommand(goPath, ['env', name], { timeoutMs: 10 * 60_000, env });
  if (outcome.exitCode !== 0) throw new TemporalServerBinaryError(`\`${goPath} env ${name}\` failed: ${lastLines(outcome.stderr, 3)}`);
  return outcome.stdout.trim();
}

/** Runs a long command, passing its output on line by line so a person sees it move. */
function streamCommand(command: string, args: string[], env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    for (const stream of [child.stdout, child.stderr]) {
      readline.createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => log(`[go] ${line}`));
    }
    child.once('error', (error) => {
      log(`[go] could not run ${command}: ${error.message}`);
      resolve(127);
    });
    child.once('close', (code) => resolve(code ?? 1));
  });
}

/** The module cache is read-only; the copy must stay deletable by `rm -rf .data`. */
function copyTreeWritable(from: string, to: string): void {
  fs.mkdirSync(to, { recursive: true });
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    const target = path.join(to, entry.name);
    if (entry.isDirectory()) copyTreeWritable(source, target);
    else fs.writeFileSync(target, fs.readFileSync(source), { mode: 0o644 });
  }
}

function listDirs(dir: string): string[] {
  try {
    return fs.readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => path.join(dir, e.name));
  } catch {
    return [];
  }
}

function listFiles(dir: string): string[] {
  try {
    return fs.readdirSync(dir, { withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(dir, e.name));
  } catch {
    return [];
  }
}
