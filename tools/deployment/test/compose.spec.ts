/**
 * docker-compose.yml, parsed (yaml, merge keys, Compose interpolation) and
 * held against the real apps: each service builds the app's Dockerfile and
 * runs its real entry point with flags its own parser accepts; every variable
 * a service gets is one the app (or a workspace library it runs) reads and
 * one the README documents; ports agree with the images; the device-worker's
 * inventory names the simulator's devices where they listen; no secret is
 * written in the file or committed under deploy/, and payload encryption is
 * opt-in (a key generated per machine, codec-server in its own profile). The
 * rules also fail on purpose against broken copies.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { TASK_QUEUES } from '@synapse/contracts';
import { LAB_CREDENTIALS, referenceLabTopology } from '@synapse/device-sim';
import { parseInventory } from '@synapse/device-worker';
import { DEFAULT_LAB_API_TOKEN } from '@synapse/infrahub-sim';
import { encryptionKeyringFromEnv } from '@synapse/temporal-connection';
import { PROJECT_SEARCH_ATTRIBUTES, TEMPORAL_CLI_VERSION } from '@synapse/temporal-tools';
import {
  commandProblems,
  committedEncryptionKeyProblems,
  composeStructureProblems,
  documentVariables,
  envFileEntriesOf,
  envFilesOf,
  environmentOf,
  envVariablesReadByApp,
  interpolate,
  InterpolationError,
  parseCompose,
  parseEnvFile,
  parsePortList,
  portOf,
  secretProblems,
  variablesIn,
  type ComposeDocument,
} from '../src';
import { parseRelayArgs } from '../src/loopback-relay';
import { committedFiles, compose, dockerfileOf, gitIgnores, IMAGES, readmeVariables, readText, ROOT, service, WORKERS } from './workspace';

const deviceSimCli = require(path.join(ROOT, 'tools/device-sim/dist/cli-args.js')) as { parseCliArgs(argv: string[]): { basePort?: number; controlPort: number; host: string } };
const infrahubSimCli = require(path.join(ROOT, 'tools/infrahub-sim/dist/cli-args.js')) as { parseCliArgs(argv: string[]): { port: number; host: string } };

const text = readText('docker-compose.yml');
const document = compose();
/** The file as `docker compose up` sees it with nothing set in the shell: every default applied. */
const resolved = interpolateDefaults(document);

function interpolateDefaults(doc: ComposeDocument): ComposeDocument {
  const walk = (node: unknown): unknown =>
    typeof node === 'string' ? interpolate(node) : Array.isArray(node) ? node.map(walk) : node && typeof node === 'object' ? Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v)])) : node;
  return walk(doc) as ComposeDocument;
}

/** Services built from this repository, with the package each runs (device-sim-gateway runs tools/deployment's relay). */
const OWN_SERVICES: Record<string, string> = {
  ...Object.fromEntries(IMAGES.map((image) => [image.service, image.dir])),
  'device-sim-gateway': 'tools/deployment',
};

/**
 * The variables a service's env files give it, on a fresh checkout: a
 * required file as it is; an optional one (encryption.env, generated on each
 * machine and git-ignored) by its committed `.example`, which names what it
 * may hold. A developer's own encryption.env never changes what is checked.
 */
function envFileVariables(svc: unknown): Array<{ file: string; variables: Record<string, string> }> {
  return envFileEntriesOf(svc).map(({ path: file, required }) => {
    const read = required ? file : `${file}.example`;
    return { file: read, variables: parseEnvFile(readFileSync(path.resolve(ROOT, read), 'utf8')) };
  });
}

/** Every variable a service's container gets: `environment` and the default env files. */
function containerVariables(name: string): Map<string, string | null> {
  const svc = service(resolved, name);
  const variables = new Map<string, string | null>();
  for (const { variables: fromFile } of envFileVariables(svc)) for (const [key, value] of Object.entries(fromFile)) variables.set(key, value);
  for (const [key, value] of Object.entries(environmentOf(svc))) variables.set(key, value);
  return variables;
}

function commandOf(name: string): string[] {
  const command = service(resolved, name).command;
  if (!Array.isArray(command)) throw new Error(`${name}: command should be a list`);
  return command.map(String);
}

