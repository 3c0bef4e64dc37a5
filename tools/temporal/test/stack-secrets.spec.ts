import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ChildExit } from '../src/managed-child';
import { runStack } from '../src/stack/run-stack';
import type { RunningService, StackService } from '../src/stack/stack-service';
import { workerService, type SynapseWorkerName } from '../src/stack/worker-service';

/**
 * Each worker of `npm start` holds only its own secrets: the device-worker
 * the device login and inventory, the infrahub-worker Infrahub's address and
 * token, the workflow-worker neither. The workers are stand-in scripts that
 * write down the environment they were started with and announce themselves
 * like the real ones; the simulators are in-memory services exporting what
 * the real ones export.
 */
describe('secrets in the npm start stack', () => {
  const operatorSecrets = {
    INFRAHUB_SIM_PASSWORD: 'sim-admin-password',
    SYNAPSE_DEVICE_CREDENTIALS_FILE: '/etc/synapse/device-credentials.json',
  };
  let sandbox: string;
  let savedEnv: NodeJS.ProcessEnv;

  beforeEach(() => {
    sandbox = fs.mkdtempSync(path.join(os.tmpdir(), 'stack-secrets-'));
    savedEnv = { ...process.env };
    Object.assign(process.env, operatorSecrets, { SYNAPSE_STACK_DATA_DIR: sandbox });
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
  });
  afterEach(() => {
    process.env = savedEnv;
    jest.restoreAllMocks();
    fs.rmSync(sandbox, { recursive: true, force: true });
  });

  function exporting(name: string, exported: Partial<RunningService>): StackService & { sawEnv?: NodeJS.ProcessEnv } {
    const service: StackService & { sawEnv?: NodeJS.ProcessEnv } = {
      name,
      async start(context) {
        service.sawEnv = { ...context.env };
        let markExited: (exit: ChildExit) => void = () => undefined;
        const exited = new Promise<ChildExit>((resolve) => (markExited = resolve));
        return { name, banner: [], exports: {}, ...exported, exited, stop: async () => markExited({ code: 0, signal: null }) };
      },
    };
    return service;
  }

  function fakeWorker(name: SynapseWorkerName): StackService {
    const entry = path.join(sandbox, `${name}.js`);
    fs.writeFileSync(
      entry,
      [
        `require('node:fs').writeFileSync(${JSON.stringify(envFile(name))}, JSON.stringify(process.env));`,
        `console.log(JSON.stringify({ service: ${JSON.stringify(name)}, taskQueue: 'q' }));`,
        `setInterval(() => undefined, 1000);`,
      ].join('\n'),
    );
    return workerService(name, entry);
  }

  const envFile = (name: SynapseWorkerName) => path.join(sandbox, `${name}.env.json`);
  const envOf = (name: SynapseWorkerName): Record<string, string> => JSON.parse(fs.readFileSync(envFile(name), 'utf8'));

  it('gives each worker its own settings and no one else’s, and the simulators none of the workers’', async () => {
    const temporal = exporting('Temporal dev server', { exports: { TEMPORAL_ADDRESS: '127.0.0.1:7233' } });
    const deviceSim = exporting('device simulator', {
      scopedExports: { SYNAPSE_DEVICE_INVENTORY: '/lab/inventory.jsonl', SYNAPSE_DEVICE_USERNAME: 'admin', SYNAPSE_DEVICE_PASSWORD: 'NokiaSrl1!' },
    });
    const infrahubSim = exporting('Infrahub simulator', { scopedExports: { INFRAHUB_ADDRESS: 'http://127.0.0.1:8000', INFRAHUB_API_TOKEN: 'lab-token' } });
    let markReady: () => void = () => undefined;
    const ready = new Promise<void>((resolve) => (markReady = resolve));

    const stack = runStack([temporal, deviceSim, infrahubSim, fakeWorker('infrahub-worker'), fakeWorker('device-worker'), fakeWorker('workflow-worker')], {
      onReady: () => markReady(),
    });
    await ready;
    process.emit('SIGTERM', 'SIGTERM');
    await expect(stack).resolves.toBe(0);

    const device = envOf('device-worker');
    expect(device).toMatchObject({
      TEMPORAL_ADDRESS: '127.0.0.1:7233',
      SYNAPSE_DEVICE_INVENTORY: '/lab/inventory.jsonl',
      SYNAPSE_DEVICE_USERNAME: 'admin',
      SYNAPSE_DEVICE_PASSWORD: 'NokiaSrl1!',
      SYNAPSE_DEVICE_CREDENTIALS_FILE: operatorSecrets.SYNAPSE_DEVICE_CREDENTIALS_FILE,
      SYNAPSE_BACKUP_DIR: path.join(sandbox, 'backups'),
    });
    expect(Object.keys(device).filter((name) => name.startsWith('INFRAHUB_'))).toEqual([]);

    const infrahub = envOf('infrahub-worker');
    expect(infrahub).toMatchObject({ TEMPORAL_ADDRESS: '127.0.0.1:7233', INFRAHUB_ADDRESS: 'http://127.0.0.1:8000', INFRAHUB_API_TOKEN: 'lab-token' });
    expect(Object.keys(infrahub).filter((name) => name.startsWith('SYNAPSE_DEVICE_') || name.startsWith('INFRAHUB_SIM_'))).toEqual([]);

    const workflow = envOf('workflow-worker');
    expect(workflow.TEMPORAL_ADDRESS).toBe('127.0.0.1:7233');
    expect(Object.keys(workflow).filter((name) => name.startsWith('SYNAPSE_DEVICE_') || name.startsWith('INFRAHUB_'))).toEqual([]);

    // The operator's secrets reach no service's shared environment either (the Infrahub
    // simulator gets INFRAHUB_SIM_* on its own, by name).
    for (const service of [temporal, deviceSim, infrahubSim]) {
      expect(Object.keys(service.sawEnv ?? {}).filter((name) => name in operatorSecrets || name.startsWith('INFRAHUB_') || name.startsWith('SYNAPSE_DEVICE_'))).toEqual([]);
    }
  });
});
