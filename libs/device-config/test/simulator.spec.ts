import type { DeviceIntentInput } from '@synapse/contracts';
import type { GnmiClient } from '@synapse/gnmi-client';
import { checksum, deployOperations, diffConfigs, expectedState, isEmptyDiff, managedScope, managedView, renderConfig, summarizeDiff } from '../src';
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
  return diffConfigs(renderConfig(intent), managedView(await runningConfig(lab.clients[device]), managedScope(intent)));
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
      expect(result.results).toEqual(Object.keys(config).map((path) => ({ path, op: 'REPLACE' })));
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
      const scope = managedScope(intent);

      const ietf = (await runningConfig(client)) as Record<string, unknown>;
      // The device qualifies names and identities; the comparison must see through it.
      expect(Object.keys(ietf)).toEqual(expect.arrayContaining(['srl_nokia-interfaces:interface', 'srl_nokia-system:system']));
      expect(JSON.stringify(ietf)).toContain('"type":"srl_nokia-network-instance:ip-vrf"');
      const view = managedView(ietf, scope);
      expect(diffConfigs(rendered, view)).toEqual({ added: [], removed: [], changed: [] });
      expect(checksum(view)).toBe(checksum(rendered));

      const json = (await client.get('/', { type: 'CONFIG', encoding: 'JSON' })).updates[0].value;
      expect(JSON.stringify(json)).not.toContain('srl_nokia');
      expect(isEmptyDiff(diffConfigs(rendered, managedView(json, scope)))).toBe(true);
      // The whole document, scoped by the diff itself.
      expect(isEmptyDiff(diffConfigs(rendered, { '/': json }, { paths: scope.include, exclude: scope.exclude }))).toBe(true);

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

    const intent = labIntent('spine01');
    await spine.set(deployOperations(renderConfig(intent), managedView(await runningConfig(spine), managedScope(intent))));
    expect(isEmptyDiff(await drift(lab, 'spine01'))).toBe(true);
    await waitFor(() => sessionStates(spine), allEstablished, 'spine01 sessions after remediation');
  });

  it('a planned change shows the removed neighbor and the added interface exactly, deploys, and reverting deletes the stale interface but not mgmt0', async () => {
    await deployLab(lab);
    const leaf = lab.clients.leaf01;
    const changed = editableIntent('leaf01');
    changed.bgp!.neighbors = changed.bgp!.neighbors!.filter((n) => n.peerAddress !== '10.0.0.4');
    changed.interfaces.push({ name: 'ethernet-1/51', description: 'spare', mtu: 9214, ipv4Addresses: ['10.0.0.9/31'] });

    const running = await runningConfig(leaf);
    const plan = diffConfigs(renderConfig(changed), managedView(running, managedScope(changed)));
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
      removed: [
        {
          path: `${BGP}/neighbor[peer-address=10.0.0.4]`,
          value: { 'admin-state': 'enable', description: 'to spine01 ethernet-1/3', 'peer-address': '10.0.0.4', 'peer-as': 65000, 'peer-group': 'underlay' },
        },
      ],
    });

    await leaf.set(deployOperations(renderConfig(changed), managedView(running, managedScope(changed))));
    expect(isEmptyDiff(await drift(lab, 'leaf01', changed))).toBe(true);
    expect(Object.keys(await sessionStates(leaf))).toEqual(['10.0.0.0']);

    // Back to the lab intent: ethernet-1/51 is stale on the device and must go, mgmt0 must stay.
    const original = labIntent('leaf01');
    const ops = deployOperations(renderConfig(original), managedView(await runningConfig(leaf), managedScope(original)));
    expect(ops.delete).toEqual(['/interface[name=ethernet-1/51]']);
    await leaf.set(ops);
    expect(isEmptyDiff(await drift(lab, 'leaf01'))).toBe(true);
    const names = Object.keys(await stateByKey(leaf, '/interface[name=*]/oper-state', 'name'));
    expect(names.sort()).toEqual(['ethernet-1/49', 'ethernet-1/50', 'mgmt0', 'system0']);
    await waitFor(() => sessionStates(leaf), (s) => s['10.0.0.4'] === 'established', 'restored session');
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
