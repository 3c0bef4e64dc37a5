import { brownfieldLab, generateFabric as generateLabFabric, initialConfig, referenceLab, type Lab } from '@synapse/lab';
import { GnmiError } from '../src/errors';
import { loadConfigDocument } from '../src/set-request';
import { labTopology, startDeviceSim, type DeviceSim } from '../src';
import { backup, canonical, connect, getValues, replaceRoot, waitFor, wirePath, type TestClient } from './helpers';

/**
 * tools/lab's brownfield devices: a fabric Synapse did not build, with LAGs,
 * IPv6, a breakout, an ACL and system services. A real SR Linux 25.3 holds
 * this config, so the simulator must accept it and give it back unchanged.
 */
const LABS: Array<[string, () => Lab]> = [
  ['reference', () => brownfieldLab(referenceLab())],
  ['2x20 fabric', () => brownfieldLab(generateLabFabric({ spines: 2, leaves: 20 }))],
];

describe('brownfield labs', () => {
  it.each(LABS)('every device of the %s brownfield lab loads as its initial config', (_name, make) => {
    const lab = make();
    const refusals: string[] = [];
    for (const device of lab.devices) {
      try {
        loadConfigDocument(initialConfig(lab, device.name));
      } catch (error) {
        if (!(error instanceof GnmiError)) throw error;
        refusals.push(`${device.name}: ${error.message}`);
      }
    }
    expect(refusals).toEqual([]);
  });

  describe('the reference brownfield lab, running', () => {
    const lab = brownfieldLab(referenceLab());
    let sim: DeviceSim;
    const clients: Record<string, TestClient> = {};

    beforeAll(async () => {
      sim = await startDeviceSim({ topology: labTopology(lab), convergenceDelayMs: 50 });
      for (const device of lab.devices) clients[device.name] = connect(sim.address(device.name));
    });

    afterAll(async () => {
      for (const client of Object.values(clients)) client.close();
      await sim?.stop();
    });

    it('answers Get CONFIG in JSON_IETF with exactly the config it was given, module prefixes where the device puts them', async () => {
      for (const device of lab.devices) {
        const returned = await backup(clients[device.name]);
        expect([device.name, canonical(returned, { keepNames: true })]).toEqual([device.name, canonical(initialConfig(lab, device.name), { keepNames: true })]);
      }
    });

    it('takes its own backup back unchanged', async () => {
      const client = clients.leaf01;
      const saved = await backup(client);
      const running = sim.runningConfig('leaf01');
      await client.set(replaceRoot(saved));
      expect(sim.runningConfig('leaf01')).toEqual(running);
      expect(await backup(client)).toEqual(saved);
    });

    it('brings the hand-built underlay up: fabric ports up, fabric sessions established, the route server idle', async () => {
      const sessions = async () =>
        Object.fromEntries(
          (await getValues(clients.spine01, { path: [wirePath('/network-instance[name=default]/protocols/bgp/neighbor[peer-address=*]/session-state')] })).map(([path, state]) => [
            /peer-address=([^\]]+)/.exec(path)![1],
            state,
          ]),
        );
      const states = await waitFor(sessions, (s) => Object.values(s).filter((state) => state === 'established').length === 4, 3000, 'fabric sessions');
      expect(states['192.0.2.254']).toBe('idle');
    });
  });
});
