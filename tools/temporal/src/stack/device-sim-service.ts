import * as fs from 'node:fs';
import * as path from 'node:path';
import { WORKSPACE_ROOT } from '../workspace-paths';
import { startJsonLineChild } from './json-line-child';
import { stackLab, type StackLab } from './lab-file';
import { shownPath, stackData, type StackData } from './stack-data';
import type { ScopedVariable, StackService } from './stack-service';

export const DEVICE_SIM_ENTRY = path.join(WORKSPACE_ROOT, 'tools', 'device-sim', 'dist', 'main.js');

/**
 * The reference lab's credentials (SR Linux's factory admin login; see
 * tools/device-sim/src/lab.ts),
 * shown unless the simulator announces its own.
 */
const DEFAULT_CREDENTIALS_HINT = 'username admin, password NokiaSrl1! (gRPC metadata username/password)';

/**
 * The simulator's command line. The devices serve TLS with a CA the
 * simulator makes at each start and writes into the stack's data directory,
 * so the lab is reached as production reaches devices: verified TLS, the
 * login never over plaintext. Each device's running config is kept there too
 * (`--state-dir`): what a change committed is still there after a restart.
 * DEVICE_SIM_BASE_PORT: device i on base+i (0 = any free port); 57400+ otherwise.
 */
export function deviceSimArgs(entry: string, lab: StackLab, data: StackData, env: NodeJS.ProcessEnv): string[] {
  return [
    entry,
    '--control-port',
    '0',
    '--state-dir',
    data.deviceState,
    '--tls',
    'self-signed',
    '--ca-file',
    data.deviceCa,
    ...(lab.file ? ['--lab', lab.file, '--base-port', env.DEVICE_SIM_BASE_PORT || '57400'] : []),
    ...(!lab.file && env.DEVICE_SIM_BASE_PORT ? ['--base-port', env.DEVICE_SIM_BASE_PORT] : []),
  ];
}

/** How the device-worker reaches the simulated devices: TLS, verified against the simulator's CA (deviceSimArgs). */
export function deviceWorkerTransport(data: StackData): Partial<Record<ScopedVariable, string>> {
  return { SYNAPSE_GNMI_TRANSPORT: 'tls', SYNAPSE_GNMI_CA_FILE: data.deviceCa };
}

/**
 * The gNMI device simulator (tools/device-sim). It prints one JSON line per
 * device (`{"device","address"}`) and then its control endpoint
 * (`{"service":"device-sim-control","address"}`) when every device listens,
 * having written its CA (deviceSimArgs).
 */
export function deviceSimService(entry: string = DEVICE_SIM_ENTRY): StackService {
  return {
    name: 'device simulator',
    async start(context) {
      if (!fs.existsSync(entry)) {
        throw new Error(`${path.relative(WORKSPACE_ROOT, entry)} does not exist: build it first (\`npx nx build device-sim\`; \`npm start\` builds everything).`);
      }
      const lab = stackLab(context.env);
      const data = stackData(context.env);
      fs.mkdirSync(path.dirname(data.deviceCa), { recursive: true });
      // The last start's CA must not pass for this one's: the simulator makes a new one each time.
      fs.rmSync(data.deviceCa, { force: true });
      const { child, messages } = await startJsonLineChild({
        name: 'device-sim',
        command: process.execPath,
        args: deviceSimArgs(entry, lab, data, context.env),
        env: context.env,
        cwd: WORKSPACE_ROOT,
        isReady: (message) => message.service === 'device-sim-control',
        readyTimeoutMs: 60_000,
      });
      if (!fs.existsSync(data.deviceCa)) {
        await child.stop();
        throw new Error(`device-sim did not write its TLS CA to ${shownPath(data.deviceCa)}: the device-worker could not verify the devices`);
      }
      const devices = messages.filter((message) => typeof message.device === 'string' && typeof message.address === 'string');
      const control = messages.find((message) => message.service === 'device-sim-control');
      // The device-worker finds the devices through this file, as it would an operator's inventory.
      const inventoryFile = data.deviceInventory;
      fs.mkdirSync(path.dirname(inventoryFile), { recursive: true });
      fs.writeFileSync(inventoryFile, devices.map((device) => JSON.stringify({ device: device.device, address: device.address })).join('\n') + '\n');
      const nameWidth = Math.max(8, ...devices.map((device) => String(device.device).length));
      const announced = devices.find((device) => typeof device.username === 'string');
      const username = context.scoped.SYNAPSE_DEVICE_USERNAME || 'admin';
      const password = context.scoped.SYNAPSE_DEVICE_PASSWORD || 'NokiaSrl1!';
      const credentials = announced
        ? `username ${String(announced.username)}${typeof announced.password === 'string' ? `, password ${announced.password}` : ''}`
        : DEFAULT_CREDENTIALS_HINT;
      return {
        name: 'device simulator',
        banner: [
          `Devices (gNMI over TLS, ${lab.label}) ${devices.length === 0 ? 'none announced' : ''}`.trimEnd(),
          ...devices.map((device) => `  ${String(device.device).padEnd(nameWidth)}  ${String(device.address)}`),
          `  credentials: ${credentials}`,
          `  TLS CA: ${shownPath(data.deviceCa)} (made at each start; gnmic --tls-ca ${shownPath(data.deviceCa)})`,
          `Device-sim control  ${String(control?.address)}   (GET /devices, POST /devices/{name}/faults …; see README)`,
        ],
        exports: {},
        // For the device-worker only. Its activities read the lab login from their environment,
        // so it never reaches workflow history.
        scopedExports: { SYNAPSE_DEVICE_INVENTORY: inventoryFile, SYNAPSE_DEVICE_USERNAME: username, SYNAPSE_DEVICE_PASSWORD: password, ...deviceWorkerTransport(data) },
        exited: child.exited,
        stop: async () => {
          await child.stop();
        },
      };
    },
  };
}
