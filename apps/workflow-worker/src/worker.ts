import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import { bundleWorkflowCode, NativeConnection, Worker, type BundleOptions, type Logger, type WorkflowBundle, type WorkflowBundleOption } from '@temporalio/worker';
import type { DataConverter } from '@temporalio/common';
import { envInteger, TASK_QUEUES, type ApprovalPolicy } from '@synapse/contracts';
import { allowedActivityQueuesFromEnv } from './activity-queues';
import { approvalPolicyFromEnv, workflowWorkerActivities } from './approval-policy';
import { deploymentOptions, type WorkerVersioning } from './versioning';
import { shutdownOptionsFromEnv, WORKFLOW_INTERCEPTORS_MODULE } from '@synapse/observability';
import { ENCODED_FAILURE_CONVERTER_PATH } from '@synapse/temporal-connection';

export interface WorkflowWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  /** Defaults to contracts' workflow queue, `network-changes`; tests pass their own to share one server. */
  taskQueue?: string;
  /**
   * Prebuilt workflow code: `{ code }` (tests bundle once per file) or `{ codePath }` (the file
   * `bundle-workflows` writes, which containers ship). Without it the worker bundles src/workflows at start.
   */
  workflowBundle?: WorkflowBundleOption;
  /** The payload codec (and encoded failures) when encryption keys are configured. */
  dataConverter?: DataConverter;
  /** Who may approve what (SYNAPSE_REQUIRE_APPROVAL, SYNAPSE_ALLOW_SELF_APPROVAL when absent). */
  approvalPolicy?: ApprovalPolicy;
  /** Activity queues beyond contracts' own that workflows may be routed to (SYNAPSE_ACTIVITY_TASK_QUEUES when absent). */
  allowedActivityQueues?: readonly string[];
  /** Its deployment and build (Worker Versioning, versioning.ts); absent: an unversioned worker. */
  versioning?: WorkerVersioning;
  /** How this worker names itself in histories (WorkflowTaskCompleted's identity); the SDK's pid@host by default. */
  identity?: string;
  /** Workflows kept in memory between their tasks (SYNAPSE_WORKFLOW_CACHE_SIZE, else workflowCacheSize()). */
  maxCachedWorkflows?: number;
}

export const WORKFLOW_CACHE_SIZE_VARIABLE = 'SYNAPSE_WORKFLOW_CACHE_SIZE';
/**
 * Heap one cached workflow holds, measured: a 1,000-device rollout (1,042
 * workflows, all cached) peaked at 3.5 GB in the workflow worker. The SDK's
 * default assumes under 2 MiB each and would cache ~2,300 in a 4 GiB heap:
 * a 2,000-device rollout ran that worker out of heap. A smaller cache costs
 * only replays: an evicted workflow (a device parked until its wave) is
 * replayed from its history at its next task.
 */
const CACHED_WORKFLOW_MIB = 4;
const HEAP_RESERVE_MIB = 512;

/** How many workflows this process can cache: SYNAPSE_WORKFLOW_CACHE_SIZE, else its heap (minus a reserve) at CACHED_WORKFLOW_MIB each. */
export function workflowCacheSize(env: NodeJS.ProcessEnv = process.env, heapLimitBytes: number = v8.getHeapStatistics().heap_size_limit): number {
  const byHeap = Math.max(50, Math.floor((heapLimitBytes / 2 ** 20 - HEAP_RESERVE_MIB) / CACHED_WORKFLOW_MIB));
  return envInteger(env, WORKFLOW_CACHE_SIZE_VARIABLE, byHeap, 2, 1_000_000);
}

/** Where the workflow code is: `src/workflows` under ts-jest, `dist/workflows` when built. */
export const WORKFLOWS_PATH = require.resolve('./workflows');

/**
 * Workflow interceptor modules (paths) compiled into the workflow code. The SDK
 * ignores `interceptors.workflowModules` when it is given a prebuilt bundle, so
 * they are listed once here and reach both the bundle and the bundle-at-start path.
 */
export const WORKFLOW_INTERCEPTOR_MODULES: readonly string[] = [
  // Log context (change id, device) on every workflow log line, and the change metrics (observability).
  WORKFLOW_INTERCEPTORS_MODULE,
];

