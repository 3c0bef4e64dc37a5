/**
 * Secure by default, through the worker's own wiring (loadWorkerConfig,
 * loadDeviceCredentials, createDeviceWorkerResources, as main.ts runs them):
 * gNMI over TLS that verifies the device, and the device login never sent
 * over plaintext unless an operator allowed it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { LAB_CREDENTIALS, referenceLabTopology, startDeviceSim, type DeviceSim } from '@synapse/device-sim';
import { loadWorkerConfig } from '../src/config';
import { loadDeviceCredentials } from '../src/credentials';
import { createDeviceWorkerResources, type DeviceWorkerResources } from '../src/worker';
import { failureOf, resultOf, runActivity } from './lab';

describe('the device worker reaches devices securely unless told otherwise', () => {
  let plainSim: DeviceSim;
  let tlsSim: DeviceSim;
  let otherTlsSim: DeviceSim;
  let dir: string;
  const opened: DeviceWorkerResources[] = [];

  beforeAll(async () => {
    [plainSim, tlsSim, otherTlsSim] = await Promise.all([
      startDeviceSim({ topology: referenceLabTopology(), convergenceDelayMs: 100 }),
      startDeviceSim({ topology: referenceLabTopology(), convergenceDelayMs: 100, tls: 'self-signed' }),
      startDeviceSim({ topology: referenceLabTopology(), convergenceDelayMs: 100, tls: 'self-signed' }),
    ]);
    dir = mkdtempSync(path.join(tmpdir(), 'device-worker-transport-'));
  });
  afterEach(() => {
    for (const resources of opened.splice(0)) resources.close();
  });
  afterAll(async () => {
    await Promise.all([plainSim?.stop(), tlsSim?.stop(), otherTlsSim?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  function file(name: string, content: string): string {
    const written = path.join(dir, name);
    writeFileSync(written, content);
    return written;
  }

  /** The worker as main.ts builds it from `env`, the lab login in its environment. */
  async function worker(name: string, inventory: unknown, env: NodeJS.ProcessEnv = {}): Promise<DeviceWorkerResources> {
    const config = loadWorkerConfig({ ...env, SYNAPSE_DEVICE_INVENTORY: file(`${name}.json`, JSON.stringify(inventory)), SYNAPSE_BACKUP_DIR: path.join(dir, `${name}-backups`) });
    const credentials = loadDeviceCredentials({ SYNAPSE_DEVICE_USERNAME: LAB_CREDENTIALS.username, SYNAPSE_DEVICE_PASSWORD: LAB_CREDENTIALS.password });
    const resources = await createDeviceWorkerResources(config, credentials);
    opened.push(resources);
    return resources;
  }

  const backup = (resources: DeviceWorkerResources, device: string) => runActivity(resources.activities.backupRunningConfig, [{ device, changeId: 'chg-transport' }]);

  it('refuses to send credentials to a plaintext device, saying which device, where, over what and which setting would allow it', async () => {
    const address = plainSim.address('leaf01');
    for (const resources of [
      // The worker-wide default says plaintext…
      await worker('plaintext-default', { leaf01: { address } }, { SYNAPSE_GNMI_TRANSPORT: 'plaintext' }),
      // …or the device's own entry does.
      await worker('plaintext-entry', { leaf01: { address, transport: { mode: 'plaintext' } } }),
    ]) {
      const failure = failureOf(await backup(resources, 'leaf01'));
      expect(failure.type).toBe('TargetMisconfigured');
      expect(failure.nonRetryable).toBe(true);
      expect(failure.message).toBe(
        `leaf01 (${address}): refusing to send the username and password over plaintext gNMI (transport mode plaintext), where anyone on the path can read them: ` +
          'use transport tls, or allow it explicitly with SYNAPSE_GNMI_ALLOW_PLAINTEXT_CREDENTIALS=true, or "allowCredentials": true in the transport of the device\'s inventory entry',
      );
      expect(failure.message).not.toContain(LAB_CREDENTIALS.password);
    }
  });

  it('sends them over plaintext once allowed, worker-wide or per device; a device saying no overrides the worker', async () => {
    const address = plainSim.address('leaf01');
    const allowedWide = await worker('allowed-wide', { leaf01: { address } }, { SYNAPSE_GNMI_TRANSPORT: 'plaintext', SYNAPSE_GNMI_ALLOW_PLAINTEXT_CREDENTIALS: 'true' });
    expect(resultOf(await backup(allowedWide, 'leaf01'))).toMatchObject({ device: 'leaf01' });
    const allowedEntry = await worker('allowed-entry', { leaf01: { address, transport: { mode: 'plaintext', allowCredentials: true } } });
    expect(resultOf(await backup(allowedEntry, 'leaf01'))).toMatchObject({ device: 'leaf01' });
    const deniedEntry = await worker('denied-entry', { leaf01: { address, transport: { mode: 'plaintext', allowCredentials: false } } }, { SYNAPSE_GNMI_ALLOW_PLAINTEXT_CREDENTIALS: 'true' });
    expect(failureOf(await backup(deniedEntry, 'leaf01')).type).toBe('TargetMisconfigured');
  });

  it('speaks TLS by default and verifies the device: its CA is accepted, another CA or none is refused', async () => {
    const inventory = { leaf01: { address: tlsSim.address('leaf01') } };
    const rightCa = file('right-ca.pem', tlsSim.tlsCaPem!);
    const wrongCa = file('wrong-ca.pem', otherTlsSim.tlsCaPem!);
    const trusted = await worker('tls-right-ca', inventory, { SYNAPSE_GNMI_CA_FILE: rightCa });
    expect(trusted.directory.resolve('leaf01').transport).toEqual({ mode: 'tls', caFile: rightCa });
    expect(resultOf(await backup(trusted, 'leaf01'))).toMatchObject({ device: 'leaf01' });
    for (const untrusted of [await worker('tls-wrong-ca', inventory, { SYNAPSE_GNMI_CA_FILE: wrongCa }), await worker('tls-system-ca', inventory)]) {
      const failure = failureOf(await backup(untrusted, 'leaf01'));
      expect(failure.type).toBe('TargetMisconfigured');
      expect(failure.nonRetryable).toBe(true);
      expect(failure.message).toMatch(/certificate is not trusted with transport mode tls/);
    }
  });
});
