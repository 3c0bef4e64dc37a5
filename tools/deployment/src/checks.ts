import * as path from 'node:path';
import { environmentOf, interpolate, isRecord, type ComposeDocument } from './compose';
import type { DockerfileModel } from './dockerfile';
import { isFile } from './runtime-files';

/**
 * The rules every image and the Compose file are held to, as functions
 * returning what is wrong (empty when nothing is), so the tests can run them
 * on the real files and on broken copies alike.
 */

/** USER values that still mean root. */
const ROOT_USERS = new Set(['root', '0', '0:0', 'root:root', 'root:0', '0:root']);

/** Debian releases the official node images are built on: glibc, which the Temporal core bridge needs. */
const GLIBC_NODE_IMAGE = /^node:[^:]*-(bookworm|trixie|bullseye)(-slim)?$/;

export interface ImageExpectations {
  /** The workspace root on this machine (where src/ files are checked). */
  root: string;
  /** The package the image runs, relative to the root (`apps/device-worker`). */
  appDir: string;
}

export function dockerfileProblems(model: DockerfileModel, expected: ImageExpectations): string[] {
  const problems: string[] = [];
  if (model.stages.length < 2) problems.push('single-stage build: the compiler, dev dependencies and sources would ship in the image');
  const runtimeImage = model.runtime.image;
  if (/alpine|musl/i.test(runtimeImage)) problems.push(`runtime stage FROM ${runtimeImage} is musl-based: the Temporal core bridge needs glibc`);
  else if (!GLIBC_NODE_IMAGE.test(runtimeImage)) problems.push(`runtime stage FROM ${runtimeImage} is not an official Debian (glibc) node image such as node:20-bookworm-slim`);
  for (const stage of model.stages.slice(0, -1)) {
    if (/alpine|musl/i.test(stage.image)) problems.push(`stage ${stage.name ?? stage.image} builds on musl (${stage.image}); the native modules it installs would not run in the glibc runtime`);
  }
  if (model.user === undefined) problems.push('no USER in the runtime stage: the app would run as root');
  else if (ROOT_USERS.has(model.user)) problems.push(`USER ${model.user} is root`);
  if (model.env.NODE_ENV !== 'production') problems.push(`NODE_ENV is ${JSON.stringify(model.env.NODE_ENV)} in the runtime stage, not "production"`);
  if (model.entrypoint) problems.push(`ENTRYPOINT ${JSON.stringify(model.entrypoint)}: the command is CMD alone, so Compose can replace it whole`);
  if (!model.cmd) problems.push('no CMD');
  else problems.push(...commandProblems(model.cmd, expected.root, model.workdir ?? '/'));

  const runs = (stageIndex: number) => model.stages[stageIndex]?.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.arguments.replace(/\\\r?\n/g, ' ')) ?? [];
  const buildRuns = model.stages.slice(0, -1).flatMap((_, i) => runs(i));
  if (!buildRuns.some((run) => new RegExp(`copy-runtime-files\\.js\\s+/runtime\\s+(\\S+\\s+)*${escape(expected.appDir)}(\\s|$)`).test(run))) {
    problems.push(`no build stage gathers ${expected.appDir} with copy-runtime-files (its dist and its workspace libraries)`);
  }
  if (!buildRuns.some((run) => new RegExp(`npm ci\\b[^&|;]*--omit=dev[^&|;]*--workspace=${escape(expected.appDir)}(\\s|$)`).test(run))) {
    problems.push(`no stage installs the production dependencies of ${expected.appDir} (npm ci --omit=dev --workspace=${expected.appDir})`);
  }
  const copiesFrom = model.runtime.instructions.filter((i) => i.keyword === 'COPY').map((i) => /--from=(\S+)/.exec(i.arguments)?.[1]);
  const stageNames = new Set(model.stages.map((s) => s.name));
  for (const from of copiesFrom) if (from && !stageNames.has(from)) problems.push(`COPY --from=${from} names no stage`);
  if (!copiesFrom.some((from) => from !== undefined)) problems.push('the runtime stage copies nothing from the build stages');
  if (model.runtime.instructions.some((i) => i.keyword === 'COPY' && !/--from=/.test(i.arguments))) {
    problems.push('the runtime stage copies from the build context: sources belong in the build stage only');
  }

  if (model.expose.length > 0) {
    if (model.healthcheck === undefined || model.healthcheck === 'NONE') problems.push(`EXPOSE ${model.expose.join(' ')} but no HEALTHCHECK`);
    else problems.push(...healthcheckProblems(model));
  }
  return problems;
}

