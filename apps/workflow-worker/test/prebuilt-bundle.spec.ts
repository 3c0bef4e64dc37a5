/**
 * The prebuilt workflow bundle, as the container image uses it: the bundle
 * script writes it at build time, and `node dist/main.js` with
 * SYNAPSE_WORKFLOW_BUNDLE runs a real change from it, without bundling at
 * start. A bundle that is missing or broken stops the worker with a message
 * naming it; a leftover default bundle that no longer matches the code is
 * never used. (Needs the build: run `npx tsc -p tsconfig.json` first when
 * calling jest directly.)
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { TASK_QUEUES, workflowIds, type ChangeResult } from '@synapse/contracts';
import { chooseWorkflowCode, manifestPathFor, writeWorkflowBundle } from '../src/worker';
import { ChangeHarness, changeRequest } from './change-harness';

const DIST = path.join(__dirname, '..', 'dist');
const MAIN = path.join(DIST, 'main.js');
const BUNDLE_SCRIPT = path.join(DIST, 'bundle-workflows.js');

interface WorkerRun {
  ready: Promise<Record<string, unknown>>;
  exited: Promise<number | null>;
  output: () => string;
  stop: () => void;
}

/** `node dist/main.js` with only what the container gives it: its environment. */
function startWorker(env: Record<string, string>): WorkerRun {
  const child = spawn(process.execPath, [MAIN], { env: { PATH: process.env.PATH ?? '', HOME: tmpdir(), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const ready = new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ready line within 30 s; stderr: ${stderr}`)), 30_000);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`workflow-worker exited with ${code} before it was ready; stderr: ${stderr}`));
    });
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = stdout.split('\n').find((l) => l.startsWith('{"service"'));
      if (!line) return;
      clearTimeout(timer);
      resolve(JSON.parse(line) as Record<string, unknown>);
    });
  });
  return { ready, exited, output: () => `${stdout}\n${stderr}`, stop: () => child.kill('SIGTERM') };
}

const scratch = mkdtempSync(path.join(tmpdir(), 'workflow-bundle-test-'));
const bundlePath = path.join(scratch, 'image', 'workflow-bundle.js');
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

beforeAll(() => {
  for (const file of [MAIN, BUNDLE_SCRIPT]) if (!existsSync(file)) throw new Error(`${file} is missing: build first (npx tsc -p apps/workflow-worker/tsconfig.json)`);
});

describe('the bundle script (nx bundle), run as the image build runs it', () => {
  let announced: Record<string, unknown>;

  beforeAll(() => {
    const run = spawnSync(process.execPath, [BUNDLE_SCRIPT, bundlePath], { encoding: 'utf8', timeout: 120_000 });
    if (run.status !== 0) throw new Error(`bundle-workflows exited ${run.status}: ${run.stderr}`);
    announced = JSON.parse(run.stdout.trim()) as Record<string, unknown>;
  });

  it('writes the bundle and a manifest of the files it was built from', () => {
    expect(announced).toMatchObject({ bundle: bundlePath, manifest: manifestPathFor(bundlePath) });
    expect(readFileSync(bundlePath, 'utf8')).toContain('NetworkChangeWorkflow');
    const manifest = JSON.parse(readFileSync(manifestPathFor(bundlePath), 'utf8')) as { temporalioWorker: string; inputs: Record<string, string> };
    expect(manifest.temporalioWorker).toBe('1.24.0');
    const inputs = Object.keys(manifest.inputs);
    expect(inputs.some((file) => file.endsWith('dist/workflows/network-change.js'))).toBe(true);
    expect(inputs.some((file) => file.includes('libs/contracts/dist/'))).toBe(true);
    expect(inputs.filter((file) => file.endsWith('.ts'))).toEqual([]);
  });

  it('refuses arguments it does not know, with its usage', () => {
    const unknown = spawnSync(process.execPath, [BUNDLE_SCRIPT, '--out', bundlePath], { encoding: 'utf8' });
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('unknown option --out');
    expect(unknown.stderr).toContain('usage: bundle-workflows');
    const two = spawnSync(process.execPath, [BUNDLE_SCRIPT, 'a.js', 'b.js'], { encoding: 'utf8' });
    expect(two.status).toBe(2);
    expect(two.stderr).toContain('one output file at most');
  });

  describe('a worker process started from it', () => {
    let harness: ChangeHarness;
    const taskQueue = `network-changes-bundle-test-${randomUUID().slice(0, 8)}`;
    let worker: WorkerRun;

    beforeAll(async () => {
      // The device and infrahub activities run in this process against the simulators;
      // the workflows run only in the worker process, on its own queue.
      harness = await ChangeHarness.start();
      worker = startWorker({
        TEMPORAL_ADDRESS: process.env.TEMPORAL_ADDRESS!,
        TEMPORAL_NAMESPACE: process.env.TEMPORAL_NAMESPACE ?? 'default',
        SYNAPSE_WORKFLOW_TASK_QUEUE: taskQueue,
        // A lab server: the test's request waives approval.
        SYNAPSE_REQUIRE_APPROVAL: 'false',
        SYNAPSE_WORKFLOW_BUNDLE: bundlePath,
        // The harness's device and Infrahub workers poll this file's own queues.
        SYNAPSE_ACTIVITY_TASK_QUEUES: Object.values(harness.routing.taskQueues).join(','),
      });
      await worker.ready;
    });
    afterAll(async () => {
      worker?.stop();
      await worker?.exited;
      await harness?.shutdown();
    });
    beforeEach(async () => {
      await harness.newLab();
    });
    afterEach(async () => {
      await harness.stopLab();
    });

    it('loads the prebuilt code instead of running webpack', async () => {
      expect(await worker.ready).toMatchObject({ service: 'workflow-worker', taskQueue });
      expect(worker.output()).toContain(`workflow code from the prebuilt bundle ${bundlePath}`);
      // The SDK logs this line only when it bundles the code itself.
      expect(worker.output()).not.toContain('Workflow bundle created');
    });

    it('deploys a device through the whole runbook from that code', async () => {
      await harness.arrangeDeployed('spine01', 'leaf02');
      const request = changeRequest({ devices: ['leaf01'] });
      const handle = await harness.client.workflow.start('NetworkChangeWorkflow', {
        taskQueue,
        workflowId: workflowIds.change(request.changeId),
        workflowExecutionTimeout: '3 minutes',
        args: [request, harness.routing],
      });
      const result = (await handle.result()) as ChangeResult;
      expect(result).toMatchObject({ changeId: request.changeId, outcome: 'succeeded' });
      expect(result.devices).toEqual([expect.objectContaining({ device: 'leaf01', outcome: 'deployed' })]);
      expect(await harness.deploymentOf('leaf01')).toMatchObject({ state: 'deployed', lastChangeId: request.changeId });
    });
  });
});

describe('a bundle the worker cannot use', () => {
  it('stops at once when SYNAPSE_WORKFLOW_BUNDLE names no file, naming the variable and the path', async () => {
    const missing = path.join(scratch, 'nowhere', 'workflow-bundle.js');
    const run = startWorker({ TEMPORAL_ADDRESS: process.env.TEMPORAL_ADDRESS!, SYNAPSE_WORKFLOW_BUNDLE: missing });
    await expect(run.ready).rejects.toThrow(/exited with 1/);
    expect(await run.exited).toBe(1);
    expect(run.output()).toContain(`SYNAPSE_WORKFLOW_BUNDLE=${missing}`);
    expect(run.output()).toContain('is not a file');
  });

  it('stops when the bundle is not workflow code, naming the file', async () => {
    const broken = path.join(scratch, 'broken-bundle.js');
    writeFileSync(broken, 'this is not a webpack bundle (');
    const run = startWorker({ TEMPORAL_ADDRESS: process.env.TEMPORAL_ADDRESS!, SYNAPSE_WORKFLOW_BUNDLE: broken, SYNAPSE_WORKFLOW_TASK_QUEUE: `${TASK_QUEUES.workflows}-broken-${randomUUID().slice(0, 8)}` });
    await expect(run.ready).rejects.toThrow(/exited with 1/);
    expect(run.output()).toContain(`the workflow bundle ${broken} (SYNAPSE_WORKFLOW_BUNDLE) could not be loaded`);
  });
});

describe('the default bundle beside the built code', () => {
  // Bundles written into a scratch directory stand in for dist/workflow-bundle.js:
  // the real build output is shared with the other test files.
  const dir = path.join(scratch, 'default');
  const defaultBundle = path.join(dir, 'workflow-bundle.js');

  beforeAll(async () => {
    await writeWorkflowBundle(defaultBundle);
  });

  function withManifest(edit: (manifest: { temporalioWorker: string; inputs: Record<string, string> }) => void): string {
    const copy = path.join(scratch, `edited-${randomUUID().slice(0, 8)}`, 'workflow-bundle.js');
    const manifest = JSON.parse(readFileSync(manifestPathFor(defaultBundle), 'utf8')) as { temporalioWorker: string; inputs: Record<string, string> };
    edit(manifest);
    // Same depth below scratch as `dir`, so the manifest's relative input paths still point at the real files.
    mkdirSync(path.dirname(copy), { recursive: true });
    copyFileSync(defaultBundle, copy);
    writeFileSync(manifestPathFor(copy), JSON.stringify(manifest));
    return copy;
  }

  it('is used when it was built from the code that is here now', () => {
    expect(chooseWorkflowCode({}, defaultBundle)).toEqual({ kind: 'prebuilt', codePath: defaultBundle, why: 'built from the current workflow code' });
  });

  it('is skipped, saying why, when a file it was built from has changed since', () => {
    const changed = withManifest((manifest) => {
      // Bundled here under ts-jest, so from src/workflows/*.ts; the image bundles dist/workflows/*.js.
      const workflowFile = Object.keys(manifest.inputs).find((file) => /workflows\/network-change\.(ts|js)$/.test(file));
      if (!workflowFile) throw new Error(`the manifest lists no network-change workflow: ${Object.keys(manifest.inputs).join(', ')}`);
      manifest.inputs[workflowFile] = '0'.repeat(64);
    });
    const choice = chooseWorkflowCode({}, changed);
    expect(choice.kind).toBe('bundle-at-start');
    expect(choice.why).toMatch(/is out of date \(.*workflows\/network-change\.(ts|js) changed\)/);
  });

  it('is skipped when it was built for another SDK version or has no manifest', () => {
    const otherSdk = withManifest((manifest) => {
      manifest.temporalioWorker = '1.23.0';
    });
    expect(chooseWorkflowCode({}, otherSdk).why).toContain('bundled for @temporalio/worker 1.23.0, this is 1.24.0');
    rmSync(manifestPathFor(otherSdk));
    expect(chooseWorkflowCode({}, otherSdk)).toMatchObject({ kind: 'bundle-at-start', why: expect.stringContaining('no readable manifest') });
  });

  it('gives way to SYNAPSE_WORKFLOW_BUNDLE, and to bundling at start when there is none', () => {
    const elsewhere = path.join(scratch, 'none.js');
    expect(chooseWorkflowCode({ SYNAPSE_WORKFLOW_BUNDLE: defaultBundle }, elsewhere)).toEqual({ kind: 'prebuilt', codePath: defaultBundle, why: 'SYNAPSE_WORKFLOW_BUNDLE' });
    expect(chooseWorkflowCode({ SYNAPSE_WORKFLOW_BUNDLE: '  ' }, elsewhere)).toMatchObject({ kind: 'bundle-at-start', why: expect.stringContaining('no prebuilt bundle') });
  });
});
