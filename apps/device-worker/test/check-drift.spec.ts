import { ownershipScope } from '@synapse/device-config';
import { brownfieldLab, deviceIntent, LEGACY_IMPORT_POLICY, referenceLab } from '@synapse/lab';
import { arrangeDeployed, rendered, resultOf, runActivity, startTestLab, type LabDevice, type TestLab } from './lab';

const NEIGHBOR = '/network-instance[name=default]/protocols/bgp/neighbor[peer-address=10.0.0.0]';

/** A status without its unmanaged count, which every device has (management, system). */
function statusOf(status: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(status).filter(([key]) => key !== 'unmanaged'));
}

describe('checkDrift: running owned config against the rendered intent, for a batch of devices', () => {
  let lab: TestLab;

  beforeEach(async () => {
    lab = await startTestLab({ timeoutMs: 2000 });
    await arrangeDeployed(lab, 'spine01', 'leaf01', 'leaf02');
  });

  afterEach(async () => {
    await lab.stop();
  });

  const batch = (...devices: LabDevice[]) => ({ devices: devices.map((device) => ({ device, config: rendered(device) })), concurrency: 2 });

  it('finds every device in sync right after a deploy, even with config changed outside what Synapse owns', async () => {
    await lab.admin.leaf01.set({ update: [{ path: '/interface[name=mgmt0]/description', value: 'not ours' }, { path: '/interface[name=ethernet-1/49]/loopback-mode', value: 'none' }] });
    const run = await runActivity(lab.activities.checkDrift, [batch('spine01', 'leaf01', 'leaf02')]);
    const inSync = (device: string) => ({ device, status: 'in-sync', drifted: [], missingPolicies: [], deletions: 0, affected: { sessions: [], interfaces: [] }, counts: { added: 0, changed: 0, removed: 0 } });
    expect(resultOf(run).devices.map(statusOf)).toEqual([inSync('spine01'), inSync('leaf01'), inSync('leaf02')]);
    // What is not Synapse's is counted (named only on request), never drift.
    expect(resultOf(run).devices[1].unmanaged).toEqual({ count: expect.any(Number), paths: [] });
    const listed = resultOf(await runActivity(lab.activities.checkDrift, [{ ...batch('leaf01'), listUnmanaged: true }])).devices[0];
    expect(listed.unmanaged?.paths).toEqual(expect.arrayContaining(['/interface[name=mgmt0]', '/interface[name=ethernet-1/49]/loopback-mode', '/system']));
    expect(listed.unmanaged?.count).toBe(listed.unmanaged?.paths.length);
  });

  it('on a brownfield fabric: its own config is unmanaged, never drift; the policies it relies on are found', async () => {
    await lab.stop();
    const brownfield = brownfieldLab(referenceLab());
    lab = await startTestLab({ lab: brownfield, timeoutMs: 2000 });
    const target = (device: LabDevice) => ({ device, config: rendered(device, brownfield), scope: ownershipScope(deviceIntent(brownfield, device)) });
    const [leaf01] = resultOf(await runActivity(lab.activities.checkDrift, [{ devices: [target('leaf01')], listUnmanaged: true }])).devices;
    expect(leaf01.status).toBe('drifted');
    expect(leaf01.missingPolicies).toEqual([]);
    expect(leaf01.drifted.map((d) => d.path)).not.toContainEqual(expect.stringMatching(/ipv6|lag1|acl|lo0|ethernet\/|transceiver|192\.0\.2\.254/));
    expect(leaf01.unmanaged?.paths).toEqual(expect.arrayContaining(['/acl', '/interface[name=lag1]', '/interface[name=lo0]']));

    // The device refuses a policy deleted while a group still names it: everything that names it goes in the same Set.
    await lab.admin.leaf01.set({
      delete: [
        '/network-instance[name=default]/protocols/bgp/neighbor[peer-address=192.0.2.254]',
        '/network-instance[name=default]/protocols/bgp/group[group-name=route-servers]',
        '/network-instance[name=default]/protocols/bgp/group[group-name=underlay]/import-policy',
        '/routing-policy/policy[name=customer-export]',
        `/routing-policy/policy[name=${LEGACY_IMPORT_POLICY}]`,
      ],
    });
    const [missing] = resultOf(await runActivity(lab.activities.checkDrift, [{ devices: [target('leaf01')] }])).devices;
    expect(missing.missingPolicies).toEqual([{ group: 'underlay', direction: 'import', policy: LEGACY_IMPORT_POLICY }]);
  });

  it('names each out-of-band change with its exact path, intended value before and running value after', async () => {
    await lab.admin.leaf01.set({
      update: [
        { path: '/interface[name=ethernet-1/49]/mtu', value: 1500 },
        { path: '/interface[name=ethernet-1/50]/admin-state', value: 'disable' },
      ],
      delete: [NEIGHBOR],
    });
    const run = await runActivity(lab.activities.checkDrift, [batch('leaf01', 'leaf02')]);
    const [leaf01, leaf02] = resultOf(run).devices;
    expect(statusOf(leaf02)).toEqual({ device: 'leaf02', status: 'in-sync', drifted: [], missingPolicies: [], deletions: 0, affected: { sessions: [], interfaces: [] }, counts: { added: 0, changed: 0, removed: 0 } });
    expect(leaf01.status).toBe('drifted');
    expect(leaf01.drifted).toEqual([
      { path: '/interface[name=ethernet-1/49]/mtu', before: 9214, after: 1500 },
      { path: '/interface[name=ethernet-1/50]/admin-state', before: 'enable', after: 'disable' },
      { path: NEIGHBOR, before: expect.objectContaining({ 'peer-address': '10.0.0.0', 'peer-as': 65000 }) },
    ]);
    expect(leaf01.drifted[2]).not.toHaveProperty('after');
    expect(leaf01.summary).toMatch(/^2 changed, 1 added, 0 removed/);
    // What a plan's table shows: every path counted, the session and interfaces the change would alter named.
    expect(leaf01.counts).toEqual({ added: 1, changed: 2, removed: 0 });
    expect(leaf01.affected).toEqual({ sessions: ['10.0.0.0'], interfaces: ['ethernet-1/49', 'ethernet-1/50'] });
  });

  it('names the sessions of a BGP subtree a device lacks as a whole (the plan of a first deploy)', async () => {
    await lab.admin.spine01.set({ delete: ['/network-instance[name=default]/protocols/bgp'] });
    const run = await runActivity(lab.activities.checkDrift, [batch('spine01')]);
    const [spine01] = resultOf(run).devices;
    expect(spine01.status).toBe('drifted');
    expect(spine01.affected?.sessions).toEqual(['10.0.0.1', '10.0.0.3', '10.0.0.5', '10.0.0.7']);
  });

  it('lists at most 50 drifted paths per device and names a large value by its size, so a far-off device cannot blow the payload limits', async () => {
    // An intent 60 interfaces ahead of the device (as a device that never got its config would be), one of them with a large subtree.
    const description = 'x'.repeat(200);
    const extra = Object.fromEntries(
      Array.from({ length: 60 }, (_, i) => {
        const name = `ethernet-2/${i + 1}`;
        const subinterface = i === 0 ? [0, 1, 2, 3, 4, 5].map((index) => ({ index, description })) : [];
        return [`/interface[name=${name}]`, { name, description, 'admin-state': 'enable', ...(subinterface.length ? { subinterface } : {}) }];
      }),
    );
    const run = await runActivity(lab.activities.checkDrift, [{ devices: [{ device: 'leaf01', config: { ...rendered('leaf01'), ...extra } }], concurrency: 1 }]);
    const [leaf01] = resultOf(run).devices;
    expect(leaf01.status).toBe('drifted');
    expect(leaf01.drifted).toHaveLength(50);
    expect(leaf01.omittedPaths).toBe(10);
    expect(leaf01.summary).toMatch(/^0 changed, 60 added, 0 removed/);
    const large = leaf01.drifted.find((d) => d.path === '/interface[name=ethernet-2/1]');
    expect(large?.before).toMatch(/^\(\d+ characters of JSON, not listed\)$/);
    const small = leaf01.drifted.find((d) => d.path === '/interface[name=ethernet-2/10]');
    expect(small?.before).toEqual(extra['/interface[name=ethernet-2/10]']);
  });

  it('reports an unreachable device and still checks the rest of the batch, with progress heartbeats', async () => {
    lab.sim.faults('leaf01').set({ refuseConnections: true });
    await lab.admin.leaf02.set({ update: [{ path: '/interface[name=ethernet-1/49]/mtu', value: 1500 }] });
    const run = await runActivity(lab.activities.checkDrift, [batch('spine01', 'leaf01', 'leaf02')]);
    const devices = resultOf(run).devices;
    expect(devices.map((d) => [d.device, d.status])).toEqual([
      ['spine01', 'in-sync'],
      ['leaf01', 'unreachable'],
      ['leaf02', 'drifted'],
    ]);
    expect(devices[1].detail).toMatch(/leaf01.*\[DeviceUnreachable\]/);
    expect(run.heartbeats).toContainEqual(expect.objectContaining({ total: 3, checked: 3 }));
  });

  it('refuses an empty batch as InvalidInput naming the field', async () => {
    const run = await runActivity(lab.activities.checkDrift, [{ devices: [] }]);
    expect(run.error).toMatchObject({ type: 'InvalidInput', nonRetryable: true, message: expect.stringContaining('devices') });
  });
});
