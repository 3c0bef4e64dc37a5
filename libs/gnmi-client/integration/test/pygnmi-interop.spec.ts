/**
 * A third-party client, pygnmi (its own generated gNMI stubs, grpcio), must
 * accept the simulator: if our proto had a wrong field number, our own client
 * and simulator would still agree with each other, but pygnmi would not.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { referenceLabTopology, startDeviceSim, type DeviceSim } from '@synapse/device-sim';
import { pythonWithPygnmi } from './python';

const run = promisify(execFile);
const SCRIPT = path.join(__dirname, '..', 'python', 'pygnmi_interop.py');

interface PygnmiReport {
  capabilities: { supported_models: Array<{ name: string }>; supported_encodings: string[]; gnmi_version: string };
  root_config: { notification: Array<{ update: Array<{ path: string; val: Record<string, unknown> }> }> };
  set_response: { response: Array<{ op: string; path: string }>; timestamp: number };
  after_set: { notification: Array<{ update: Array<{ path: string; val: Record<string, unknown> }> }> };
  subscribe_once: { synced: boolean; updates: Array<{ path: string; val: unknown }> };
}

describe('pygnmi against the device simulator', () => {
  let sim: DeviceSim;
  let workDir: string;

  beforeAll(async () => {
    sim = await startDeviceSim({ topology: referenceLabTopology(), convergenceDelayMs: 50 });
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pygnmi-'));
  });
  afterAll(async () => {
    await sim?.stop();
    fs.rmSync(workDir, { recursive: true, force: true });
  });

  async function runPygnmi(device: string, replacePath: string, value: unknown, subscribePath: string): Promise<PygnmiReport> {
    const configFile = path.join(workDir, `${device}.json`);
    fs.writeFileSync(configFile, JSON.stringify(value));
    const { stdout } = await run(
      pythonWithPygnmi(),
      [SCRIPT, '--address', sim.address(device), '--replace-path', replacePath, '--config', configFile, '--subscribe-path', subscribePath],
      { env: { ...process.env, GNMI_USERNAME: 'admin', GNMI_PASSWORD: 'NokiaSrl1!' }, timeout: 60_000 },
    );
    return JSON.parse(stdout) as PygnmiReport;
  }

  it('performs Capabilities, Get of the root config, a Set replace and a Subscribe ONCE', async () => {
    const replacement = { name: 'ethernet-1/1', description: 'to leaf01 (set by pygnmi)', 'admin-state': 'enable', mtu: 9214 };
    const report = await runPygnmi('spine01', '/interface[name=ethernet-1/1]', replacement, '/interface[name=mgmt0]/admin-state');

    // Capabilities decoded by pygnmi's own stubs.
    expect(report.capabilities.gnmi_version).toBe('0.10.0');
    expect(report.capabilities.supported_encodings).toEqual(expect.arrayContaining(['json', 'json_ietf']));
    expect(report.capabilities.supported_models.map((m) => m.name)).toEqual(expect.arrayContaining(['srl_nokia-interfaces']));

    // Root config: one update holding the whole tree, module-qualified as on SR Linux.
    const root = report.root_config.notification[0].update[0];
    expect(Object.keys(root.val)).toEqual(expect.arrayContaining(['srl_nokia-interfaces:interface', 'srl_nokia-system:system']));
    const rootInterfaces = root.val['srl_nokia-interfaces:interface'] as Array<{ name: string }>;
    expect(rootInterfaces.map((i) => i.name)).toContain('mgmt0');
    expect(rootInterfaces.map((i) => i.name)).not.toContain('ethernet-1/1');

    // Set replace reported per operation, and visible to pygnmi and on the device.
    expect(report.set_response.response).toEqual([expect.objectContaining({ op: 'REPLACE', path: 'interface[name=ethernet-1/1]' })]);
    const readBack = report.after_set.notification[0].update[0].val;
    expect(JSON.stringify(readBack)).toContain('to leaf01 (set by pygnmi)');
    const running = sim.runningConfig('spine01') as { interface: Array<{ name: string; mtu?: number; description?: string }> };
    expect(running.interface.find((i) => i.name === 'ethernet-1/1')).toMatchObject({ mtu: 9214, description: 'to leaf01 (set by pygnmi)' });

    // Subscribe ONCE: the value, then sync_response.
    expect(report.subscribe_once.synced).toBe(true);
    // As SR Linux does, the notification names the top-level node with its module.
    expect(report.subscribe_once.updates).toEqual([{ path: 'srl_nokia-interfaces:interface[name=mgmt0]/admin-state', val: 'enable' }]);
  });

  it('sees the device refuse an invalid config, and the running config unchanged', async () => {
    const before = JSON.stringify(sim.runningConfig('leaf01'));
    await expect(
      runPygnmi('leaf01', '/interface[name=ethernet-1/49]', { name: 'ethernet-1/49', mtu: 100 }, '/interface[name=mgmt0]/admin-state'),
    ).rejects.toThrow(/ethernet-1\/49.*mtu|mtu.*ethernet-1\/49/s);
    expect(JSON.stringify(sim.runningConfig('leaf01'))).toBe(before);
  });
});