/** `127.0.0.1:8233:8080` -> { host: '127.0.0.1', published: '8233', container: [8080] }, ranges expanded. */
function parsePort(spec: string): { hostIp?: string; published?: string; container: number[] } {
  const parts = spec.split(':');
  const container = parsePortList(parts.at(-1)!);
  if (parts.length === 3) return { hostIp: parts[0]!, published: parts[1]!, container };
  if (parts.length === 2) return { published: parts[0]!, container };
  return { container };
}

describe('docker-compose.yml', () => {
  it('has the stack of issue 6, and every service runs an image or a build of this repository', () => {
    expect(Object.keys(document.services as object).sort()).toEqual(
      ['codec-server', 'device-sim', 'device-sim-gateway', 'device-worker', 'infrahub-sim', 'infrahub-worker', 'temporal', 'temporal-ui', 'workflow-worker'].sort(),
    );
    expect(composeStructureProblems(document, ROOT)).toEqual([]);
  });

  it.each(IMAGES.map((image) => [image.service, image] as const))('%s builds its own Dockerfile from the repository root', (name, image) => {
    expect(service(resolved, name).build).toEqual({ context: '.', dockerfile: image.dockerfile });
  });

  it('scales each worker on its own, from a variable', () => {
    for (const worker of WORKERS) {
      const replicas = (service(document, worker).deploy as { replicas: string }).replicas;
      expect(variablesIn(replicas).map((v) => v.name)).toEqual([`SYNAPSE_${worker.replace('-worker', '').toUpperCase()}_WORKER_REPLICAS`]);
      expect(Number(interpolate(replicas))).toBeGreaterThanOrEqual(1);
      expect(service(document, worker).container_name).toBeUndefined();
    }
    expect(Number(interpolate('${SYNAPSE_DEVICE_WORKER_REPLICAS:-2}', { SYNAPSE_DEVICE_WORKER_REPLICAS: '5' }))).toBe(5);
  });

  it('runs the apps it overrides the command of through their real entry points and flags', () => {
    for (const name of ['device-sim', 'device-sim-gateway', 'infrahub-sim']) expect(commandProblems(commandOf(name), ROOT, '/app')).toEqual([]);
    expect(commandOf('device-sim').slice(0, 2)).toEqual(dockerfileOf(IMAGES.find((i) => i.service === 'device-sim')!).cmd!.slice(0, 2));
    expect(() => deviceSimCli.parseCliArgs(commandOf('device-sim').slice(2))).not.toThrow();
    expect(infrahubSimCli.parseCliArgs(commandOf('infrahub-sim').slice(2))).toMatchObject({ host: '0.0.0.0' });
  });
});

