import type { DeviceSim } from '../src';
import { connect, decode, startLab, wirePath, type TestClient } from './helpers';

/** Every front-panel port SR Linux can name (99 slots x 128 ports) with long descriptions: past gRPC's 4 MB default message limit. */
function hugeConfig(): Record<string, unknown> {
  const interfaces = [];
  for (let slot = 1; slot <= 99; slot++) {
    for (let port = 1; port <= 128; port++) {
      interfaces.push({
        name: `ethernet-${slot}/${port}`,
        description: `customer circuit ${slot}-${port} towards a far away building, patch panel ${slot}.${port}, cross-connect order 2026-${slot}-${port}, contact noc@example.net, maintenance window sunday 02:00-04:00 UTC, escalation via the on-call rota, spare pair reserved in tray B`,
        'admin-state': 'enable',
        mtu: 9214,
        subinterface: [{ index: 0, 'admin-state': 'enable' }],
      });
    }
  }
  return { 'srl_nokia-interfaces:interface': interfaces };
}

describe('large configs', () => {
  let sim: DeviceSim;
  let client: TestClient;

  beforeAll(async () => {
    sim = await startLab();
    client = connect(sim.address('leaf02'));
  });

  afterAll(async () => {
    client.close();
    await sim.stop();
  });

  it('accepts a >4 MB replace at the root and returns it from Get CONFIG intact', async () => {
    const config = hugeConfig();
    const payload = Buffer.from(JSON.stringify(config));
    expect(payload.length).toBeGreaterThan(4 * 1024 * 1024);

    await client.set({ replace: [{ path: { elem: [] }, val: { json_ietf_val: payload } }] });
    const response = await client.get({ path: [wirePath('/')], type: 'CONFIG', encoding: 'JSON_IETF' });
    const bytes = response.notification![0].update![0].val!.json_ietf_val!;
    expect(bytes.length).toBeGreaterThan(4 * 1024 * 1024);
    expect(decode(response.notification![0].update![0].val)).toEqual(config);
    expect((sim.runningConfig('leaf02') as { interface: unknown[] }).interface).toHaveLength(99 * 128);
  }, 60_000);
});