/** The bundle `npm run bundle` (nx `bundle`) writes beside the built code, and the worker picks up when it is current. */
export const DEFAULT_WORKFLOW_BUNDLE_PATH = path.join(__dirname, 'workflow-bundle.js');
export const WORKFLOW_BUNDLE_VARIABLE = 'SYNAPSE_WORKFLOW_BUNDLE';

/**
 * A worker that runs only the change workflows. Its one activity is local
 * (the approval policy, from its own environment); device and Infrahub
 * activities run on their queues, each in its own worker.
 */
export function createWorkflowWorker(options: WorkflowWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue ?? TASK_QUEUES.workflows,
    activities: workflowWorkerActivities(options.approvalPolicy ?? approvalPolicyFromEnv(), options.allowedActivityQueues ?? allowedActivityQueuesFromEnv()),
    maxCachedWorkflows: options.maxCachedWorkflows ?? workflowCacheSize(),
    ...(options.identity ? { identity: options.identity } : {}),
    ...(options.versioning ? { workerDeploymentOptions: deploymentOptions(options.versioning) } : {}),
    ...(options.dataConverter ? { dataConverter: options.dataConverter } : {}),
    ...shutdownOptionsFromEnv(),
    ...(options.workflowBundle
      ? { workflowBundle: options.workflowBundle }
      : { workflowsPath: WORKFLOWS_PATH, interceptors: { workflowModules: [...WORKFLOW_INTERCEPTOR_MODULES] } }),
  });
}

/** The workflow code bundled once, for tests and replays that start several workers. */
export function bundleWorkflows(options: { quiet?: boolean } = {}): Promise<WorkflowBundle> {
  return bundleWorkflowCode(bundleOptions(options.quiet ? SILENT_LOGGER : undefined));
}

function bundleOptions(logger: Logger | undefined): BundleOptions {
  return {
    workflowsPath: WORKFLOWS_PATH,
    workflowInterceptorModules: [...WORKFLOW_INTERCEPTOR_MODULES],
    ...(logger ? { logger } : {}),
  };
}

const silent = () => undefined;
const SILENT_LOGGER: Logger = { log: silent, trace: silent, debug: silent, info: silent, warn: silent, error: silent };

// ── The prebuilt bundle: written at build time (container images), chosen at start. ──

/**
 * What a bundle was built from, stored beside it as `<bundle>.manifest.json`.
 * A worker only picks up the default bundle when every input still has the
 * same content: after a rebuild of the workflows (or of contracts, or an SDK
 * upgrade) a leftover bundle would otherwise run old workflow code.
 */
interface BundleManifest {
  temporalioWorker: string;
  workflowsPath: string;
  interceptorModules: string[];
  /** Every module compiled into the bundle, relative to the bundle's directory, with its sha256. */
  inputs: Record<string, string>;
}

export function manifestPathFor(bundlePath: string): string {
  return `${bundlePath}.manifest.json`;
}

export interface WrittenBundle {
  bundlePath: string;
  manifestPath: string;
  bytes: number;
  inputs: number;
}

/** Bundles the workflow code into `bundlePath` (and its manifest), replacing any earlier bundle only once the new one is complete. */
export async function writeWorkflowBundle(bundlePath: string, options: { logger?: Logger } = {}): Promise<WrittenBundle> {
  const target = path.resolve(bundlePath);
  const inputs = new Set<string>();
  const { code } = await bundleWorkflowCode({
    ...bundleOptions(options.logger ?? SILENT_LOGGER),
    // A worker given a bundle ignores the data converter's failureConverterPath: the bundle carries the
    // converter that moves failure messages into the encoded (and, with keys, encrypted) attributes.
    failureConverterPath: ENCODED_FAILURE_CONVERTER_PATH,
    webpackConfigHook: (config) => ({
      ...config,
      plugins: [
        ...(config.plugins ?? []),
        {
          apply(compiler) {
            compiler.hooks.done.tap('synapse-bundle-inputs', (stats) => {
              for (const module of stats.compilation.modules) {
                const resource = (module as { resource?: unknown }).resource;
                if (typeof resource === 'string') inputs.add(resource.split('?')[0]!);
              }
            });
          },
        },
      ],
    }),
  });
  const directory = path.dirname(target);
  const manifest: BundleManifest = {
    temporalioWorker: temporalioWorkerVersion(),
    workflowsPath: relativeTo(directory, WORKFLOWS_PATH),
    interceptorModules: WORKFLOW_INTERCEPTOR_MODULES.map((module) => relativeTo(directory, module)),
    inputs: Object.fromEntries(
      [...inputs]
        .filter(isFile)
        .sort()
        .map((file) => [relativeTo(directory, file), sha256(file)]),
    ),
  };
  mkdirSync(directory, { recursive: true });
  const manifestPath = manifestPathFor(target);
  writeAtomically(target, code);
  writeAtomically(manifestPath, `${JSON.stringify(manifest, null, 1)}\n`);
  return { bundlePath: target, manifestPath, bytes: Buffer.byteLength(code), inputs: Object.keys(manifest.inputs).length };
}