describe('variables', () => {
  const readme = readmeVariables();

  // The workers wire libs/temporal-connection (TEMPORAL_TLS*, TEMPORAL_API_KEY, SYNAPSE_ENCRYPTION_*) and
  // libs/observability (SYNAPSE_HEALTH_ADDRESS, SYNAPSE_METRICS_ADDRESS, SYNAPSE_LOG_*, SYNAPSE_SHUTDOWN_GRACE_SECONDS),
  // so every variable Compose passes must be read by the code the container runs.
  it.each(Object.entries(OWN_SERVICES))('%s gets only variables its app or its workspace libraries read', (name, dir) => {
    const reads = envVariablesReadByApp(ROOT, dir);
    const unknown = [...containerVariables(name).keys()].filter((variable) => !reads.has(variable));
    expect(unknown).toEqual([]);
  });

  it('passes each setting through from the environment under its own name, defaulting to the app default', () => {
    const mismatched: string[] = [];
    for (const name of Object.keys(OWN_SERVICES)) {
      for (const [key, value] of Object.entries(environmentOf(service(document, name)))) {
        const outer = value === null ? undefined : variablesIn(value)[0];
        if (outer && outer.name !== key && !value!.startsWith(`\${${key}`)) mismatched.push(`${name}: ${key}=${value}`);
      }
    }
    expect(mismatched).toEqual([]);
    const env = (svc: string) => Object.fromEntries(containerVariables(svc));
    expect(env('workflow-worker').SYNAPSE_WORKFLOW_TASK_QUEUE).toBe(TASK_QUEUES.workflows);
    expect(env('device-worker').SYNAPSE_DEVICE_TASK_QUEUE).toBe(TASK_QUEUES.device);
    // The infrahub-worker reads SYNAPSE_INFRAHUB_TASK_QUEUE too (runtime-image.spec.ts starts it on another queue);
    // Compose leaves it unset, so it polls contracts' queue, the one the workflows send Infrahub activities to.
    expect(envVariablesReadByApp(ROOT, 'apps/infrahub-worker').has('SYNAPSE_INFRAHUB_TASK_QUEUE')).toBe(true);
    expect(env('infrahub-worker').SYNAPSE_INFRAHUB_TASK_QUEUE ?? TASK_QUEUES.infrahub).toBe(TASK_QUEUES.infrahub);
    for (const worker of WORKERS) expect(env(worker)).toMatchObject({ TEMPORAL_NAMESPACE: 'default', SYNAPSE_LOG_LEVEL: 'info', SYNAPSE_LOG_FORMAT: 'json', SYNAPSE_SHUTDOWN_GRACE_SECONDS: '30' });
  });

  it("documents in README's table every variable our images and services get and every variable the file reads", () => {
    const ours = new Set(Object.keys(OWN_SERVICES).flatMap((name) => [...containerVariables(name).keys()]));
    const images = new Set(IMAGES.flatMap((image) => Object.keys(dockerfileOf(image).env)).filter((variable) => variable !== 'NODE_ENV'));
    const interpolated = new Set(documentVariables(document).keys());
    const missing = [...new Set([...ours, ...images, ...interpolated])].filter((variable) => !readme.has(variable)).sort();
    // The README rows to add are listed in tools/deployment's report; until then this names them.
    expect(missing).toEqual([]);
  });

  it('keeps every secret out of the file: credentials come from env files, which hold nothing else', () => {
    const envDir = path.join(ROOT, 'deploy', 'lab');
    const envFiles = readdirSync(envDir).filter((file) => file.endsWith('.env') || file.endsWith('.env.example'));
    const secretValues = envFiles.flatMap((file) => Object.values(parseEnvFile(readFileSync(path.join(envDir, file), 'utf8'))));
    expect(secretValues.length).toBeGreaterThan(0);
    expect(secretProblems(document, text, secretValues)).toEqual([]);
    for (const file of envFiles) {
      for (const key of Object.keys(parseEnvFile(readFileSync(path.join(envDir, file), 'utf8')))) {
        expect({ file, key, secret: /USERNAME|PASSWORD|TOKEN|API_KEY|ENCRYPTION_KEY/.test(key) }).toEqual({ file, key, secret: true });
      }
    }
  });

  it('reads every env file it names from SYNAPSE_DEPLOY_DIR, and never sets the same variable in both places', () => {
    for (const name of Object.keys(OWN_SERVICES)) {
      for (const file of envFilesOf(service(document, name))) expect(variablesIn(file).map((v) => v.name)).toEqual(['SYNAPSE_DEPLOY_DIR']);
      const fromFiles = envFileVariables(service(resolved, name)).flatMap(({ variables }) => Object.keys(variables));
      const environment = Object.keys(environmentOf(service(document, name)));
      // `environment` wins over env_file, so a variable in both would silently drop the secret.
      expect(fromFiles.filter((variable) => environment.includes(variable))).toEqual([]);
    }
  });
});

