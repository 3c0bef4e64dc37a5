import type { DeviceIntentInput } from '@synapse/contracts';
import type { GnmiClient } from '@synapse/gnmi-client';
import { brownfieldLab, deviceIntent, referenceLab } from '@synapse/lab';
import { diffConfigs, expectedState, isEmptyDiff, ownedDiff, ownedView, ownershipScope, renderConfig, restoreOperations, staleDeletions, summarizeDiff, touchedBy, unownedPart } from '../src';
import { editableIntent, LAB_DEVICES, labIntent, type LabDevice } from './lab';
import { deploy, sessionStates, startLab, stateByKey, waitFor, type RunningLab } from './simulator-lab';

const NI = '/network-instance[name=default]';
const BGP = `${NI}/protocols/bgp`;
const allEstablished = (states: Record<string, unknown>) => Object.keys(states).length > 0 && Object.values(states).every((s) => s === 'established');

async function deployLab(lab: RunningLab): Promise<void> {
  await Promise.all(LAB_DEVICES.map((device) => deploy(lab.clients[device], renderConfig(labIntent(device)))));
}

/** Running config at `/` (Get CONFIG, JSON_IETF, module prefixes kept as the device sent them). */
function runningConfig(client: GnmiClient): Promise<unknown> {
  return client.getConfig('/', { keepModulePrefixes: true });
}

async function drift(lab: RunningLab, device: LabDevice, intent: DeviceIntentInput = labIntent(device)) {
  return ownedDiff(renderConfig(intent), await runningConfig(lab.clients[device]));
}

describe('rendered configs on the device simulator', () => {
  let lab: RunningLab;
  beforeEach(async () => {
    lab = await startLab();
  });
  afterEach(async () => {
    await lab.stop();
  });

  it('each device accepts its rendered config, and with all three deployed every session is established and every interface up', async () => {
    for (const device of LAB_DEVICES) {
      const config = renderConfig(labIntent(device));
      const result = await deploy(lab.clients[device], config);
      // Entries merged, policy chains and the policies the intent defines replaced.
      expect(result.results.filter((r) => r.op === 'UPDATE').map((r) => r.path)).toEqual(Object.keys(config).filter((p) => !p.startsWith('/routing-policy')));
      expect(result.results.filter((r) => r.op === 'REPLACE').map((r) => r.path)).toEqual(expect.arrayContaining(Object.keys(config).filter((p) => p.startsWith('/routing-policy'))));
    }

    for (const device of LAB_DEVICES) {
      const client = lab.clients[device];
      const expected = expectedState(labIntent(device));
      const sessions = await waitFor(() => sessionStates(client), allEstablished, `${device} BGP sessions`);
      expect(sessions).toEqual(Object.fromEntries(expected.neighbors.map((n) => [n.peerAddress, 'established'])));

      const operStates = await stateByKey(client, '/interface[name=*]/oper-state', 'name');
      const adminStates = await stateByKey(client, '/interface[name=*]/admin-state', 'name', 'CONFIG');
      for (const itf of expected.interfaces) {
        expect({ name: itf.name, adminState: adminStates[itf.name], operState: operStates[itf.name] }).toEqual(itf);
      }
      // Management was left alone and is still up.
      expect(operStates.mgmt0).toBe('up');
    }
  });

  it('reading the config back finds no drift: JSON_IETF with prefixes, JSON without, per path, lists in another order', async () => {
    await deployLab(lab);
    // leaf02 gets its lists written in reverse, so the device's order differs from the rendered one.
    await deploy(lab.clients.leaf02, reverseLists(renderConfig(labIntent('leaf02'))));

    for (const device of LAB_DEVICES) {
      const client = lab.clients[device];
      const intent = labIntent(device);
      const rendered = renderConfig(intent);

      const ietf = (await runningConfig(client)) as Record<string, unknown>;
      // The device qualifies names and identities; the comparison must see through it.
      expect(Object.keys(ietf)).toEqual(expect.arrayContaining(['srl_nokia-interfaces:interface', 'srl_nokia-system:system']));
      expect(JSON.stringify(ietf)).toContain('"type":"srl_nokia-network-instance:ip-vrf"');
      expect(diffConfigs(rendered, ownedView(ietf, rendered))).toEqual({ added: [], removed: [], changed: [] });

      const json = (await client.get('/', { type: 'CONFIG', encoding: 'JSON' })).updates[0].value;
      expect(JSON.stringify(json)).not.toContain('srl_nokia');
      expect(isEmptyDiff(ownedDiff(rendered, json))).toBe(true);

      // A Get per rendered path answers without the entry's own key leaves.
      const perPath = Object.fromEntries(await Promise.all(Object.keys(rendered).map(async (path) => [path, await client.getConfig(path)] as const)));
      expect(perPath['/interface[name=system0]']).not.toHaveProperty('name');
      expect(isEmptyDiff(diffConfigs(rendered, perPath))).toBe(true);
    }
  });

  it('mgmt0 and the mgmt network-instance on the device are not drift, even when changed by hand', async () => {
    await deployLab(lab);
    const client = lab.clients.spine01;
    await client.set({
      update: [
        { path: '/interface[name=mgmt0]/description', value: 'oob management' },
        { path: '/network-instance[name=mgmt]/description', value: 'edited by hand' },
      ],
    });
    const running = (await runningConfig(client)) as Record<string, any>;
    expect(running['srl_nokia-interfaces:interface'].map((i: { name: string }) => i.name)).toContain('mgmt0');
    expect(await drift(lab, 'spine01')).toEqual({ added: [], removed: [], changed: [] });
  });

  it('drift made on the device shows at its exact path: a changed MTU and a deleted neighbor; redeploying clears it', async () => {
    await deployLab(lab);
    const spine = lab.clients.spine01;
    await spine.set({
      update: [{ path: '/interface[name=ethernet-1/2]/mtu', value: 1500 }],
      delete: [`${BGP}/neighbor[peer-address=10.0.0.7]`],
    });

    const found = await drift(lab, 'spine01');
    expect(found).toEqual({
      changed: [{ path: '/interface[name=ethernet-1/2]/mtu', before: 1500, after: 9214 }],
      added: [
        {
          path: `${BGP}/neighbor[peer-address=10.0.0.7]`,
          value: { 'admin-state': 'enable', description: 'to leaf02 ethernet-1/50', 'peer-address': '10.0.0.7', 'peer-as': 65002, 'peer-group': 'underlay' },
        },
      ],
      removed: [],
    });
    expect(summarizeDiff(found)).toBe(
      `1 changed, 1 added, 0 removed: /interface[name=ethernet-1/2]/mtu 1500 -> 9214, + ${BGP}/neighbor[peer-address=10.0.0.7]`,
    );

    await deploy(spine, renderConfig(labIntent('spine01')));
    expect(isEmptyDiff(await drift(lab, 'spine01'))).toBe(true);
    await waitFor(() => sessionStates(spine), allEstablished, 'spine01 sessions after remediation');
  });

  it('a planned change shows the added interface; going back, the ownership record deletes what it added, never mgmt0', async () => {
    await deployLab(lab);
    const leaf = lab.clients.leaf01;
    const changed = editableIntent('leaf01');
    changed.interfaces.push({ name: 'ethernet-1/51', description: 'spare', mtu: 9214, ipv4Addresses: ['10.0.0.9/31'] });

    const plan = ownedDiff(renderConfig(changed), await runningConfig(leaf));
    expect(plan).toEqual({
      changed: [],
      added: [
        {
          path: '/interface[name=ethernet-1/51]',
          value: {
            'admin-state': 'enable',
            description: 'spare',
            mtu: 9214,
            name: 'ethernet-1/51',
            subinterface: [{ 'admin-state': 'enable', index: 0, ipv4: { address: [{ 'ip-prefix': '10.0.0.9/31' }], 'admin-state': 'enable' } }],
          },
        },
        { path: `${NI}/interface[name=ethernet-1/51.0]`, value: { name: 'ethernet-1/51.0' } },
      ],
      removed: [],
    });
    await deploy(leaf, renderConfig(changed));
    expect(isEmptyDiff(await drift(lab, 'leaf01', changed))).toBe(true);

    // Back to the lab intent: ethernet-1/51 was Synapse's (the record says so) and must go, mgmt0 must stay.
    const original = labIntent('leaf01');
    const stale = staleDeletions(await runningConfig(leaf), renderConfig(changed), renderConfig(original), ownershipScope(original));
    expect(stale).toEqual(['/interface[name=ethernet-1/51]', `${NI}/interface[name=ethernet-1/51.0]`]);
    await deploy(leaf, renderConfig(original), stale);
    expect(isEmptyDiff(await drift(lab, 'leaf01'))).toBe(true);
    const names = Object.keys(await stateByKey(leaf, '/interface[name=*]/oper-state', 'name'));
    expect(names.sort()).toEqual(['ethernet-1/49', 'ethernet-1/50', 'mgmt0', 'system0']);
  });
});

