import { status } from '@grpc/grpc-js';
import type { DeviceSim } from '../src';
import { connect, expectGrpcError, LAB_USER, startLab, StreamRecorder, update, wirePath } from './helpers';

describe('credentials and Capabilities', () => {
  let sim: DeviceSim;

  beforeAll(async () => {
    sim = await startLab({
      topology: {
        devices: [
          { name: 'r1', credentials: LAB_USER, initialConfig: {} },
          { name: 'r2', credentials: { username: 'netops', password: 's3cret-r2' }, initialConfig: {} },
        ],
        links: [],
      },
    });
  });

  afterAll(() => sim.stop());

  it.each([
    ['no metadata at all', {}, /missing credentials: send "username" and "password"/],
    ['a username without password', { username: 'admin' }, /missing credentials/],
    ['a wrong password', { username: 'admin', password: 'hunter2' }, /authentication failed for user "admin"/],
    ['an unknown user', { username: 'guest', password: 'NokiaSrl1!' }, /authentication failed for user "guest"/],
  ] as Array<[string, { username?: string; password?: string }, RegExp]>)('refuses %s with UNAUTHENTICATED on every RPC, never echoing the password', async (_what, credentials, message) => {
    const client = connect(sim.address('r1'), credentials);
    try {
      for (const call of [client.capabilities(), client.get({ path: [wirePath('/')] }), client.set({ update: [update('/interface[name=lo1]', {})] })]) {
        const error = await expectGrpcError(call, status.UNAUTHENTICATED, message);
        if ('password' in credentials) expect(error.details).not.toContain(credentials.password);
      }
      const stream = new StreamRecorder(client.subscribe());
      stream.stream.write({ subscribe: { mode: 'ONCE', subscription: [{ path: wirePath('/interface') }] } });
      await stream.waitFor((r) => r.error !== undefined, 3000, 'subscribe refusal');
      expect(stream.error!.code).toBe(status.UNAUTHENTICATED);
      expect(sim.runningConfig('r1')).toEqual({});
    } finally {
      client.close();
    }
  });

  it('checks each device against its own credentials', async () => {
    const wrongDevice = connect(sim.address('r2'), LAB_USER);
    const rightDevice = connect(sim.address('r2'), { username: 'netops', password: 's3cret-r2' });
    try {
      await expectGrpcError(wrongDevice.capabilities(), status.UNAUTHENTICATED);
      await expect(rightDevice.capabilities()).resolves.toBeDefined();
    } finally {
      wrongDevice.close();
      rightDevice.close();
    }
  });

  it('advertises SR Linux-like models, JSON and JSON_IETF, gNMI 0.10.0 and no commit extension', async () => {
    const client = connect(sim.address('r1'));
    try {
      const capabilities = await client.capabilities();
      expect(capabilities.gNMI_version).toBe('0.10.0');
      expect(capabilities.supported_encodings).toEqual(['JSON', 'JSON_IETF']);
      const names = capabilities.supported_models!.map((m) => m.name);
      expect(names).toEqual(
        expect.arrayContaining([
          'srl_nokia-interfaces',
          'srl_nokia-interfaces-lag',
          'srl_nokia-interfaces-vlans',
          'srl_nokia-network-instance',
          'srl_nokia-bgp',
          'srl_nokia-routing-policy',
          'srl_nokia-acl',
          'srl_nokia-system',
          'srl_nokia-grpc',
          'srl_nokia-ntp',
          'srl_nokia-system-snmp',
          'srl_nokia-system-name',
          'srl_nokia-common',
        ]),
      );
      // 24.3 replaced it with srl_nokia-grpc; a 25.3 device does not have it.
      expect(names).not.toContain('srl_nokia-gnmi-server');
      expect(new Set(names).size).toBe(names.length);
      expect(capabilities.supported_models!.every((m) => m.version === '2025-03-31')).toBe(true);
      expect(capabilities.supported_models!.every((m) => m.organization === 'Nokia')).toBe(true);
      expect(capabilities.extension ?? []).toEqual([]);
    } finally {
      client.close();
    }
  });
});
