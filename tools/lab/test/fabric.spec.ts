import { DeviceIntent } from '@synapse/contracts';
import { bgpSessions, deviceIntent, generateFabric, isEthernetName, Lab, MAX_SPINES, parseIpv4Interface } from '../src';

describe('generated fabric of 1,000 devices (4 spines, 996 leaves)', () => {
  const lab = generateFabric({ spines: 4, leaves: 996 });

  it('has 1,000 devices with unique names, ASNs and loopbacks', () => {
    expect(lab.devices).toHaveLength(1000);
    expect(lab.devices.filter((d) => d.role === 'spine')).toHaveLength(4);
    for (const field of ['name', 'asn', 'loopback'] as const) {
      expect(new Set(lab.devices.map((d) => d[field])).size).toBe(1000);
    }
    expect(lab.devices[0].name).toBe('spine01');
    expect(lab.devices[4].name).toBe('leaf001');
    expect(lab.devices.every((d) => d.asn >= 4_200_000_000 && d.asn <= 4_294_967_294)).toBe(true);
  });

  it('cables every leaf to every spine on valid SR Linux port names, each port once', () => {
    expect(lab.links).toHaveLength(4 * 996);
    const ports = lab.links.flatMap((l) => [`${l.a.device} ${l.a.interface}`, `${l.b.device} ${l.b.interface}`]);
    expect(new Set(ports).size).toBe(ports.length);
    expect(lab.links.every((l) => isEthernetName(l.a.interface) && isEthernetName(l.b.interface))).toBe(true);
    // The device simulator's port plan: leaf l on spine port ethernet-<1+l/128>/<1+l%128>, uplink to spine s on ethernet-1/<49+s>.
    const leaf129 = lab.links.filter((l) => l.b.device === 'leaf129');
    expect(leaf129.map((l) => `${l.a.device} ${l.a.interface} <-> ${l.b.interface}`)).toEqual([
      'spine01 ethernet-2/1 <-> ethernet-1/49',
      'spine02 ethernet-2/1 <-> ethernet-1/50',
      'spine03 ethernet-2/1 <-> ethernet-1/51',
      'spine04 ethernet-2/1 <-> ethernet-1/52',
    ]);
    expect(lab.links.find((l) => l.b.device === 'leaf996')?.a.interface).toBe('ethernet-8/100');
  });

  it('addresses every link with its own /31, disjoint from each other and from the loopbacks', () => {
    const taken = new Set<number>();
    for (const device of lab.devices) taken.add(parseIpv4Interface(device.loopback)!.value);
    for (const link of lab.links) {
      const a = parseIpv4Interface(link.a.address)!;
      const b = parseIpv4Interface(link.b.address)!;
      expect(a.network === b.network && a.value !== b.value && a.length === 31).toBe(true);
      for (const value of [a.value, b.value]) {
        expect(taken.has(value)).toBe(false);
        taken.add(value);
      }
    }
    expect(taken.size).toBe(1000 + 2 * 3984);
  });

  it('has a mirrored session for every session, and intents contracts accept for all 1,000 devices', () => {
    const sessions = bgpSessions(lab);
    expect(sessions).toHaveLength(2 * 3984);
    const byEnd = new Map(sessions.map((s) => [`${s.device} ${s.localAddress}`, s]));
    for (const s of sessions) {
      const mirror = byEnd.get(`${s.peerDevice} ${s.peerAddress}`);
      expect(mirror && mirror.peerAddress === s.localAddress && mirror.peerAs === s.localAs && mirror.localAs === s.peerAs).toBe(true);
    }
    for (const device of lab.devices) {
      const intent = deviceIntent(lab, device.name);
      expect(DeviceIntent.safeParse(intent).success).toBe(true);
    }
    expect(deviceIntent(lab, 'spine03').bgp?.neighbors).toHaveLength(996);
  });

  it('survives a JSON round trip unchanged (the lab file format)', () => {
    expect(Lab.parse(JSON.parse(JSON.stringify(lab)))).toEqual(lab);
  });
});

describe('fabric generator limits', () => {
  it.each([
    [{ spines: 0, leaves: 2 }, /spines must be an integer 1\.\.80/],
    [{ spines: MAX_SPINES + 1, leaves: 2 }, /spines must be/],
    [{ spines: 2, leaves: 0 }, /leaves must be an integer/],
    [{ spines: 1.5, leaves: 2 }, /spines must be/],
    [{ spines: 8, leaves: 4097 }, /32776 links exceed the 32768/],
  ])('refuses %o', (options, message) => {
    expect(() => generateFabric(options)).toThrow(message);
  });

  it('builds the smallest fabric, one spine and one leaf', () => {
    const lab = generateFabric({ spines: 1, leaves: 1, name: 'tiny', mtu: 1500 });
    expect(lab.name).toBe('tiny');
    expect(lab.links).toEqual([
      { a: { device: 'spine01', interface: 'ethernet-1/1', address: '10.0.0.0/31' }, b: { device: 'leaf01', interface: 'ethernet-1/49', address: '10.0.0.1/31' }, mtu: 1500 },
    ]);
  });
});
