import { status } from '@grpc/grpc-js';
import type { DeviceSim } from '../src';
import { connect, decode, deployRequest, expectGrpcError, fixture, getValue, getValues, pathText, startLab, wirePath, type TestClient } from './helpers';

describe('Get', () => {
  let sim: DeviceSim;
  let spine: TestClient;

  beforeAll(async () => {
    sim = await startLab();
    spine = connect(sim.address('spine01'));
    await spine.set(deployRequest(fixture('spine01')));
  });

  afterAll(async () => {
    spine.close();
    await sim.stop();
  });

  describe('data types', () => {
    it('CONFIG returns config leaves only, STATE state leaves plus keys, ALL both', async () => {
      const config = (await getValue(spine, '/interface[name=mgmt0]', { type: 'CONFIG' })) as Record<string, unknown>;
      const state = (await getValue(spine, '/interface[name=mgmt0]', { type: 'STATE' })) as Record<string, unknown>;
      const all = (await getValue(spine, '/interface[name=mgmt0]')) as Record<string, unknown>;

      expect(config).toEqual({ 'admin-state': 'enable', subinterface: [{ index: 0, 'admin-state': 'enable', ipv4: { 'admin-state': 'enable' } }] });
      expect(state).toEqual({ 'oper-state': 'up', subinterface: [{ index: 0, 'oper-state': 'up' }] });
      expect(all).toEqual({
        'admin-state': 'enable',
        'oper-state': 'up',
        subinterface: [{ index: 0, 'admin-state': 'enable', ipv4: { 'admin-state': 'enable' }, 'oper-state': 'up' }],
      });
    });

    it('treats OPERATIONAL like STATE and an unset type like ALL', async () => {
      expect(await getValue(spine, '/interface[name=mgmt0]/oper-state', { type: 'OPERATIONAL' })).toBe('up');
      const root = (await getValue(spine, '/')) as { interface: Array<Record<string, unknown>> };
      expect(root.interface.find((i) => i.name === 'mgmt0')).toMatchObject({ 'admin-state': 'enable', 'oper-state': 'up' });
    });

    it('answers NOT_FOUND when the type filters everything away', async () => {
      await expectGrpcError(spine.get({ path: [wirePath('/interface[name=mgmt0]/oper-state')], type: 'CONFIG' }), status.NOT_FOUND, '/interface[name=mgmt0]/oper-state');
      await expectGrpcError(spine.get({ path: [wirePath('/system')], type: 'STATE' }), status.NOT_FOUND, /\/system: no state data/);
    });

    it('CONFIG at the root is the whole config and carries no state leaf anywhere', async () => {
      const text = JSON.stringify(await getValue(spine, '/', { type: 'CONFIG' }));
      expect(text).not.toMatch(/oper-state|session-state/);
      expect(text).toContain('"autonomous-system":65000');
    });
  });

  describe('encodings', () => {
    it('JSON_IETF qualifies top-level and augmenting members and identities, as SR Linux does', async () => {
      const response = await spine.get({ path: [wirePath('/')], type: 'CONFIG', encoding: 'JSON_IETF' });
      const root = decode(response.notification![0].update![0].val) as Record<string, unknown>;
      expect(Object.keys(root).sort()).toEqual([
        'srl_nokia-interfaces:interface',
        'srl_nokia-network-instance:network-instance',
        'srl_nokia-routing-policy:routing-policy',
        'srl_nokia-system:system',
      ]);
      const defaultNi = (root['srl_nokia-network-instance:network-instance'] as Array<Record<string, any>>).find((ni) => ni.name === 'default')!;
      expect(defaultNi.type).toBe('srl_nokia-network-instance:default');
      const bgp = defaultNi.protocols['srl_nokia-bgp:bgp'];
      expect(bgp['afi-safi']).toEqual([{ 'afi-safi-name': 'srl_nokia-common:ipv4-unicast', 'admin-state': 'enable' }]);
      expect((root['srl_nokia-system:system'] as Record<string, unknown>)['srl_nokia-system-name:name']).toEqual({ 'host-name': 'spine01' });
      expect(response.notification![0].update![0].val!.json_ietf_val).toBeDefined();
    });

    it('JSON (also the default) is unprefixed, values and names alike', async () => {
      for (const encoding of ['JSON', undefined] as const) {
        const response = await spine.get({ path: [wirePath('/network-instance[name=default]')], type: 'CONFIG', encoding });
        const update = response.notification![0].update![0];
        expect(update.val!.json_val).toBeDefined();
        expect(pathText(update.path)).toBe('/network-instance[name=default]');
        const value = decode(update.val) as Record<string, any>;
        expect(value.type).toBe('default');
        expect(value.protocols.bgp['afi-safi'][0]['afi-safi-name']).toBe('ipv4-unicast');
        expect(JSON.stringify(value)).not.toMatch(/srl_nokia/);
      }
    });

    it('qualifies path elements at module boundaries in JSON_IETF', async () => {
      const response = await spine.get({ path: [wirePath('/network-instance[name=default]/protocols/bgp/autonomous-system')], encoding: 'JSON_IETF' });
      const update = response.notification![0].update![0];
      expect(update.path!.elem!.map((e) => e.name)).toEqual(['srl_nokia-network-instance:network-instance', 'protocols', 'srl_nokia-bgp:bgp', 'autonomous-system']);
      expect(decode(update.val)).toBe(65000);
    });

    it('leaves a list entry`s own keys out of its value (they are in the path)', async () => {
      const value = (await getValue(spine, '/interface[name=ethernet-1/1]', { type: 'CONFIG' })) as Record<string, unknown>;
      expect(value).not.toHaveProperty('name');
      expect(value).toMatchObject({ mtu: 9214, subinterface: [{ index: 0 }] });
    });

    it.each(['ASCII', 'PROTO', 'BYTES'] as const)('refuses encoding %s with UNIMPLEMENTED naming it', async (encoding) => {
      await expectGrpcError(spine.get({ path: [wirePath('/interface')], encoding }), status.UNIMPLEMENTED, new RegExp(`encoding ${encoding} is not supported`));
    });
  });

  describe('paths', () => {
    it('returns a leaf as its bare JSON value', async () => {
      expect(await getValue(spine, '/interface[name=ethernet-1/1]/mtu')).toBe(9214);
      expect(await getValue(spine, '/interface[name=ethernet-1/1]/oper-state')).toBe('down');
      expect(await getValue(spine, '/network-instance[name=default]/protocols/bgp/group[group-name=leaves]/export-policy')).toEqual(['export-loopbacks']);
    });

    it('expands wildcard keys into one update per concrete match', async () => {
      const values = await getValues(spine, { path: [wirePath('/interface[name=*]/subinterface[index=*]/ipv4/address[ip-prefix=*]/ip-prefix')] });
      expect(values.map(([path]) => path)).toEqual([
        '/interface[name=ethernet-1/1]/subinterface[index=0]/ipv4/address[ip-prefix=10.0.0.0/31]/ip-prefix',
        '/interface[name=ethernet-1/2]/subinterface[index=0]/ipv4/address[ip-prefix=10.0.0.2/31]/ip-prefix',
        '/interface[name=ethernet-1/3]/subinterface[index=0]/ipv4/address[ip-prefix=10.0.0.4/31]/ip-prefix',
        '/interface[name=ethernet-1/4]/subinterface[index=0]/ipv4/address[ip-prefix=10.0.0.6/31]/ip-prefix',
        '/interface[name=system0]/subinterface[index=0]/ipv4/address[ip-prefix=10.1.0.1/32]/ip-prefix',
      ]);
      expect(values.map(([, value]) => value)).toContain('10.1.0.1/32');
    });

    it('treats a missing key and a "*" element as wildcards too', async () => {
      const byMissingKey = await getValues(spine, { path: [wirePath('/interface/mtu')] });
      expect(byMissingKey.map(([path]) => path)).toEqual(['/interface[name=ethernet-1/1]/mtu', '/interface[name=ethernet-1/2]/mtu', '/interface[name=ethernet-1/3]/mtu', '/interface[name=ethernet-1/4]/mtu']);
      const byStar = await getValues(spine, { path: [wirePath('/interface[name=mgmt0]/*')], type: 'CONFIG' });
      expect(byStar.map(([path]) => path)).toEqual(['/interface[name=mgmt0]/name', '/interface[name=mgmt0]/admin-state', '/interface[name=mgmt0]/subinterface[index=0]']);
    });

    it('joins the prefix with each path and answers one notification per path', async () => {
      const response = await spine.get({
        prefix: wirePath('/network-instance[name=default]/protocols/bgp'),
        path: [wirePath('/autonomous-system'), wirePath('/router-id'), wirePath('/neighbor[peer-address=*]/peer-as')],
      });
      expect(response.notification).toHaveLength(3);
      expect(response.notification!.map((n) => n.update!.length)).toEqual([1, 1, 4]);
      expect(pathText(response.notification![1].update![0].path)).toBe('/network-instance[name=default]/protocols/bgp/router-id');
      expect(decode(response.notification![1].update![0].val)).toBe('10.1.0.1');
      const nowNs = BigInt(Date.now()) * 1_000_000n;
      const stamp = BigInt(response.notification![0].timestamp!);
      expect(stamp > nowNs - 60_000_000_000n && stamp <= nowNs + 1_000_000_000n).toBe(true);
    });

    it('returns the whole tree as one value for the root path', async () => {
      const response = await spine.get({ path: [{ elem: [] }] });
      expect(response.notification).toHaveLength(1);
      expect(response.notification![0].update).toHaveLength(1);
      expect(Object.keys(decode(response.notification![0].update![0].val) as object)).toEqual(
        expect.arrayContaining(['interface', 'network-instance', 'routing-policy', 'system']),
      );
    });

    it('answers NOT_FOUND naming a valid path that holds no data', async () => {
      await expectGrpcError(spine.get({ path: [wirePath('/interface[name=ethernet-1/9]')] }), status.NOT_FOUND, '/interface[name=ethernet-1/9]: no data');
      await expectGrpcError(
        spine.get({ path: [wirePath('/interface[name=mgmt0]'), wirePath('/network-instance[name=blue]/protocols/bgp')] }),
        status.NOT_FOUND,
        '/network-instance[name=blue]/protocols/bgp',
      );
    });

    it('answers INVALID_ARGUMENT naming a path outside the schema', async () => {
      await expectGrpcError(spine.get({ path: [wirePath('/interfaces/interface')] }), status.INVALID_ARGUMENT, /\/interfaces\/interface: unknown element "interfaces"/);
      await expectGrpcError(spine.get({ path: [wirePath('/interface[name=mgmt0]/mtu[x=1]')] }), status.INVALID_ARGUMENT, /"mtu" is not a list/);
      await expectGrpcError(spine.get({ path: [wirePath('/interface[ifname=mgmt0]')] }), status.INVALID_ARGUMENT, /has no key "ifname"/);
      await expectGrpcError(spine.get({ path: [{ origin: 'openconfig', elem: [{ name: 'interfaces' }] }] }), status.INVALID_ARGUMENT, /origin "openconfig"/);
    });

    it('accepts module-qualified names in request paths', async () => {
      const values = await getValues(spine, { path: [wirePath('/srl_nokia-interfaces:interface[name=mgmt0]/admin-state')] });
      expect(values).toEqual([['/interface[name=mgmt0]/admin-state', 'enable']]);
      await expectGrpcError(spine.get({ path: [wirePath('/srl_nokia-bgp:interface')] }), status.INVALID_ARGUMENT, /defined by module srl_nokia-interfaces/);
    });
  });
});
