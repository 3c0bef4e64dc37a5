import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tls from 'node:tls';
import { DEVICE_SIM_ENTRY, deviceSimArgs, deviceSimService, deviceWorkerTransport } from '../src/stack/device-sim-service';
import { stackData } from '../src/stack/stack-data';
import { stackContext, type RunningService } from '../src/stack/stack-service';
import { workerEnv, type SynapseWorkerName } from '../src/stack/worker-service';
import { WORKSPACE_ROOT } from '../src/workspace-paths';

/**
 * `npm start` (and `npm run demo`) reach the simulated devices as production
 * reaches real ones: gNMI over TLS, verified against the CA the simulator
 * makes at each start, so the lab's login never crosses plaintext.
 */
describe('the npm start stack speaks TLS to its devices', () => {
  let sandbox: string;

  beforeEach(() => {
    sandbox = fs.mkdtempSync(path.join(os.tmpdir(), 'stack-device-tls-'));
  });
  afterEach(() => {
    fs.rmSync(sandbox, { recursive: true, force: true });
  });

  it("starts the simulator with TLS and its CA written into the stack's data directory", () => {
    const data = stackData({ SYNAPSE_STACK_DATA_DIR: sandbox });
    const args = deviceSimArgs('device-sim.js', { label: 'reference lab' }, data, {});
    expect(data.deviceCa).toBe(path.join(sandbox, 'stack', 'device-sim-ca.pem'));
    // As device-sim itself reads them.
    const deviceSimCli = require(path.join(WORKSPACE_ROOT, 'tools', 'device-sim', 'dist', 'cli-args.js')) as { parseCliArgs(argv: string[]): Record<string, unknown> };
    expect(deviceSimCli.parseCliArgs(args.slice(1))).toMatchObject({ tls: 'self-signed', caFile: data.deviceCa, stateDir: data.deviceState, controlPort: 0 });
    const withLab = deviceSimArgs('device-sim.js', { label: 'brownfield lab', file: '/lab.json' }, data, { DEVICE_SIM_BASE_PORT: '0' });
    expect(deviceSimCli.parseCliArgs(withLab.slice(1))).toMatchObject({ tls: 'self-signed', caFile: data.deviceCa, labFile: '/lab.json', basePort: 0 });
  });

  it('gives the device-worker, and it alone, TLS and that CA, and no leave to send the login over plaintext', () => {
    const data = stackData({ SYNAPSE_STACK_DATA_DIR: sandbox });
    // An operator's own transport settings are the simulator's to override: its devices serve TLS.
    const context = stackContext({ PATH: '/usr/bin', SYNAPSE_STACK_DATA_DIR: sandbox, SYNAPSE_GNMI_TRANSPORT: 'plaintext' });
    Object.assign(context.scoped, deviceWorkerTransport(data));
    const env = (name: SynapseWorkerName) => workerEnv(name, context);
    expect(env('device-worker')).toMatchObject({ SYNAPSE_GNMI_TRANSPORT: 'tls', SYNAPSE_GNMI_CA_FILE: data.deviceCa });
    expect(env('device-worker').SYNAPSE_GNMI_ALLOW_PLAINTEXT_CREDENTIALS).toBeUndefined();
    for (const other of ['workflow-worker', 'infrahub-worker'] as const) {
      expect(Object.keys(env(other)).filter((name) => name.startsWith('SYNAPSE_GNMI_'))).toEqual([]);
    }
  });

  it('the real simulator serves TLS that verifies against the CA it wrote, and only against it', async () => {
    if (!fs.existsSync(DEVICE_SIM_ENTRY)) throw new Error(`${DEVICE_SIM_ENTRY} is missing: build device-sim first`);
    const data = stackData({ SYNAPSE_STACK_DATA_DIR: sandbox });
    // A CA left from an earlier start must not pass for this one's.
    fs.mkdirSync(path.dirname(data.deviceCa), { recursive: true });
    fs.writeFileSync(data.deviceCa, 'stale');
    const context = stackContext({ ...process.env, SYNAPSE_STACK_DATA_DIR: sandbox, DEVICE_SIM_BASE_PORT: '0', SYNAPSE_LAB: 'reference' });
    // The simulator's own stderr ("SIGTERM, stopping") is relayed to the console.
    jest.spyOn(console, 'error').mockImplementation(() => undefined);
    let running: RunningService | undefined;
    try {
      running = await deviceSimService().start(context);
      expect(running.scopedExports).toMatchObject({ SYNAPSE_GNMI_TRANSPORT: 'tls', SYNAPSE_GNMI_CA_FILE: data.deviceCa });
      expect(running.banner.join('\n')).toContain('Devices (gNMI over TLS, reference lab)');
      expect(running.banner.join('\n')).toContain(`TLS CA: ${data.deviceCa}`);
      const ca = fs.readFileSync(data.deviceCa, 'utf8');
      expect(ca).toContain('-----BEGIN CERTIFICATE-----');
      const inventory = fs.readFileSync(data.deviceInventory, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { device: string; address: string });
      const port = Number(inventory[0]!.address.split(':')[1]);
      expect(await handshake(port, ca)).toEqual({ authorized: true });
      expect(await handshake(port, undefined)).toEqual({ error: expect.stringMatching(/self[- ]signed|unable to verify|certificate/i) });
    } finally {
      await running?.stop();
      jest.restoreAllMocks();
    }
  });
});

/** A TLS handshake as a gRPC client makes it (ALPN h2), verifying the server against `ca` (or the system's CAs). */
function handshake(port: number, ca: string | undefined): Promise<{ authorized: true } | { error: string }> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ALPNProtocols: ['h2'], ...(ca ? { ca } : {}) }, () => {
      resolve({ authorized: socket.authorized as true });
      socket.destroy();
    });
    socket.on('error', (err) => resolve({ error: err.message }));
  });
}