describe('ports', () => {
  it.each(IMAGES.map((image) => [image.service, image] as const))('%s publishes or exposes only ports its image serves', (name, image) => {
    const exposed = dockerfileOf(image).expose;
    const svc = service(resolved, name);
    const published = ((svc.ports as string[] | undefined) ?? []).flatMap((spec) => parsePort(spec).container);
    const internal = ((svc.expose as string[] | undefined) ?? []).map(Number);
    expect(published.length + internal.length).toBeGreaterThan(0);
    for (const port of [...published, ...internal]) expect(exposed).toContain(port);
  });

  it('publishes on loopback only', () => {
    for (const [name, svc] of Object.entries(resolved.services as Record<string, { ports?: string[] }>)) {
      for (const spec of svc.ports ?? []) expect({ name, hostIp: parsePort(spec).hostIp }).toEqual({ name, hostIp: '127.0.0.1' });
    }
  });

  it('gives the workers health and metrics addresses on the ports their images expose, and publishes none (replicas)', () => {
    for (const worker of WORKERS) {
      const env = Object.fromEntries(containerVariables(worker));
      const image = dockerfileOf(IMAGES.find((i) => i.service === worker)!);
      expect([portOf(env.SYNAPSE_HEALTH_ADDRESS!), portOf(env.SYNAPSE_METRICS_ADDRESS!)]).toEqual([portOf(image.env.SYNAPSE_HEALTH_ADDRESS!), portOf(image.env.SYNAPSE_METRICS_ADDRESS!)]);
      expect((service(resolved, worker).expose as string[]).map(Number).sort()).toEqual([...image.expose].sort());
      expect(service(resolved, worker).ports).toBeUndefined();
    }
  });

  it('lets the codec server listen where its port is published, and points the UI at it', () => {
    const env = Object.fromEntries(containerVariables('codec-server'));
    const [published] = (service(resolved, 'codec-server').ports as string[]).map(parsePort);
    expect(published!.container).toEqual([Number(env.SYNAPSE_CODEC_SERVER_PORT)]);
    expect(env.SYNAPSE_CODEC_SERVER_HOST).toBe('0.0.0.0');
    const ui = environmentOf(service(resolved, 'temporal-ui'));
    // The browser calls the codec server: the endpoint is the published address, and it must accept the UI's origin.
    expect(ui.TEMPORAL_CODEC_ENDPOINT).toBe(`http://localhost:${published!.published}`);
    const uiPort = parsePort((service(resolved, 'temporal-ui').ports as string[])[0]!).published;
    expect(env.SYNAPSE_CODEC_CORS_ORIGINS).toBe(`http://localhost:${uiPort}`);
    expect(interpolate(environmentOf(service(document, 'codec-server')).SYNAPSE_CODEC_CORS_ORIGINS!, { TEMPORAL_UI_PORT: '9233' })).toBe('http://localhost:9233');
  });
});

describe('Temporal', () => {
  const temporal = service(resolved, 'temporal');
  const command = (temporal.command as string[]).map(String);

  it('is the dev server of the Temporal CLI version the tests use, on a volume, reachable from the other containers', () => {
    expect(temporal.image).toBe(`temporalio/temporal:${TEMPORAL_CLI_VERSION}`);
    expect(command.slice(0, 2)).toEqual(['server', 'start-dev']);
    expect(command[command.indexOf('--ip') + 1]).toBe('0.0.0.0');
    const dbFile = command[command.indexOf('--db-filename') + 1]!;
    const volume = (temporal.volumes as string[]).map((v) => v.split(':')).find(([, mount]) => dbFile.startsWith(`${mount}/`));
    expect(volume?.[0]).toBe('temporal-data');
    expect(Object.keys(document.volumes as object)).toContain('temporal-data');
    expect(temporal.healthcheck).toMatchObject({ test: expect.arrayContaining(['temporal', 'operator', 'cluster', 'health']) });
  });

  it("registers exactly contracts' search attributes, in the namespace the workers use", () => {
    const registered = command.flatMap((arg, i) => (arg === '--search-attribute' ? [command[i + 1]!] : []));
    expect(registered.sort()).toEqual(PROJECT_SEARCH_ATTRIBUTES.map((a) => `${a.name}=${a.type}`).sort());
    expect(command[command.indexOf('--namespace') + 1]).toBe(Object.fromEntries(containerVariables('workflow-worker')).TEMPORAL_NAMESPACE);
  });

  it('is where every worker and the UI connect by default, and they wait for it to be healthy', () => {
    const grpcPort = parsePort((temporal.ports as string[])[0]!).container[0];
    for (const name of [...WORKERS, 'temporal-ui']) {
      expect(Object.fromEntries(containerVariables(name)).TEMPORAL_ADDRESS).toBe(`temporal:${grpcPort}`);
      expect((service(document, name).depends_on as Record<string, unknown>).temporal).toEqual({ condition: 'service_healthy' });
    }
  });

  it('uses pinned images for the services it does not build', () => {
    expect(service(document, 'temporal-ui').image).toMatch(/^temporalio\/ui:\d+\.\d+\.\d+$/);
  });

  it("gives workers longer to stop than their shutdown grace, so Docker's SIGKILL never cuts a draining activity", () => {
    for (const worker of WORKERS) {
      const grace = Number(Object.fromEntries(containerVariables(worker)).SYNAPSE_SHUTDOWN_GRACE_SECONDS);
      const stopGrace = /^(\d+)s$/.exec(String(service(resolved, worker).stop_grace_period))?.[1];
      expect(Number(stopGrace)).toBeGreaterThan(grace);
      expect(service(resolved, worker).init).toBe(true);
    }
  });
});