export type WorkflowCodeSource =
  | { kind: 'prebuilt'; codePath: string; why: string }
  | { kind: 'bundle-at-start'; why: string };

/**
 * Which workflow code a worker process runs:
 *  - SYNAPSE_WORKFLOW_BUNDLE names a bundle: that file, as is (an image sets it
 *    to the bundle it built); a path that is not a file fails at once;
 *  - otherwise the default bundle beside the built code, when its manifest
 *    shows it was built from the code that is here now;
 *  - otherwise the worker bundles the workflows at start, as in development.
 */
export function chooseWorkflowCode(env: NodeJS.ProcessEnv = process.env, defaultBundlePath: string = DEFAULT_WORKFLOW_BUNDLE_PATH): WorkflowCodeSource {
  const configured = env[WORKFLOW_BUNDLE_VARIABLE]?.trim();
  if (configured) {
    const codePath = path.resolve(configured);
    if (!isFile(codePath)) {
      throw new Error(`${WORKFLOW_BUNDLE_VARIABLE}=${configured}: ${codePath} is not a file (write one with \`node apps/workflow-worker/dist/bundle-workflows.js <file>\`, or unset the variable to bundle at start)`);
    }
    return { kind: 'prebuilt', codePath, why: `${WORKFLOW_BUNDLE_VARIABLE}` };
  }
  if (!isFile(defaultBundlePath)) return { kind: 'bundle-at-start', why: `no prebuilt bundle at ${defaultBundlePath}` };
  const stale = whyStale(defaultBundlePath);
  if (stale) return { kind: 'bundle-at-start', why: `${defaultBundlePath} is out of date (${stale})` };
  return { kind: 'prebuilt', codePath: defaultBundlePath, why: 'built from the current workflow code' };
}

/** Undefined when the bundle's manifest matches the files here; otherwise the first difference found. */
export function whyStale(bundlePath: string): string | undefined {
  const manifestPath = manifestPathFor(bundlePath);
  let manifest: BundleManifest;
  try {
    manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as BundleManifest;
  } catch {
    return `no readable manifest ${manifestPath}`;
  }
  if (typeof manifest?.inputs !== 'object' || manifest.inputs === null) return `${manifestPath} lists no inputs`;
  const directory = path.dirname(bundlePath);
  if (manifest.temporalioWorker !== temporalioWorkerVersion()) {
    return `bundled for @temporalio/worker ${manifest.temporalioWorker}, this is ${temporalioWorkerVersion()}`;
  }
  if (manifest.workflowsPath !== relativeTo(directory, WORKFLOWS_PATH)) return `bundled from ${manifest.workflowsPath}`;
  const interceptors = WORKFLOW_INTERCEPTOR_MODULES.map((module) => relativeTo(directory, module));
  if (JSON.stringify(manifest.interceptorModules ?? []) !== JSON.stringify(interceptors)) return 'the workflow interceptor modules changed';
  for (const [relative, hash] of Object.entries(manifest.inputs)) {
    const file = path.resolve(directory, relative);
    if (!isFile(file)) return `${relative} is gone`;
    if (sha256(file) !== hash) return `${relative} changed`;
  }
  return undefined;
}

function temporalioWorkerVersion(): string {
  return (JSON.parse(readFileSync(require.resolve('@temporalio/worker/package.json'), 'utf8')) as { version: string }).version;
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

function relativeTo(directory: string, file: string): string {
  return path.relative(directory, file).split(path.sep).join('/');
}

/** A worker starting at the same moment must never read half a bundle. */
function writeAtomically(file: string, content: string): void {
  const partial = `${file}.${process.pid}.partial`;
  writeFileSync(partial, content);
  renameSync(partial, file);
}
