import { ReadDeviceStatesResult } from '@synapse/contracts';
import { arrangeDeployed, resultOf, runActivity, sleep, startTestLab, type TestLab } from './lab';

describe('readDeviceStates: sessions and interfaces as one read of each device saw them (a baseline, a fabric check)', () => {
  let lab: TestLab;

  beforeEach(async () => {
    lab = await startTestLab({ timeoutMs: 1500 });
  });

  afterEach(async () => {
    await lab.stop();
  });

  it('reads a freshly booted device that has no BGP yet: no sessions, its interfaces with their states', async () => {
    const result = resultOf(await runActivity(lab.activities.readDeviceStates, [{ devices: ['spine01'] }]));
    expect(ReadDeviceStatesResult.safeParse(result).error).toBeUndefined();
    const [spine] = result.devices;
    expect(spine).toMatchObject({ device: 'spine01', sessions: {} });
    expect('interfaces' in spine! && spine.interfaces.mgmt0).toEqual({ admin: 'enable', oper: 'up' });
  });

  it('reads established sessions and up links once the fabric runs its intent, in the input order, and names an unreachable device', async () => {
    await arrangeDeployed(lab, 'spine01', 'leaf01', 'leaf02');
    await sleep(500);
    lab.sim.faults('leaf02').set({ refuseConnections: true });

    const result = resultOf(await runActivity(lab.activities.readDeviceStates, [{ devices: ['leaf01', 'leaf02', 'spine01'], concurrency: 2 }]));

    expect(result.devices.map((d) => d.device)).toEqual(['leaf01', 'leaf02', 'spine01']);
    expect(result.devices[0]).toMatchObject({ sessions: { '10.0.0.0': 'established', '10.0.0.4': 'established' }, interfaces: { 'ethernet-1/49': { admin: 'enable', oper: 'up' } } });
    expect(result.devices[1]).toEqual({ device: 'leaf02', unreachable: expect.stringContaining('[DeviceUnreachable]') });
    expect(Object.values((result.devices[2] as { sessions: Record<string, string> }).sessions)).toEqual(Array(4).fill('established'));
  });
});
