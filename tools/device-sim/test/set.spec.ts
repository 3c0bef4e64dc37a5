import { status } from '@grpc/grpc-js';
import type { DeviceSim } from '../src';
import { connect, decode, deployRequest, expectGrpcError, fixture, getValue, ietf, json, pathText, startLab, update, wirePath, type TestClient } from './helpers';

describe('Set', () => {
  let sim: DeviceSim;
  let spine: TestClient;

  beforeEach(async () => {
    sim = await startLab();
    spine = connect(sim.address('spine01'));
    await spine.set(deployRequest(fixture('spine01')));
  });

  afterEach(async () => {
    spine.close();
    await sim.stop();
  });

  const iface = (name: string) => (sim.runningConfig('spine01') as { interface: Array<Record<string, unknown>> }).interface.find((i) => i.name === name);

  it('replace swaps the whole subtree: leaves not given are gone', async () => {
    // The default network-instance still uses ethernet-1/1.0, so the subinterface must stay.
    await spine.set({ replace: [update('/interface[name=ethernet-1/1]', { 'admin-state': 'disable', mtu: 9000, subinterface: [{ index: 0 }] })] });
    expect(iface('ethernet-1/1')).toEqual({ name: 'ethernet-1/1', 'admin-state': 'disable', mtu: 9000, subinterface: [{ index: 0 }] });
  });

  it('update merges: given leaves change, others stay, list entries merge by key', async () => {
    await spine.set({
      update: [
        update('/interface[name=ethernet-1/1]', {
          mtu: 9000,
          subinterface: [{ index: 0, description: 'uplink' }, { index: 5, 'admin-state': 'disable' }],
        }),
      ],
    });
    const itf = iface('ethernet-1/1')!;
    expect(itf).toMatchObject({ description: 'to leaf01 ethernet-1/49', mtu: 9000 });
    expect(itf.subinterface).toEqual([
      { index: 0, 'admin-state': 'enable', ipv4: { 'admin-state': 'enable', address: [{ 'ip-prefix': '10.0.0.0/31' }] }, description: 'uplink' },
      { index: 5, 'admin-state': 'disable' },
    ]);
  });

  it('delete removes the node; deleting what is not there succeeds; wildcards delete every match', async () => {
    const response = await spine.set({ delete: [wirePath('/interface[name=ethernet-1/2]/description'), wirePath('/interface[name=ethernet-1/42]')] });
    expect(response.response!.map((r) => [pathText(r.path), r.op])).toEqual([
      ['/interface[name=ethernet-1/2]/description', 'DELETE'],
      ['/interface[name=ethernet-1/42]', 'DELETE'],
    ]);
    expect(iface('ethernet-1/2')).not.toHaveProperty('description');
    expect(iface('ethernet-1/1')).toHaveProperty('description');

    await spine.set({ delete: [wirePath('/interface[name=*]/description')] });
    const descriptions = (sim.runningConfig('spine01') as { interface: Array<Record<string, unknown>> }).interface.filter((i) => 'description' in i);
    expect(descriptions).toEqual([]);
  });

  it('applies deletes, then replaces, then updates, whatever the field order on the wire', async () => {
    await spine.set({ update: [update('/interface[name=lo7]', { description: 'before', 'admin-state': 'enable' })] });
    await spine.set({
      update: [update('/interface[name=lo7]/description', 'updated')],
      replace: [update('/interface[name=lo7]', { 'admin-state': 'disable', description: 'replaced' })],
      delete: [wirePath('/interface[name=lo7]')],
    });
    expect(iface('lo7')).toEqual({ name: 'lo7', 'admin-state': 'disable', description: 'updated' });
  });

  it('answers one UpdateResult per operation, echoes the prefix and stamps the response', async () => {
    const response = await spine.set({
      prefix: wirePath('/interface[name=ethernet-1/3]'),
      delete: [wirePath('/description')],
      replace: [update('/mtu', 9000)],
      update: [update('/admin-state', 'enable'), update('/subinterface[index=0]/description', 'x')],
    });
    expect(pathText(response.prefix)).toBe('/interface[name=ethernet-1/3]');
    expect(response.response!.map((r) => `${r.op} ${pathText(r.path)}`)).toEqual([
      'DELETE /description',
      'REPLACE /mtu',
      'UPDATE /admin-state',
      'UPDATE /subinterface[index=0]/description',
    ]);
    expect(BigInt(response.timestamp!)).toBeGreaterThan(0n);
    expect(iface('ethernet-1/3')).toMatchObject({ mtu: 9000, subinterface: [expect.objectContaining({ description: 'x' })] });
  });

  it('is atomic: one bad operation leaves config and state exactly as they were', async () => {
    const configBefore = sim.runningConfig('spine01');
    const stateBefore = sim.state('spine01');
    await expectGrpcError(
      spine.set({
        delete: [wirePath('/routing-policy/policy[name=import-all]/statement')],
        replace: [update('/interface[name=ethernet-1/1]', { 'admin-state': 'disable' })],
        update: [update('/interface[name=ethernet-1/2]/description', 'ok'), update('/interface[name=ethernet-1/3]/mtu', 100)],
      }),
      status.INVALID_ARGUMENT,
      '/interface[name=ethernet-1/3]/mtu: 100 is out of range 1500..9500 for ethernet ports',
    );
    expect(sim.runningConfig('spine01')).toEqual(configBefore);
    expect(sim.state('spine01')).toEqual(stateBefore);
    expect(await getValue(spine, '/interface[name=ethernet-1/1]/admin-state')).toBe('enable');
  });

  it('replacing the root with a backup restores exactly that config', async () => {
    const backup = await spine.get({ path: [{ elem: [] }], type: 'CONFIG', encoding: 'JSON_IETF' });
    const saved = sim.runningConfig('spine01');
    await spine.set({ update: [update('/interface[name=ethernet-1/1]/description', 'drifted')], replace: [update('/interface[name=lo5]', { 'admin-state': 'enable' })] });
    expect(sim.runningConfig('spine01')).not.toEqual(saved);

    await spine.set({ replace: [{ path: { elem: [] }, val: backup.notification![0].update![0].val }] });
    expect(sim.runningConfig('spine01')).toEqual(saved);
  });

  it('accepts JSON and JSON_IETF, prefixed or not, and scalar typed values', async () => {
    await spine.set({
      update: [
        { path: wirePath('/interface[name=lo1]'), val: json({ 'srl_nokia-interfaces:admin-state': 'enable', description: 'plain json' }) },
        { path: wirePath('/srl_nokia-interfaces:interface[name=lo2]'), val: ietf({ 'admin-state': 'enable' }) },
        { path: wirePath('/interface[name=ethernet-1/1]/mtu'), val: { uint_val: '9100' } },
        { path: wirePath('/interface[name=ethernet-1/1]/description'), val: { string_val: 'scalar' } },
        { path: wirePath('/network-instance[name=default]/protocols/bgp/afi-safi[afi-safi-name=srl_nokia-common:ipv6-unicast]/admin-state'), val: { string_val: 'disable' } },
      ],
    });
    expect(iface('lo1')).toEqual({ name: 'lo1', 'admin-state': 'enable', description: 'plain json' });
    expect(iface('lo2')).toEqual({ name: 'lo2', 'admin-state': 'enable' });
    expect(iface('ethernet-1/1')).toMatchObject({ mtu: 9100, description: 'scalar' });
    expect(await getValue(spine, '/network-instance[name=default]/protocols/bgp/afi-safi[afi-safi-name=ipv6-unicast]/admin-state')).toBe('disable');
  });

  it('refuses state leaves in a value, as a device refuses a Get ALL fed back', async () => {
    const all = await spine.get({ path: [wirePath('/interface[name=ethernet-1/1]')], encoding: 'JSON_IETF' });
    await expectGrpcError(
      spine.set({ replace: [{ path: wirePath('/interface[name=ethernet-1/1]'), val: all.notification![0].update![0].val }] }),
      status.INVALID_ARGUMENT,
      /\/interface\[name=ethernet-1\/1\](\/subinterface\[index=0\])?\/oper-state: "oper-state" is state data \(config false\) and cannot be set/,
    );
    await expectGrpcError(spine.set({ update: [update('/interface[name=ethernet-1/1]/oper-state', 'up')] }), status.INVALID_ARGUMENT, /state data/);
    await expectGrpcError(spine.set({ delete: [wirePath('/interface[name=ethernet-1/1]/oper-state')] }), status.INVALID_ARGUMENT, /state data/);
  });

  it('refuses writes to wildcard or partially keyed paths, key changes and key deletes', async () => {
    await expectGrpcError(spine.set({ update: [update('/interface[name=*]/mtu', 9000)] }), status.INVALID_ARGUMENT, /\/interface\[name=\*\]\/mtu: a wildcard path cannot be replaced/);
    await expectGrpcError(
      spine.set({ update: [update('/routing-policy/prefix-set[name=loopbacks]/prefix[ip-prefix=10.2.0.0/24]', {})] }),
      status.INVALID_ARGUMENT,
      /needs all of its keys \(ip-prefix, mask-length-range\)/,
    );
    await expectGrpcError(
      spine.set({ replace: [update('/interface[name=ethernet-1/1]', { name: 'ethernet-1/2' })] }),
      status.INVALID_ARGUMENT,
      /key "name" is "ethernet-1\/2" in the value but "ethernet-1\/1" in the path/,
    );
    await expectGrpcError(spine.set({ delete: [wirePath('/interface[name=ethernet-1/1]/name')] }), status.INVALID_ARGUMENT, /a list key cannot be deleted/);
  });

  it('refuses union_replace with UNIMPLEMENTED and leaves config alone', async () => {
    const before = sim.runningConfig('spine01');
    await expectGrpcError(spine.set({ union_replace: [update('/interface[name=ethernet-1/1]/mtu', 9000)] }), status.UNIMPLEMENTED, /union_replace/);
    expect(sim.runningConfig('spine01')).toEqual(before);
  });

  it('refuses a value that is not JSON, or a missing value', async () => {
    await expectGrpcError(
      spine.set({ update: [{ path: wirePath('/interface[name=ethernet-1/1]'), val: { json_ietf_val: Buffer.from('{mtu: 9000') } }] }),
      status.INVALID_ARGUMENT,
      /\/interface\[name=ethernet-1\/1\]: value is not valid JSON/,
    );
    await expectGrpcError(spine.set({ update: [{ path: wirePath('/interface[name=ethernet-1/1]/mtu') }] }), status.INVALID_ARGUMENT, /carries no value/);
  });

  it('treats an empty SetRequest as a valid no-op', async () => {
    const before = sim.runningConfig('spine01');
    const response = await spine.set({});
    expect(response.response ?? []).toEqual([]);
    expect(sim.runningConfig('spine01')).toEqual(before);
  });

  it('makes the change visible to Get in the same encoding it was read in', async () => {
    await spine.set({ update: [update('/interface[name=ethernet-1/4]/description', 'changed')] });
    const response = await spine.get({ path: [wirePath('/interface[name=ethernet-1/4]/description')], encoding: 'JSON_IETF' });
    expect(decode(response.notification![0].update![0].val)).toBe('changed');
  });
});
