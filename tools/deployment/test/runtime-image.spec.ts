/**
 * Each image's runtime stage, simulated without a Docker engine: the files
 * gathered by the same copy-runtime-files call the Dockerfile makes, into a
 * scratch /app; node_modules laid out as `npm ci --workspace` lays it out
 * (workspace packages as relative links into that tree, npm packages from
 * this checkout); then the image's CMD, with the image's ENV, run from
 * there. That shows the runtime stage holds everything its app loads (dist,
 * workspace libraries, proto and schema files, the prebuilt workflow
 * bundle) and that the app starts and stops as a container would run it.
 *
 * Bind addresses are moved to free loopback ports (tests stay on loopback),
 * and TEMPORAL_ADDRESS is the suite's dev server; everything else is the
 * image's or docker-compose.yml's configuration. Payload encryption uses a
 * key made for the run, as deploy/lab/encryption.env.example has you make
 * one: no key is committed.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { LAB_CREDENTIALS, LAB_PLAINTEXT_TRANSPORT } from '@synapse/device-sim';
import { GnmiClient } from '@synapse/gnmi-client';
import { dataConverterFromEnv, ENCRYPTED_ENCODING } from '@synapse/temporal-connection';
import { findFreePort } from '@synapse/temporal-tools';
import { parseEnvFile, runtimeClosure, walkModuleGraph, type DockerfileModel } from '../src';
import { dockerfileOf, IMAGES, ROOT, type Image } from './workspace';

const scratch = mkdtempSync(path.join(tmpdir(), 'runtime-image-'));
const started: ChildProcessWithoutNullStreams[] = [];

afterAll(async () => {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(scratch, { recursive: true, force: true });
});

interface SimulatedImage {
  /** The scratch directory standing for the image's /app. */
  app: string;
  model: DockerfileModel;
  /** Image ENV with /app paths moved into the scratch tree. */
  env: Record<string, string>;
  workspaceDirs: Map<string, string>;
}

/** The package dirs the Dockerfile's build stage hands to copy-runtime-files. */
function copiedDirs(model: DockerfileModel): string[] {
  const run = model.stages
    .flatMap((stage) => stage.instructions)
    .map((i) => /copy-runtime-files\.js\s+\/runtime\s+([^&|;]+)/.exec(i.arguments)?.[1])
    .find((args) => args !== undefined);
  if (!run) throw new Error('the Dockerfile runs no copy-runtime-files');
  return run.trim().split(/\s+/);
}

function simulate(image: Image): SimulatedImage {
  const model = dockerfileOf(image);
  const app = path.join(mkdtempSync(path.join(scratch, `${image.service}-`)), 'app');
  mkdirSync(app);
  const dirs = copiedDirs(model);
  const copy = spawnSync(process.execPath, [path.join(ROOT, 'tools/deployment/dist/copy-runtime-files.js'), app, ...dirs], { cwd: ROOT, encoding: 'utf8' });
  if (copy.status !== 0) throw new Error(`copy-runtime-files failed: ${copy.stderr}`);
  const closure = runtimeClosure(ROOT, dirs);
  layOutNodeModules(app, closure.map((p) => ({ name: p.name, dir: p.dir })));
  const env = Object.fromEntries(Object.entries(model.env).map(([key, value]) => [key, value.replace(/^\/app(?=\/|$)/, app)]));
  return { app, model, env, workspaceDirs: new Map(closure.map((p) => [p.name, p.dir])) };
}

/**
 * node_modules as `npm ci --omit=dev --workspace=<app>` leaves it: every
 * workspace package of the closure linked relatively into the tree (so it
 * resolves to the copied files, not this checkout), npm packages from here.
 */
function layOutNodeModules(app: string, workspacePackages: Array<{ name: string; dir: string }>): void {
  const modules = path.join(app, 'node_modules');
  mkdirSync(modules);
  for (const entry of readdirSync(path.join(ROOT, 'node_modules'))) {
    if (entry === '@synapse' || entry === '.bin' || entry.startsWith('.')) continue;
    symlinkSync(path.join(ROOT, 'node_modules', entry), path.join(modules, entry));
  }
  mkdirSync(path.join(modules, '@synapse'));
  for (const pkg of workspacePackages) {
    symlinkSync(path.join('..', '..', pkg.dir), path.join(modules, pkg.name));
  }
}

