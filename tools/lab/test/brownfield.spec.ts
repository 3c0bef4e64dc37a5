import { brownfieldConfig, brownfieldLab, brownfieldPorts, deviceIntent, generateFabric, indexLab, initialConfig, LEGACY_IMPORT_POLICY, referenceLab, ROUTE_SERVER } from '../src';
import { labJsonFromArgs } from '../src/generate';

describe('brownfieldLab: the same fabric, already running config Synapse did not build', () => {
  const lab = brownfieldLab(referenceLab());

  it('keeps the devices and links, gives each an in-band management port, and imports with the devices’ own policy', () => {
    expect(lab.initialState).toBe('brownfield');
    expect(lab.devices.map((d) => d.name)).toEqual(referenceLab().devices.map((d) => d.name));
    expect(lab.links).toEqual(referenceLab().links);
    expect(lab.devices.every((d) => d.inbandManagement !== undefined)).toBe(true);
    expect(lab.bgp.importPolicy).toBe(LEGACY_IMPORT_POLICY);
    // Infrahub defines the export policy only: the import policy is named, not defined.
    expect(lab.bgp.policies.map((p) => p.name)).toEqual(['export-loopbacks']);
  });

  it("the intent lists the management port with role management, and the device's own policy as a bare reference", () => {
    const intent = deviceIntent(lab, 'leaf01');
    expect(intent.interfaces.find((i) => i.role === 'management')).toEqual({
      name: 'ethernet-1/128',
      description: 'in-band management',
      enabled: true,
      ipv4Addresses: ['172.16.0.2/24'],
      role: 'management',
    });
    expect(intent.bgp?.groups[0].importPolicies).toEqual([LEGACY_IMPORT_POLICY]);
    expect(intent.routingPolicies.map((p) => p.name)).toEqual(['export-loopbacks']);
  });

  it('starts each device from a brownfield config: LAG, breakout, ACL, anycast loopback, route server, own policies', () => {
    const config = initialConfig(lab, 'leaf01') as Record<string, any>;
    expect(config).toEqual(brownfieldConfig(lab, 'leaf01'));
    const names = config['srl_nokia-interfaces:interface'].map((i: { name: string }) => i.name);
    const ports = brownfieldPorts(lab, 'leaf01');
    expect(names).toEqual(expect.arrayContaining(['mgmt0', 'ethernet-1/49', 'lag1', 'lo0', ports.breakout, `${ports.breakout}/1`, ports.access, ports.inbandManagement, ...ports.lagMembers]));
    expect(JSON.stringify(config['srl_nokia-acl:acl'])).toContain(`${ports.access}.0`);
    const bgp = config['srl_nokia-network-instance:network-instance'][1].protocols['srl_nokia-bgp:bgp'];
    expect(bgp.neighbor.map((n: { 'peer-address': string }) => n['peer-address'])).toContain(ROUTE_SERVER.address);
    expect(config['srl_nokia-routing-policy:routing-policy'].policy.map((p: { name: string }) => p.name)).toEqual(['export-loopbacks', LEGACY_IMPORT_POLICY, 'customer-export']);
    // The reference lab itself stays greenfield.
    expect(Object.keys(initialConfig(referenceLab(), 'leaf01'))).not.toContain('srl_nokia-acl:acl');
  });

  it('chooses free ports even on a spine whose first slots are full of fabric links, the breakout on a connector below 100', () => {
    const fabric = brownfieldLab(generateFabric({ spines: 2, leaves: 300 }));
    const cabled = new Set((indexLab(fabric).ports.get('spine01') ?? []).map((p) => p.interface));
    const ports = brownfieldPorts(fabric, 'spine01');
    const chosen = [ports.inbandManagement, ports.access, ports.breakout, ...ports.lagMembers];
    expect(new Set(chosen).size).toBe(5);
    for (const port of chosen) expect(cabled.has(port)).toBe(false);
    expect(Number(ports.breakout.split('/')[1])).toBeLessThanOrEqual(99);
  });

  it('generate --brownfield writes the twin as a lab file', () => {
    const written = JSON.parse(labJsonFromArgs(['--reference', '--brownfield']));
    expect(written.initialState).toBe('brownfield');
    expect(written.bgp.importPolicy).toBe(LEGACY_IMPORT_POLICY);
    expect(JSON.parse(labJsonFromArgs(['--reference'])).initialState).toBe('greenfield');
  });
});