function healthcheckProblems(model: DockerfileModel): string[] {
  const check = model.healthcheck as string[];
  const problems: string[] = [];
  const option = (name: string) => {
    const index = check.indexOf(name);
    return index === -1 ? undefined : check[index + 1];
  };
  const fromVariable = option('--address-from') ?? option('--port-from');
  if (fromVariable !== undefined && model.env[fromVariable] === undefined) {
    problems.push(`HEALTHCHECK reads ${fromVariable}, which the image does not set (ENV)`);
  }
  const literal = option('--address');
  const probedPort = literal !== undefined ? portOf(literal) : fromVariable !== undefined && model.env[fromVariable] !== undefined ? portOf(model.env[fromVariable]) : undefined;
  if (probedPort !== undefined && !model.expose.includes(probedPort)) problems.push(`HEALTHCHECK probes port ${probedPort}, which is not EXPOSEd`);
  if (probedPort === undefined && fromVariable === undefined) problems.push(`HEALTHCHECK ${JSON.stringify(check)} names no address or port to probe`);
  return problems;
}

/** `host:port` or a bare port -> the port. */
export function portOf(address: string): number | undefined {
  const match = /(?:^|:)(\d{1,5})$/.exec(address.trim());
  return match ? Number(match[1]) : undefined;
}

/**
 * A container command `node <file> ...` must run the build output of a
 * source file that exists: tsc maps `<pkg>/src/x.ts` to `<pkg>/dist/x.js`.
 */
export function commandProblems(command: readonly string[], root: string, workdir: string): string[] {
  if (command[0] !== 'node') return [`the command ${JSON.stringify(command)} does not start the app with node`];
  const file = command[1];
  if (file === undefined || file.startsWith('-')) return [`the command ${JSON.stringify(command)} names no script`];
  const inImage = path.posix.resolve(workdir, file);
  if (!inImage.startsWith('/app/')) return [`${file} (${inImage} in the image) is outside /app, where the workspace is copied`];
  const relative = inImage.slice('/app/'.length);
  const match = /^(.*)\/dist\/(.+)\.js$/.exec(relative);
  if (!match) return [`${relative} is not a build output (<package>/dist/<name>.js)`];
  const source = `${match[1]}/src/${match[2]}.ts`;
  if (!isFile(path.join(root, source))) return [`${relative} would be built from ${source}, which does not exist`];
  return [];
}

/** Structure: every service runs something, builds from a Dockerfile that exists, and depends on services that exist. */
export function composeStructureProblems(document: ComposeDocument, root: string): string[] {
  const problems: string[] = [];
  const services = document.services;
  if (!isRecord(services) || Object.keys(services).length === 0) return ['no services'];
  const names = new Set(Object.keys(services));
  const interpolated = (value: unknown) => (typeof value === 'string' ? interpolate(value) : value);
  for (const [name, service] of Object.entries(services)) {
    if (!isRecord(service)) {
      problems.push(`${name}: not a mapping`);
      continue;
    }
    if (service.image === undefined && service.build === undefined) problems.push(`${name}: neither image nor build`);
    if (service.build !== undefined) {
      const build = isRecord(service.build) ? service.build : { context: service.build };
      const context = path.resolve(root, String(interpolated(build.context ?? '.')));
      const dockerfile = path.resolve(context, String(interpolated(build.dockerfile ?? 'Dockerfile')));
      if (!isFile(dockerfile)) problems.push(`${name}: build.dockerfile ${path.relative(root, dockerfile)} does not exist`);
    }
    if (typeof service.image === 'string' && service.build === undefined && !/:[^/]+$|@sha256:/.test(service.image)) {
      problems.push(`${name}: image ${service.image} has no pinned tag`);
    }
    if (typeof service.image === 'string' && /:latest$/.test(service.image)) problems.push(`${name}: image ${service.image} is not pinned (latest)`);
    const dependsOn = Array.isArray(service.depends_on) ? service.depends_on.map(String) : isRecord(service.depends_on) ? Object.keys(service.depends_on) : [];
    for (const dependency of dependsOn) if (!names.has(dependency)) problems.push(`${name}: depends_on ${dependency}, which is not a service`);
    const networkMode = typeof service.network_mode === 'string' ? /^service:(.+)$/.exec(service.network_mode)?.[1] : undefined;
    if (networkMode !== undefined && !names.has(networkMode)) problems.push(`${name}: network_mode service:${networkMode} names no service`);
    if (service.container_name !== undefined && isRecord(service.deploy) && service.deploy.replicas !== undefined) {
      problems.push(`${name}: container_name and replicas: replicas cannot share one container name`);
    }
  }
  return problems;
}