interface Running {
  child: ChildProcessWithoutNullStreams;
  lines: Array<Record<string, unknown>>;
  output: () => string;
  waitFor: (predicate: (line: Record<string, unknown>) => boolean, what: string) => Promise<Record<string, unknown>>;
  stop: () => Promise<number | null>;
}

/** The container's CMD: run from the image's WORKDIR with only the environment given. */
function run(image: SimulatedImage, command: readonly string[], env: Record<string, string>): Running {
  if (command[0] !== 'node') throw new Error(`not a node command: ${command.join(' ')}`);
  const child = spawn(process.execPath, command.slice(1), {
    cwd: image.app,
    env: { PATH: process.env.PATH ?? '', HOME: path.join(image.app, '..'), ...image.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  started.push(child);
  const lines: Array<Record<string, unknown>> = [];
  let stdout = '';
  let stderr = '';
  const waiters: Array<() => void> = [];
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    const complete = stdout.split('\n');
    stdout = complete.pop()!;
    for (const line of complete) {
      try {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        stderr += `${line}\n`;
      }
    }
    for (const wake of waiters.splice(0)) wake();
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  void exited.then(() => {
    for (const wake of waiters.splice(0)) wake();
  });
  return {
    child,
    lines,
    output: () => `${lines.map((l) => JSON.stringify(l)).join('\n')}\n${stderr}`,
    waitFor: async (predicate, what) => {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const found = lines.find(predicate);
        if (found) return found;
        if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${command[1]} exited (${child.exitCode ?? child.signalCode}) before ${what}:\n${stderr}`);
        if (Date.now() > deadline) throw new Error(`no ${what} within 60 s:\n${stderr}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 500);
        });
      }
    },
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

/** The image's HEALTHCHECK command, run in the simulated image with the container's environment. */
function healthcheck(image: SimulatedImage, env: Record<string, string>, replace?: (args: string[]) => string[]): Promise<number | null> {
  const check = image.model.healthcheck;
  if (!Array.isArray(check)) throw new Error('the image has no exec-form HEALTHCHECK');
  const args = replace ? replace([...check]) : [...check];
  const child = spawn(process.execPath, args.slice(1), { cwd: image.app, env: { PATH: process.env.PATH ?? '', ...image.env, ...env } });
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

function withFlag(command: readonly string[], flag: string, value: string): string[] {
  const index = command.indexOf(flag);
  if (index === -1) throw new Error(`${flag} is not in ${command.join(' ')}`);
  return [...command.slice(0, index + 1), value, ...command.slice(index + 2)];
}

function labSecrets(file: string): Record<string, string> {
  return parseEnvFile(readFileSync(path.join(ROOT, 'deploy/lab', file), 'utf8'));
}

/**
 * What `--profile encryption` gives the workers and codec-server: the
 * encryption.env that deploy/lab/encryption.env.example has each machine
 * generate, made here with a fresh key for every test.
 */
function freshEncryptionEnv(): Record<string, string> {
  return { SYNAPSE_ENCRYPTION_KEYS: `lab-1=${randomBytes(32).toString('base64')}`, SYNAPSE_ENCRYPTION_KEY_ID: 'lab-1' };
}

/** The ready line's `connection.encryption` when the workers run with freshEncryptionEnv(). */
const ENCRYPTING = { connection: { encryption: { activeKeyId: 'lab-1', keyIds: ['lab-1'] } } };

function image(service: string): Image {
  return IMAGES.find((i) => i.service === service)!;
}

async function loopbackAddress(): Promise<string> {
  return `127.0.0.1:${await findFreePort()}`;
}

const temporalAddress = () => {
  const address = process.env.TEMPORAL_ADDRESS;
  if (!address) throw new Error('TEMPORAL_ADDRESS is not set: the Jest global setup starts a server');
  return address;
};

describe.each(IMAGES.map((i) => [i.service, i] as const))('the %s runtime stage', (_service, img) => {
  it('resolves every module its command and its healthcheck load, inside the files the Dockerfile copies', () => {
    const simulated = simulate(img);
    const entries = [simulated.model.cmd![1]!, (simulated.model.healthcheck as string[])[1]!];
    for (const entry of entries) {
      expect({ entry, problems: walkModuleGraph(simulated.app, entry, simulated.workspaceDirs).problems }).toEqual({ entry, problems: [] });
    }
  });
});

describe('the images, started as containers start them', () => {
  let connection: Connection;
  beforeAll(async () => {
    connection = await Connection.connect({ address: temporalAddress() });
  });
  afterAll(async () => {
    await connection?.close();
  });

  /**
   * A worker whose code (what its entry point loads) reads SYNAPSE_HEALTH_ADDRESS serves /readyz,
   * and the image's HEALTHCHECK must then pass; one that does not serves nothing there, and the
   * HEALTHCHECK must fail rather than report a health nobody checked.
   */
  async function expectHealthcheckToMatchApp(simulated: SimulatedImage, env: Record<string, string>): Promise<void> {
    const loaded = walkModuleGraph(simulated.app, simulated.model.cmd![1]!, simulated.workspaceDirs).files;
    const servesHealth = loaded.some((file) => file.endsWith('.js') && readFileSync(path.join(simulated.app, file), 'utf8').includes('SYNAPSE_HEALTH_ADDRESS'));
    expect({ servesHealth, exitCode: await healthcheck(simulated, env) }).toEqual({ servesHealth, exitCode: servesHealth ? 0 : 1 });
  }

  it('workflow-worker runs the change workflows from the bundle built into the image', async () => {
    const simulated = simulate(image('workflow-worker'));
    // The build stage's `nx run workflow-worker:bundle` and `rm -rf …/dist/bench`, done here in the copied tree.
    rmSync(path.join(simulated.app, 'apps/workflow-worker/dist/bench'), { recursive: true, force: true });
    const bundle = spawnSync(process.execPath, ['apps/workflow-worker/dist/bundle-workflows.js'], { cwd: simulated.app, encoding: 'utf8', timeout: 120_000 });
    expect({ status: bundle.status, stderr: bundle.stderr }).toEqual({ status: 0, stderr: '' });
    expect(JSON.parse(bundle.stdout) as { bundle: string }).toMatchObject({ bundle: simulated.env.SYNAPSE_WORKFLOW_BUNDLE });

    const taskQueue = `network-changes-image-${randomUUID().slice(0, 8)}`;
    const env = {
      ...labSecrets('temporal-credentials.env'),
      ...freshEncryptionEnv(),
      TEMPORAL_ADDRESS: temporalAddress(),
      TEMPORAL_NAMESPACE: process.env.TEMPORAL_NAMESPACE ?? 'default',
      SYNAPSE_WORKFLOW_TASK_QUEUE: taskQueue,
      SYNAPSE_HEALTH_ADDRESS: await loopbackAddress(),
      SYNAPSE_METRICS_ADDRESS: await loopbackAddress(),
    };
    const worker = run(simulated, simulated.model.cmd!, env);
    try {
      expect(await worker.waitFor((line) => line.service === 'workflow-worker', 'the ready line')).toMatchObject({ taskQueue, ...ENCRYPTING });
      expect(worker.output()).toContain(`prebuilt bundle ${simulated.env.SYNAPSE_WORKFLOW_BUNDLE}`);
      // A client with the workers' keys, as the CLI reading this lab's results needs them.
      const client = new Client({ connection, namespace: env.TEMPORAL_NAMESPACE, dataConverter: dataConverterFromEnv(env) });
      const changeId = `chg-image-${randomUUID().slice(0, 8)}`;
      // A request the workflow itself refuses proves its code runs, with no activity worker needed.
      const failure = await client.workflow
        .execute('NetworkChangeWorkflow', { taskQueue, workflowId: `change/${changeId}`, args: [{ changeId, devices: [], reason: 'image test', requester: 'jest' }], workflowExecutionTimeout: '1 minute' })
        .catch((err: unknown) => err);
      expect(failure).toBeInstanceOf(WorkflowFailedError);
      expect((failure as WorkflowFailedError).cause).toMatchObject({ type: 'InvalidInput' });
      // History holds the request encrypted: what Temporal stores is the codec's output, not the JSON.
      const history = await client.workflow.getHandle(`change/${changeId}`).fetchHistory();
      const input = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
      expect(Buffer.from(input?.metadata?.encoding ?? []).toString()).toBe(ENCRYPTED_ENCODING);
      expect(Buffer.from(input?.data ?? []).toString()).not.toContain(changeId);
      await expectHealthcheckToMatchApp(simulated, env);
    } finally {
      expect(await worker.stop()).toBe(0);
    }
  });

  it('device-worker starts with the lab inventory and credentials docker-compose.yml gives it, git backups in its volume', async () => {
    const simulated = simulate(image('device-worker'));
    const backups = path.join(simulated.app, '..', 'data-backups');
    const env = {
      ...labSecrets('device-credentials.env'),
      ...labSecrets('temporal-credentials.env'),
      ...freshEncryptionEnv(),
      TEMPORAL_ADDRESS: temporalAddress(),
      TEMPORAL_NAMESPACE: process.env.TEMPORAL_NAMESPACE ?? 'default',
      SYNAPSE_DEVICE_TASK_QUEUE: `device-operations-image-${randomUUID().slice(0, 8)}`,
      SYNAPSE_DEVICE_INVENTORY: path.join(ROOT, 'deploy/lab/device-inventory.json'),
      SYNAPSE_BACKUP_DIR: backups,
      SYNAPSE_HEALTH_ADDRESS: await loopbackAddress(),
      SYNAPSE_METRICS_ADDRESS: await loopbackAddress(),
    };
    const worker = run(simulated, simulated.model.cmd!, env);
    try {
      const ready = await worker.waitFor((line) => line.service === 'device-worker', 'the ready line');
      expect(ready).toMatchObject({ devices: ['spine01', 'leaf01', 'leaf02'], backups, taskQueue: env.SYNAPSE_DEVICE_TASK_QUEUE, ...ENCRYPTING });
      // The backup store made its repository with the git CLI the runtime stage installs.
      expect(readdirSync(backups)).toContain('.git');
      await expectHealthcheckToMatchApp(simulated, env);
    } finally {
      expect(await worker.stop()).toBe(0);
    }
  });

  it('infrahub-sim and infrahub-worker start from their images, with the lab token on both sides', async () => {
    const sim = simulate(image('infrahub-sim'));
    const simCommand = withFlag(withFlag(sim.model.cmd!, '--host', '127.0.0.1'), '--port', '0');
    const infrahub = run(sim, simCommand, labSecrets('infrahub-sim.env'));
    try {
      const { address } = (await infrahub.waitFor((line) => line.service === 'infrahub-sim', 'the ready line')) as { address: string };
      // The schema extension file, which the simulator loads at start, came with the image.
      const port = new URL(address).port;
      expect(await healthcheck(sim, {}, (args) => withFlag(args, '--address', `127.0.0.1:${port}`))).toBe(0);
      const token = labSecrets('infrahub-credentials.env').INFRAHUB_API_TOKEN!;
      const authorised = await fetch(`${address}/api/schema`, { headers: { 'X-INFRAHUB-KEY': token } });
      expect(authorised.status).toBe(200);

      const worker = simulate(image('infrahub-worker'));
      const env = {
        ...labSecrets('infrahub-credentials.env'),
        ...labSecrets('temporal-credentials.env'),
        ...freshEncryptionEnv(),
        TEMPORAL_ADDRESS: temporalAddress(),
        TEMPORAL_NAMESPACE: process.env.TEMPORAL_NAMESPACE ?? 'default',
        SYNAPSE_INFRAHUB_TASK_QUEUE: `infrahub-operations-image-${randomUUID().slice(0, 8)}`,
        INFRAHUB_ADDRESS: address,
        SYNAPSE_HEALTH_ADDRESS: await loopbackAddress(),
        SYNAPSE_METRICS_ADDRESS: await loopbackAddress(),
      };
      const running = run(worker, worker.model.cmd!, env);
      try {
        // Its task queue from SYNAPSE_INFRAHUB_TASK_QUEUE, as the other workers' from theirs.
        expect(await running.waitFor((line) => line.service === 'infrahub-worker', 'the ready line')).toMatchObject({ infrahub: address, taskQueue: env.SYNAPSE_INFRAHUB_TASK_QUEUE, ...ENCRYPTING });
        await expectHealthcheckToMatchApp(worker, env);
      } finally {
        expect(await running.stop()).toBe(0);
      }
    } finally {
      expect(await infrahub.stop()).toBe(0);
    }
  });

  it('device-sim serves gNMI and its control endpoint through the loopback relay its image ships', async () => {
    const simulated = simulate(image('device-sim'));
    const command = withFlag(withFlag(simulated.model.cmd!, '--base-port', '0'), '--control-port', '0');
    const sim = run(simulated, command, {});
    try {
      const control = (await sim.waitFor((line) => line.service === 'device-sim-control', 'the control endpoint')) as { address: string };
      const devices = sim.lines.filter((line) => typeof line.device === 'string') as Array<{ device: string; address: string }>;
      expect(devices.map((d) => d.device)).toEqual(['spine01', 'leaf01', 'leaf02']);
      const controlPort = new URL(control.address).port;
      expect(await healthcheck(simulated, {}, (args) => withFlag(args, '--address', `127.0.0.1:${controlPort}`))).toBe(0);

      // As device-sim-gateway runs it, listening on another address than the simulator's loopback one.
      const ports = [...devices.map((d) => d.address.split(':')[1]!), controlPort].join(',');
      const relay = run(simulated, ['node', 'tools/deployment/dist/loopback-relay.js', '--ports', ports, '--listen', '127.0.0.2'], {});
      try {
        await relay.waitFor((line) => line.service === 'loopback-relay', 'the relay ready line');
        const leaf01 = devices.find((d) => d.device === 'leaf01')!;
        const client = new GnmiClient({ name: 'leaf01', address: `127.0.0.2:${leaf01.address.split(':')[1]}`, transport: LAB_PLAINTEXT_TRANSPORT }, { ...LAB_CREDENTIALS });
        try {
          const capabilities = await client.capabilities();
          expect(capabilities.encodings).toContain('JSON_IETF');
        } finally {
          client.close();
        }
        const listed = await fetch(`http://127.0.0.2:${controlPort}/devices`);
        expect(listed.status).toBe(200);
      } finally {
        expect(await relay.stop()).toBe(0);
      }
    } finally {
      expect(await sim.stop()).toBe(0);
    }
  });

  it('codec-server listens where its image says and passes its healthcheck', async () => {
    const simulated = simulate(image('codec-server'));
    const port = String(await findFreePort());
    // The image binds 0.0.0.0 (reached through the published port); a test stays on loopback.
    const env = { ...freshEncryptionEnv(), SYNAPSE_CODEC_SERVER_HOST: '127.0.0.1', SYNAPSE_CODEC_SERVER_PORT: port };
    const server = run(simulated, simulated.model.cmd!, env);
    try {
      await server.waitFor((line) => line.service === 'codec-server' && typeof line.address === 'string', 'the ready line');
      expect(await healthcheck(simulated, env)).toBe(0);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  it('codec-server exits naming SYNAPSE_ENCRYPTION_KEYS when started without keys (the encryption profile without encryption.env)', async () => {
    const simulated = simulate(image('codec-server'));
    const server = run(simulated, simulated.model.cmd!, { SYNAPSE_CODEC_SERVER_HOST: '127.0.0.1', SYNAPSE_CODEC_SERVER_PORT: String(await findFreePort()) });
    // 'close': exited, and its output read to the end.
    const code = await new Promise<number | null>((resolve) => server.child.once('close', (exitCode: number | null) => resolve(exitCode)));
    expect(code).not.toBe(0);
    expect(server.output()).toContain('SYNAPSE_ENCRYPTION_KEYS');
  });
});
