import * as fs from 'node:fs';
import * as path from 'node:path';
import { WORKSPACE_ROOT } from '../workspace-paths';
import { startJsonLineChild } from './json-line-child';
import { stackData } from './stack-data';
import { scopedEnv, type ScopedVariable, type StackContext, type StackService } from './stack-service';

export type SynapseWorkerName = 'workflow-worker' | 'device-worker' | 'infrahub-worker';

/**
 * The scoped settings each worker reads, and no other: the device-worker
 * talks to devices, the infrahub-worker to Infrahub, the workflow-worker to
 * Temporal alone (workflows hold no I/O).
 */
export const WORKER_SCOPED_VARIABLES: Record<SynapseWorkerName, readonly ScopedVariable[]> = {
  'device-worker': ['SYNAPSE_DEVICE_INVENTORY', 'SYNAPSE_DEVICE_USERNAME', 'SYNAPSE_DEVICE_PASSWORD', 'SYNAPSE_DEVICE_CREDENTIALS_FILE', 'SYNAPSE_GNMI_TRANSPORT', 'SYNAPSE_GNMI_CA_FILE'],
  'infrahub-worker': ['INFRAHUB_ADDRESS', 'INFRAHUB_API_TOKEN', 'INFRAHUB_USERNAME', 'INFRAHUB_PASSWORD'],
  'workflow-worker': [],
};

export function workerEntry(name: SynapseWorkerName): string {
  return path.join(WORKSPACE_ROOT, 'apps', name, 'dist', 'main.js');
}

/**
 * One of the three Temporal workers, started exactly as in production
 * (`node apps/<name>/dist/main.js`) with its settings in the environment the
 * earlier services exported (TEMPORAL_ADDRESS for all; INFRAHUB_ADDRESS or
 * SYNAPSE_DEVICE_INVENTORY only for the worker that reads it). Each prints
 * one JSON line naming itself once it polls its task queue.
 */
export function workerService(name: SynapseWorkerName, entry: string = workerEntry(name)): StackService {
  return {
    name,
    async start(context) {
      if (!fs.existsSync(entry)) {
        throw new Error(`${path.relative(WORKSPACE_ROOT, entry)} does not exist: build it first (\`npx nx build ${name}\`; \`npm start\` builds everything).`);
      }
      const { child, messages } = await startJsonLineChild({
        name,
        command: process.execPath,
        args: [entry],
        env: workerEnv(name, context),
        cwd: WORKSPACE_ROOT,
        isReady: (message) => message.service === name,
        readyTimeoutMs: 60_000,
      });
      const ready = messages.find((message) => message.service === name) ?? {};
      return {
        name,
        banner: [`${name.padEnd(16)}polling ${String(ready.taskQueue ?? '?')}`],
        exports: {},
        exited: child.exited,
        stop: async () => {
          await child.stop();
        },
      };
    },
  };
}

/** The environment a worker starts with: the stack's shared settings and its own scoped ones. */
export function workerEnv(name: SynapseWorkerName, context: StackContext): NodeJS.ProcessEnv {
  return {
    // Readable log lines on the console unless the operator asked for JSON; the embedded
    // stack is a lab, so a change may waive approval (`--no-approval`) unless the operator says otherwise.
    SYNAPSE_LOG_FORMAT: 'text',
    // Versioned like a production deployment; one machine runs one build, so each start makes its build current.
    ...(name === 'workflow-worker' ? { SYNAPSE_REQUIRE_APPROVAL: 'false', SYNAPSE_WORKER_DEPLOYMENT: 'synapse-local', SYNAPSE_PROMOTE_BUILD: 'always' } : {}),
    // Backups live with the rest of the stack's state (`--fresh` removes them with it).
    ...(name === 'device-worker' ? { SYNAPSE_BACKUP_DIR: stackData(context.env).backups } : {}),
    // The two workers a rendered config passes between share one document store.
    ...(name === 'device-worker' || name === 'infrahub-worker' ? { SYNAPSE_DOCUMENT_DIR: stackData(context.env).documents } : {}),
    ...context.env,
    ...scopedEnv(context, WORKER_SCOPED_VARIABLES[name]),
  };
}
