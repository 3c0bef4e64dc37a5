import * as fs from 'node:fs';
import * as path from 'node:path';
import { WORKSPACE_ROOT } from '../workspace-paths';
import { startJsonLineChild } from './json-line-child';
import type { StackService } from './stack-service';

export type SynapseWorkerName = 'workflow-worker' | 'device-worker' | 'infrahub-worker';

export function workerEntry(name: SynapseWorkerName): string {
  return path.join(WORKSPACE_ROOT, 'apps', name, 'dist', 'main.js');
}

/**
 * One of the three Temporal workers, started exactly as in production
 * (`node apps/<name>/dist/main.js`) with its settings in the environment the
 * earlier services exported (TEMPORAL_ADDRESS, INFRAHUB_ADDRESS,
 * SYNAPSE_DEVICE_INVENTORY…). Each prints one JSON line naming itself once it
 * polls its task queue.
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
        // Readable log lines on the console unless the operator asked for JSON; the embedded
        // stack is a lab, so a change may waive approval (`--no-approval`) unless the operator says otherwise.
        env: { SYNAPSE_LOG_FORMAT: 'text', ...(name === 'workflow-worker' ? { SYNAPSE_REQUIRE_APPROVAL: 'false' } : {}), ...context.env },
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