/** Names whose values are secrets: those go in env files or compose secrets, never in the Compose file. */
export const SECRET_NAME = /(PASSWORD|PASSWD|SECRET|TOKEN|API_KEY|PRIVATE_KEY|ENCRYPTION_KEYS?)$/;

/**
 * No secret value in the Compose file: a secret-named variable may only be
 * passed through from the environment without a default, and no value of
 * the given secret files may appear anywhere in the text.
 */
export function secretProblems(document: ComposeDocument, composeText: string, knownSecretValues: readonly string[]): string[] {
  const problems: string[] = [];
  const services = isRecord(document.services) ? document.services : {};
  for (const [name, service] of Object.entries(services)) {
    for (const [key, value] of Object.entries(environmentOf(service))) {
      if (!SECRET_NAME.test(key) || value === null) continue;
      if (!/^\$\{[A-Z0-9_]+(:?\?[^}]*)?\}$/.test(value)) problems.push(`${name}: ${key} is given a value in the Compose file; put it in an env file or a compose secret`);
    }
  }
  for (const secret of knownSecretValues) {
    if (secret.length >= 6 && composeText.includes(secret)) problems.push(`a secret value from the env files appears in the Compose file: ${secret.slice(0, 3)}…`);
  }
  return problems;
}

/** The variables that give the payload codec its keys and choose the one that encrypts. */
export const ENCRYPTION_KEY_VARIABLES = ['SYNAPSE_ENCRYPTION_KEYS', 'SYNAPSE_ENCRYPTION_KEY_ID'] as const;

/** A file as the repository would commit it. */
export interface RepositoryFile {
  /** Relative to the repository root, `/`-separated. */
  path: string;
  text: string;
}

