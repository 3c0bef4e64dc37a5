/**
 * Workflow code derives what validation expects from the intent itself,
 * because it cannot import device-config. The two derivations must agree,
 * or a change would validate something other than what it deployed.
 */
import { DeviceIntent, type DeviceIntentInput } from '@synapse/contracts';
import { expectedState } from '@synapse/device-config';
import { deviceIntent, generateFabric, referenceLab } from '@synapse/lab';
import { validationExpectations } from '../src/workflows/expected-state';

describe('validation expectations in workflow code', () => {
  const labs = [referenceLab(), generateFabric({ spines: 2, leaves: 4 })];

  it.each(labs.flatMap((lab) => lab.devices.map((d) => [lab.name, d.name] as const)))('match device-config for %s device %s', (labName, device) => {
    const lab = labs.find((l) => l.name === labName)!;
    const intent = deviceIntent(lab, device);
    expect(validationExpectations(intent)).toEqual(expectedState(intent));
  });

  it('match device-config for disabled and management interfaces and a device without BGP', () => {
    const input: DeviceIntentInput = {
      name: 'edge01',
      role: 'edge',
      interfaces: [
        { name: 'mgmt0', role: 'management', ipv4Addresses: ['192.0.2.10/24'] },
        { name: 'ethernet-1/1', enabled: false, ipv4Addresses: ['10.9.0.0/31'] },
        { name: 'ethernet-1/2', ipv4Addresses: ['10.9.0.2/31'] },
        { name: 'system0', role: 'loopback', ipv4Addresses: ['10.9.1.1/32'] },
      ],
    };
    const intent = DeviceIntent.parse(input);
    const expectations = validationExpectations(intent);
    expect(expectations).toEqual(expectedState(intent));
    expect(expectations.neighbors).toEqual([]);
    expect(expectations.interfaces).toEqual([
      { name: 'ethernet-1/1', adminState: 'disable', operState: 'down' },
      { name: 'ethernet-1/2', adminState: 'enable', operState: 'up' },
      { name: 'system0', adminState: 'enable', operState: 'up' },
    ]);
  });
});