describe('rendered configs on a brownfield device', () => {
  const lab = brownfieldLab(referenceLab());
  let running: RunningLab;
  beforeEach(async () => {
    running = await startLab(lab);
  });
  afterEach(async () => {
    await running.stop();
  });

  it('a deploy changes only what Synapse owns, and the restore from the backup gives back the identical config', async () => {
    const leaf = running.clients.leaf01;
    const config = renderConfig(deviceIntent(lab, 'leaf01'));
    const backup = await runningConfig(leaf);

    await deploy(leaf, config);
    const after = await runningConfig(leaf);
    expect(ownedDiff(config, after)).toEqual({ added: [], removed: [], changed: [] });
    // Everything Synapse does not own is byte-for-byte what it was (compared in canonical form).
    expect(unownedPart(after, config)).toEqual(unownedPart(backup, config));
    expect(JSON.stringify(after)).toContain('"srl_nokia-acl:acl"');

    await leaf.set(restoreOperations(backup, touchedBy({ config })));
    expect(diffConfigs(backup, await runningConfig(leaf))).toEqual({ added: [], removed: [], changed: [] });
  });

  it('every device of the brownfield lab accepts its intent, and the fabric comes up', async () => {
    for (const device of LAB_DEVICES) await deploy(running.clients[device], renderConfig(deviceIntent(lab, device)));
    for (const device of LAB_DEVICES) {
      const expected = expectedState(deviceIntent(lab, device));
      const sessions = await waitFor(() => sessionStates(running.clients[device]), (s) => expected.neighbors.every((n) => s[n.peerAddress] === 'established'), `${device} sessions`);
      expect(Object.keys(sessions)).toEqual(expect.arrayContaining(expected.neighbors.map((n) => n.peerAddress)));
    }
  });
});

/** Every list written in reverse order (policy chains excepted: their order is config). */
function reverseLists<T>(value: T, name = ''): T {
  if (Array.isArray(value)) {
    const items = value.map((v) => reverseLists(v));
    return (name.endsWith('-policy') ? items : items.reverse()) as T;
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, reverseLists(v, k)])) as T;
  }
  return value;
}