/** An assignment at the start of a line: `KEY=v` (env, shell `export`), `KEY: v` (YAML), `"KEY": "v"` (JSON), `- KEY=v` (a Compose list). */
const KEY_ASSIGNMENT = new RegExp(`^\\s*(?:-\\s+|export\\s+)?["']?(${ENCRYPTION_KEY_VARIABLES.join('|')})["']?\\s*[=:]\\s*(.*?)\\s*,?\\s*$`);
/** Passed through from the environment, with no default of its own: `${VAR}`, `${VAR:?message}`, `$VAR`. */
const PASS_THROUGH = /^(\$\{[A-Za-z_][A-Za-z0-9_]*(:?\?[^}]*)?\}|\$[A-Za-z_][A-Za-z0-9_]*)$/;
/** 32 bytes in base64 (43 characters and one `=`) or base64url (43 characters), standing alone (`id=` before it is fine). */
const BASE64_32_BYTES = /(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{43}=?(?![A-Za-z0-9+/=_-])/g;

/**
 * No payload encryption key in version control (the project's rule: no
 * secrets in the repository). Each file given, meant to be those the
 * repository would commit, is held to two rules:
 *  - none but a `*.example` sets SYNAPSE_ENCRYPTION_KEYS or
 *    SYNAPSE_ENCRYPTION_KEY_ID to a value, in whatever syntax (env file,
 *    YAML, JSON, shell): keys are generated per machine into a git-ignored
 *    file. Empty, or passed through from the environment (`${VAR}`), is fine.
 *  - none at all, examples included, holds what reads as an AES-256 key:
 *    32 bytes of base64 or base64url, wherever it appears (a keys file, a
 *    README, a value of another name).
 * Problems name the file and line, never the value.
 */
export function committedEncryptionKeyProblems(files: readonly RepositoryFile[]): string[] {
  const problems: string[] = [];
  for (const file of files) {
    const example = file.path.endsWith('.example');
    file.text.split(/\r?\n/).forEach((line, index) => {
      const where = `${file.path}:${index + 1}`;
      const assignment = example ? null : KEY_ASSIGNMENT.exec(line);
      if (assignment) {
        const value = assignment[2]!.replace(/^(["'])(.*)\1$/, '$2').trim();
        if (value !== '' && !PASS_THROUGH.test(value)) {
          problems.push(`${where}: sets ${assignment[1]}; encryption keys are generated on each machine into a git-ignored file (deploy/lab/encryption.env.example), never committed`);
        }
      }
      for (const match of line.matchAll(BASE64_32_BYTES)) {
        const token = match[0];
        // Random key material mixes cases and digits; names and prose of that length do not.
        if (!/[a-z]/.test(token) || !/[A-Z]/.test(token) || !/[0-9]/.test(token)) continue;
        if (Buffer.from(token, 'base64').length === 32) problems.push(`${where}: holds what reads as an AES-256 key (32 bytes of base64); generate keys, never commit them`);
      }
    });
  }
  return problems;
}

/** The hosted CI workflow: `nx affected` with lint, test and build against a base ref, on a full-history checkout. */
export function ciWorkflowProblems(workflow: unknown): string[] {
  const problems: string[] = [];
  if (!isRecord(workflow) || !isRecord(workflow.jobs)) return ['no jobs'];
  const steps = Object.values(workflow.jobs).flatMap((job) => (isRecord(job) && Array.isArray(job.steps) ? job.steps.filter(isRecord) : []));
  const runs = steps.map((step) => (typeof step.run === 'string' ? step.run.replace(/\\\r?\n/g, ' ') : '')).filter(Boolean);
  const affected = runs.map((run) => /\bnx\s+affected\b[^\n]*/.exec(run)?.[0]).filter((line): line is string => line !== undefined);
  if (affected.length === 0) problems.push('no step runs nx affected');
  for (const line of affected) {
    const targets = new Set(
      [...line.matchAll(/(?:-t|--targets?)(?:=|\s+)([\w,-]+(?:\s+(?!-)[\w-]+)*)/g)].flatMap((m) => m[1]!.split(/[\s,]+/)).filter(Boolean),
    );
    for (const target of ['lint', 'test', 'build']) if (!targets.has(target)) problems.push(`nx affected runs ${[...targets].join(', ') || 'no targets'}, not ${target}`);
    if (!/--base(=|\s+)\S+/.test(line)) problems.push('nx affected has no --base: it would compare with nx.json defaultBase, not the pull request base');
  }
  const checkout = steps.find((step) => typeof step.uses === 'string' && step.uses.startsWith('actions/checkout@'));
  if (!checkout) problems.push('no actions/checkout step');
  else if (!isRecord(checkout.with) || Number(checkout.with['fetch-depth']) !== 0) problems.push('actions/checkout without fetch-depth: 0: nx affected needs the base commit');
  const setupNode = steps.find((step) => typeof step.uses === 'string' && step.uses.startsWith('actions/setup-node@'));
  if (!setupNode || !isRecord(setupNode.with) || !/^20(\.|$)/.test(String(setupNode.with['node-version']))) problems.push('no actions/setup-node with node-version 20');
  else if (setupNode.with.cache !== 'npm') problems.push('actions/setup-node does not cache npm');
  if (!runs.some((run) => /\bnpm ci\b/.test(run))) problems.push('no npm ci');
  const setsBase = steps.some((step) => typeof step.uses === 'string' && step.uses.startsWith('nrwl/nx-set-shas@')) || affected.some((line) => /--base(=|\s+)\S*(github\.|origin\/)/.test(line));
  if (!setsBase) problems.push('the base commit comes from neither nrwl/nx-set-shas nor the pull request base ref');
  return problems;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