describe('the lab', () => {
  const deviceSimOptions = deviceSimCli.parseCliArgs(commandOf('device-sim').slice(2));
  const devices = referenceLabTopology().devices.map((d) => d.name);

  it("gives the device-worker an inventory that its own parser reads and that names device-sim's devices on their ports", () => {
    const env = Object.fromEntries(containerVariables('device-worker'));
    const mount = (service(resolved, 'device-worker').volumes as string[]).map((v) => v.split(':')).find(([, target]) => target === env.SYNAPSE_DEVICE_INVENTORY);
    expect(mount).toBeDefined();
    const inventory = parseInventory(readFileSync(path.resolve(ROOT, mount![0]!), 'utf8'), mount![0]);
    expect(Object.keys(inventory)).toEqual(devices);
    devices.forEach((device, i) => expect(inventory[device]!.address).toBe(`device-sim:${deviceSimOptions.basePort! + i}`));
  });

  it('relays every device port and the control port of device-sim from its network namespace', () => {
    const gateway = service(resolved, 'device-sim-gateway');
    expect(gateway.network_mode).toBe('service:device-sim');
    const relay = parseRelayArgs(commandOf('device-sim-gateway').slice(2));
    expect(relay.ports).toEqual([...devices.map((_, i) => deviceSimOptions.basePort! + i), deviceSimOptions.controlPort]);
    expect(relay.targetHost).toBe(deviceSimOptions.host);
    // Ports of a shared network namespace are published by the service that owns it.
    const published = (service(resolved, 'device-sim').ports as string[]).flatMap((spec) => parsePort(spec).container);
    expect(published.sort()).toEqual([...relay.ports].sort());
    expect((service(document, 'device-worker').depends_on as Record<string, unknown>)['device-sim-gateway']).toBeDefined();
  });

  it("logs the workers in with the simulators' documented lab credentials", () => {
    const deviceWorker = Object.fromEntries(containerVariables('device-worker'));
    expect({ username: deviceWorker.SYNAPSE_DEVICE_USERNAME, password: deviceWorker.SYNAPSE_DEVICE_PASSWORD }).toEqual(LAB_CREDENTIALS);
    expect(Object.fromEntries(containerVariables('infrahub-worker')).INFRAHUB_API_TOKEN).toBe(DEFAULT_LAB_API_TOKEN);
    expect(Object.fromEntries(containerVariables('infrahub-sim')).INFRAHUB_SIM_TOKEN).toBe(DEFAULT_LAB_API_TOKEN);
    expect(Object.fromEntries(containerVariables('infrahub-worker')).INFRAHUB_ADDRESS).toBe(`http://infrahub-sim:${infrahubSimCli.parseCliArgs(commandOf('infrahub-sim').slice(2)).port}`);
  });

  it('keeps backups on a named volume, at the directory the image prepared for its user', () => {
    const env = Object.fromEntries(containerVariables('device-worker'));
    const image = dockerfileOf(IMAGES.find((i) => i.service === 'device-worker')!);
    expect(env.SYNAPSE_BACKUP_DIR).toBe(image.env.SYNAPSE_BACKUP_DIR);
    expect(service(resolved, 'device-worker').volumes).toContain(`backups:${env.SYNAPSE_BACKUP_DIR}`);
    expect(image.runtime.instructions.some((i) => i.keyword === 'RUN' && i.arguments.includes(`chown node:node ${env.SYNAPSE_BACKUP_DIR}`))).toBe(true);
  });
});

describe('payload encryption, opt-in', () => {
  const ENCRYPTION_ENV = '${SYNAPSE_DEPLOY_DIR:-./deploy/lab}/encryption.env';
  const encryptionEnvFiles = (svc: unknown) => envFileEntriesOf(svc).filter((entry) => path.posix.basename(entry.path) === 'encryption.env');
  const example = readText('deploy/lab/encryption.env.example');
  /** The commented commands of the example, `#   <command>`. */
  const exampleCommands = example.split('\n').flatMap((line) => /^#\s{3}(\S.*)$/.exec(line)?.[1] ?? []);
  const generate = exampleCommands.find((command) => command.startsWith('printf '));

  it('has the workers read encryption.env only if it exists (long env_file syntax, required: false), from SYNAPSE_DEPLOY_DIR', () => {
    for (const worker of WORKERS) expect({ worker, files: encryptionEnvFiles(service(document, worker)) }).toEqual({ worker, files: [{ path: ENCRYPTION_ENV, required: false }] });
    // Every other env file stays required, and is there on a fresh checkout.
    for (const name of Object.keys(OWN_SERVICES)) {
      for (const entry of envFileEntriesOf(service(resolved, name)).filter((e) => path.posix.basename(e.path) !== 'encryption.env')) {
        expect({ name, entry, exists: existsSync(path.resolve(ROOT, entry.path)) }).toEqual({ name, entry: { ...entry, required: true }, exists: true });
      }
    }
    // The long syntax with `required` came with Compose 2.24; the file says so.
    expect(text).toMatch(/Compose 2\.24 or later/);
  });

  it('starts codec-server, which refuses to start without keys, only in the encryption profile, and nothing else needs it', () => {
    const services = document.services as Record<string, Record<string, unknown>>;
    const profiled = Object.entries(services).filter(([, svc]) => svc.profiles !== undefined);
    expect(profiled.map(([name, svc]) => [name, svc.profiles])).toEqual([['codec-server', ['encryption']]]);
    // Optional for it too: Compose before 2.34 reads the env files of services whose profile is off.
    expect(encryptionEnvFiles(service(document, 'codec-server'))).toEqual([{ path: ENCRYPTION_ENV, required: false }]);
    for (const [name, svc] of Object.entries(services)) {
      const dependsOn = Array.isArray(svc.depends_on) ? svc.depends_on.map(String) : Object.keys((svc.depends_on as object | undefined) ?? {});
      const needs = dependsOn.includes('codec-server') || svc.network_mode === 'service:codec-server';
      expect({ name, needsCodecServer: needs }).toEqual({ name, needsCodecServer: false });
    }
  });

  it('commits no key: encryption.env is git-ignored and kept out of images, and nothing under deploy/ but the example sets the key variables', () => {
    expect(gitIgnores('deploy/lab/encryption.env')).toBe(true);
    expect(readText('.dockerignore').split('\n')).toContain('deploy');
    const files = committedFiles('deploy');
    expect(files.map((file) => file.path)).toContain('deploy/lab/encryption.env.example');
    expect(files.map((file) => file.path)).not.toContain('deploy/lab/encryption.env');
    expect(committedEncryptionKeyProblems([...files, { path: 'docker-compose.yml', text }])).toEqual([]);
  });

  it('gives in encryption.env.example a placeholder the workers refuse, and the commands that make a key and start the profile', () => {
    // Copied as it is, the example stops every worker and codec-server rather than running with a known key.
    expect(() => encryptionKeyringFromEnv(parseEnvFile(example))).toThrow(/SYNAPSE_ENCRYPTION_KEYS: key "lab-1" is not base64/);
    expect(generate).toBe(`printf 'SYNAPSE_ENCRYPTION_KEYS=lab-1=%s\\nSYNAPSE_ENCRYPTION_KEY_ID=lab-1\\n' "$(openssl rand -base64 32)" > deploy/lab/encryption.env`);
    expect(exampleCommands).toContain('docker compose --profile encryption up --build');
    // The same command where people look first.
    for (const doc of ['deploy/lab/README.md', 'docker-compose.yml']) expect({ doc, documented: readText(doc).includes(generate!) }).toEqual({ doc, documented: true });

    // Run from a scratch checkout: it makes a key the workers accept, and exactly what the rule above would refuse to see committed.
    const scratch = mkdtempSync(path.join(tmpdir(), 'encryption-env-'));
    try {
      mkdirSync(path.join(scratch, 'deploy/lab'), { recursive: true });
      const made = spawnSync('sh', ['-c', generate!], { cwd: scratch, encoding: 'utf8' });
      expect({ status: made.status, stderr: made.stderr }).toEqual({ status: 0, stderr: '' });
      const generated = readFileSync(path.join(scratch, 'deploy/lab/encryption.env'), 'utf8');
      const keyring = encryptionKeyringFromEnv(parseEnvFile(generated))!;
      expect(keyring.activeKeyId).toBe('lab-1');
      expect(keyring.keys.get('lab-1')).toHaveLength(32);
      expect(committedEncryptionKeyProblems([{ path: 'deploy/lab/encryption.env', text: generated }])).toHaveLength(3);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});

describe('the compose rules, on broken files', () => {
  const problems = (yaml: string) => composeStructureProblems(parseCompose(yaml), ROOT);

  it('refuses a service with neither image nor build, a missing Dockerfile, an unknown dependency and an unpinned image', () => {
    const broken = `
services:
  a:
    command: [node, x.js]
  b:
    build: { context: ., dockerfile: apps/nowhere/Dockerfile }
    depends_on: [c]
  d:
    image: temporalio/ui:latest
  e:
    image: postgres
    network_mode: service:f
`;
    expect(problems(broken)).toEqual([
      'a: neither image nor build',
      'b: build.dockerfile apps/nowhere/Dockerfile does not exist',
      'b: depends_on c, which is not a service',
      'd: image temporalio/ui:latest is not pinned (latest)',
      'e: image postgres has no pinned tag',
      'e: network_mode service:f names no service',
    ]);
  });

  it('refuses a secret written in the file, under a secret name or as a known value', () => {
    const broken = parseCompose(`
services:
  infrahub-worker:
    image: x:1
    environment:
      INFRAHUB_API_TOKEN: \${INFRAHUB_API_TOKEN:-06438eb2-8019-4776-878c-0941b1f1d1ec}
      SYNAPSE_DEVICE_PASSWORD: NokiaSrl1!
      TEMPORAL_API_KEY: \${TEMPORAL_API_KEY}
`);
    expect(secretProblems(broken, 'SYNAPSE_DEVICE_PASSWORD: NokiaSrl1!', ['NokiaSrl1!'])).toEqual([
      'infrahub-worker: INFRAHUB_API_TOKEN is given a value in the Compose file; put it in an env file or a compose secret',
      'infrahub-worker: SYNAPSE_DEVICE_PASSWORD is given a value in the Compose file; put it in an env file or a compose secret',
      'a secret value from the env files appears in the Compose file: Nok…',
    ]);
  });

  it('finds an encryption key committed in any form, and lets placeholders, pass-throughs and the documented command be', () => {
    // Key material made here, deterministically (no key in this file): 32 bytes, as base64 and as base64url.
    const material = createHash('sha256').update('a broken copy').digest();
    const [base64, base64url] = [material.toString('base64'), material.toString('base64url')];
    expect([base64.length, base64url.length]).toEqual([44, 43]);
    const files = [
      { path: 'deploy/lab/encryption.env', text: `# generated\nSYNAPSE_ENCRYPTION_KEYS=lab-1=${base64}\nSYNAPSE_ENCRYPTION_KEY_ID=lab-1\n` },
      { path: 'deploy/site/keys.json', text: `{\n  "site-1": "${base64url}"\n}\n` },
      { path: 'deploy/site/override.yml', text: 'services:\n  codec-server:\n    environment:\n      SYNAPSE_ENCRYPTION_KEYS: ${SYNAPSE_ENCRYPTION_KEYS:?set it}\n      SYNAPSE_ENCRYPTION_KEY_ID: site-1\n' },
      { path: 'deploy/site/empty.env', text: 'SYNAPSE_ENCRYPTION_KEYS=\nSYNAPSE_ENCRYPTION_KEY_ID=""\nSYNAPSE_ENCRYPTION_KEYS_FILE=/run/secrets/keys.json\n' },
      { path: 'deploy/lab/encryption.env.example', text: 'SYNAPSE_ENCRYPTION_KEYS=lab-1=<output of: openssl rand -base64 32>\nSYNAPSE_ENCRYPTION_KEY_ID=lab-1\n' },
      { path: 'deploy/old/encryption.env.example', text: `SYNAPSE_ENCRYPTION_KEYS=lab-1=${base64}\n` },
      { path: 'deploy/lab/README.md', text: `printf 'SYNAPSE_ENCRYPTION_KEYS=lab-1=%s\\nSYNAPSE_ENCRYPTION_KEY_ID=lab-1\\n' "$(openssl rand -base64 32)" > deploy/lab/encryption.env\n| \`TEMPORAL_TLS_DISABLE_HOST_VERIFICATION_XXXXX\` |\n` },
    ];
    expect(committedEncryptionKeyProblems(files)).toEqual([
      'deploy/lab/encryption.env:2: sets SYNAPSE_ENCRYPTION_KEYS; encryption keys are generated on each machine into a git-ignored file (deploy/lab/encryption.env.example), never committed',
      'deploy/lab/encryption.env:2: holds what reads as an AES-256 key (32 bytes of base64); generate keys, never commit them',
      'deploy/lab/encryption.env:3: sets SYNAPSE_ENCRYPTION_KEY_ID; encryption keys are generated on each machine into a git-ignored file (deploy/lab/encryption.env.example), never committed',
      'deploy/site/keys.json:2: holds what reads as an AES-256 key (32 bytes of base64); generate keys, never commit them',
      'deploy/site/override.yml:5: sets SYNAPSE_ENCRYPTION_KEY_ID; encryption keys are generated on each machine into a git-ignored file (deploy/lab/encryption.env.example), never committed',
      'deploy/old/encryption.env.example:1: holds what reads as an AES-256 key (32 bytes of base64); generate keys, never commit them',
    ]);
    // The messages name the place, never the key.
    expect(committedEncryptionKeyProblems(files).join('\n')).not.toContain(base64.slice(0, 8));
  });

  it('finds a command whose script does not exist', () => {
    expect(commandProblems(['node', 'tools/device-sim/dist/mian.js'], ROOT, '/app')).toEqual([
      'tools/device-sim/dist/mian.js would be built from tools/device-sim/src/mian.ts, which does not exist',
    ]);
    expect(commandProblems(['npm', 'start'], ROOT, '/app')).toEqual(['the command ["npm","start"] does not start the app with node']);
  });
});

describe('Compose interpolation as the checks read it', () => {
  it('applies defaults, nested defaults and $$ escapes like Compose', () => {
    expect(interpolate('${A:-x}', {})).toBe('x');
    expect(interpolate('${A:-x}', { A: '' })).toBe('x');
    expect(interpolate('${A-x}', { A: '' })).toBe('');
    expect(interpolate('${A:-http://h:${B:-8233}}', { B: '1' })).toBe('http://h:1');
    expect(interpolate('$$A and $A', { A: 'v' })).toBe('$A and v');
    expect(interpolate('${A:+on}', { A: '1' })).toBe('on');
    expect(variablesIn('${A:-http://h:${B:-8233}}')).toEqual([
      { name: 'A', fallback: 'http://h:8233', required: false },
      { name: 'B', fallback: '8233', required: false },
    ]);
  });

  it('fails on a required variable that is missing, and on malformed references', () => {
    expect(() => interpolate('${TOKEN:?set TOKEN}', {})).toThrow(new InterpolationError('TOKEN: set TOKEN'));
    expect(() => interpolate('${A', {})).toThrow(/unclosed/);
    expect(() => interpolate('${A!x}', {})).toThrow(/unknown modifier "!x"/);
    expect(variablesIn('${TOKEN:?set TOKEN}')).toEqual([{ name: 'TOKEN', required: true }]);
  });
});
